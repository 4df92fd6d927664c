"""`kyodo members import` as an admin imports the roster from Excel's files and prints letters;
`kyodo members letters` prints the letters still missing. In either language of the shell."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.cli import kyodo

CENTRES = "名称,英語名,電話番号\r\n中央ケアセンター,Chuo Care Centre,03-1234-5678\r\n"
HEADER = "氏名,フリガナ,所属,言語,役割,電話番号\r\n"
GOOD = (
    "田中 一郎,タナカ イチロウ,中央ケアセンター,ja,組合員,090-1234-5678\r\n"
    "Maria Santos,マリア サントス,Chuo Care Centre,en,volunteer,\r\n"
)
BROKEN = "鈴木 次郎,スズキ ジロウ,北センター,ja,,\r\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "cp932") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_members_are_imported_once_with_their_letters(tmp_path: Path) -> None:
    centres = write(tmp_path, "centres.csv", CENTRES)
    assert kyodo(tmp_path, "centres", "import", str(centres)).returncode == 0
    roster = write(tmp_path, "members.csv", HEADER + GOOD)
    letters = tmp_path / "letters.pdf"
    done = kyodo(tmp_path, "members", "import", str(roster), "--letters", str(letters))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Imported 2 people (0 already on the roster, left as they were).",
        f"Wrote 2 invitation letters to {letters}. Their codes are in that file only.",
    ]
    assert letters.read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "letters.pdf.partial").exists()
    # The same file again (saved as UTF-8 with a BOM this time): nobody is added twice.
    again = write(tmp_path, "again.csv", "\ufeff" + HEADER + GOOD, "utf-8")
    second = kyodo(tmp_path, "members", "import", str(again))
    assert (
        second.stdout.strip() == "Imported 0 people (2 already on the roster, left as they were)."
    )
    # Everyone has a working code: no letter is missing.
    missing = kyodo(tmp_path, "members", "letters", str(tmp_path / "more.pdf"))
    assert missing.stdout.strip().startswith("Nobody needs a letter")


def test_a_broken_line_imports_nothing_and_is_named_in_japanese(tmp_path: Path) -> None:
    centres = write(tmp_path, "centres.csv", CENTRES)
    kyodo(tmp_path, "centres", "import", str(centres))
    roster = write(tmp_path, "members.csv", HEADER + GOOD + BROKEN)
    letters = tmp_path / "letters.pdf"
    refused = kyodo(
        tmp_path, "members", "import", str(roster), "--letters", str(letters), LANG="ja_JP.UTF-8"
    )
    assert refused.returncode == 1
    assert "4行目：そのセンターはありません" in refused.stderr
    assert "何も取り込んでいません：1行に誤りがあります。" in refused.stderr
    assert not letters.exists()
    # Without letters, the import says how to print them later; `members letters` does.
    fixed = write(tmp_path, "fixed.csv", HEADER + GOOD)
    done = kyodo(tmp_path, "members", "import", str(fixed))
    assert "kyodo members letters FILE" in done.stdout
    printed = kyodo(tmp_path, "members", "letters", str(letters))
    assert printed.returncode == 0, printed.stderr
    assert "Wrote 2 invitation letters" in printed.stdout
    assert letters.read_bytes().startswith(b"%PDF")
