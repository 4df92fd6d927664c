"""The repository contract of the staff web desk, on every store: sign-in links used once,
sessions, and the keyset-paged lists (pending hours, people, the audit log, open invites).

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.coop import NewShift, WorkKind
from bot.domain.desk import AuditQuery, DeskLogin, DeskSession
from bot.domain.hours import NewHourReport
from bot.domain.invites import Invite
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


async def test_pending_hours_come_oldest_first_a_page_at_a_time(uow_factory: UnitOfWorkFactory):
    a = await add_person(uow_factory, 1, frozenset({Role.MEMBER}))
    b = await add_person(uow_factory, 2, frozenset({Role.MEMBER}))
    async with uow_factory() as uow:
        one = await uow.centres.add("中央", "Chuo")
        two = await uow.centres.add("港", "Minato")
        ids = []
        for day, person, centre in ((1, a, one), (2, b, two), (3, a, two), (4, b, one)):
            report = await uow.hours.add(
                NewHourReport(
                    person.id, centre.id, WorkKind.CLEANING, date(2026, 11, day), 60, None
                ),
                T0,
            )
            ids.append(report.id)
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.desk.pending_hours(None, None, 0, 2)
        assert [r.id for r in first] == ids[:2]
        rest = await uow.desk.pending_hours(None, None, first[-1].id, 2)
        assert [r.id for r in rest] == ids[2:]
        assert [r.id for r in await uow.desk.pending_hours(two.id, None, 0, 10)] == ids[1:3]
        assert [r.id for r in await uow.desk.pending_hours(None, a.id, 0, 10)] == [ids[1], ids[3]]
        assert await uow.desk.count_pending_hours(None, None) == 4
        assert await uow.desk.count_pending_hours(one.id, b.id) == 1


async def test_people_by_role_a_page_at_a_time(uow_factory: UnitOfWorkFactory):
    members = [await add_person(uow_factory, n, frozenset({Role.MEMBER})) for n in range(1, 4)]
    staff = await add_person(uow_factory, 9, frozenset({Role.STAFF, Role.MEMBER}))
    async with uow_factory() as uow:
        page = await uow.desk.people(Role.MEMBER, 0, 2)
        assert [p.id for p in page] == [members[0].id, members[1].id]
        page = await uow.desk.people(Role.MEMBER, page[-1].id, 2)
        assert [p.id for p in page] == [members[2].id, staff.id]
        assert [p.id for p in await uow.desk.people(Role.STAFF, 0, 10)] == [staff.id]
        assert len(await uow.desk.people(None, 0, 10)) == 4
        assert await uow.desk.count_by_role() == {Role.MEMBER: 4, Role.STAFF: 1}


async def test_the_audit_log_is_searched_newest_first(uow_factory: UnitOfWorkFactory):
    staff = await add_person(uow_factory, 1, frozenset({Role.STAFF}))
    async with uow_factory() as uow:
        await uow.audit.add(T0, staff.id, "hours.approved", "person:7")
        await uow.audit.add(T0 + timedelta(days=1), staff.id, "hours.rejected", "person:8")
        await uow.audit.add(T0 + timedelta(days=2), None, "invite.issued", "person:7")
        await uow.audit.add(T0 + timedelta(days=3), staff.id, "hoursx", "person:7")
        await uow.commit()
    async with uow_factory() as uow:
        every = await uow.desk.audit(AuditQuery(), None, 10)
        assert [e.action for e in every] == [
            "hoursx",
            "invite.issued",
            "hours.rejected",
            "hours.approved",
        ]
        older = await uow.desk.audit(AuditQuery(), every[1].id, 10)
        assert [e.action for e in older] == ["hours.rejected", "hours.approved"]
        prefix = await uow.desk.audit(AuditQuery(action="hours."), None, 10)
        assert [e.action for e in prefix] == ["hours.rejected", "hours.approved"]
        person = await uow.desk.audit(AuditQuery(subject="person:7"), None, 10)
        assert [e.action for e in person] == ["hoursx", "invite.issued", "hours.approved"]
        by = await uow.desk.audit(AuditQuery(actor_person_id=staff.id), None, 2)
        assert [e.action for e in by] == ["hoursx", "hours.rejected"]
        window = AuditQuery(since=T0 + timedelta(days=1), until=T0 + timedelta(days=3))
        assert [e.action for e in await uow.desk.audit(window, None, 10)] == [
            "invite.issued",
            "hours.rejected",
        ]


async def test_a_shift_is_edited_and_an_invite_revoked(uow_factory: UnitOfWorkFactory):
    from dataclasses import replace

    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        shift = await uow.shifts.add(
            NewShift(centre.id, T0, T0 + timedelta(hours=4), WorkKind.CLEANING, 2)
        )
        for code in ("AAAABBBB", "CCCCDDDD"):
            await uow.invites.add(Invite(code, Role.MEMBER, None, T0, T0 + timedelta(days=3)))
        await uow.commit()
    async with uow_factory() as uow:
        moved = replace(shift, ends_at=T0 + timedelta(hours=6), capacity=3, for_volunteers=True)
        assert await uow.desk.update_shift(moved) is True
        assert await uow.invites.revoke_invite("AAAABBBB", T0 + timedelta(hours=1)) is True
        assert await uow.invites.revoke_invite("AAAABBBB", T0 + timedelta(hours=2)) is False
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.shifts.get(shift.id)
        assert stored is not None and (stored.capacity, stored.for_volunteers) == (3, True)
        assert stored.ends_at == T0 + timedelta(hours=6)
        still = await uow.invites.open_invites(T0 + timedelta(hours=2), 10)
        assert [i.code for i in still] == ["CCCCDDDD"]


async def test_a_notice_is_edited_but_keeps_its_dates(uow_factory: UnitOfWorkFactory):
    from dataclasses import replace

    from bot.domain.assemblies import Quorum
    from bot.domain.coop import NewAssembly

    async with uow_factory() as uow:
        notice = await uow.assemblies.add(
            NewAssembly("総会", "Assembly", T0 + timedelta(days=9), "本部", "HQ", T0)
        )
        await uow.commit()
    async with uow_factory() as uow:
        edited = replace(
            notice,
            title_en="General assembly",
            agenda_ja="1. 予算",
            quorum=Quorum(2, 3),
            starts_at=T0 + timedelta(days=99),  # not written: dates stay as published
        )
        assert await uow.desk.update_assembly(edited) is True
        assert await uow.desk.update_assembly(replace(edited, id=notice.id + 99)) is False
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.assemblies.get(notice.id)
    assert stored is not None
    assert (stored.title_en, stored.agenda_ja, stored.quorum) == (
        "General assembly",
        "1. 予算",
        Quorum(2, 3),
    )
    assert stored.starts_at == T0 + timedelta(days=9)
