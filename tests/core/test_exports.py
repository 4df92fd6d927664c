"""Payroll exports: the month's lines as files Japanese Excel and payroll software read, and who
may export them. Files are parsed back with the csv module and openpyxl."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from bot.domain.coop import BusinessCentre, WorkKind
from bot.domain.errors import InvalidInput, NotFound, PermissionDenied
from bot.domain.exports import (
    CP932_REPLACEMENT,
    ExportFormat,
    HoursExport,
    HoursLine,
    HoursQuery,
    HoursScope,
    Label,
    parse_month,
    render,
)
from bot.domain.hours import NewHourReport, ReportStatus
from bot.domain.people import Actor, NewPerson, Role
from bot.i18n import I18n
from bot.services.exports import hours_export, hours_file
from tests.fakes.memory_store import MemoryStore

NOV = date(2026, 11, 1)
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
CENTRES = [BusinessCentre(1, "中央ケアセンター", "Chuo Care Centre")]
STAFF = Actor(person_id=1, roles=frozenset({Role.STAFF, Role.COORDINATOR}), locale="ja")


def export(*lines: HoursLine, scope: HoursScope = HoursScope.APPROVED) -> HoursExport:
    return HoursExport(HoursQuery(NOV, scope=scope), list(lines), CENTRES)


def line(name: str = "田中 一郎", approved: int = 450, pending: int = 0, **kw: object) -> HoursLine:
    values: dict[str, object] = {
        "person_id": 7,
        "name": name,
        "centre_id": 1,
        "days": 1,
        "approved_minutes": approved,
        "pending_minutes": pending,
        "volunteer": False,
    }
    values.update(kw)
    return HoursLine(**values)  # type: ignore[arg-type]


def label_for(i18n: I18n, locale: str) -> Label:
    return lambda key: i18n.gettext(key, locale)


def rows_of(content: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-11", NOV),
        ("2026/1", date(2026, 1, 1)),
        ("２０２６年１１月", NOV),
        (" 2026-12 ", date(2026, 12, 1)),
    ],
)
def test_a_month_is_read_as_people_write_it(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize(
    "text", ["", "2026-13", "2026-00", "11-2026", "2026", "1999-01", "2026-11-05"]
)
def test_anything_else_is_refused_with_one_code(text):
    with pytest.raises(InvalidInput) as refused:
        parse_month(text)
    assert refused.value.code == "export_month"


@given(st.text(max_size=30))
def test_the_month_parser_raises_only_its_own_error(text):
    try:
        month = parse_month(text)
    except InvalidInput as refused:
        assert refused.code == "export_month"
    else:
        assert month.day == 1 and 2000 <= month.year <= 2999


def test_utf8_csv_starts_with_a_bom_ends_lines_with_crlf_and_has_japanese_headings(i18n):
    file = render(export(line()), ExportFormat.CSV, label_for(i18n, "ja"), "ja")
    assert file.content.startswith(b"\xef\xbb\xbf")
    assert file.content.count(b"\r\n") == 2 and b"\n" not in file.content.replace(b"\r\n", b"")
    assert rows_of(file.content, "utf-8-sig") == [
        ["番号", "氏名", "センター", "区分", "日数", "時間"],
        ["7", "田中 一郎", "中央ケアセンター", "組合員", "1", "7.50"],
    ]
    assert (file.filename, file.lines, file.replaced) == ("kyodo-hours-2026-11.csv", 1, 0)
    assert file.content_type == "text/csv; charset=utf-8"


def test_all_has_approved_and_pending_columns_in_english(i18n):
    rows = [line(approved=480, pending=135), line(volunteer=True, approved=0, pending=60)]
    file = render(
        export(*rows, scope=HoursScope.ALL), ExportFormat.CSV, label_for(i18n, "en"), "en"
    )
    assert rows_of(file.content, "utf-8-sig") == [
        ["No.", "Name", "Centre", "Type", "Days", "Approved hours", "Pending hours", "Hours"],
        ["7", "田中 一郎", "Chuo Care Centre", "Member", "1", "8.00", "2.25", "10.25"],
        ["7", "田中 一郎", "Chuo Care Centre", "Volunteer", "1", "0.00", "1.00", "1.00"],
    ]
    assert file.filename == "kyodo-hours-2026-11-all.csv"


def test_cp932_writes_shift_jis_and_replaces_what_it_cannot_hold_with_a_count(i18n):
    rows = [line("𠮷田 太郎"), line("髙橋 ①子")]  # 𠮷 is outside cp932; 髙 and ① are in it
    file = render(export(*rows), ExportFormat.CP932, label_for(i18n, "ja"), "ja")
    assert not file.content.startswith(b"\xef\xbb\xbf")
    assert file.replaced == 1
    assert file.content_type == "text/csv; charset=Shift_JIS"
    parsed = rows_of(file.content, "cp932")
    assert parsed[0][1] == "氏名"
    assert [row[1] for row in parsed[1:]] == [f"{CP932_REPLACEMENT}田 太郎", "髙橋 ①子"]


def test_a_name_that_looks_like_a_formula_stays_text(i18n):
    evil = '=HYPERLINK("http://x","click")'
    csv_file = render(
        export(line(evil), line("-1+1"), line("a\x07b")),
        ExportFormat.CSV,
        label_for(i18n, "en"),
        "en",
    )
    names = [row[1] for row in rows_of(csv_file.content, "utf-8-sig")[1:]]
    assert names == ["'" + evil, "'-1+1", "ab"]
    xlsx = render(export(line(evil)), ExportFormat.XLSX, label_for(i18n, "en"), "en")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["B2"].value == evil and sheet["B2"].data_type == "s"


def test_the_workbook_has_a_header_numbers_with_formats_and_a_total_row(i18n):
    rows = [line(approved=480), line("Maria Santos", approved=465, person_id=8)]
    file = render(export(*rows), ExportFormat.XLSX, label_for(i18n, "ja"), "ja")
    assert file.filename == "kyodo-hours-2026-11.xlsx" and file.lines == 2
    book = load_workbook(io.BytesIO(file.content))
    assert book.sheetnames == ["勤務時間 2026-11"]
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [
        ["番号", "氏名", "センター", "区分", "日数", "時間"],
        [7, "田中 一郎", "中央ケアセンター", "組合員", 1, 8],
        [8, "Maria Santos", "中央ケアセンター", "組合員", 1, 7.75],
        ["合計", None, None, None, None, "=SUM(F2:F3)"],
    ]
    assert sheet["F2"].number_format == "0.00" and sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F3"


def test_an_empty_month_is_a_heading_only(i18n):
    file = render(export(), ExportFormat.XLSX, label_for(i18n, "en"), "en")
    rows = list(load_workbook(io.BytesIO(file.content)).active.iter_rows(values_only=True))
    assert rows == [("No.", "Name", "Centre", "Type", "Days", "Hours")]
    csv_file = render(export(), ExportFormat.CSV, label_for(i18n, "en"), "en")
    assert csv_file.lines == 0 and len(rows_of(csv_file.content, "utf-8-sig")) == 1


@pytest.mark.parametrize(
    "key", ["member", "name", "centre", "type", "days", "hours", "approved", "pending"]
)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_heading_and_refusal_is_translated(i18n, key, lang):
    assert i18n.has(f"exports.column.{key}", lang)
    for code in ("export_month", "export_centre", "permission_denied"):
        assert i18n.has(f"exports.error.{code}", lang)


async def _store_with_a_report() -> tuple[MemoryStore, int]:
    store = MemoryStore()
    async with store.uow() as uow:
        staff = await uow.people.add(
            NewPerson(1001, "佐藤 花子", "ja", NOW, roles=frozenset({Role.STAFF, Role.COORDINATOR}))
        )
        member = await uow.people.add(
            NewPerson(2001, "田中 一郎", "ja", NOW, roles=frozenset({Role.MEMBER}))
        )
        centre = await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        report = await uow.hours.add(
            NewHourReport(member.id, centre.id, WorkKind.CLEANING, date(2026, 11, 2), 480), NOW
        )
        await uow.hours.save(
            replace(report, status=ReportStatus.APPROVED), was=ReportStatus.PENDING
        )
        await uow.commit()
    return store, staff.id


async def test_staff_export_and_the_export_is_audited_without_the_data(i18n):
    store, staff_id = await _store_with_a_report()
    staff = Actor(staff_id, frozenset({Role.STAFF, Role.COORDINATOR}), "en")
    async with store.uow() as uow:
        export = await hours_export(uow, staff, HoursQuery(NOV), NOW)
    file = await hours_file(export, ExportFormat.CSV, label_for(i18n, "en"), "en")
    assert rows_of(file.content, "utf-8-sig")[1][1:] == [
        "田中 一郎",
        "Chuo Care Centre",
        "Member",
        "1",
        "8.00",
    ]
    (entry,) = store.state.audit
    assert (entry.actor_person_id, entry.action) == (staff_id, "export.hours")
    assert entry.details == {"month": "2026-11", "centre": None, "scope": "approved", "lines": 1}
    assert "田中" not in repr(entry)


async def test_a_member_cannot_export_and_the_attempt_is_audited():
    store, _ = await _store_with_a_report()
    member = Actor(2, frozenset({Role.MEMBER}), "ja")
    async with store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await hours_export(uow, member, HoursQuery(NOV), NOW)
    assert [(e.actor_person_id, e.action) for e in store.state.audit] == [(2, "export.refused")]


async def test_an_unknown_centre_is_refused():
    store, _ = await _store_with_a_report()
    async with store.uow() as uow:
        with pytest.raises(NotFound) as refused:
            await hours_export(uow, STAFF, HoursQuery(NOV, centre_id=99), NOW)
    assert refused.value.code == "export_centre"
