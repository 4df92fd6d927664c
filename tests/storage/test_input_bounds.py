"""A refused text is not stored: its length is checked on the raw text, before NFKC and before
anything reaches the database; an update larger than Telegram sends keeps its id only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dialogs.engine import DialogSettings
from bot.i18n import I18n
from bot.rendering import Renderer
from storage.models import InboxRow
from storage.uow import SqlStore
from tests.fakes.chat import User
from tests.fixtures.core import FakeClock
from tests.fixtures.whole_db import SqlChat, scan

HANAKO = User(9101, "花子", "ja")


@pytest.fixture
async def chat(sqlite_url: str, i18n: I18n) -> SqlChat:
    from storage.database import create_engine
    from storage.migrate import upgrade

    await upgrade(sqlite_url)
    engine: AsyncEngine = create_engine(sqlite_url)
    settings = DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
    )
    chat = SqlChat(
        SqlStore(engine),
        engine,
        FakeClock(datetime(2026, 11, 22, tzinfo=UTC)),
        settings,
        Renderer(i18n),
    )
    yield chat
    await engine.dispose()


async def _stored_sizes(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(InboxRow.payload))
        return [len(str(payload)) for (payload,) in rows]


async def test_a_megabyte_message_is_refused_with_its_length_and_never_stored(chat: SqlChat):
    huge = "住所" * 500_000  # a million characters
    chat.needles = (huge[:2000],)
    answer = await chat.send(HANAKO, huge)
    assert "メッセージが長すぎます（1,000,000文字）" in answer[0].text
    assert chat.seen == {}  # not at intake, not after: the text never reached the store
    assert max(await _stored_sizes(chat.engine)) < 200


async def test_the_limit_is_on_the_text_as_sent_not_after_nfkc(chat: SqlChat):
    # 1,000 "㍻" are within the limit as sent; NFKC makes them 2,000 characters ("平成").
    answer = await chat.send(HANAKO, "㍻" * 1000)
    assert "長すぎます" not in "\n".join(m.text for m in answer)
    refused = await chat.send(HANAKO, "㍻" * 1001)
    assert "メッセージが長すぎます（1,001文字）" in refused[0].text


async def test_an_update_larger_than_telegram_sends_keeps_its_id_only(chat: SqlChat):
    forged = {"update_id": 77, "message": {"chat": {"id": 1}, "photo": ["x" * 200_000]}}
    await chat.intake.accept([forged])
    assert await scan(chat.engine, ("x" * 100,)) == {}
    async with chat.engine.connect() as connection:
        payload = (await connection.execute(select(InboxRow.payload))).scalar_one()
    assert payload == {"update_id": 77}
