"""The repository contract for staff cards, and the outbox lookup that finds a sent message's id.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.domain.cards import CardCopy, CardKind, send_key
from bot.domain.outbound import OutboxStatus
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import LEASE, message

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def test_a_sent_message_is_found_by_its_dedupe_key_with_its_telegram_message_id(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        sent = await uow.outbox.add(message("card", chat_id=-100500), T0, dedupe_key="card:1:a")
        await uow.outbox.add(message("other", chat_id=7), T0, dedupe_key="card:1:b")
        await uow.outbox.add(message("plain"), T0)
        await uow.commit()
    async with uow_factory() as uow:
        claimed = await uow.outbox.claim(T0, T0 + LEASE, 1)
        assert [i.id for i in claimed] == [sent]
        assert sent is not None
        await uow.outbox.mark_sent(sent, T0, 4242)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.outbox.deliveries(["card:1:a", "card:1:b", "card:1:missing"])
    assert set(found) == {"card:1:a", "card:1:b"}
    assert found["card:1:a"].status is OutboxStatus.SENT
    assert found["card:1:a"].telegram_message_id == 4242
    assert found["card:1:a"].chat_id == -100500
    assert found["card:1:b"].status is OutboxStatus.PENDING
    assert found["card:1:b"].telegram_message_id is None


async def test_no_keys_find_nothing(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        assert await uow.outbox.deliveries([]) == {}


async def test_a_card_is_created_once_per_item_and_found_by_id_and_by_item(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        card, created = await uow.cards.ensure(CardKind.REQUEST, 42, T0)
        again, created_again = await uow.cards.ensure(CardKind.REQUEST, 42, T0 + LEASE)
        other, _ = await uow.cards.ensure(CardKind.HOURS, 42, T0)
        await uow.commit()
    assert created and not created_again
    assert again == card
    assert other.id != card.id
    assert (card.version, card.is_open, card.created_at) == (1, True, T0)
    async with uow_factory() as uow:
        assert await uow.cards.get(card.id) == card
        assert await uow.cards.find(CardKind.REQUEST, 42) == card
        assert await uow.cards.find(CardKind.VOLUNTEER, 42) is None
        assert await uow.cards.get(card.id + 1000) is None


async def test_copies_are_stored_replaced_and_fall_behind_when_the_card_changes(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        card, _ = await uow.cards.ensure(CardKind.VOLUNTEER, 7, T0)
        group = CardCopy(card.id, -1001234567890, "ja", True, send_key(card.id, -1, 1), 1)
        private = CardCopy(card.id, 5001, "en", False, send_key(card.id, 5001, 1), 1)
        await uow.cards.put_copy(private)
        await uow.cards.put_copy(group)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.cards.copies(card.id) == [group, private]
        assert await uow.cards.behind(10) == []
        version = await uow.cards.bump(card.id, T0 + LEASE, is_open=False)
        await uow.commit()
    assert version == 2
    async with uow_factory() as uow:
        [lagging] = await uow.cards.behind(10)
        assert (lagging.id, lagging.version, lagging.is_open) == (card.id, 2, False)
        assert lagging.updated_at == T0 + LEASE
        await uow.cards.mark_shown(card.id, group.chat_id, 2)
        assert not await uow.cards.settle(card.id)  # the private copy still shows version 1
        resent = replace(private, dedupe_key=send_key(card.id, 5001, 2), shown_version=2)
        await uow.cards.put_copy(resent)
        assert await uow.cards.settle(card.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.cards.behind(10) == []
        assert await uow.cards.copies(card.id) == [replace(group, shown_version=2), resent]
