"""Demo data for the sandbox: a co-op with two business centres under one head office, a
coordinator, members, a
volunteer (imported as a real co-op's roster is: kyodo/demo/members.py) and a resident to chat
as, the members' shifts over the coming week, and one upcoming general assembly.

Idempotent: people already present (by Telegram id), centres (by Japanese name), shifts (by
member, centre and start) and an upcoming assembly are left as they are, so `kyodo run` can load
it on every start without duplicating anything; a later start adds the days that came into view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.coop import BusinessCentre, NewAssembly, NewShift, WorkKind
from bot.domain.people import Actor, NewPerson, Role
from bot.ports.store import UnitOfWork
from bot.services import member_import
from kyodo.demo.members import MEMBERS_CSV
from kyodo.demo.requests import load_demo_requests

TOKYO = ZoneInfo("Asia/Tokyo")
# The demo is loaded by the composition root, acting as the shell does: as an admin.
_SHELL = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale="ja")
# Who comes in through the roster import: everyone but the resident (residents are no members).
IMPORTED_ROLES = frozenset({Role.MEMBER, Role.VOLUNTEER, Role.STAFF})


@dataclass(frozen=True)
class DemoPerson:
    telegram_user_id: int
    name: str
    language: str
    roles: frozenset[Role]
    label_ja: str
    label_en: str


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        1001,
        "佐藤 花子",
        "ja",
        frozenset({Role.STAFF, Role.ADMIN, Role.COORDINATOR}),
        "スタッフ（コーディネーター）",
        "Staff coordinator",
    ),
    DemoPerson(
        2001,
        "田中 一郎",
        "ja",
        frozenset({Role.MEMBER}),
        "組合員（清掃・中央センター）",
        "Member (cleaning)",
    ),
    DemoPerson(
        2002, "Maria Santos", "en", frozenset({Role.MEMBER}), "組合員（英語）", "Member (English)"
    ),
    DemoPerson(3001, "鈴木 次郎", "ja", frozenset({Role.VOLUNTEER}), "ボランティア", "Volunteer"),
    DemoPerson(
        4001,
        "山本 トメ",
        "ja",
        frozenset({Role.RESIDENT}),
        "地域の方（高齢の利用者）",
        "Resident (elderly)",
    ),
)


DEMO_CENTRES: tuple[tuple[str, str], ...] = (
    ("中央ケアセンター", "Chuo Care Centre"),
    ("港ビル清掃センター", "Minato Building Cleaning Centre"),
)
# The head office (本部) both demo centres belong to: its staff would act for both.
DEMO_OFFICE: tuple[str, str] = ("東京本部", "Tokyo Head Office")


@dataclass(frozen=True)
class DemoShift:
    day: int  # days after today, in the co-op's zone
    centre: int  # index into DEMO_CENTRES
    kind: WorkKind
    start: time
    hours: int
    capacity: int
    members: tuple[int, ...]  # Telegram ids of demo people


# Every day of the week has a shift, so a public holiday in view shows on someone's list.
DEMO_SHIFTS: tuple[DemoShift, ...] = (
    DemoShift(0, 1, WorkKind.CLEANING, time(8), 4, 3, (2001,)),
    DemoShift(0, 0, WorkKind.ELDERLY_CARE, time(9), 6, 2, (2002,)),
    DemoShift(1, 0, WorkKind.CHILDCARE, time(13), 4, 3, (2001, 2002)),
    DemoShift(2, 1, WorkKind.CLEANING, time(8), 4, 3, (2001,)),
    DemoShift(2, 0, WorkKind.ELDERLY_CARE, time(9), 6, 2, (2002,)),
    DemoShift(3, 0, WorkKind.AFTER_SCHOOL, time(14), 4, 2, (2002,)),
    DemoShift(4, 1, WorkKind.CLEANING, time(8), 4, 3, (2001,)),
    DemoShift(5, 0, WorkKind.ELDERLY_CARE, time(9), 6, 2, (2001, 2002)),
    DemoShift(6, 1, WorkKind.CLEANING, time(18), 3, 2, (2001,)),
)

ASSEMBLY_IN_DAYS = 17
ANSWER_DAYS_BEFORE = 7


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


async def _centres(uow: UnitOfWork) -> list[BusinessCentre]:
    """The demo centres, by DEMO_CENTRES' order; those added now are put under the head office
    (added too if missing). Centres already there are left as an admin may have changed them."""
    existing = {centre.name_ja: centre for centre in await uow.centres.all()}
    centres: list[BusinessCentre] = []
    added: list[int] = []
    for name_ja, name_en in DEMO_CENTRES:
        centre = existing.get(name_ja)
        if centre is None:
            centre = await uow.centres.add(name_ja, name_en)
            added.append(len(centres))
        centres.append(centre)
    # The office after its centres, so that the demo's first centres keep their ids.
    office = existing.get(DEMO_OFFICE[0])
    if office is None:
        office = replace(await uow.centres.add(*DEMO_OFFICE), is_office=True)
        await uow.centres.update(office)
    for index in added:
        centres[index] = replace(centres[index], office_id=office.id)
        await uow.centres.update(centres[index])
    return centres


async def _shifts(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> int:
    centres = await _centres(uow)
    today = now.astimezone(tz).date()
    added = 0
    for demo in DEMO_SHIFTS:
        people = [await uow.people.by_telegram_id(t) for t in demo.members]
        ids = [person.id for person in people if person is not None]
        if not ids:
            continue
        starts_at = _at(today + timedelta(days=demo.day), demo.start, tz)
        centre = centres[demo.centre]
        window = await uow.shifts.for_person(ids[0], starts_at, starts_at + timedelta(minutes=1))
        if any(shift.centre_id == centre.id for shift in window):
            continue
        shift = await uow.shifts.add(
            NewShift(
                centre.id,
                starts_at,
                starts_at + timedelta(hours=demo.hours),
                demo.kind,
                demo.capacity,
            )
        )
        for person_id in ids:
            await uow.shifts.assign(shift.id, person_id)
        added += 1
    return added


async def _assembly(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> int:
    if await uow.assemblies.upcoming(now, 1):
        return 0
    day = now.astimezone(tz).date() + timedelta(days=ASSEMBLY_IN_DAYS)
    await uow.assemblies.add(
        NewAssembly(
            title_ja="第12回 通常総会",
            title_en="12th Annual General Assembly",
            starts_at=_at(day, time(14), tz),
            place_ja="中央ケアセンター 2階ホール",
            place_en="Chuo Care Centre, 2nd-floor hall",
            answer_by=_at(day - timedelta(days=ANSWER_DAYS_BEFORE), time(17), tz),
        )
    )
    return 1


async def _members(uow: UnitOfWork, now: datetime) -> int:
    """The demo's members, volunteer and staff through the member import (kyodo/demo/members.py),
    each then attached to the sandbox account they chat as; the rest of a person's roles (admin,
    coordinator) as an admin would give them. People already present are left as they are."""
    lines = MEMBERS_CSV.splitlines(keepends=True)
    missing = [
        line
        for line in lines[1:]
        if await uow.people.by_telegram_id(int(line.rsplit("demo-", 1)[1])) is None
    ]
    if not missing:
        return 0
    report = await member_import.import_members(
        uow, _SHELL, "".join([lines[0], *missing]).encode(), now
    )
    if report.errors:  # pragma: no cover - the demo's own file
        raise ValueError(f"the demo roster does not import: {report.errors}")
    demo = {person.telegram_user_id: person for person in DEMO_PEOPLE}
    keys = await uow.roster.by_keys([line.fields.key for line in report.good])
    for line in report.good:
        assert line.fields.member_no is not None  # noqa: S101 -- every demo row has one
        telegram_id = int(line.fields.member_no.removeprefix("demo-"))
        person_id = keys[line.fields.key]
        await uow.people.attach(person_id, telegram_id, demo[telegram_id].language)
        # Not chosen by them yet: the sandbox chats as them in the language Telegram says.
        await uow.people.set_locale(person_id, None)
        for role in demo[telegram_id].roles - {line.fields.role}:
            await uow.people.add_role(person_id, role)
    return report.imported


async def load_demo(uow: UnitOfWork, now: datetime, tz: ZoneInfo = TOKYO) -> int:
    """Adds the demo data that is missing; returns how many people were added. Does not commit.

    Shifts cover today and the six days after it in `tz`; the assembly is about 2½ weeks ahead.
    """
    await _centres(uow)  # before the roster, which names them
    added = await _members(uow, now)
    for demo in DEMO_PEOPLE:
        if demo.roles & IMPORTED_ROLES:
            continue  # imported above
        if await uow.people.by_telegram_id(demo.telegram_user_id) is not None:
            continue
        await uow.people.add(
            NewPerson(
                telegram_user_id=demo.telegram_user_id,
                display_name=demo.name,
                telegram_language=demo.language,
                created_at=now,
                roles=demo.roles,
            )
        )
        added += 1
    shifts = await _shifts(uow, now, tz)
    assemblies = await _assembly(uow, now, tz)
    await load_demo_requests(uow, now, tz)  # the demo resident's past requests
    if added or shifts or assemblies:
        details = {"people": added, "shifts": shifts, "assemblies": assemblies}
        await uow.audit.add(now, None, "demo.loaded", "demo", details)
    return added
