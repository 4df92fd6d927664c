"""Repository contract of deliveries that need a person, on memory, SQLite and PostgreSQL:
the inbox's retention-window dedupe and its parked updates, the outbox's failed sends and
sending them again."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.deliveries import AMBIGUOUS_TIMEOUT, Problem
from bot.domain.outbound import OutboxStatus
from tests.fixtures.contract import LEASE, T0, message

WEEK = timedelta(days=7)


def update(update_id: int, user_id: int = 1001, text: str = "hi") -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "from": {"id": user_id},
            "chat": {"id": user_id},
            "text": text,
        },
    }


# --- inbox ------------------------------------------------------------------------------------


async def test_an_id_is_a_repeat_only_within_the_window(uow_factory):
    async with uow_factory() as uow:
        assert await uow.inbox.add_fresh([(7, update(7, text="old"))], T0, T0 - WEEK) == [7]
        assert await uow.inbox.claim(7, T0)
        await uow.commit()
    later = T0 + timedelta(days=2)
    async with uow_factory() as uow:
        assert await uow.inbox.add_fresh([(7, update(7)), (8, update(8))], later, T0) == [8]
        await uow.commit()
    much_later = T0 + timedelta(days=8)
    async with uow_factory() as uow:
        added = await uow.inbox.add_fresh(
            [(7, update(7, text="new")), (8, update(8))], much_later, much_later - WEEK
        )
        assert added == [7]
        pending = await uow.inbox.pending(10)
        await uow.commit()
    assert [(p.update_id, p.payload["message"]["text"]) for p in pending] == [(7, "new"), (8, "hi")]


async def test_a_parked_update_is_neither_pending_nor_handled_until_let_go(uow_factory):
    async with uow_factory() as uow:
        await uow.inbox.add_fresh([(1, update(1)), (2, update(2, 2002))], T0, T0)
        assert await uow.inbox.park(2, T0 + timedelta(seconds=1), "OperationalError")
        assert not await uow.inbox.park(2, T0, "again")
        await uow.commit()
    async with uow_factory() as uow:
        assert [p.update_id for p in await uow.inbox.pending(10)] == [1]
        [parked] = await uow.inbox.parked(10)
        assert (parked.update_id, parked.reason, parked.kind, parked.sender_id) == (
            2,
            "OperationalError",
            "message",
            2002,
        )
        assert parked.parked_at == T0 + timedelta(seconds=1)
        assert parked.received_at == T0
        assert not await uow.inbox.unpark(1)  # pending, not parked
        assert await uow.inbox.unpark(2)
        assert not await uow.inbox.unpark(2)
        await uow.commit()
    async with uow_factory() as uow:
        assert [p.update_id for p in await uow.inbox.pending(10)] == [1, 2]
        assert await uow.inbox.parked(10) == []


async def test_parked_updates_are_pruned_with_the_handled_ones(uow_factory):
    async with uow_factory() as uow:
        await uow.inbox.add_fresh([(1, update(1)), (2, update(2)), (3, update(3))], T0, T0)
        await uow.inbox.claim(1, T0)
        await uow.inbox.park(2, T0, "RuntimeError")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.prune(T0 + timedelta(seconds=1)) == 2
        await uow.commit()
    async with uow_factory() as uow:
        assert [p.update_id for p in await uow.inbox.pending(10)] == [3]
        assert await uow.inbox.parked(10) == []


# --- outbox -----------------------------------------------------------------------------------


async def _settle(uow_factory, outcomes: list[tuple[int, str | None]]) -> list[int]:
    """Queues one message per (chat, error) and settles it: sent when error is None."""
    async with uow_factory() as uow:
        ids = [await uow.outbox.add(message(f"to {chat}", chat), T0) for chat, _ in outcomes]
        await uow.outbox.claim(T0, T0 + LEASE, 100)
        for item_id, (_, error) in zip(ids, outcomes, strict=True):
            if error is None:
                await uow.outbox.mark_sent(item_id, T0, 77)
            else:
                await uow.outbox.mark_failed(item_id, T0 + timedelta(seconds=1), error)
        await uow.commit()
    return ids


async def test_failed_sends_leave_out_unreachable_chats_and_the_sent(uow_factory):
    ids = await _settle(
        uow_factory,
        [
            (2001, AMBIGUOUS_TIMEOUT),
            (1001, "bad request: message is too long"),
            (3001, "unreachable: Forbidden: bot was blocked by the user"),
            (1001, None),
            (1001, "gave up after 8 attempts: 502"),
        ],
    )
    async with uow_factory() as uow:
        found = await uow.outbox.failed_since(T0, 100)
        assert await uow.outbox.failed_since(T0 + timedelta(seconds=2), 100) == []
    assert [(f.outbox_id, f.chat_id, f.problem) for f in found] == [
        (ids[1], 1001, Problem.NOT_SENT),
        (ids[4], 1001, Problem.NOT_SENT),
        (ids[0], 2001, Problem.MAYBE_ARRIVED),
    ]
    first = found[0]
    assert (first.text, first.is_edit, first.error) == (
        "to 1001",
        False,
        "bad request: message is too long",
    )
    assert (first.created_at, first.settled_at) == (T0, T0 + timedelta(seconds=1))


async def test_a_failed_send_sent_again_goes_out_as_if_new(uow_factory):
    ids = await _settle(uow_factory, [(2001, AMBIGUOUS_TIMEOUT), (1001, None)])
    later = T0 + timedelta(minutes=5)
    async with uow_factory() as uow:
        assert await uow.outbox.send_again([ids[0], ids[1]], later) == 1  # the sent one stays
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.failed_since(T0, 100) == []
        [item] = await uow.outbox.claim(later, later + LEASE, 100)
        await uow.commit()
    assert (item.id, item.attempts, item.message.text) == (ids[0], 1, "to 2001")
    async with uow_factory() as uow:
        await uow.outbox.mark_sent(item.id, later, 78)
        await uow.commit()
        counts = await uow.outbox.counts()
    assert counts[OutboxStatus.SENT.value] == 2
