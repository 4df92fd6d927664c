"""`kyodo export hours` as staff run it for payroll: the real command on a SQLite file, the file
it writes parsed back (csv module, openpyxl)."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook

from bot.config import load_settings
from bot.domain.coop import WorkKind
from bot.domain.hours import NewHourReport, ReportStatus
from kyodo.app import open_store
from tests.fixtures.cli import kyodo

AT = datetime(2026, 12, 1, tzinfo=UTC)


async def _reports(db: Path) -> None:
    """Tanaka (2001): 8 h approved and 2.5 h pending at Chuo; Maria (2002): 7.75 h at Minato."""
    settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{db}"})
    async with open_store(settings) as store, store.uow() as uow:
        tanaka = await uow.people.by_telegram_id(2001)
        maria = await uow.people.by_telegram_id(2002)
        # The demo's two centres and, added after them, their head office 東京本部.
        centres = {c.name_en: c for c in await uow.centres.all()}
        assert sorted(centres) == [
            "Chuo Care Centre",
            "Minato Building Cleaning Centre",
            "Tokyo Head Office",
        ]
        chuo = centres["Chuo Care Centre"]
        minato = centres["Minato Building Cleaning Centre"]
        assert centres["Tokyo Head Office"].is_office
        assert tanaka and maria
        for person, centre, day, minutes, status in (
            (tanaka, chuo, 3, 480, ReportStatus.APPROVED),
            (tanaka, chuo, 4, 150, ReportStatus.PENDING),
            (maria, minato, 5, 465, ReportStatus.APPROVED),
            (maria, minato, 6, 600, ReportStatus.REJECTED),
        ):
            new = NewHourReport(
                person.id, centre.id, WorkKind.CLEANING, date(2026, 11, day), minutes
            )
            report = await uow.hours.add(new, AT)
            if status is not ReportStatus.PENDING:
                await uow.hours.save(replace(report, status=status), was=ReportStatus.PENDING)
        await uow.commit()


def _month(tmp_path: Path) -> None:
    assert kyodo(tmp_path, "demo").returncode == 0
    asyncio.run(_reports(tmp_path / "kyodo.db"))


def test_the_default_is_an_excel_csv_of_approved_hours_named_after_the_month(tmp_path):
    _month(tmp_path)
    done = kyodo(tmp_path, "export", "hours", "--month", "2026-11")
    assert done.returncode == 0, done.stderr
    assert "Wrote 2 lines of hours for November 2026 to kyodo-hours-2026-11.csv" in done.stdout
    content = (tmp_path / "kyodo-hours-2026-11.csv").read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and b"\r\n" in content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["No.", "Name", "Centre", "Type", "Days", "Hours"]
    assert [row[1:] for row in rows[1:]] == [
        ["田中 一郎", "Chuo Care Centre", "Member", "1", "8.00"],
        ["Maria Santos", "Minato Building Cleaning Centre", "Member", "1", "7.75"],
    ]


def test_cp932_in_japanese_with_pending_hours_for_one_centre(tmp_path):
    _month(tmp_path)
    out = tmp_path / "給与.csv"
    centre = _centre_id(tmp_path, "Chuo Care Centre")
    done = kyodo(
        tmp_path,
        "export", "hours", "--month", "２０２６年１１月", "--all", "--centre", str(centre),
        "--format", "cp932", "--output", str(out), "--locale", "ja",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2026年11月の勤務時間を 1 行" in done.stdout
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("cp932"), newline="")))
    assert rows == [
        ["番号", "氏名", "センター", "区分", "日数", "承認済みの時間", "承認待ちの時間", "時間"],
        [rows[1][0], "田中 一郎", "中央ケアセンター", "組合員", "2", "8.00", "2.50", "10.50"],
    ]


def test_an_xlsx_workbook_and_stdout(tmp_path):
    _month(tmp_path)
    done = kyodo(tmp_path, "export", "hours", "--month", "2026-11", "--format", "xlsx")
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(tmp_path / "kyodo-hours-2026-11.xlsx").active
    assert sheet.title == "Hours 2026-11"
    assert [c.value for c in sheet["F"]] == ["Hours", 8, 7.75, "=SUM(F2:F3)"]
    piped = kyodo(tmp_path, "export", "hours", "--month", "2026-11", "-o", "-")
    assert piped.stdout.startswith("\ufeffNo.,Name") and "Wrote 2 lines" in piped.stderr


def test_bad_months_unknown_centres_and_unwritable_files_are_refused_clearly(tmp_path):
    _month(tmp_path)
    month = kyodo(tmp_path, "export", "hours", "--month", "November")
    assert month.returncode == 2
    assert "Give the month as year and month, like 2026-11." in month.stderr
    centre = kyodo(tmp_path, "export", "hours", "--month", "2026-11", "--centre", "999")
    assert centre.returncode == 1 and "There is no centre with that number." in centre.stderr
    nowhere = tmp_path / "missing" / "out.csv"
    write = kyodo(tmp_path, "export", "hours", "--month", "2026-11", "-o", str(nowhere))
    assert write.returncode == 1 and "The file cannot be written:" in write.stderr
    empty = kyodo(tmp_path, "export", "hours", "--month", "2026-09", LANG="ja_JP.UTF-8")
    assert empty.returncode == 0 and "0 行" in empty.stdout


def _centre_id(tmp_path: Path, name_en: str) -> int:
    async def find() -> int:
        db = tmp_path / "kyodo.db"
        settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{db}"})
        async with open_store(settings) as store, store.uow() as uow:
            return next(c.id for c in await uow.centres.all() if c.name_en == name_en)

    return asyncio.run(find())


async def _rename(db: Path, telegram_id: int, name: str) -> None:
    from sqlalchemy import update

    from storage.models import PersonRow

    settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{db}"})
    async with open_store(settings) as store, store.engine.begin() as conn:
        await conn.execute(
            update(PersonRow)
            .where(PersonRow.telegram_user_id == telegram_id)
            .values(display_name=name)
        )


def test_a_name_shift_jis_cannot_hold_is_written_as_geta_and_the_staff_are_told(tmp_path):
    _month(tmp_path)
    asyncio.run(_rename(tmp_path / "kyodo.db", 2001, "𠮷田 一郎"))
    done = kyodo(tmp_path, "export", "hours", "--month", "2026-11", "--format", "cp932")
    assert done.returncode == 0, done.stderr
    assert "1 character could not be written in Shift_JIS (cp932) and became 〓" in (done.stderr)
    rows = (tmp_path / "kyodo-hours-2026-11.csv").read_bytes().decode("cp932").splitlines()
    assert rows[1].split(",")[1] == "〓田 一郎"
    exact = kyodo(tmp_path, "export", "hours", "--month", "2026-11", "-o", "utf8.csv")
    assert "𠮷田 一郎" in (tmp_path / "utf8.csv").read_text(encoding="utf-8-sig")
    assert "replaced" not in exact.stderr
