"""What the in-memory fake adds to the contract: how overlapping units of work combine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.outbound import OutboundMessage
from bot.domain.people import NewPerson
from tests.fakes.memory_store import ConflictingUnitsError, MemoryStore

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def test_overlapping_units_that_change_different_rows_both_keep_their_work():
    store = MemoryStore()
    async with store.uow() as setup:
        first = await setup.outbox.add(OutboundMessage(1, "a"), T0)
        second = await setup.outbox.add(OutboundMessage(2, "b"), T0)
        await setup.commit()
    assert first is not None
    assert second is not None
    async with store.uow() as one, store.uow() as two:
        await one.outbox.mark_sent(first, T0, 10)
        await two.outbox.mark_sent(second, T0, 11)
        await two.audit.add(T0, None, "sent", "outbox")
        await one.audit.add(T0, None, "sent", "outbox")
        await one.commit()
        await two.commit()
    assert [r.telegram_message_id for r in store.state.outbox.values()] == [10, 11]
    assert len(store.state.audit) == 2


async def test_overlapping_units_that_change_the_same_row_are_reported():
    store = MemoryStore()
    async with store.uow() as setup:
        item_id = await setup.outbox.add(OutboundMessage(1, "a"), T0)
        await setup.commit()
    assert item_id is not None
    async with store.uow() as one, store.uow() as two:
        await one.outbox.mark_sent(item_id, T0, 10)
        await two.outbox.mark_failed(item_id, T0, "blocked")
        await one.commit()
        with pytest.raises(ConflictingUnitsError, match="outbox"):
            await two.commit()
    assert store.state.outbox[item_id].telegram_message_id == 10


async def test_ids_are_not_reused_after_a_rollback_like_sql_sequences():
    store = MemoryStore()
    async with store.uow() as uow:
        discarded = await uow.people.add(NewPerson(1, "A", None, T0))
    async with store.uow() as uow:
        kept = await uow.people.add(NewPerson(1, "A", None, T0))
        await uow.commit()
    assert kept.id > discarded.id
    assert list(store.state.people) == [kept.id]


async def test_the_fake_counts_commits():
    store = MemoryStore()
    async with store.uow() as uow:
        await uow.commit()
        assert uow.committed
    async with store.uow() as uow:
        assert not uow.committed
    assert store.commits == 1
