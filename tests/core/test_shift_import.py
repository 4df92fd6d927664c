"""The shift CSV: encodings from Japanese Excel, row-by-row errors, dry runs and partial imports."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import csv_rows, shift_csv
from bot.domain.coop import WorkKind
from bot.domain.errors import InvalidInput, PermissionDenied
from bot.domain.people import Actor, NewPerson, Role
from bot.i18n import I18n
from bot.services.shift_import import import_shifts
from kyodo.cli.shifts import kind_names

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
KINDS = kind_names(I18n(TOKYO))  # 清掃, Cleaning, 高齢者デイサービス, ...
STAFF = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale="ja")
HEADER = "centre,date,start,end,kind,capacity,members,volunteers\n"
GOOD = (
    "港ビル清掃センター,2026/11/24,8:00,12:00,cleaning,3,2001 2002,no\n"
    "Chuo Care Centre,2026-11-25,９:００,15:00,高齢者デイサービス,2,2002,\n"
)


async def setup(store) -> None:
    async with store.uow() as uow:
        await uow.centres.add("港ビル清掃センター", "Minato Building Cleaning Centre")
        await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        for telegram_id, roles in (
            (2001, {Role.MEMBER}),
            (2002, {Role.MEMBER}),
            (3001, {Role.VOLUNTEER}),
        ):
            await uow.people.add(
                NewPerson(telegram_id, f"#{telegram_id}", "ja", NOW, None, frozenset(roles))
            )
        await uow.commit()


async def run(store, data: bytes, **flags: bool):
    async with store.uow() as uow:
        report = await import_shifts(uow, STAFF, data, NOW, TOKYO, kind_names=KINDS, **flags)
        await uow.commit()
    return report


def test_utf8_with_and_without_bom_and_cp932_read_the_same():
    text = HEADER + GOOD
    assert csv_rows.decode(text.encode("utf-8")) == text
    assert csv_rows.decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert csv_rows.decode(text.replace("９:００", "9:00").encode("cp932")) == text.replace(
        "９:００", "9:00"
    )
    with pytest.raises(InvalidInput) as error:
        csv_rows.decode(b"\xef\xbb\xbf\xff\xfe")
    assert error.value.code == "csv_encoding"


async def test_a_good_file_imports_every_shift_with_its_members(memory_store):
    await setup(memory_store)
    report = await run(memory_store, (HEADER + GOOD).encode())
    assert (report.imported, report.errors) == (2, [])
    shifts = sorted(memory_store.state.shifts.values(), key=lambda s: s.starts_at)
    assert shifts[0].starts_at == datetime(2026, 11, 24, 8, 0, tzinfo=TOKYO)
    assert shifts[0].ends_at == datetime(2026, 11, 24, 12, 0, tzinfo=TOKYO)
    assert (shifts[0].kind, shifts[0].capacity) == (WorkKind.CLEANING, 3)
    assert shifts[1].kind is WorkKind.ELDERLY_CARE and shifts[1].starts_at.hour == 0  # 9:00 JST
    people = {p.telegram_user_id: p.id for p in memory_store.state.people.values()}
    assert {who for sid, who in memory_store.state.shift_assignments if sid == shifts[0].id} == {
        people[2001],
        people[2002],
    }


async def test_a_cp932_file_from_excel_with_japanese_headers_imports(memory_store):
    await setup(memory_store)
    text = (
        "センター,日付,開始,終了,仕事,定員,メンバー,ボランティア\r\n"
        "港ビル清掃センター,2026/11/24,8:00,12:00,清掃,2,2001,はい\r\n"
    )
    report = await run(memory_store, text.encode("cp932"))
    assert (report.imported, report.errors) == (1, [])
    [shift] = memory_store.state.shifts.values()
    assert shift.for_volunteers is True


async def test_a_file_with_broken_rows_imports_nothing_and_names_line_and_reason(memory_store):
    await setup(memory_store)
    broken = (
        HEADER
        + GOOD
        + "港ビル清掃センター,2026/02/30,8:00,12:00,cleaning,1,,\n"  # line 4
        + "\n"
        + "どこか,2026/11/26,8:00,12:00,cleaning,1,,\n"  # line 6
        + "港ビル清掃センター,2026/11/26,12:00,8:00,cleaning,1,,\n"  # line 7
        + "港ビル清掃センター,2026/11/26,8:00,12:00,cleaning,1,9999,\n"  # line 8
        + "港ビル清掃センター,2026/11/26,8:00,12:00,cleaning,1,2001 2002,\n"  # line 9
        + "港ビル清掃センター,2026/11/24,8:00,12:00,cleaning,3,,\n"  # line 10: duplicate of 2
        + "港ビル清掃センター,2026/11/21,8:00,12:00,cleaning,1,,\n"  # line 11
        + "港ビル清掃センター,2026/11/27,8:00,12:00,cleaning,0,,\n"  # line 12
        + "港ビル清掃センター,2026/11/27,8:00,12:00,dancing,1,,\n"  # line 13
        + "港ビル清掃センター,2026/11/24,10:00,14:00,cleaning,1,2001,\n"  # line 14: 2001 busy
        + "港ビル清掃センター,2026/11/27,8:00,12:00,cleaning,1,3001,\n"  # line 15: not a member
    )
    report = await run(memory_store, broken.encode())
    assert [(e.line, e.code) for e in report.errors] == [
        (4, "bad_date"),
        (6, "unknown_centre"),
        (7, "end_before_start"),
        (8, "unknown_member"),
        (9, "over_capacity"),
        (10, "duplicate"),
        (11, "in_the_past"),
        (12, "bad_capacity"),
        (13, "bad_kind"),
        (14, "member_busy"),
        (15, "unknown_member"),
    ]
    assert report.imported == 0 and len(report.good) == 2
    assert memory_store.state.shifts == {}


async def test_good_rows_only_imports_the_rest_and_reports_the_broken(memory_store):
    await setup(memory_store)
    text = HEADER + GOOD + "港ビル清掃センター,2026/11/26,25:00,26:00,cleaning,1,,\n"
    report = await run(memory_store, text.encode(), good_rows_only=True)
    assert report.imported == 2
    assert [(e.line, e.code) for e in report.errors] == [(4, "bad_time")]
    assert len(memory_store.state.shifts) == 2
    assert "shifts.imported" in [a.action for a in memory_store.state.audit]


async def test_a_dry_run_writes_nothing(memory_store):
    await setup(memory_store)
    report = await run(memory_store, (HEADER + GOOD).encode(), dry_run=True)
    assert (len(report.good), report.imported, report.errors) == (2, 0, [])
    assert memory_store.state.shifts == {}


async def test_importing_the_same_file_twice_finds_the_duplicates(memory_store):
    await setup(memory_store)
    await run(memory_store, (HEADER + GOOD).encode())
    again = await run(memory_store, (HEADER + GOOD).encode())
    assert [e.code for e in again.errors] == ["duplicate", "duplicate"]
    assert len(memory_store.state.shifts) == 2


async def test_only_staff_may_import(memory_store):
    await setup(memory_store)
    member = Actor(person_id=1, roles=frozenset({Role.MEMBER}), locale="ja")
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied) as error:
            await import_shifts(uow, member, (HEADER + GOOD).encode(), NOW, TOKYO)
        await uow.commit()
    assert error.value.code == "shifts.import_refused"
    assert memory_store.state.audit[-1].action == "shifts.import_refused"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "csv_header"),
        ("date,start\n2026/11/24,8:00\n", "csv_header"),
        (HEADER + '"港ビル清掃センター,2026/11/24\n', "csv_malformed"),
        (HEADER + "a\x00b\n", "csv_encoding"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(text, code):
    with pytest.raises(InvalidInput) as error:
        shift_csv.parse(text, TOKYO)
    assert error.value.code == code


@given(st.text(max_size=30))
def test_field_parsers_raise_only_their_own_error(text):
    for parse in (
        shift_csv.parse_date,
        shift_csv.parse_time,
        shift_csv.parse_capacity,
        shift_csv.parse_members,
        shift_csv.parse_flag,
        lambda t: shift_csv.parse_kind(t, {}),
    ):
        with contextlib.suppress(InvalidInput):
            parse(text)


@given(st.text(max_size=300))
def test_the_file_parser_raises_only_its_own_error(text):
    try:
        lines, _errors = shift_csv.parse(HEADER + text, TOKYO)
    except InvalidInput:
        return
    for line in lines:
        assert line.ends_at > line.starts_at
        assert 1 <= line.capacity <= shift_csv.MAX_CAPACITY
        assert len(line.members) <= line.capacity


@given(st.sampled_from(["nan", "inf", "-1", "0", "1e3", "１０１", "-0", "2.5", "+3"]))
def test_capacity_refuses_nan_inf_negatives_and_fractions(text):
    with pytest.raises(InvalidInput):
        shift_csv.parse_capacity(text)


@given(st.dates(), st.integers(0, 23), st.integers(0, 59))
def test_every_real_date_and_time_reads_back(day, hour, minute):
    assert shift_csv.parse_date(f"{day.year:04d}/{day.month}/{day.day}") == day
    assert shift_csv.parse_time(f"{hour}:{minute:02d}") == timedelta(hours=hour, minutes=minute)


@pytest.mark.parametrize("text", ["2026-02-29", "2026/13/01", "2026/00/10", "0000-01-01", "nan"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(InvalidInput):
        shift_csv.parse_date(text)


def test_end_may_be_midnight_but_nothing_later():
    assert shift_csv.parse_time("24:00", end=True) == timedelta(hours=24)
    for text, end in (("24:00", False), ("24:01", True), ("7:60", True), ("-1:00", True)):
        with pytest.raises(InvalidInput):
            shift_csv.parse_time(text, end=end)


IMPORT_CODES = [
    "csv_encoding",
    "csv_header",
    "csv_malformed",
    "csv_too_long",
    "no_centre",
    "unknown_centre",
    "bad_date",
    "bad_time",
    "end_before_start",
    "in_the_past",
    "bad_kind",
    "bad_capacity",
    "bad_member",
    "over_capacity",
    "unknown_member",
    "member_busy",
    "duplicate",
    "bad_volunteers",
]
SWAP_CODES = [
    "shift_started",
    "shift_full",
    "shift_overlaps",
    "already_on_shift",
    "reason_too_long",
]


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_import_and_swap_error_has_a_message(i18n, locale):
    for code in IMPORT_CODES:
        assert i18n.has(f"shifts.import.error.{code}", locale), code
    for code in SWAP_CODES:
        assert i18n.has(f"shifts.error.{code}", locale), code
