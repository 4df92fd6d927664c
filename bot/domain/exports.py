"""Payroll exports of hours: a month's hours per member and centre, as CSV or an Excel workbook.

The co-op shares out its income by the hours worked, so the file goes to payroll software or to
Japanese Excel. CSV is UTF-8 with a BOM (Excel reads UTF-8 only with it) and CRLF line ends, or
cp932 (Shift_JIS as Windows writes it) on request. cp932 cannot hold every character of a name
(e.g. 𠮷): such a character is written as 〓 (the geta mark, Japanese typesetting's sign for a
missing character) and counted, so the caller can tell the staff member; UTF-8 and xlsx keep
every name exactly. Text cells that Excel would run as a formula (`=`, `+`, `-`, `@` first) are
written with a leading apostrophe in CSV and as plain strings in xlsx.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from bot.domain.coop import BusinessCentre
from bot.domain.errors import InvalidInput

CP932_REPLACEMENT = "〓"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters a spreadsheet cell cannot hold (openpyxl refuses them; Excel breaks on them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MONTH = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?")
FIRST_YEAR, LAST_YEAR = 2000, 2999


class ExportFormat(StrEnum):
    CSV = "csv"  # UTF-8 with BOM
    CP932 = "cp932"  # Shift_JIS as Windows and Japanese Excel write it
    XLSX = "xlsx"


class HoursScope(StrEnum):
    APPROVED = "approved"  # only approved reports: what payroll pays
    ALL = "all"  # approved and still pending (rejected and withdrawn reports are never hours)


def parse_month(text: str) -> date:
    """`2026-11`, `2026/11`, `２０２６年１１月` -> the first day of that month."""
    found = _MONTH.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if found is None:
        raise InvalidInput("export_month")
    year, month = int(found.group(1)), int(found.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise InvalidInput("export_month")
    return date(year, month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class HoursQuery:
    """What to export: one month, one centre or all, approved only or with pending reports."""

    month: date  # the first day of the month
    centre_id: int | None = None
    scope: HoursScope = HoursScope.APPROVED

    def __post_init__(self) -> None:
        if self.month.day != 1:
            raise ValueError("a month is given by its first day")

    @property
    def start(self) -> date:
        return self.month

    @property
    def end(self) -> date:
        """The first day after the month (the range is [start, end))."""
        return next_month(self.month)


@dataclass(frozen=True)
class HoursLine:
    """One member's hours at one centre in the month (minutes, in steps of 15)."""

    person_id: int
    name: str
    centre_id: int
    days: int  # distinct days with counted reports
    approved_minutes: int
    pending_minutes: int
    volunteer: bool  # a volunteer's hours, not a worker-member's (paid differently, if at all)

    @property
    def total_minutes(self) -> int:
        return self.approved_minutes + self.pending_minutes


@dataclass(frozen=True)
class HoursExport:
    query: HoursQuery
    lines: Sequence[HoursLine]  # by person id, then centre id
    centres: Sequence[BusinessCentre]


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    lines: int  # data rows, without the heading (and the workbook's total row)
    replaced: int = 0  # characters cp932 could not hold, written as 〓


# Column keys; their headings are the catalog messages `exports.column.<key>`.
COLUMNS_APPROVED = ("member", "name", "centre", "type", "days", "hours")
COLUMNS_ALL = ("member", "name", "centre", "type", "days", "approved", "pending", "hours")
HOUR_COLUMNS = frozenset({"hours", "approved", "pending"})
Label = Callable[[str], str]  # a message key -> its text in the staff member's language

Cell = str | int | Decimal


def hours(minutes: int) -> Decimal:
    """Minutes as hours with two decimals: 450 -> 7.50."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def columns(scope: HoursScope) -> tuple[str, ...]:
    return COLUMNS_APPROVED if scope is HoursScope.APPROVED else COLUMNS_ALL


def table(export: HoursExport, label: Label, locale: str) -> tuple[list[str], list[list[Cell]]]:
    """The header row and the data rows, in the staff member's language."""
    keys = columns(export.query.scope)
    centres = {centre.id: centre.name(locale) for centre in export.centres}
    kinds = {True: label("exports.type.volunteer"), False: label("exports.type.member")}
    rows: list[list[Cell]] = []
    for line in export.lines:
        values: dict[str, Cell] = {
            "member": line.person_id,
            "name": line.name,
            "centre": centres.get(line.centre_id, str(line.centre_id)),
            "type": kinds[line.volunteer],
            "days": line.days,
            "approved": hours(line.approved_minutes),
            "pending": hours(line.pending_minutes),
            "hours": hours(line.total_minutes),
        }
        rows.append([values[key] for key in keys])
    return [label(f"exports.column.{key}") for key in keys], rows


def filename(query: HoursQuery, fmt: ExportFormat) -> str:
    """ASCII, so that every browser and mail client keeps it: kyodo-hours-2026-11-c2-all.csv."""
    parts = [f"kyodo-hours-{query.month:%Y-%m}"]
    if query.centre_id is not None:
        parts.append(f"c{query.centre_id}")
    if query.scope is HoursScope.ALL:
        parts.append("all")
    suffix = "xlsx" if fmt is ExportFormat.XLSX else "csv"
    return f"{'-'.join(parts)}.{suffix}"


def render(export: HoursExport, fmt: ExportFormat, label: Label, locale: str) -> ExportFile:
    header, rows = table(export, label, locale)
    name = filename(export.query, fmt)
    if fmt is ExportFormat.XLSX:
        sheet = f"{label('exports.sheet.hours')} {export.query.month:%Y-%m}"
        keys = columns(export.query.scope)
        content = xlsx_bytes(header, rows, sheet, keys, label("exports.total"))
        return ExportFile(content, name, XLSX_TYPE, len(rows))
    if fmt is ExportFormat.CP932:
        content, replaced = cp932_bytes(csv_text(header, rows))
        return ExportFile(content, name, "text/csv; charset=Shift_JIS", len(rows), replaced)
    return ExportFile(csv_utf8_bytes(header, rows), name, "text/csv; charset=utf-8", len(rows))


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    """A cell's text without control characters, and never starting like a formula."""
    value = _CONTROL.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    buffer = io.StringIO()
    # CRLF and minimal quoting: what Excel writes and reads.
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow([safe_text(cell) if isinstance(cell, str) else cell for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    return "".join(_csv_lines(header, rows))


def csv_utf8_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    return csv_text(header, rows).encode("utf-8-sig")


def cp932_bytes(text: str) -> tuple[bytes, int]:
    """The text in cp932, each character it cannot hold written as 〓; and how many there were."""
    try:
        return text.encode("cp932"), 0
    except UnicodeEncodeError:
        pass  # rare: a name with a character outside cp932; go character by character
    out = bytearray()
    replaced = 0
    for char in text:
        try:
            out += char.encode("cp932")
        except UnicodeEncodeError:
            out += CP932_REPLACEMENT.encode("cp932")
            replaced += 1
    return bytes(out), replaced


def xlsx_bytes(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    sheet: str,
    keys: Sequence[str],
    total_label: str,
) -> bytes:
    """A workbook with one sheet: bold header, frozen and filterable, hours as 0.00, a total row."""
    # Imported here: openpyxl takes a noticeable moment to import, and only xlsx needs it.
    from openpyxl import Workbook
    from openpyxl.cell import Cell as SheetCell
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    ws = book.create_sheet(_sheet_title(sheet))
    widths = {"member": 10, "name": 24, "centre": 28, "type": 14, "days": 8}
    for index, key in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(index)].width = widths.get(key, 12)
    ws.freeze_panes = "A2"
    last = len(rows) + 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{last}"
    bold = Font(bold=True)

    def cell(value: Cell | None, key: str, *, strong: bool = False) -> SheetCell:
        made = WriteOnlyCell(ws)
        if isinstance(value, str):
            made.value = _CONTROL.sub("", value)
            made.data_type = "s"  # a name starting with "=" stays text, never a formula
        else:
            made.value = value
            if key in HOUR_COLUMNS:
                made.number_format = "0.00"
        if strong:
            made.font = bold
        return made

    def plain(value: Cell, key: str) -> SheetCell | Cell:
        """A bare value where no style is needed: a styled cell costs several times as much."""
        if isinstance(value, str):
            value = _CONTROL.sub("", value)
            # openpyxl would take "=..." for a formula; everything else is stored as text.
            return cell(value, key) if value.startswith("=") else value
        return cell(value, key) if key in HOUR_COLUMNS else value

    ws.append([cell(text, "", strong=True) for text in header])
    for row in rows:
        ws.append([plain(value, key) for value, key in zip(row, keys, strict=True)])
    if rows:
        total: list[SheetCell] = []
        for index, key in enumerate(keys, start=1):
            if key in HOUR_COLUMNS:
                letter = get_column_letter(index)
                formula = WriteOnlyCell(ws, value=f"=SUM({letter}2:{letter}{last})")
                formula.number_format = "0.00"
                formula.font = bold
                total.append(formula)
            else:
                total.append(cell(None, key))
        total[0] = cell(total_label, "", strong=True)
        ws.append(total)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(text: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "-", _CONTROL.sub("", text)).strip("'") or "hours"
    return cleaned[:31]
