"""The desk's broadcast form with LINE on, over plain HTTP against Kyodo running for real and the
sandbox's LINE stand-in: the preview says what the broadcast costs of LINE's monthly messages
and what is left (as LINE's quota endpoints tell it), and one that would go past it is refused
with the reason and not started (bot/services/line_quota.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bot.domain.broadcasts import BroadcastStatus
from bot.domain.people import NewPerson, Role
from bot.ports.clock import SystemClock
from kyodo.app import open_store
from kyodo.demo import load_demo
from tests.desk.conftest import Desk, DeskClient
from tests.fixtures.browser import needs_chromium, on_the_browser_loop
from tests.fixtures.line_kyodo import kyodo_with_line

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]

FORM = {
    "audience": "members",
    "centre": "",
    "assembly": "",
    "kind": "notice",
    "text_ja": "総会のお知らせです",
    "text_en": "General assembly notice",
    "when": "now",
    "day": "",
    "time": "09:00",
}


@pytest_asyncio.fixture(loop_scope="session")
async def line_desk(sandbox: Any, tmp_path: Path) -> AsyncIterator[Desk]:
    """The demo co-op (two members on Telegram) and three members on LINE."""
    async with kyodo_with_line(sandbox, tmp_path / "kyodo.db") as app:
        async with open_store(app.settings) as store, store.uow() as uow:
            now = SystemClock().now()
            await load_demo(uow, now, app.settings.tz)
            for number in range(3):
                user = sandbox.line.add_person(f"L{number}", "ja").user_id
                chat_id = await uow.line.chat_for(user)
                roles = frozenset({Role.MEMBER})
                await uow.people.add(NewPerson(chat_id, f"L{number}", "ja", now, "ja", roles))
            await uow.commit()
        yield Desk(app, sandbox)


@pytest_asyncio.fixture(loop_scope="session")
async def line_web(line_desk: Desk) -> AsyncIterator[DeskClient]:
    jar = aiohttp.CookieJar(unsafe=True)
    headers = {"Accept-Language": "ja-JP,ja;q=0.9"}
    async with aiohttp.ClientSession(cookie_jar=jar, headers=headers) as http:
        yield DeskClient(line_desk, http)


async def broadcasts(desk: Desk) -> int:
    async with await desk.store() as store, store.uow() as uow:
        return len(await uow.broadcasts.with_status(frozenset(BroadcastStatus), 10))


async def test_the_form_shows_the_line_cost_and_refuses_one_beyond_the_quota(
    line_desk: Desk, line_web: DeskClient
):
    quota = line_desk.sandbox.line.quota
    quota.spend(150)  # the Communication plan's 200: 50 left
    await line_web.sign_in()
    csrf = await line_web.csrf("/broadcasts/new")
    preview = await line_web.post("/broadcasts/new", {**FORM, "csrf": csrf, "preview": "1"})
    assert preview.status == 200
    assert "送り先：5人" in preview.main
    assert "LINE のメッセージ 3 通になります（今月の残り 50 通／上限 200 通）" in preview.main

    quota.spend(48)  # 2 left, 3 needed
    beyond = await line_web.post("/broadcasts/new", {**FORM, "csrf": csrf, "preview": "1"})
    assert "今月の LINE メッセージの残り（2 通）では足りないため" in beyond.main
    assert 'name="send"' not in beyond.html  # no Send button: fewer people first
    assert 'name="send"' in preview.html
    refused = await line_web.post("/broadcasts/new", {**FORM, "csrf": csrf, "send": "1"})
    assert refused.status == 400
    assert "今月の LINE メッセージの残り（2 通）では足りないため、送信できません" in refused.main
    assert await broadcasts(line_desk) == 0
    assert quota.used == 198  # nothing went out
