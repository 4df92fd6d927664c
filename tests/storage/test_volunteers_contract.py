"""The repository contract for volunteer applications and personal data, on every store.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.domain.coop import WorkKind
from bot.domain.hours import NewHourReport, ReportStatus
from bot.domain.outbound import OutboundMessage
from bot.domain.people import Role
from bot.domain.volunteers import PURGED, ApplicationStatus, NewApplication, make_choices
from bot.ports.store import UnitOfWorkFactory
from tests.fixtures.contract import add_person

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
CHOICES = make_choices(["disaster", "childcare"], ["sat:pm", "mon:am"], ["en", "ja"], ["driving"])


def _new(person_id: int, name: str = "山田 花子") -> NewApplication:
    return NewApplication(person_id, name, "+819012345678", CHOICES, "普通免許あり", T0)


async def test_an_application_is_stored_pending_with_its_choices_in_a_stable_order(
    uow_factory: UnitOfWorkFactory,
):
    person = await add_person(uow_factory)
    async with uow_factory() as uow:
        added = await uow.volunteers.add(_new(person.id), T0)
        await uow.commit()
    assert added.status is ApplicationStatus.PENDING
    assert [i.value for i in added.choices.interests] == ["childcare", "disaster"]
    assert added.choices.availability == ("mon:am", "sat:pm")
    assert [v.value for v in added.choices.languages] == ["ja", "en"]
    assert (added.name, added.phone, added.skills_note) == (
        "山田 花子",
        "+819012345678",
        "普通免許あり",
    )
    async with uow_factory() as uow:
        assert await uow.volunteers.get(added.id) == added
        assert await uow.volunteers.get(added.id + 100) is None
        assert list(await uow.volunteers.for_person(person.id)) == [added]
        assert list(await uow.volunteers.pending(10)) == [added]


async def test_only_one_decision_is_recorded(uow_factory: UnitOfWorkFactory):
    person = await add_person(uow_factory)
    staff = await add_person(uow_factory, 1002, frozenset({Role.STAFF}))
    async with uow_factory() as uow:
        added = await uow.volunteers.add(_new(person.id), T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.volunteers.decide(
            added.id, ApplicationStatus.DECLINED, staff.id, T0, "人数が足りています"
        )
        assert not await uow.volunteers.decide(
            added.id, ApplicationStatus.APPROVED, staff.id, T0, None
        )
        await uow.commit()
    async with uow_factory() as uow:
        got = await uow.volunteers.get(added.id)
        assert got is not None and got.status is ApplicationStatus.DECLINED
        assert (got.decided_by, got.decided_at, got.reason) == (staff.id, T0, "人数が足りています")
        assert list(await uow.volunteers.pending(10)) == []


async def test_the_purge_clears_personal_fields_of_old_declined_applications_only(
    uow_factory: UnitOfWorkFactory,
):
    person = await add_person(uow_factory)
    staff = await add_person(uow_factory, 1002, frozenset({Role.STAFF}))
    async with uow_factory() as uow:
        old = await uow.volunteers.add(_new(person.id), T0)
        recent = await uow.volunteers.add(_new(person.id), T0)
        waiting = await uow.volunteers.add(_new(person.id), T0)
        await uow.volunteers.decide(old.id, ApplicationStatus.DECLINED, staff.id, T0, "x")
        later = T0 + timedelta(days=30)
        await uow.volunteers.decide(recent.id, ApplicationStatus.DECLINED, staff.id, later, "y")
        await uow.commit()
    cutoff, at = T0 + timedelta(days=1), T0 + timedelta(days=400)
    async with uow_factory() as uow:
        assert await uow.volunteers.purge_declined(cutoff, at) == 1
        assert await uow.volunteers.purge_declined(cutoff, at) == 0  # once
        await uow.commit()
    async with uow_factory() as uow:
        purged = await uow.volunteers.get(old.id)
        assert purged is not None
        assert (purged.name, purged.phone, purged.skills_note) == (PURGED, None, None)
        assert purged.purged_at == at and purged.choices == CHOICES and purged.reason == "x"
        for kept_id in (recent.id, waiting.id):
            kept = await uow.volunteers.get(kept_id)
            assert kept is not None and kept.phone == "+819012345678"


async def _with_records(uow_factory: UnitOfWorkFactory) -> tuple[int, int, int, int]:
    person = await add_person(uow_factory, 5005, frozenset({Role.VOLUNTEER}))
    other = await add_person(uow_factory, 5006)
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        day = date(2026, 11, 20)
        approved = await uow.hours.add(
            NewHourReport(person.id, centre.id, WorkKind.CLEANING, day, 120, "鈴木さん宅", True), T0
        )
        pending = await uow.hours.add(
            NewHourReport(person.id, centre.id, WorkKind.CLEANING, day + timedelta(1), 60), T0
        )
        await uow.volunteers.add(_new(person.id), T0)
        await uow.outbox.add(OutboundMessage(chat_id=5005, text="こんにちは"), T0)
        await uow.inbox.add(1, {"update_id": 1, "message": {"chat": {"id": 5005}}}, T0)
        await uow.inbox.add(2, {"update_id": 2, "message": {"chat": {"id": 5006}}}, T0)
        await uow.inbox.claim(1, T0)
        await uow.commit()
    async with uow_factory() as uow:
        report = await uow.hours.get(approved.id)
        assert report is not None
        await uow.hours.save(
            replace(report, status=ReportStatus.APPROVED, decided_by=other.id, decided_at=T0),
            was=ReportStatus.PENDING,
        )
        await uow.commit()
    return person.id, other.id, approved.id, pending.id


async def test_messages_of_a_chat_are_counted(uow_factory: UnitOfWorkFactory):
    await _with_records(uow_factory)
    async with uow_factory() as uow:
        assert await uow.privacy.messages_of(5005) == (1, 1)
        assert await uow.privacy.messages_of(5006) == (1, 0)


async def test_deleting_a_person_takes_their_records_with_them(uow_factory: UnitOfWorkFactory):
    person_id, other_id, approved_id, pending_id = await _with_records(uow_factory)
    async with uow_factory() as uow:
        await uow.privacy.delete_person(person_id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.people.get(person_id) is None
        assert await uow.people.by_telegram_id(5005) is None
        assert await uow.hours.get(approved_id) is None
        assert await uow.hours.get(pending_id) is None
        assert list(await uow.volunteers.for_person(person_id)) == []
        assert await uow.people.get(other_id) is not None


async def test_anonymising_keeps_approved_hours_without_anything_that_identifies_the_person(
    uow_factory: UnitOfWorkFactory,
):
    person_id, _other_id, approved_id, pending_id = await _with_records(uow_factory)
    async with uow_factory() as uow:
        await uow.privacy.anonymise_person(person_id, PURGED)
        await uow.commit()
    async with uow_factory() as uow:
        person = await uow.people.get(person_id)
        assert person is not None
        assert (person.display_name, person.telegram_user_id, person.roles) == (
            PURGED,
            None,
            frozenset(),
        )
        assert (person.locale, person.telegram_language) == (None, None)
        assert await uow.people.by_telegram_id(5005) is None
        kept = await uow.hours.get(approved_id)
        assert kept is not None and kept.minutes == 120 and kept.note is None and kept.volunteer
        assert await uow.hours.get(pending_id) is None
        # Handled updates go; a message still waiting to be sent is sent first.
        assert await uow.privacy.messages_of(5005) == (0, 1)
        assert await uow.privacy.messages_of(5006) == (1, 0)
