"""The desk's page of linked chats (issue 16), over plain HTTP against Kyodo running for real
with the Telegram sandbox and the LINE stand-in: an admin sees who uses both messengers, unlinks
one person's LINE, and the person hears of it in Telegram and in LINE, in their language; the
row is gone and the audit log says who did it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from bot.ports.clock import SystemClock
from kyodo.app import open_store
from kyodo.demo import load_demo
from storage.models import AuditRow, PersonChatRow
from tests.desk.conftest import TANAKA, Desk, DeskClient
from tests.fixtures.browser import needs_chromium, on_the_browser_loop
from tests.fixtures.line_kyodo import kyodo_with_line

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]


@pytest_asyncio.fixture(loop_scope="session")
async def linked_desk(sandbox: Any, tmp_path: Path) -> AsyncIterator[tuple[Desk, str, int]]:
    """The demo co-op, and Tanaka (a member on Telegram) with his LINE linked."""
    async with kyodo_with_line(sandbox, tmp_path / "kyodo.db") as app:
        user_id = sandbox.line.add_person("たなか", "ja").user_id
        async with open_store(app.settings) as store, store.uow() as uow:
            now = SystemClock().now()
            await load_demo(uow, now, app.settings.tz)
            tanaka = await uow.people.by_telegram_id(TANAKA)
            assert tanaka is not None
            await uow.links.attach(await uow.line.chat_for(user_id), tanaka.id, now)
            await uow.commit()
        yield Desk(app, sandbox), user_id, tanaka.id


@pytest_asyncio.fixture(loop_scope="session")
async def web(linked_desk: tuple[Desk, str, int]) -> AsyncIterator[DeskClient]:
    jar = aiohttp.CookieJar(unsafe=True)
    headers = {"Accept-Language": "ja-JP,ja;q=0.9"}
    async with aiohttp.ClientSession(cookie_jar=jar, headers=headers) as http:
        yield DeskClient(linked_desk[0], http)


async def count(desk: Desk, table: Any, *where: Any) -> int:
    async with await desk.store() as store, store.engine.connect() as db:
        return int(await db.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def test_an_admin_unlinks_a_persons_line_and_the_person_is_told(
    linked_desk: tuple[Desk, str, int], web: DeskClient
):
    desk, line_user, person_id = linked_desk
    await web.sign_in()  # 花子: staff and admin
    people = await web.get("/people")
    assert "LINE と Telegram の連携" in people.main  # the way to the page
    page = await web.get("/links")
    assert page.status == 200 and page.h1 == "LINE と Telegram の連携"
    assert "田中 一郎 Telegram LINE 連携を解除" in page.main

    done = await web.post(
        "/links/unlink", {"csrf": page.input("csrf"), "person": str(person_id), "chat": "0"}
    )
    assert done.status == 200 and "連携を解除しました。ご本人に知らせます。" in done.main
    assert "両方のメッセンジャーを連携している方は、まだいません。" in done.main
    assert await count(desk, PersonChatRow) == 0
    assert await count(desk, AuditRow, AuditRow.action == "person.unlinked") == 1

    # Tanaka hears of it in Telegram, and in the LINE chat that is no longer his.
    told = "LINE との連携は、管理者が解除しました。こちらではこれまでどおり Kyodo を使えます"
    await desk.sandbox.wait_for_text(TANAKA, told, timeout=10)
    await desk.sandbox.line.wait_for_text(line_user, "このチャットと Kyodo の連携は", timeout=10)

    again = await web.post(
        "/links/unlink", {"csrf": page.input("csrf"), "person": str(person_id), "chat": "0"}
    )
    assert "その連携はすでに解除されています。" in again.main
