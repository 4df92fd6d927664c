"""The repository contract of the staff web desk, on every store: sign-in links used once, and
sessions. (What its pages list is each feature's contract: pending hours in
test_hours_contract.py, people, invites and the audit log in test_repository_contract.py, shifts
in test_coop_contract.py, notices in test_assembly_contract.py.)

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.desk import DeskLogin, DeskSession
from bot.domain.people import Role
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import add_person

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


async def test_a_sign_in_link_is_used_once(uow_factory: UnitOfWorkFactory):
    person = await add_person(uow_factory, 1, frozenset({Role.STAFF}))
    async with uow_factory() as uow:
        await uow.desk.add_login(DeskLogin("h" * 64, person.id, T0, T0 + timedelta(minutes=10)))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.desk.use_login("h" * 64, T0 + timedelta(minutes=1)) is True
        assert await uow.desk.use_login("h" * 64, T0 + timedelta(minutes=2)) is False
        assert await uow.desk.use_login("x" * 64, T0) is False
        await uow.commit()
    async with uow_factory() as uow:
        login = await uow.desk.get_login("h" * 64)
    assert login is not None and login.used_at == T0 + timedelta(minutes=1)
    assert login.expires_at == T0 + timedelta(minutes=10)


async def test_a_session_is_touched_and_ended(uow_factory: UnitOfWorkFactory):
    person = await add_person(uow_factory, 1, frozenset({Role.STAFF}))
    async with uow_factory() as uow:
        await uow.desk.add_session(DeskSession("s" * 64, person.id, "c" * 43, T0, T0))
        await uow.desk.touch_session("s" * 64, T0 + timedelta(minutes=5))
        await uow.commit()
    async with uow_factory() as uow:
        session = await uow.desk.get_session("s" * 64)
        assert session is not None and session.last_seen_at == T0 + timedelta(minutes=5)
        assert session.is_live(T0 + timedelta(minutes=34))
        assert not session.is_live(T0 + timedelta(minutes=36))
        await uow.desk.end_session("s" * 64, T0 + timedelta(minutes=6))
        await uow.desk.end_session("s" * 64, T0 + timedelta(minutes=7))  # the first end stays
        await uow.commit()
    async with uow_factory() as uow:
        ended = await uow.desk.get_session("s" * 64)
    assert ended is not None and ended.ended_at == T0 + timedelta(minutes=6)
    assert not ended.is_live(T0 + timedelta(minutes=6))
