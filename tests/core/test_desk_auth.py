"""Signing in to the staff web desk, as use cases on the in-memory store with a fake clock:
one-time links, sessions with an idle timeout, the staff role re-checked on every request."""

from __future__ import annotations

import pytest

from bot.domain.desk import token_hash
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.people import Actor, NewPerson, Role
from bot.services.desk_auth import current, issue_link, link_problem, sign_in, sign_out
from tests.fixtures.core import FakeClock


async def person(store, clock: FakeClock, roles: set[Role], telegram_id: int = 1) -> Actor:
    async with store.uow() as uow:
        added = await uow.people.add(
            NewPerson(telegram_id, "佐藤 花子", "ja", clock.now(), roles=frozenset(roles))
        )
        await uow.commit()
    return Actor(added.id, added.roles, "ja")


async def link(store, clock: FakeClock, actor: Actor) -> str:
    async with store.uow() as uow:
        token = await issue_link(uow, actor, clock.now())
        await uow.commit()
    return token


async def attempt(store, clock: FakeClock, token: str):
    async with store.uow() as uow:
        try:
            return await sign_in(uow, token, clock.now())
        finally:
            await uow.commit()


def actions(store) -> list[str]:
    return [record.action for record in store.state.audit]


async def test_only_a_hash_of_the_link_is_stored_and_it_works_once(memory_store, clock):
    staff = await person(memory_store, clock, {Role.STAFF})
    token = await link(memory_store, clock, staff)
    assert list(memory_store.state.desk_logins) == [token_hash(token)]
    signed = await attempt(memory_store, clock, token)
    assert signed.person.id == staff.person_id
    assert token_hash(signed.session_id) in memory_store.state.desk_sessions
    assert signed.session_id not in str(memory_store.state.desk_sessions)
    with pytest.raises(DomainError) as used:
        await attempt(memory_store, clock, token)
    assert used.value.code == "desk_link_used"
    assert actions(memory_store)[-1] == "desk.sign_in_refused"


async def test_a_link_lasts_ten_minutes(memory_store, clock):
    staff = await person(memory_store, clock, {Role.STAFF})
    token = await link(memory_store, clock, staff)
    clock.advance(minutes=9, seconds=59)
    async with memory_store.uow() as uow:
        assert await link_problem(uow, token, clock.now()) is None
    clock.advance(seconds=1)
    with pytest.raises(DomainError) as expired:
        await attempt(memory_store, clock, token)
    assert expired.value.code == "desk_link_expired"


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "../../etc/passwd" + "a" * 30, "é" * 43])
async def test_made_up_links_are_refused_alike(memory_store, clock, token):
    with pytest.raises(DomainError) as unknown:
        await attempt(memory_store, clock, token)
    assert unknown.value.code == "desk_link_unknown"


async def test_only_staff_get_a_link_and_the_refusal_is_audited(memory_store, clock):
    member = await person(memory_store, clock, {Role.MEMBER})
    with pytest.raises(PermissionDenied):
        await link(memory_store, clock, member)
    assert memory_store.state.desk_logins == {}


async def test_a_link_of_someone_who_lost_the_staff_role_signs_nobody_in(memory_store, clock):
    staff = await person(memory_store, clock, {Role.STAFF})
    token = await link(memory_store, clock, staff)
    async with memory_store.uow() as uow:
        await uow.people.remove_role(staff.person_id, Role.STAFF)
        await uow.commit()
    with pytest.raises(DomainError) as refused:
        await attempt(memory_store, clock, token)
    assert refused.value.code == "desk_not_staff"


async def test_a_session_ends_after_thirty_idle_minutes_not_while_used(memory_store, clock):
    staff = await person(memory_store, clock, {Role.STAFF, Role.ADMIN})
    signed = await attempt(memory_store, clock, await link(memory_store, clock, staff))
    for _ in range(3):  # busy for an hour and a half, a click every 29 minutes
        clock.advance(minutes=29)
        async with memory_store.uow() as uow:
            user = await current(uow, signed.session_id, clock.now(), "ja")
            await uow.commit()
    assert user.csrf_token == signed.csrf_token and Role.ADMIN in user.actor.roles
    clock.advance(minutes=31)
    async with memory_store.uow() as uow:
        with pytest.raises(DomainError) as idle:
            await current(uow, signed.session_id, clock.now(), "ja")
    assert idle.value.code == "desk_signed_out"


async def test_losing_the_role_ends_the_session_at_the_next_request(memory_store, clock):
    staff = await person(memory_store, clock, {Role.STAFF})
    signed = await attempt(memory_store, clock, await link(memory_store, clock, staff))
    async with memory_store.uow() as uow:
        await uow.people.remove_role(staff.person_id, Role.STAFF)
        await uow.commit()
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await current(uow, signed.session_id, clock.now(), "ja")
        await uow.commit()
    assert actions(memory_store)[-1] == "desk.session_refused"
    async with memory_store.uow() as uow:
        await uow.people.add_role(staff.person_id, Role.STAFF)
        await uow.commit()
    async with memory_store.uow() as uow:
        with pytest.raises(DomainError) as ended:
            await current(uow, signed.session_id, clock.now(), "ja")
    assert ended.value.code == "desk_signed_out"


async def test_signing_out_ends_the_session(memory_store, clock):
    staff = await person(memory_store, clock, {Role.STAFF})
    signed = await attempt(memory_store, clock, await link(memory_store, clock, staff))
    async with memory_store.uow() as uow:
        await sign_out(uow, signed.session_id, clock.now())
        await sign_out(uow, "not a session", clock.now())
        await uow.commit()
    async with memory_store.uow() as uow:
        with pytest.raises(DomainError):
            await current(uow, signed.session_id, clock.now(), "ja")
    assert actions(memory_store).count("desk.signed_out") == 1


async def test_a_session_ends_twelve_hours_after_sign_in_however_busy(memory_store, clock):
    staff = await person(memory_store, clock, {Role.STAFF})
    signed = await attempt(memory_store, clock, await link(memory_store, clock, staff))
    for _ in range(24):  # a click every 29 minutes for 11 h 36 min
        clock.advance(minutes=29)
        async with memory_store.uow() as uow:
            await current(uow, signed.session_id, clock.now(), "ja")
            await uow.commit()
    clock.advance(minutes=24)  # 12 hours since sign-in
    async with memory_store.uow() as uow:
        with pytest.raises(DomainError) as expired:
            await current(uow, signed.session_id, clock.now(), "ja")
        await uow.commit()
    assert expired.value.code == "desk_signed_out"
    assert actions(memory_store)[-1] == "desk.session_expired"


async def test_a_guess_at_a_link_writes_nothing_by_itself(memory_store, clock):
    before = len(memory_store.state.audit)
    with pytest.raises(DomainError):
        await attempt(memory_store, clock, "x" * 43)
    assert len(memory_store.state.audit) == before  # the door counts guesses per client
