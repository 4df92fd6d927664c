"""End to end, through the Telegram sandbox and the LINE stand-in: a member who uses Telegram
links LINE with `/link` and is the same person there (their menu, their name), and /forget
said in LINE forgets both chats."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kyodo.app import KyodoApp, open_store
from sandbox.server import SandboxServer
from storage.models import PersonChatRow, PersonRow
from tests.fixtures.kyodo import load
from tests.fixtures.line_kyodo import LinePerson, kyodo_with_line, said

TANAKA = 2001  # the demo's member, on Telegram


@pytest.fixture
async def kyodo(sandbox: SandboxServer, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    async with kyodo_with_line(sandbox, kyodo_db) as app:
        yield app


async def test_a_member_links_line_and_forgets_both(kyodo, sandbox, person):
    await load(kyodo)
    tanaka = person(TANAKA, "一郎", "ja")
    shown = await tanaka.says("/link")
    [code] = re.findall(r"/link ([A-Z0-9]{4}-[A-Z0-9]{4})", shown.text)
    on_line = LinePerson(sandbox, kyodo, sandbox.line.add_person("いちろう", "ja").user_id)
    await on_line.follows()
    linked = await on_line.says(f"/link {code}")
    assert "連携しました。田中 一郎さん" in said(linked)
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        assert (await db.execute(select(func.count()).select_from(PersonChatRow))).scalar() == 1
    asked = await on_line.says("/forget")
    assert "元に戻せません" in said(asked)
    await on_line.taps("はい、消してください")
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        assert (await db.execute(select(func.count()).select_from(PersonChatRow))).scalar() == 0
        names = (await db.execute(select(PersonRow.display_name))).scalars().all()
    assert "田中 一郎" not in names
