"""Migration 0018 on an install with staff: nobody is locked out and nobody's view widens.

Before it every staff member saw the whole co-op; after it plain staff see only their centres,
and nobody belongs to a centre yet. So each staff member who is not an admin is made a
coordinator (whole co-op, as before), and each grant is in the audit log for admins to review.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import column, insert, table, text

from bot.domain.audit import AuditQuery
from bot.domain.people import Role
from bot.domain.scope import is_whole_coop
from storage.database import create_engine
from storage.migrate import downgrade, upgrade
from storage.models import UTCDateTime
from storage.uow import make_uow_factory

T0 = datetime(2026, 12, 1, tzinfo=UTC)


async def test_existing_staff_keep_the_whole_coop_as_coordinators_and_it_is_audited(
    store_url: str,
):
    await upgrade(store_url, "0017")
    engine = create_engine(store_url)
    people = table(
        "people",
        column("id"),
        column("display_name"),
        column("unreachable"),
        column("created_at", UTCDateTime()),
    )
    roles = table("person_roles", column("person_id"), column("role"))
    granted = {1: ("staff",), 2: ("staff", "admin"), 3: ("member",), 4: ("staff", "member")}
    try:
        async with engine.begin() as connection:
            for person_id, held in granted.items():
                await connection.execute(
                    insert(people).values(
                        id=person_id, display_name=f"#{person_id}", unreachable=False, created_at=T0
                    )
                )
                for role in held:
                    await connection.execute(insert(roles).values(person_id=person_id, role=role))
        await upgrade(store_url)
        async with make_uow_factory(engine)() as uow:
            after = {pid: (await uow.people.get(pid)) for pid in granted}
            entries = await uow.audit.search(AuditQuery(), None, 50)
        held_after = {pid: p.roles for pid, p in after.items() if p is not None}
        assert held_after == {
            1: {Role.STAFF, Role.COORDINATOR},
            2: {Role.STAFF, Role.ADMIN},  # an admin has the whole co-op anyway
            3: {Role.MEMBER},
            4: {Role.STAFF, Role.MEMBER, Role.COORDINATOR},
        }
        assert all(is_whole_coop(held_after[pid]) for pid in (1, 2, 4))
        grants = sorted((e.subject, e.details) for e in entries if e.action == "person.role_added")
        by = {"role": "coordinator", "by": "migration 0018"}
        assert grants == [("person:1", by), ("person:4", by)]
        assert all(e.at.tzinfo == UTC for e in entries)
        # Down again: an older Kyodo does not know the role, so it goes with the table.
        await downgrade(store_url, "0017")
        async with engine.connect() as connection:
            left = await connection.execute(text("SELECT DISTINCT role FROM person_roles"))
            assert set(left.scalars()) == {"staff", "admin", "member"}
        await upgrade(store_url)
    finally:
        await engine.dispose()
