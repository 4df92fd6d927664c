"""The outbox's delivery order on every store: people's answers before bulk, a sender's cap on
bulk, bulk from the consequences of bulk events, and edits of one message replacing each other
while pending."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.outbound import OutboundMessage
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import LEASE, T0, message


async def add(uow_factory: UnitOfWorkFactory, *rows: tuple[str, bool]) -> list[int]:
    async with uow_factory() as uow:
        ids = [await uow.outbox.add(message(text), T0, bulk=bulk) for text, bulk in rows]
        await uow.commit()
    return [i for i in ids if i is not None]


async def test_answers_are_claimed_before_bulk_queued_earlier(uow_factory: UnitOfWorkFactory):
    await add(uow_factory, ("b1", True), ("b2", True), ("a1", False), ("b3", True), ("a2", False))
    async with uow_factory() as uow:
        first = await uow.outbox.claim(T0, T0 + LEASE, 3)
        rest = await uow.outbox.claim(T0, T0 + LEASE, 10)
        await uow.commit()
    assert [(i.message.text, i.bulk) for i in first] == [
        ("b1", True),
        ("a1", False),
        ("a2", False),
    ]  # the answers and the oldest bulk row, returned in queue order
    assert [i.message.text for i in rest] == ["b2", "b3"]


async def test_a_sender_caps_the_bulk_rows_it_takes(uow_factory: UnitOfWorkFactory):
    await add(uow_factory, *((f"b{i}", True) for i in range(5)), ("a1", False))
    async with uow_factory() as uow:
        claimed = await uow.outbox.claim(T0, T0 + LEASE, 10, bulk_limit=2)
        none_left = await uow.outbox.claim(T0, T0 + LEASE, 10, bulk_limit=0)
        await uow.commit()
    assert [i.message.text for i in claimed] == ["b0", "b1", "a1"]
    assert none_left == []


async def test_rows_queued_within_as_bulk_are_bulk(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        with uow.outbox.as_bulk():
            await uow.outbox.add(message("reminder"), T0)
        await uow.outbox.add(message("answer"), T0)
        await uow.commit()
    async with uow_factory() as uow:
        claimed = await uow.outbox.claim(T0, T0 + LEASE, 10)
    assert [(i.message.text, i.bulk) for i in claimed] == [("reminder", True), ("answer", False)]


def edit(text: str, message_id: int = 555, chat_id: int = 1001) -> OutboundMessage:
    return replace(message(text, chat_id), edit_message_id=message_id)


async def test_only_the_latest_pending_edit_of_a_message_is_sent(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        await uow.outbox.add(edit("keyed"), T0, dedupe_key="card:1:v1")
        await uow.outbox.add(edit("step 1"), T0)
        await uow.outbox.add(edit("other message", message_id=556), T0)
        await uow.outbox.add(edit("other chat", chat_id=1002), T0)
        await uow.commit()
    async with uow_factory() as uow:
        # "keyed" and "step 1" are on their way: a sender holds them.
        taken = [i.message.text for i in await uow.outbox.claim(T0, T0 + LEASE, 2)]
        await uow.outbox.add(edit("step 2"), T0)
        await uow.outbox.add(edit("step 3"), T0)
        await uow.outbox.add(message("a new message"), T0)
        await uow.commit()
    async with uow_factory() as uow:
        pending = await uow.outbox.claim(T0, T0 + LEASE, 10)
    assert taken == ["keyed", "step 1"]  # claimed rows are not recalled
    assert sorted(i.message.text for i in pending) == [
        "a new message",
        "other chat",
        "other message",
        "step 3",
    ]


async def test_an_edit_under_a_dedupe_key_is_not_dropped_by_a_later_one(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        await uow.outbox.add(edit("card v1"), T0, dedupe_key="card:1:v1")
        await uow.outbox.add(edit("progress"), T0)
        await uow.commit()
        pending = await uow.outbox.claim(T0, T0 + LEASE, 10)
    # A caller may look the keyed row up by its key: it stays (sent before the later one).
    assert [i.message.text for i in pending] == ["card v1", "progress"]
