"""Personal data on a real SQLite file: /forget's rows, the retention purge and its CLI command."""

from __future__ import annotations

import itertools
import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.dialogs.engine import DialogSettings
from bot.domain.coop import WorkKind
from bot.domain.hours import NewHourReport, ReportStatus
from bot.domain.people import Actor, NewPerson, Role
from bot.domain.requests import ForWhom, RequestForm, RequestStatus, ServiceKind, TimeWindow
from bot.domain.volunteers import PURGED, ApplicationStatus, NewApplication, make_choices
from bot.notices.bus import Consequences
from bot.rendering import Renderer
from bot.services.personal_data import Forgotten, forget, purge_expired
from storage.database import create_engine
from storage.migrate import upgrade
from storage.uow import make_uow_factory
from tests.fixtures.cli import kyodo

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
PHONE = "090-1234-5678"
ADDRESS = "東京都中央区銀座1-2-3"
_REFERENCES = itertools.count(1)
CHOICES = make_choices(["cleaning"], ["mon:am"], ["ja"], [])


@pytest.fixture
async def sqlite_uow(sqlite_url, i18n):
    await upgrade(sqlite_url)
    engine = create_engine(sqlite_url)
    # /forget withdraws open requests through their use case, whose consequences must run.
    settings = DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
    )
    try:
        yield make_uow_factory(engine, Consequences(Renderer(i18n), settings)), engine
    finally:
        await engine.dispose()


async def _person(uow_factory, telegram_id: int, roles=frozenset()) -> Actor:
    async with uow_factory() as uow:
        person = await uow.people.add(NewPerson(telegram_id, "山田 花子", "ja", T0, roles=roles))
        await uow.commit()
    return Actor(person.id, person.roles, "ja")


async def _request(uow_factory, person_id: int, status: RequestStatus, at: datetime) -> int:
    form = RequestForm(
        kind=ServiceKind.HOME_HELP,
        for_whom=ForWhom.SELF,
        days=(),
        time_window=TimeWindow.ANY,
        area="chuo",
        address=ADDRESS,
        phone=PHONE,
        details="車いすを使っています",
    )
    async with uow_factory() as uow:
        request = await uow.requests.add(
            form, reference=f"K-2611-{next(_REFERENCES):04d}", requester_id=person_id, at=at
        )
        if status is not RequestStatus.RECEIVED:
            await uow.requests.save(
                replace(request, status=status, updated_at=at), was=RequestStatus.RECEIVED
            )
        await uow.commit()
    return request.id


async def _count(engine, sql: str, **params) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text(sql), params)).scalar_one())


async def test_forget_deletes_the_rows_of_someone_with_nothing_to_keep(sqlite_uow):
    uow_factory, engine = sqlite_uow
    actor = await _person(uow_factory, 6001, frozenset({Role.RESIDENT}))
    await _request(uow_factory, actor.person_id, RequestStatus.RECEIVED, T0)
    async with uow_factory() as uow:
        await uow.volunteers.add(
            NewApplication(actor.person_id, "山田 花子", PHONE, CHOICES, None, T0), T0
        )
        await uow.commit()
    async with uow_factory() as uow:
        assert (await forget(uow, actor, T0)).outcome is Forgotten.DELETED
        await uow.commit()
    pid = actor.person_id
    assert await _count(engine, "SELECT count(*) FROM people WHERE id = :p", p=pid) == 0
    assert (
        await _count(engine, "SELECT count(*) FROM person_roles WHERE person_id = :p", p=pid) == 0
    )
    assert await _count(engine, "SELECT count(*) FROM volunteer_applications") == 0
    # The request itself stays for the co-op's numbers, without a requester or personal fields.
    assert (
        await _count(
            engine,
            "SELECT count(*) FROM service_requests WHERE requester_id IS NULL AND phone IS NULL"
            " AND address IS NULL AND details IS NULL",
        )
        == 1
    )
    assert (
        await _count(engine, "SELECT count(*) FROM service_requests WHERE phone = :p", p=PHONE) == 0
    )


async def test_forget_anonymises_someone_with_approved_hours_and_a_completed_service(sqlite_uow):
    uow_factory, engine = sqlite_uow
    actor = await _person(uow_factory, 6002, frozenset({Role.MEMBER}))
    await _request(uow_factory, actor.person_id, RequestStatus.DONE, T0)
    async with uow_factory() as uow:
        centre = await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        report = await uow.hours.add(
            NewHourReport(
                actor.person_id, centre.id, WorkKind.CLEANING, date(2026, 11, 20), 240, "鍵"
            ),
            T0,
        )
        await uow.hours.save(
            replace(report, status=ReportStatus.APPROVED), was=ReportStatus.PENDING
        )
        await uow.requests.put_draft(actor.person_id, {"address": ADDRESS}, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert (await forget(uow, actor, T0)).outcome is Forgotten.ANONYMISED
        await uow.commit()
    pid = actor.person_id
    assert (
        await _count(
            engine,
            "SELECT count(*) FROM people WHERE id = :p AND display_name = :n"
            " AND telegram_user_id IS NULL AND locale IS NULL AND telegram_language IS NULL",
            p=pid,
            n=PURGED,
        )
        == 1
    )
    assert (
        await _count(engine, "SELECT count(*) FROM person_roles WHERE person_id = :p", p=pid) == 0
    )
    assert await _count(engine, "SELECT count(*) FROM service_request_drafts") == 0
    assert (
        await _count(
            engine,
            "SELECT count(*) FROM hour_reports WHERE person_id = :p AND minutes = 240"
            " AND status = 'approved' AND note IS NULL",
            p=pid,
        )
        == 1
    )
    assert (
        await _count(
            engine,
            "SELECT count(*) FROM service_requests WHERE requester_id = :p AND status = 'done'"
            " AND phone IS NULL AND address IS NULL",
            p=pid,
        )
        == 1
    )


async def test_the_purge_clears_only_what_closed_before_the_retention_period(sqlite_uow, caplog):
    uow_factory, engine = sqlite_uow
    staff = await _person(uow_factory, 6100, frozenset({Role.STAFF}))
    actor = await _person(uow_factory, 6003, frozenset({Role.RESIDENT}))
    old, now = T0 - timedelta(days=400), T0
    await _request(uow_factory, actor.person_id, RequestStatus.DONE, old)
    await _request(uow_factory, actor.person_id, RequestStatus.DONE, now - timedelta(days=10))
    await _request(uow_factory, actor.person_id, RequestStatus.RECEIVED, old)  # still open
    async with uow_factory() as uow:
        declined = await uow.volunteers.add(
            NewApplication(actor.person_id, "山田 花子", PHONE, CHOICES, "運転", old), old
        )
        await uow.volunteers.decide(
            declined.id, ApplicationStatus.DECLINED, staff.person_id, old, "x"
        )
        await uow.commit()
    phones = "SELECT count(*) FROM service_requests WHERE phone IS NOT NULL"
    assert await _count(engine, phones) == 3
    dry = await purge_expired(uow_factory, now, timedelta(days=365), dry_run=True)
    assert (dry.requests, dry.applications) == (1, 1)
    assert await _count(engine, phones) == 3  # a dry run changes nothing
    with caplog.at_level(logging.DEBUG):
        done = await purge_expired(uow_factory, now, timedelta(days=365))
    assert (done.requests, done.applications) == (1, 1)
    assert await _count(engine, phones) == 2
    assert (
        await _count(
            engine,
            "SELECT count(*) FROM volunteer_applications WHERE phone IS NULL AND name = :n",
            n=PURGED,
        )
        == 1
    )
    again = await purge_expired(uow_factory, now, timedelta(days=365))
    assert (again.requests, again.applications) == (0, 0)
    assert (
        await _count(engine, "SELECT count(*) FROM audit_log WHERE action = 'personal_data.purged'")
        == 2
    )
    assert "service requests: 1, volunteer applications: 1" in caplog.text
    assert PHONE not in caplog.text and ADDRESS not in caplog.text and "山田" not in caplog.text


async def test_kyodo_purge_personal_data_on_a_sqlite_file(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'kyodo.db'}"
    await upgrade(url)
    engine = create_engine(url)
    uow_factory = make_uow_factory(engine)
    try:
        actor = await _person(uow_factory, 6004, frozenset({Role.RESIDENT}))
        await _request(
            uow_factory, actor.person_id, RequestStatus.DECLINED, datetime(2020, 1, 1, tzinfo=UTC)
        )
    finally:
        await engine.dispose()
    dry = kyodo(tmp_path, "purge-personal-data", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would purge (dry run, nothing changed): 1 service request, 0 volunteer" in dry.stdout
    done = kyodo(tmp_path, "purge-personal-data", KYODO_RETENTION_DAYS="30")
    assert done.returncode == 0, done.stderr
    assert "Personal data purged: 1 service request" in done.stdout and "30 days" in done.stdout
    assert PHONE not in done.stdout + done.stderr and ADDRESS not in done.stdout + done.stderr
    engine = create_engine(url)
    try:
        assert (
            await _count(engine, "SELECT count(*) FROM service_requests WHERE phone IS NULL") == 1
        )
    finally:
        await engine.dispose()
