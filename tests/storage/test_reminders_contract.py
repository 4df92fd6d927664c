"""The repository contract for scheduled sends and reminder choices, on every store.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.people import Role
from bot.domain.reminders import PlannedSend, ReminderPrefs, SendKind, SendStatus
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import add_person

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


def planned(key: str, hours: float, *, kind: SendKind = SendKind.ASSEMBLY) -> PlannedSend:
    due = T0 + timedelta(hours=hours)
    return PlannedSend(key, kind, due, due + timedelta(days=1), 7, {"audience": "both"})


async def test_a_send_is_stored_once_per_key(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        assert await uow.reminders.add(planned("asm:7:7d", 1), T0) is True
        assert await uow.reminders.add(planned("asm:7:7d", 5), T0) is False
        await uow.commit()
    async with uow_factory() as uow:
        [send] = await uow.reminders.pending(10)
    assert (send.key, send.kind, send.due_at) == (
        "asm:7:7d",
        SendKind.ASSEMBLY,
        T0 + timedelta(hours=1),
    )
    assert send.status is SendStatus.PENDING
    assert send.payload == {"audience": "both"}
    assert send.subject_id == 7
    assert send.useful_until == T0 + timedelta(days=1, hours=1)


async def test_due_sends_are_the_pending_ones_whose_time_has_come_earliest_first(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        for key, hours in (("c", 3), ("a", 1), ("b", 2), ("later", 10)):
            await uow.reminders.add(planned(key, hours), T0)
        await uow.commit()
    async with uow_factory() as uow:
        b = next(s for s in await uow.reminders.pending(10) if s.key == "b")
        assert await uow.reminders.finish(b.id, SendStatus.CANCELLED, T0) is True
        await uow.commit()
    async with uow_factory() as uow:
        due = await uow.reminders.due(T0 + timedelta(hours=3), 10)
        assert [s.key for s in due] == ["a", "c"]
        assert [s.key for s in await uow.reminders.due(T0 + timedelta(hours=3), 1)] == ["a"]
        assert [s.key for s in await uow.reminders.pending(10)] == ["a", "c", "later"]


async def test_a_send_is_settled_once(uow_factory: UnitOfWorkFactory):
    staff = await add_person(uow_factory, 1001, frozenset({Role.STAFF}))
    async with uow_factory() as uow:
        await uow.reminders.add(planned("digest:2026-11-23", 1, kind=SendKind.DIGEST), T0)
        await uow.commit()
    async with uow_factory() as uow:
        [send] = await uow.reminders.pending(10)
        assert await uow.reminders.finish(
            send.id, SendStatus.CANCELLED, T0, note="by staff", by=staff.id
        )
        assert not await uow.reminders.finish(send.id, SendStatus.SENT, T0)
        await uow.commit()
    async with uow_factory() as uow:
        done = await uow.reminders.get(send.id)
        assert done is not None
        assert (done.status, done.done_at, done.done_by, done.note) == (
            SendStatus.CANCELLED,
            T0,
            staff.id,
            "by staff",
        )
        assert await uow.reminders.get(send.id + 1000) is None
        assert await uow.reminders.pending(10) == []


async def test_a_settlement_rolled_back_leaves_the_send_pending(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        await uow.reminders.add(planned("x", 1), T0)
        await uow.commit()
    async with uow_factory() as uow:
        [send] = await uow.reminders.pending(10)
        assert await uow.reminders.finish(send.id, SendStatus.SENT, T0)
    async with uow_factory() as uow:
        assert [s.status for s in await uow.reminders.pending(10)] == [SendStatus.PENDING]


async def test_reminder_choices_are_stored_and_replaced(uow_factory: UnitOfWorkFactory):
    tanaka = await add_person(uow_factory, 2001, frozenset({Role.MEMBER}))
    maria = await add_person(uow_factory, 2002, frozenset({Role.MEMBER}))
    async with uow_factory() as uow:
        assert await uow.reminders.prefs(tanaka.id) == ReminderPrefs(tanaka.id)
        await uow.reminders.put_prefs(ReminderPrefs(tanaka.id, False, frozenset({0, 6})), T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.reminders.prefs(tanaka.id) == ReminderPrefs(
            tanaka.id, False, frozenset({0, 6})
        )
        await uow.reminders.put_prefs(ReminderPrefs(tanaka.id, True, frozenset({2})), T0)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.reminders.prefs_of([tanaka.id, maria.id, tanaka.id])
    assert found == {tanaka.id: ReminderPrefs(tanaka.id, True, frozenset({2}))}
