"""Repository contract of notices LINE would not push (its month spent), on memory, SQLite and
PostgreSQL: a chat's undelivered rows, oldest first and none redacted; marking some as riding on
a reply and finding them again by it; and nothing else of a row changing meanwhile."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.line_undelivered import QUOTA_SPENT, riding
from bot.domain.outbound import Carries, OutboxStatus
from tests.fixtures.contract import T0, message

LINE_CHAT = 2**53 + 7


async def failed(uow_factory, text: str, error: str, chat_id: int = LINE_CHAT, **kw) -> int:
    async with uow_factory() as uow:
        row = await uow.outbox.add(replace(message(text, chat_id), **kw), T0)
        assert row is not None
        await uow.outbox.mark_failed(row, T0, error)
        await uow.commit()
    return row


async def test_a_chats_undelivered_notices_ride_a_reply_and_are_found_by_it(uow_factory):
    spent = f"{QUOTA_SPENT}: You have reached your monthly limit."
    first = await failed(uow_factory, "お知らせ1", spent)
    await failed(uow_factory, "other reason", "bad request: no")
    await failed(uow_factory, "someone else's", spent, chat_id=LINE_CHAT + 1)
    await failed(uow_factory, "a code", spent, carries=Carries.CREDENTIAL)  # redacted: stays
    second = await failed(uow_factory, "お知らせ2", spent)
    async with uow_factory() as uow:
        found = await uow.outbox.undelivered_on_line(LINE_CHAT, 10)
        assert [(i.id, i.message.text) for i in found] == [
            (first, "お知らせ1"),
            (second, "お知らせ2"),
        ]
        assert [i.id for i in await uow.outbox.undelivered_on_line(LINE_CHAT, 1)] == [first]
        await uow.outbox.note_failed([first], riding(900))
        await uow.commit()
    async with uow_factory() as uow:
        assert [i.id for i in await uow.outbox.riders_of(900)] == [first]
        assert [i.id for i in await uow.outbox.undelivered_on_line(LINE_CHAT, 10)] == [second]
        await uow.outbox.mark_sent_many([(first, T0, None)])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.riders_of(900) == []
        await uow.outbox.note_failed([first], spent)  # a sent row is left as it is
        assert [i.id for i in await uow.outbox.undelivered_on_line(LINE_CHAT, 10)] == [second]
        assert first not in {s.outbox_id for s in await uow.outbox.failed_since(T0, 10)}
        assert (await uow.outbox.counts()).get(OutboxStatus.SENT.value) == 1
