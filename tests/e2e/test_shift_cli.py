"""`kyodo shifts import` and `kyodo shifts ical` as staff use them from the shell."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.ports.clock import SystemClock
from tests.fixtures.cli import kyodo

DAY = (SystemClock().now() + timedelta(days=10)).date()
HEADER = "センター,日付,開始,終了,仕事,定員,メンバー\r\n"
GOOD = f"港ビル清掃センター,{DAY:%Y/%m/%d},8:00,12:00,清掃,2,2001\r\n"
ALSO_GOOD = f"Chuo Care Centre,{DAY:%Y-%m-%d},13:00,17:00,childcare,3,2001 2002\r\n"
BROKEN = f"中央ケアセンター,{DAY:%Y/%m/%d},17:00,9:00,清掃,1,\r\n"


def write(tmp_path: Path, text: str, encoding: str = "cp932") -> Path:
    path = tmp_path / "shifts.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_cp932_file_from_excel_is_imported_and_shows_in_the_members_calendar(tmp_path):
    assert kyodo(tmp_path, "demo").returncode == 0
    done = kyodo(tmp_path, "shifts", "import", str(write(tmp_path, HEADER + GOOD + ALSO_GOOD)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Imported 2 shifts."
    feed = kyodo(tmp_path, "shifts", "ical", "--person", "2001")
    assert feed.returncode == 0
    assert feed.stdout.startswith("BEGIN:VCALENDAR")
    before = DAY - timedelta(days=1)
    assert f"DTSTART:{before:%Y%m%d}T230000Z\nDTEND:{DAY:%Y%m%d}T030000Z" in feed.stdout
    # In Tanaka's own language, whatever the shell speaks.
    assert "SUMMARY:清掃\nLOCATION:港ビル清掃センター" in feed.stdout
    english = kyodo(tmp_path, "shifts", "ical", "--person", "2002").stdout
    assert "SUMMARY:Childcare\nLOCATION:Chuo Care Centre" in english
    assert "Minato" not in english  # not Maria's shift


def test_a_file_with_a_broken_row_imports_nothing_and_says_which_line(tmp_path):
    kyodo(tmp_path, "demo")
    path = write(tmp_path, "\ufeff" + HEADER + GOOD + BROKEN, "utf-8")
    dry = kyodo(tmp_path, "shifts", "import", "--dry-run", str(path))
    assert dry.returncode == 1
    assert "line 3: the shift ends before it starts" in dry.stderr
    assert "Dry run: 1 shift would be imported; 1 line is broken." in dry.stdout
    refused = kyodo(tmp_path, "shifts", "import", str(path))
    assert refused.returncode == 1
    assert "Nothing was imported" in refused.stdout
    assert (
        f"DTEND:{DAY:%Y%m%d}T030000Z"
        not in kyodo(tmp_path, "shifts", "ical", "--person", "2001").stdout
    )
    partial = kyodo(tmp_path, "shifts", "import", "--good-rows-only", str(path))
    assert partial.returncode == 0
    assert "Imported 1 shift; 1 broken line was left out." in partial.stdout
    again = kyodo(tmp_path, "shifts", "import", "--good-rows-only", str(path), LANG="ja_JP.UTF-8")
    assert "2行目：同じシフトがすでにあります" in again.stderr


def test_an_unreadable_file_and_an_unknown_person_are_refused(tmp_path):
    kyodo(tmp_path, "demo")
    bad = kyodo(tmp_path, "shifts", "import", str(write(tmp_path, "date,start\n1,2\n", "utf-8")))
    assert bad.returncode == 1
    assert "The file cannot be imported: the first line must name the columns" in bad.stderr
    nobody = kyodo(tmp_path, "shifts", "ical", "--person", "424242")
    assert nobody.returncode == 1
    assert "No member has that Telegram id." in nobody.stderr
