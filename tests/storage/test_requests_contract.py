"""The repository contract for service requests, on every store (memory, SQLite, PostgreSQL),
and the races that only real SQL stores can show: two staff taking one request, many residents
drawing reference numbers in the same month."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.people import NewPerson, Role
from bot.domain.requests import (
    ForWhom,
    MessageDirection,
    RequestAction,
    RequestChange,
    RequestForm,
    RequestStatus,
    ServiceKind,
    TimeWindow,
)
from bot.ports.store import UnitOfWorkFactory
from storage.uow import make_uow_factory
from tests.fixtures.contract import add_person

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
FORM = RequestForm(
    kind=ServiceKind.MEAL_DELIVERY,
    for_whom=ForWhom.FAMILY,
    days=(date(2026, 11, 24), date(2026, 11, 26)),
    time_window=TimeWindow.AFTERNOON,
    area="koto",
    address="江東区2-3-4 コーポ101",
    phone="03-1234-5678",
    details="母の昼食",
    voice_file_ids=("AwACAgIAAxkBAAIB",),
)


async def _requester(uow_factory: UnitOfWorkFactory) -> int:
    return (await add_person(uow_factory, 4001, frozenset({Role.RESIDENT}))).id


async def _add(uow_factory: UnitOfWorkFactory, person_id: int, n: int = 1, at: datetime = T0):
    async with uow_factory() as uow:
        added = await uow.requests.add(
            FORM, reference=f"K-2611-{n:04d}", requester_id=person_id, at=at
        )
        await uow.commit()
    return added


async def test_a_request_is_stored_received_with_every_field(uow_factory: UnitOfWorkFactory):
    person_id = await _requester(uow_factory)
    added = await _add(uow_factory, person_id)
    assert added.status is RequestStatus.RECEIVED
    assert (added.kind, added.for_whom, added.days, added.time_window, added.area) == (
        ServiceKind.MEAL_DELIVERY,
        ForWhom.FAMILY,
        (date(2026, 11, 24), date(2026, 11, 26)),
        TimeWindow.AFTERNOON,
        "koto",
    )
    assert (added.address, added.phone, added.details) == (FORM.address, FORM.phone, "母の昼食")
    assert added.voice_file_ids == ("AwACAgIAAxkBAAIB",)
    assert added.created_at == added.consent_at == T0 and added.created_at.tzinfo == UTC
    async with uow_factory() as uow:
        assert await uow.requests.get(added.id) == added
        assert await uow.requests.by_reference("K-2611-0001") == added
        assert await uow.requests.get(added.id + 100) is None


async def test_reference_numbers_count_per_month(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        drawn = [await uow.requests.next_sequence("2611") for _ in range(3)]
        drawn.append(await uow.requests.next_sequence("2612"))
        await uow.commit()
    async with uow_factory() as uow:
        drawn.append(await uow.requests.next_sequence("2611"))
    assert drawn == [1, 2, 3, 1, 4]


async def test_save_and_take_change_a_request_only_from_the_expected_status(
    uow_factory: UnitOfWorkFactory,
):
    person_id = await _requester(uow_factory)
    staff = await add_person(uow_factory, 1001, frozenset({Role.STAFF}))
    added = await _add(uow_factory, person_id)
    async with uow_factory() as uow:
        assert await uow.requests.take(added.id, staff.id, T0 + timedelta(minutes=1))
        assert not await uow.requests.take(added.id, staff.id, T0 + timedelta(minutes=2))
        centre = await uow.centres.add("中央", "Chuo")
        accepted = replace(
            added,
            status=RequestStatus.ACCEPTED,
            taken_by=staff.id,
            centre_id=centre.id,
            contact_when=T0 + timedelta(days=1),
            updated_at=T0 + timedelta(minutes=3),
        )
        assert not await uow.requests.save(accepted, was=RequestStatus.RECEIVED)
        assert await uow.requests.save(accepted, was=RequestStatus.UNDER_REVIEW)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.requests.get(added.id)
    assert stored is not None
    assert (stored.status, stored.taken_by, stored.centre_id) == (
        RequestStatus.ACCEPTED,
        staff.id,
        centre.id,
    )
    assert stored.contact_when == T0 + timedelta(days=1)
    assert stored.address == FORM.address  # save never touches what the resident wrote


async def test_lists_mine_newest_first_and_the_queue_oldest_first(uow_factory: UnitOfWorkFactory):
    person_id = await _requester(uow_factory)
    first = await _add(uow_factory, person_id, 1, T0)
    second = await _add(uow_factory, person_id, 2, T0 + timedelta(hours=1))
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        await uow.requests.save(
            replace(second, status=RequestStatus.DONE, centre_id=centre.id),
            was=RequestStatus.RECEIVED,
        )
        await uow.commit()
    async with uow_factory() as uow:
        assert [r.id for r in await uow.requests.for_requester(person_id, 10)] == [
            second.id,
            first.id,
        ]
        open_ = frozenset({RequestStatus.RECEIVED, RequestStatus.DONE})
        assert [r.id for r in await uow.requests.waiting(open_)] == [first.id, second.id]
        assert [r.id for r in await uow.requests.waiting(open_, offset=1)] == [second.id]
        assert [r.id for r in await uow.requests.waiting(open_, centre_id=centre.id)] == [second.id]
        assert await uow.requests.count_by_status() == {
            RequestStatus.RECEIVED: 1,
            RequestStatus.DONE: 1,
        }
        assert await uow.requests.count_by_status(centre.id) == {RequestStatus.DONE: 1}


async def test_history_and_thread_keep_their_order(uow_factory: UnitOfWorkFactory):
    person_id = await _requester(uow_factory)
    added = await _add(uow_factory, person_id)
    async with uow_factory() as uow:
        for minute, action in enumerate((RequestAction.SUBMITTED, RequestAction.TAKEN)):
            await uow.requests.add_change(
                RequestChange(
                    added.id,
                    T0 + timedelta(minutes=minute),
                    person_id,
                    action,
                    None if minute == 0 else RequestStatus.RECEIVED,
                    RequestStatus.RECEIVED if minute == 0 else RequestStatus.UNDER_REVIEW,
                    {"n": minute},
                )
            )
        q = await uow.requests.add_message(
            added.id, MessageDirection.QUESTION, None, "階段はありますか?", T0
        )
        await uow.requests.add_message(
            added.id, MessageDirection.ANSWER, person_id, "", T0, voice_file_id="AwACvoice"
        )
        await uow.commit()
    async with uow_factory() as uow:
        history = await uow.requests.history(added.id)
        thread = await uow.requests.messages(added.id)
    assert [(c.action, c.from_status, c.details) for c in history] == [
        (RequestAction.SUBMITTED, None, {"n": 0}),
        (RequestAction.TAKEN, RequestStatus.RECEIVED, {"n": 1}),
    ]
    assert [(m.id, m.direction, m.text, m.voice_file_id) for m in thread] == [
        (q.id, MessageDirection.QUESTION, "階段はありますか?", None),
        (thread[1].id, MessageDirection.ANSWER, "", "AwACvoice"),
    ]


async def test_closed_requests_have_their_personal_fields_purged_once(
    uow_factory: UnitOfWorkFactory,
):
    person_id = await _requester(uow_factory)
    open_one = await _add(uow_factory, person_id, 1)
    closed = await _add(uow_factory, person_id, 2)
    async with uow_factory() as uow:
        await uow.requests.save(
            replace(closed, status=RequestStatus.DECLINED), was=RequestStatus.RECEIVED
        )
        await uow.requests.add_message(closed.id, MessageDirection.ANSWER, person_id, "秘密", T0)
        await uow.commit()
    later = T0 + timedelta(days=30)
    async with uow_factory() as uow:
        assert [r.id for r in await uow.requests.closed_before(later, 10)] == [closed.id]
        assert await uow.requests.purge_personal(closed.id, later)
        assert not await uow.requests.purge_personal(closed.id, later)
        await uow.commit()
    async with uow_factory() as uow:
        purged = await uow.requests.get(closed.id)
        untouched = await uow.requests.get(open_one.id)
        thread = await uow.requests.messages(closed.id)
        assert await uow.requests.closed_before(later, 10) == []
    assert purged is not None and untouched is not None
    assert (purged.address, purged.phone, purged.details, purged.voice_file_ids) == (
        None,
        None,
        None,
        (),
    )
    assert purged.purged_at == later and purged.reference == "K-2611-0002"
    assert [m.text for m in thread] == [None]
    assert untouched.phone == FORM.phone


async def test_a_draft_is_kept_replaced_and_deleted(uow_factory: UnitOfWorkFactory):
    person_id = await _requester(uow_factory)
    async with uow_factory() as uow:
        await uow.requests.put_draft(person_id, {"step": "area", "kind": "home_help"}, T0)
        await uow.requests.put_draft(person_id, {"step": "phone"}, T0 + timedelta(minutes=5))
        await uow.commit()
    async with uow_factory() as uow:
        draft = await uow.requests.get_draft(person_id)
        assert draft is not None
        assert (draft.data, draft.updated_at) == ({"step": "phone"}, T0 + timedelta(minutes=5))
        assert not draft.expired(T0 + timedelta(hours=20))
        assert draft.expired(T0 + timedelta(days=1, minutes=6))
        assert await uow.requests.delete_drafts_before(T0) == 0
        assert await uow.requests.delete_drafts_before(T0 + timedelta(hours=1)) == 1
        assert await uow.requests.get_draft(person_id) is None
        await uow.requests.delete_draft(person_id)  # deleting nothing is fine


# --- Races on the real SQL stores -------------------------------------------------------------


async def test_of_two_staff_taking_at_once_exactly_one_wins(sql_engine: AsyncEngine):
    factory = make_uow_factory(sql_engine)
    async with factory() as uow:
        resident = await uow.people.add(NewPerson(4001, "山本 トメ", "ja", T0))
        staff = [await uow.people.add(NewPerson(1000 + i, f"#{i}", "ja", T0)) for i in range(6)]
        request = await uow.requests.add(
            FORM, reference="K-2611-0001", requester_id=resident.id, at=T0
        )
        await uow.commit()

    async def take(staff_id: int) -> bool:
        async with factory() as uow:
            won = await uow.requests.take(request.id, staff_id, T0)
            await asyncio.sleep(0)  # let the others run inside their transactions
            await uow.commit()
        return won

    outcomes = await asyncio.gather(*(take(s.id) for s in staff))
    assert outcomes.count(True) == 1
    async with factory() as uow:
        stored = await uow.requests.get(request.id)
    winner = staff[outcomes.index(True)].id
    assert stored is not None and stored.taken_by == winner


async def test_concurrent_residents_never_share_a_reference_number(sql_engine: AsyncEngine):
    factory = make_uow_factory(sql_engine)

    async def draw() -> int:
        async with factory() as uow:
            value = await uow.requests.next_sequence("2611")
            await asyncio.sleep(0)
            await uow.commit()
        return value

    drawn = await asyncio.gather(*(draw() for _ in range(10)))
    assert sorted(drawn) == list(range(1, 11))
