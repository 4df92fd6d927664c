"""The repository methods /forget and the nightly purge use, alike on memory, SQLite and
PostgreSQL: what they delete, what they keep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.audit import FORGOTTEN_CHAT, AuditQuery
from bot.domain.cards import CardCopy, CardKind
from bot.domain.dialogs import DialogState
from bot.domain.invites import InviteFailures
from bot.domain.outbound import OutboundMessage
from bot.ports.store import UnitOfWorkFactory

T0 = datetime(2026, 11, 22, tzinfo=UTC)
CHAT = 5151


def update(update_id: int, chat_id: int) -> dict[str, object]:
    chat = {"id": chat_id, "type": "private"}
    return {"update_id": update_id, "message": {"message_id": 1, "chat": chat, "text": "秘密"}}


async def test_conversations_left_a_day_go(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        await uow.dialogs.put("telegram", 1, DialogState("requests", "address"), T0)
        await uow.dialogs.put(
            "telegram", 2, DialogState("requests", "phone"), T0 + timedelta(hours=5)
        )
        assert await uow.dialogs.delete_idle(T0 + timedelta(hours=1)) == 1
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.dialogs.get("telegram", 1) is None
        assert await uow.dialogs.get("telegram", 2) is not None


async def test_a_handled_update_keeps_its_id_and_kind_and_a_chat_is_forgotten(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        await uow.inbox.add_many(
            [(1, update(1, CHAT)), (2, update(2, CHAT)), (3, update(3, 9))], T0
        )
        await uow.inbox.claim(1, T0, kind="text")
        await uow.inbox.claim(2, T0)  # handled without the core (malformed, say): still raw
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.forget_chat(CHAT) == 1  # the raw, handled one; 3 still waits
        assert await uow.inbox.forget_payloads(T0 + timedelta(seconds=1)) == 0
        assert [i.update_id for i in await uow.inbox.pending(10)] == [3]
        assert await uow.inbox.add(1, update(1, CHAT), T0) is False  # the id still counts
        await uow.commit()


async def test_the_outbox_prune_keeps_what_is_still_needed_and_a_chat_is_forgotten(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        old = await uow.outbox.add(OutboundMessage(CHAT, "old"), T0)
        card = await uow.outbox.add(OutboundMessage(7, "card"), T0, dedupe_key="card:1:7")
        waiting = await uow.outbox.add(OutboundMessage(CHAT, "waiting"), T0)
        recent = await uow.outbox.add(OutboundMessage(8, "recent"), T0)
        assert None not in (old, card, waiting, recent)
        staff_card, _ = await uow.cards.ensure(CardKind.REQUEST, 1, T0)
        await uow.cards.put_copy(CardCopy(staff_card.id, 7, "ja", False, "card:1:7", 1))
        for item in (old, card):
            await uow.outbox.mark_sent(item, T0, 100)  # type: ignore[arg-type]
        await uow.outbox.mark_sent(recent, T0 + timedelta(days=7), 101)  # type: ignore[arg-type]
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.prune(T0 + timedelta(days=7)) == 1  # old only
        assert (await uow.outbox.counts())["sent"] == 2
        assert await uow.outbox.forget_chat(CHAT) == 1  # the waiting one, before it is sent
        assert (await uow.outbox.counts())["pending"] == 0
        assert await uow.cards.forget_chat(7) == 1
        await uow.commit()


async def test_audit_traces_go_and_the_entries_stay(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        await uow.audit.add(T0, None, "x.refused", "invite", {"telegram_id": CHAT, "why": "a"})
        await uow.audit.add(T0, None, "x.unknown", f"chat:{CHAT}")
        await uow.audit.add(T0, None, "x.guess", "client", {"client": "10.0.0.1", "count": 3})
        await uow.audit.add(T0 + timedelta(days=9), None, "x.later", "client", {"client": "b"})
        await uow.audit.add(T0, None, "x.group", "chat:-100123")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.audit.forget_telegram_id(CHAT) == 2
        assert await uow.audit.strip_traces(T0 + timedelta(days=1)) == 1
        await uow.commit()
    async with uow_factory() as uow:
        entries = {e.action: e for e in await uow.audit.search(AuditQuery(), None, 10)}
    assert entries["x.refused"].details == {"why": "a"}
    assert entries["x.unknown"].subject == FORGOTTEN_CHAT
    assert entries["x.guess"].details == {"count": 3}
    assert entries["x.later"].details == {"client": "b"}  # a newer one keeps its address
    assert entries["x.group"].subject == "chat:-100123"  # a group's id names no one


async def test_wrong_code_counters(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        await uow.invites.put_failures(1, InviteFailures(2), T0)
        await uow.invites.put_failures(2, InviteFailures(0, T0 + timedelta(hours=1)), T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.invites.failures(1) == InviteFailures(2)
        assert await uow.invites.forget_failures(T0 + timedelta(minutes=30)) == 1  # 2 is locked
        await uow.invites.clear_failures(2)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.invites.failures(1) is None and await uow.invites.failures(2) is None
