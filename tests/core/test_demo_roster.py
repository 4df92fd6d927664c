"""The demo co-op comes in through the member import, as a real co-op's roster does: its
people have roster entries and centres, are attached to the sandbox accounts they chat as, the
coordinator sees the whole co-op, and loading the demo again adds nobody."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.people import Role
from kyodo.demo import DEMO_PEOPLE, load_demo
from tests.fakes.memory_store import MemoryStore

NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


async def test_the_demo_roster_is_imported_once_with_centres_and_accounts():
    store = MemoryStore()
    async with store.uow() as uow:
        added = await load_demo(uow, NOW)
        await uow.commit()
    assert added == len(DEMO_PEOPLE)
    async with store.uow() as uow:
        every = await uow.centres.all()
        centres = {c.name_ja: c.id for c in every if not c.is_office}
        # One head office over both demo centres (docs/centres.md).
        (office,) = [c for c in every if c.is_office]
        assert office.name_ja == "東京本部" and len(centres) == 2
        assert all(c.office_id == office.id for c in every if not c.is_office)
        for demo in DEMO_PEOPLE:
            person = await uow.people.by_telegram_id(demo.telegram_user_id)
            assert person is not None and person.display_name == demo.name
            assert person.roles == demo.roles and person.locale is None
            entry = await uow.roster.get(person.id)
            if Role.RESIDENT in demo.roles:
                assert entry is None  # residents are no members: not on the roster
                continue
            assert entry is not None
            assert await uow.memberships.centres_of(person.id)
        sato = await uow.people.by_telegram_id(1001)
        assert sato is not None and {Role.STAFF, Role.COORDINATOR} <= sato.roles
        assert await uow.memberships.centres_of(sato.id) == set(centres.values())
        assert [a.action for a in store.state.audit].count("members.imported") == 1
    async with store.uow() as uow:
        assert await load_demo(uow, NOW) == 0
        await uow.commit()
    assert len(store.state.people) == len(DEMO_PEOPLE)
