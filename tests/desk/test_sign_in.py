"""Signing in to the desk with the one-time link from Telegram, and every way it is refused."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select, update

from bot.domain.desk import token_hash
from bot.domain.people import Role
from storage.models import AuditRow, DeskLoginRow
from tests.desk.conftest import HANAKO, TANAKA, Desk, DeskClient
from tests.fixtures.browser import needs_chromium, on_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]


async def audit_actions(desk: Desk) -> list[str]:
    async with await desk.store() as store, store.engine.connect() as db:
        return list((await db.scalars(select(AuditRow.action).order_by(AuditRow.id))).all())


async def test_a_staff_member_signs_in_with_the_link_from_telegram_and_out_again(
    desk: Desk, page: Page
):
    link = await desk.link()
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1)).to_have_text("スタッフデスクにログイン")
    await page.get_by_role("button", name="ログインする").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("スタッフデスク")
    await expect(page.get_by_text("佐藤 花子さん")).to_be_visible()
    cookie = next(c for c in await page.context.cookies() if c["name"] == "kyodo_desk")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/desk"
    await page.get_by_role("button", name="ログアウト").click()
    await expect(page.get_by_text("ログアウトしました。")).to_be_visible()
    await page.goto(desk.base + "/hours")
    await expect(page.get_by_role("heading", level=1)).to_have_text("ログインしていません")
    actions = await audit_actions(desk)
    assert [a for a in actions if a.startswith("desk.")] == [
        "desk.link_issued",
        "desk.signed_in",
        "desk.signed_out",
    ]


async def test_a_reused_link_is_refused_with_a_page_that_says_so(desk: Desk, web: DeskClient):
    link = await desk.link()
    await web.get(link)
    assert (await web.post(link)).url == desk.base + "/"
    web.forget_cookies()
    again = await web.get(link)
    assert again.status == 403
    assert "このリンクはすでに使われています" in again.main
    # Posting to the used link directly (as a second tab would) is refused and audited too.
    assert (await web.post(link)).status == 403
    assert "desk.sign_in_refused" in await audit_actions(desk)


async def test_a_stale_link_is_refused(desk: Desk, web: DeskClient):
    link = await desk.link()
    token = link.rsplit("/", 1)[1]
    # Ten minutes later, as far as the store can tell:
    async with await desk.store() as store, store.engine.begin() as db:
        await db.execute(
            update(DeskLoginRow)
            .where(DeskLoginRow.token_hash == token_hash(token))
            .values(expires_at=DeskLoginRow.created_at)
        )
    refused = await web.get(link)
    assert refused.status == 403
    assert "有効期限（10分）が切れています" in refused.main


async def test_a_made_up_link_is_refused(web: DeskClient):
    refused = await web.get("/login/" + "x" * 43)
    assert refused.status == 403
    assert "このリンクは正しくありません" in refused.main


async def test_a_member_asking_for_the_desk_is_told_it_is_for_staff(desk: Desk):
    answer = await desk.person(TANAKA, "一郎").says("/desk")
    assert "デスクはスタッフ専用です" in answer.text
    assert "desk.link_refused" in await audit_actions(desk)


async def test_someone_who_lost_the_staff_role_is_refused_at_the_next_click(
    desk: Desk, web: DeskClient
):
    await web.sign_in()
    await desk.set_roles(HANAKO, {Role.MEMBER})
    refused = await web.get("/hours")
    assert refused.status == 403
    assert "スタッフの権限がないため" in refused.main
    # The session is over for good: restoring the role does not revive it.
    await desk.set_roles(HANAKO, {Role.STAFF, Role.ADMIN})
    assert (await web.get("/hours")).status == 401
    assert "desk.session_refused" in await audit_actions(desk)


async def test_a_link_opened_by_someone_who_lost_the_role_meanwhile_is_refused(
    desk: Desk, web: DeskClient
):
    link = await desk.link()
    await desk.set_roles(HANAKO, {Role.MEMBER})
    refused = await web.get(link)
    assert refused.status == 403
    assert "スタッフの権限がないため" in refused.main


async def test_a_forged_csrf_token_is_refused_and_nothing_changes(desk: Desk, web: DeskClient):
    report_id = await desk.report(TANAKA, 1, 240)
    await web.sign_in()
    form = {"csrf": "forged", "back": "/desk/hours", "one": str(report_id)}
    refused = await web.post("/hours/approve", form)  # the row's 承認 button, token forged
    assert refused.status == 403
    assert refused.h1 == "この操作は行えません"
    assert "この送信は確認できませんでした" in refused.main
    async with await desk.store() as store, store.uow() as uow:
        report = await uow.hours.get(report_id)
    assert report is not None and report.status == "pending"
    assert "desk.csrf_refused" in await audit_actions(desk)
    # A post with the session's cookie but without the session's token is refused as well.
    assert (await web.post("/hours/approve", {"one": "1"})).status == 403


async def test_a_mistyped_or_forged_address_gets_a_page_in_the_persons_language(web: DeskClient):
    await web.sign_in()
    for path in ("/nowhere", "/shifts/abc", "/hours/approve", "/people/99999999999999999999"):
        missing = await web.get(path)
        assert missing.status == 404, path
        assert missing.h1 == "ページが見つかりません", path
    assert (await web.get("/people/999999")).status == 403  # a well-formed id: refused, audited
