"""Head offices (本部/事務局): a centre row may be an office, a centre belongs to at most one open
office, an office to none; the CSV import's `is_office` and `office` columns (an office may come
later in the file); and the staff of an office act for the office and all its centres."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.centre_csv import CentreFields
from bot.domain.errors import InvalidInput, PermissionDenied
from bot.domain.people import Actor, NewPerson, Role
from bot.services import access, centres, memberships
from tests.fakes.memory_store import MemoryStore

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
ADMIN = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale="ja")
OFFICE = CentreFields("東京本部", "Tokyo Head Office", is_office=True)
CHUO = CentreFields("中央ケアセンター", "Chuo Care Centre")
MINATO = CentreFields("港ビル清掃センター", "Minato Building Cleaning Centre")


async def test_a_centre_is_put_under_an_office_and_taken_out_and_each_change_is_audited():
    store = MemoryStore()
    async with store.uow() as uow:
        office = await centres.add(uow, ADMIN, NOW, OFFICE)
        chuo = await centres.add(uow, ADMIN, NOW, CHUO, office_id=office.id)
        minato = await centres.add(uow, ADMIN, NOW, MINATO)
        moved = await centres.set_office(uow, ADMIN, NOW, minato.id, office.id)
        again = await centres.set_office(uow, ADMIN, NOW, minato.id, office.id)  # no change
        await centres.set_office(uow, ADMIN, NOW, chuo.id, None)
        await uow.commit()
    assert office.is_office and office.office_id is None
    assert moved == again and moved.office_id == office.id
    stored = {c.id: c for c in store.state.centres.values()}
    assert stored[chuo.id].office_id is None and stored[minato.id].office_id == office.id
    rows = [(r.action, r.subject, r.details) for r in store.state.audit if "office" in r.action]
    assert rows == [
        ("centre.office_set", f"centre:{minato.id}", {"office": office.id}),
        ("centre.office_set", f"centre:{chuo.id}", {"office": None}),
    ]


async def test_only_an_open_office_takes_centres_and_an_office_belongs_to_none():
    store = MemoryStore()
    async with store.uow() as uow:
        office = await centres.add(uow, ADMIN, NOW, OFFICE)
        chuo = await centres.add(uow, ADMIN, NOW, CHUO)
        minato = await centres.add(uow, ADMIN, NOW, MINATO)
        cases = [
            (centres.set_office(uow, ADMIN, NOW, minato.id, chuo.id), "not_an_office"),
            (centres.set_office(uow, ADMIN, NOW, minato.id, 999), "not_an_office"),
            (centres.set_office(uow, ADMIN, NOW, office.id, office.id), "office_of_office"),
            (
                centres.add(
                    uow,
                    ADMIN,
                    NOW,
                    replace(CHUO, name_ja="北", name_en="Kita", is_office=True),
                    office_id=office.id,
                ),
                "office_of_office",
            ),
        ]
        for attempt, code in cases:
            with pytest.raises(InvalidInput) as refused:
                await attempt
            assert refused.value.code == code
        await centres.close(uow, ADMIN, NOW, office.id)
        with pytest.raises(InvalidInput, match="not_an_office"):
            await centres.set_office(uow, ADMIN, NOW, chuo.id, office.id)
        staff = Actor(person_id=5, roles=frozenset({Role.STAFF}), locale="ja")
        with pytest.raises(PermissionDenied):
            await centres.set_office(uow, staff, NOW, chuo.id, None)
        await uow.commit()
    assert all(c.office_id is None for c in store.state.centres.values())
    assert store.state.audit[-1].action == "centres.refused"


async def test_the_import_makes_offices_first_so_a_centre_may_name_one_further_down():
    data = (
        "名称,英語名,所属本部,本部\n"
        "中央ケアセンター,Chuo Care Centre,Tokyo Head Office,\n"
        "港ビル清掃センター,Minato Building Cleaning Centre,東京本部,\n"
        "東京本部,Tokyo Head Office,,はい\n"
        "神奈川本部,Kanagawa Head Office,,○\n"
    ).encode()
    store = MemoryStore()
    async with store.uow() as uow:
        report = await centres.import_centres(uow, ADMIN, data, NOW)
        await uow.commit()
    assert report.errors == [] and report.imported == 4
    by_name = {c.name_en: c for c in store.state.centres.values()}
    tokyo = by_name["Tokyo Head Office"]
    assert tokyo.is_office and by_name["Kanagawa Head Office"].is_office
    assert by_name["Chuo Care Centre"].office_id == tokyo.id
    assert by_name["Minato Building Cleaning Centre"].office_id == tokyo.id


async def test_an_unknown_office_or_an_office_under_an_office_imports_nothing():
    data = (
        "name_ja,name_en,office,is_office\n"
        "中央ケアセンター,Chuo Care Centre,Osaka Head Office,\n"
        "東京本部,Tokyo Head Office,Kanagawa,yes\n"
        "港ビル清掃センター,Minato,,perhaps\n"
        "北センター,Kita Centre,中央ケアセンター,\n"
    ).encode()
    store = MemoryStore()
    async with store.uow() as uow:
        report = await centres.import_centres(uow, ADMIN, data, NOW)
    assert [(e.line, e.code) for e in report.errors] == [
        (2, "not_an_office"),
        (3, "office_of_office"),
        (4, "bad_is_office"),
        (5, "not_an_office"),
    ]
    assert report.imported == 0 and store.state.centres == {}


async def test_an_offices_staff_act_for_the_office_and_all_its_centres_and_get_their_cards():
    store = MemoryStore()
    async with store.uow() as uow:
        office = await centres.add(uow, ADMIN, NOW, OFFICE)
        chuo = await centres.add(uow, ADMIN, NOW, CHUO, office_id=office.id)
        minato = await centres.add(uow, ADMIN, NOW, MINATO)
        head = await uow.people.add(
            NewPerson(700, "本部 職員", "ja", NOW, roles=frozenset({Role.STAFF}))
        )
        local = await uow.people.add(
            NewPerson(701, "中央 職員", "ja", NOW, roles=frozenset({Role.STAFF}))
        )
        await uow.memberships.add(head.id, office.id)
        await uow.memberships.add(local.id, chuo.id)
        await uow.commit()
    async with store.uow() as uow:
        head_scope = await access.scope_of(uow, Actor(head.id, head.roles, "ja"))
        local_scope = await access.scope_of(uow, Actor(local.id, local.roles, "ja"))
        told_chuo = [p.id for p in await memberships.staff_for(uow, chuo.id)]
        told_minato = [p.id for p in await memberships.staff_for(uow, minato.id)]
    assert head_scope.centres == {office.id, chuo.id}
    assert local_scope.centres == {chuo.id}
    assert told_chuo == [head.id, local.id] and told_minato == []
