"""The desk's work, driven in Chromium: approving hours (the members hear of it in Telegram),
rejecting with a reason, importing a shift CSV with a preview, creating and staffing a shift.
A forged id's refusal is read over plain HTTP."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from storage.models import AuditRow, ShiftRow
from tests.desk.conftest import MARIA, RESIDENT, TANAKA, Desk, DeskClient, statuses
from tests.fixtures.browser import needs_chromium, on_the_browser_loop
from tests.fixtures.held import send_now_window_over

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]


async def test_staff_approve_a_selection_of_hours_and_the_members_are_told(desk: Desk, page: Page):
    first = await desk.report(TANAKA, 2, 480)
    second = await desk.report(MARIA, 1, 360)
    third = await desk.report(TANAKA, 1, 120)
    await desk.sign_in(page)
    await expect(page.locator("nav .count").first).to_have_text("3件")
    await page.get_by_role("link", name=re.compile("勤務時間の承認")).click()
    rows = page.locator("tbody tr")
    await expect(rows).to_have_count(3)
    await expect(rows.first).to_contain_text("田中 一郎")  # oldest first
    await expect(rows.first).to_contain_text("8時間")  # hours as people say them, not "8"
    await expect(rows.last).to_contain_text("2時間")
    await page.get_by_label(f"{first}番（田中 一郎さん）を選ぶ").check()
    await page.get_by_label(f"{second}番（Maria Santosさん）を選ぶ").check()
    tanaka_before = len(desk.sandbox.messages_to(TANAKA))
    maria_before = len(desk.sandbox.messages_to(MARIA))
    await page.get_by_role("button", name="選んだ報告を承認する").click()
    # Asked once for the selection, with the count (bot/dialogs/confirm.py's rule on the desk).
    await expect(page.locator("main")).to_contain_text(
        "勤務時間の報告2件を承認し、組合員2人にお知らせします。"
    )
    await page.get_by_role("button", name="はい、まとめて承認します").click()
    await expect(page.get_by_role("status")).to_have_text("2件を承認しました。組合員に通知します。")
    await expect(page.get_by_role("button", name="元に戻す")).to_be_visible()
    await expect(rows).to_have_count(1)
    await expect(page.locator("nav .count").first).to_have_text("1件")
    await desk.undo_window_over()  # the notices are held while the decision may be undone
    maria = await desk.sandbox.wait_for_messages(MARIA, maria_before + 1, timeout=10)
    assert "Your hours were approved" in maria[-1].text and "6 h" in maria[-1].text
    tanaka = await desk.sandbox.wait_for_messages(TANAKA, tanaka_before + 1, timeout=10)
    assert "勤務時間が承認されました" in tanaka[-1].text
    assert (await statuses(desk)) == {
        first: ("approved", None),
        second: ("approved", None),
        third: ("pending", None),
    }
    # The same press again (a double click, a resent form) approves nothing a second time.
    csrf = await page.locator("#approve input[name=csrf]").input_value()
    script = """async ([url, body]) => (await fetch(url, {method: 'POST', body:
        new URLSearchParams(body)})).url"""
    landed = await page.evaluate(
        script, [desk.base + "/hours/approve", {"csrf": csrf, "ids": str(first)}]
    )
    assert "done=already_decided" in landed
    assert len(desk.sandbox.messages_to(TANAKA)) == len(tanaka)


async def test_staff_reject_with_a_reason_the_member_reads(desk: Desk, page: Page):
    report = await desk.report(TANAKA, 1, 480)
    await desk.sign_in(page)
    await page.goto(desk.base + "/hours")
    await page.get_by_role("link", name="差し戻し").click()
    await page.get_by_role("button", name="差し戻す").click()  # empty: the browser asks first
    await page.get_by_label("差し戻す理由").fill("シフトは4時間でした")
    before = len(desk.sandbox.messages_to(TANAKA))
    await page.get_by_role("button", name="差し戻す").click()
    await expect(page.get_by_role("status")).to_contain_text("差し戻しました")
    await desk.undo_window_over()
    notice = (await desk.sandbox.wait_for_messages(TANAKA, before + 1, timeout=10))[-1]
    assert "勤務時間が差し戻されました" in notice.text and "シフトは4時間でした" in notice.text
    assert (await statuses(desk))[report] == ("rejected", "シフトは4時間でした")


async def test_a_forged_report_id_is_refused_and_audited(desk: Desk, web: DeskClient):
    await web.sign_in()
    refused = await web.get("/hours/999999/reject")
    assert refused.status == 403
    assert "この操作は行えません" in refused.main
    async with await desk.store() as store, store.engine.connect() as db:
        actions = (await db.scalars(select(AuditRow.action))).all()
    assert "hours.review_refused" in actions


async def test_staff_import_a_shift_csv_after_a_preview_with_row_errors(
    desk: Desk, page: Page, tmp_path
):
    day = desk.today().toordinal() + 3
    when = date.fromordinal(day).strftime("%Y/%m/%d")
    csv = (
        "センター,日付,開始,終了,仕事,定員,メンバー\n"
        f"港ビル清掃センター,{when},8:00,12:00,清掃,3,2001\n"
        f"中央ケアセンター,{when},13:00,17:00,elderly_care,2,\n"
        f"どこかのセンター,{when},9:00,10:00,清掃,1,\n"
    ).encode("cp932")
    path = tmp_path / "shifts.csv"
    path.write_bytes(csv)
    async with await desk.store() as store, store.engine.connect() as db:
        before = len((await db.scalars(select(ShiftRow.id))).all())
    await desk.sign_in(page)
    await page.goto(desk.base + "/shifts/import")
    await page.get_by_label("CSVファイル").set_input_files(str(path))
    await page.get_by_role("button", name="内容を確認する").click()
    await expect(page.locator("main")).to_contain_text("取り込めるシフト：2件、問題のある行：1件")
    errors = page.locator("table.errors tbody tr")
    await expect(errors).to_have_count(1)
    await expect(errors.first).to_contain_text("4")
    async with await desk.store() as store, store.engine.connect() as db:
        assert len((await db.scalars(select(ShiftRow.id))).all()) == before  # preview only
    await page.get_by_label("問題のない行だけを取り込む").check()
    await page.get_by_role("button", name="2件のシフトを取り込む").click()
    await expect(page.get_by_role("status")).to_have_text("2件のシフトを取り込みました。")
    async with await desk.store() as store, store.engine.connect() as db:
        assert len((await db.scalars(select(ShiftRow.id))).all()) == before + 2


async def test_staff_create_a_shift_and_put_a_member_on_it(desk: Desk, page: Page):
    await desk.sign_in(page)
    await page.goto(desk.base + "/shifts/new")
    await page.get_by_label("定員").fill("2")
    far = date.fromordinal(desk.today().toordinal() + 20)  # no demo shift that day
    await page.get_by_label("日付").fill(far.isoformat())
    await page.get_by_role("button", name="保存する").click()
    await expect(page.get_by_role("status")).to_have_text("シフトを保存しました。")
    await page.get_by_label("または番号で指定").fill("999999")
    await page.get_by_role("button", name="シフトに入れる").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    async with await desk.store() as store, store.uow() as uow:
        tanaka = await uow.people.by_telegram_id(TANAKA)
    assert tanaka is not None
    await page.get_by_label("または番号で指定").fill(str(tanaka.id))
    await page.get_by_role("button", name="シフトに入れる").click()
    await expect(page.get_by_role("status")).to_have_text("シフトに入れました。")
    await expect(page.get_by_role("button", name=re.compile("シフトから外す"))).to_have_count(1)


async def test_staff_decline_a_service_request_with_a_reason_the_resident_reads(
    desk: Desk, page: Page
):
    request_id = await desk.service_request()
    await desk.sign_in(page)
    await page.get_by_role("link", name=re.compile("サービスの依頼")).first.click()
    await page.get_by_role("link", name=re.compile(r"K-\d{4}-\d{4}")).first.click()
    await expect(page.locator("main")).to_contain_text("090-1234-5678")  # shown to staff...
    await expect(page.locator("dd", has_text=re.compile("^中央区$"))).to_have_count(1)  # area
    async with await desk.store() as store, store.engine.connect() as db:
        actions = (await db.scalars(select(AuditRow.action))).all()
    assert "request.personal_viewed" in actions  # ...and the view is audited
    await page.get_by_role("button", name="担当する").click()
    await expect(page.get_by_role("status")).to_contain_text("担当しました")
    await page.get_by_role("button", name="お断りする").click()  # empty: the browser asks
    await page.get_by_label("お断りする理由").fill("その日は清掃チームに空きがありません")
    await page.get_by_role("button", name="お断りする").click()
    await expect(page.get_by_role("status")).to_contain_text("お断りしました")
    await expect(page.locator("main")).to_contain_text("その日は清掃チームに空きがありません")
    await desk.undo_window_over()  # the decline is told once it can no longer be undone
    # the "under review" notice from taking it may still be on its way: wait for the reason itself
    await desk.sandbox.wait_for_text(RESIDENT, "その日は清掃チームに空きがありません", timeout=10)
    async with await desk.store() as store, store.uow() as uow:
        stored = await uow.requests.get(request_id)
    assert stored is not None and stored.status == "declined"


async def test_staff_approve_a_volunteer_who_is_told_and_becomes_one(desk: Desk, page: Page):
    await desk.volunteer_application()
    await desk.sign_in(page)
    await (
        page.get_by_role("navigation")
        .get_by_role("link", name=re.compile("ボランティアの申し込み"))
        .click()
    )
    await expect(page.locator("main")).to_contain_text("山本 トメ")
    await expect(page.locator("main")).to_contain_text("調理師免許")
    await page.get_by_role("button", name="山本 トメさんをお断りする").click()  # no reason
    before = len(desk.sandbox.messages_to(RESIDENT))
    await page.get_by_role("button", name="山本 トメさんを承認する").click()
    await expect(page.get_by_role("status")).to_contain_text("承認しました")
    await expect(page.locator("main")).to_contain_text("待っている申し込みはありません")
    await expect(page.get_by_role("button", name="元に戻す")).to_be_visible()
    await desk.undo_window_over()  # the approval is told once it can no longer be undone
    notices = await desk.sandbox.wait_for_messages(RESIDENT, before + 1, timeout=10)
    assert len(notices) > before
    async with await desk.store() as store, store.uow() as uow:
        person = await uow.people.by_telegram_id(RESIDENT)
    assert person is not None and "volunteer" in person.roles


async def test_staff_compose_a_broadcast_preview_both_languages_and_follow_it_live(
    desk: Desk, page: Page
):
    await desk.sign_in(page)
    await page.goto(desk.base + "/broadcasts/new")
    await page.get_by_label("本文（日本語）").fill("明日は<休業>です")
    await page.get_by_label("本文（英語）").fill("Closed <tomorrow>")
    await page.get_by_role("button", name="プレビューと人数を確認する").click()
    await expect(page.get_by_role("status")).to_contain_text("送り先：2人")
    bubbles = page.locator(".bubble .tg")
    await expect(bubbles.nth(0)).to_have_text("📢 明日は<休業>です")  # escaped, shown as typed
    await expect(bubbles.nth(1)).to_have_text("📢 Closed <tomorrow>")
    tanaka_before = len(desk.sandbox.messages_to(TANAKA))
    maria_before = len(desk.sandbox.messages_to(MARIA))
    await page.get_by_role("button", name="2人に送る").click()
    # Sending starts once the few minutes in which it may be undone are over: here, at once.
    await expect(page.get_by_role("status")).to_contain_text("送信は少しあとに始まります")
    await expect(page.get_by_role("button", name="元に戻す")).to_be_visible()
    await send_now_window_over(desk.app.settings.database_url)
    tanaka = await desk.sandbox.wait_for_messages(TANAKA, tanaka_before + 1, timeout=15)
    maria = await desk.sandbox.wait_for_messages(MARIA, maria_before + 1, timeout=15)
    assert any("明日は&lt;休業&gt;です" in m.text or "明日は<休業>です" in m.text for m in tanaka)
    assert any("Closed" in m.text for m in maria[maria_before:])
    # The page's figures follow the sending without a reload.
    await expect(page.locator('[data-field="sent"]')).to_have_text("2", timeout=15_000)
    await expect(page.locator('[data-field="remaining"]')).to_have_text("0")


async def test_staff_publish_a_notice_edit_it_and_see_the_answers_chart(desk: Desk, page: Page):
    await desk.sign_in(page)
    await page.goto(desk.base + "/assemblies/new")
    day = date.fromordinal(desk.today().toordinal() + 30)
    await page.get_by_label("題名（日本語）").fill("臨時総会")
    await page.get_by_label("場所（日本語）").fill("本部")
    await page.get_by_label("日時").fill(f"{day.isoformat()}T14:00")
    await page.get_by_label("回答期限").fill(date.fromordinal(day.toordinal() - 7).isoformat())
    await page.get_by_role("button", name="案内を公開する").click()
    await expect(page.get_by_role("status")).to_contain_text("案内を公開しました")
    await expect(page.get_by_role("heading", level=1)).to_have_text("臨時総会")
    await expect(page.locator("figure.chart")).to_contain_text("議決権のある組合員 2人のうち")
    await page.get_by_role("link", name="案内を編集する").click()
    await page.get_by_label("題名（英語・省略可）").fill("Extraordinary assembly")
    await page.get_by_label("定足数").fill("2/3")
    await page.get_by_role("button", name="保存する").click()
    await expect(page.get_by_role("status")).to_have_text("案内を保存しました。")
    await expect(page.locator("main")).to_contain_text("定足数：2/3（2人）")
    before = len(desk.sandbox.messages_to(TANAKA))
    await page.get_by_role("button", name=re.compile("回答のお願いを送る")).click()
    await expect(page.get_by_role("status")).to_have_text("2人に回答のお願いを送りました。")
    reminders = await desk.sandbox.wait_for_messages(TANAKA, before + 1, timeout=10)
    assert any("臨時総会" in m.text for m in reminders[before:])
    await page.get_by_role("button", name=re.compile("回答のお願いを送る")).click()
    await expect(page.get_by_role("status")).to_have_text("0人に回答のお願いを送りました。")


async def test_select_all_shown_then_approve_them_in_one_go(desk: Desk, page: Page):
    for days in (3, 2, 1):
        await desk.report(TANAKA, days, 240)
    await desk.sign_in(page)
    await page.goto(desk.base + "/hours")
    await page.get_by_role("button", name="表示中をすべて選ぶ・外す").click()
    await page.get_by_role("button", name="選んだ報告を承認する").click()
    await expect(page.locator("main")).to_contain_text("勤務時間の報告3件を承認し")
    await page.get_by_role("button", name="はい、まとめて承認します").click()
    await expect(page.get_by_role("status")).to_have_text("3件を承認しました。組合員に通知します。")
    await expect(page.locator("main")).to_contain_text("承認待ちの報告はありません。")
