"""The inbox worker's claims and the person behind a chat, as the hot path uses them (issue 17).

Each test runs once per store through the parametrised `uow_factory` fixture: a lane's batch is
claimed in one statement, a claim keeps an update by id and kind only, and the person behind a
chat comes with their roles, through their first chat or a linked one.
"""

from __future__ import annotations

from bot.domain.people import Role
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import T0, add_person


def update_from(chat_id: int, text: str) -> dict[str, object]:
    chat = {"id": chat_id, "type": "private"}
    sender = {"id": chat_id, "is_bot": False, "first_name": "花子"}
    return {"message": {"message_id": 1, "date": 0, "chat": chat, "from": sender, "text": text}}


async def test_a_batch_claims_only_updates_nobody_handled_and_only_once(
    uow_factory: UnitOfWorkFactory,
):
    async with uow_factory() as uow:
        for update_id in (1, 2, 3):
            await uow.inbox.add(update_id, update_from(500 + update_id, "hi"), T0)
        assert await uow.inbox.claim(2, T0) is True  # another worker took this one
        await uow.commit()
    async with uow_factory() as uow:
        claims = [(1, "text"), (2, "text"), (3, "command"), (99, "text")]
        assert await uow.inbox.claim_many(claims, T0) == {1, 3}
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.pending(10) == []
        assert await uow.inbox.claim_many([(1, "text"), (3, "text")], T0) == set()
        assert await uow.inbox.claim_many([], T0) == set()


async def test_a_batch_claim_left_uncommitted_claims_nothing(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        await uow.inbox.add(1, update_from(501, "hi"), T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.claim_many([(1, "text")], T0) == {1}
    async with uow_factory() as uow:
        assert [item.update_id for item in await uow.inbox.pending(10)] == [1]


async def test_a_claim_with_its_kind_keeps_no_raw_update(uow_factory: UnitOfWorkFactory):
    # 1 and 2 are claimed as the worker claims (with their kind), 3 as a malformed update is
    # (without): only 3 still holds what its person wrote.
    async with uow_factory() as uow:
        for update_id in (1, 2, 3):
            await uow.inbox.add(update_id, update_from(700, "私の住所は"), T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.claim_many([(1, "text")], T0) == {1}
        assert await uow.inbox.claim(2, T0, kind="text") is True
        assert await uow.inbox.claim(3, T0) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.forget_chat(700) == 1  # the raw update 3
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.forget_payloads(T0.replace(year=2027)) == 0


async def test_the_person_of_a_chat_comes_with_their_roles_by_first_or_linked_chat(
    uow_factory: UnitOfWorkFactory,
):
    staff = await add_person(uow_factory, 1001, frozenset({Role.STAFF, Role.MEMBER}))
    other = await add_person(uow_factory, 1002)
    async with uow_factory() as uow:
        await uow.links.attach(2**53 + 5, staff.id, T0)  # their LINE chat
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.people.of_chat(1001)
        linked = await uow.people.of_chat(2**53 + 5)
        roleless = await uow.people.of_chat(1002)
        assert await uow.people.of_chat(1003) is None
    assert first is not None and linked is not None and roleless is not None
    assert (first.id, first.roles) == (staff.id, frozenset({Role.STAFF, Role.MEMBER}))
    assert (linked.id, linked.roles) == (staff.id, first.roles)
    assert (roleless.id, roleless.roles) == (other.id, frozenset())
