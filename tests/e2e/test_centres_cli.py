"""`kyodo centres` as an admin sets up the co-op's centres from the shell, in either language."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.cli import kyodo

HEADER = "名称,英語名,電話番号,業務,地域\r\n"
GOOD = (
    "中央ケアセンター,Chuo Care Centre,03-1234-5678,高齢者デイサービス;清掃,中央区;港区\r\n"
    "港ビル清掃センター,Minato Building Cleaning Centre,,cleaning,\r\n"
)
BROKEN = "北ケアセンター,Kita Care Centre,call us,,\r\n"


def write(tmp_path: Path, text: str, encoding: str = "cp932") -> Path:
    path = tmp_path / "centres.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_cp932_file_from_excel_is_imported_and_listed(tmp_path):
    assert kyodo(tmp_path, "centres", "list").stdout.startswith("There are no centres yet.")
    done = kyodo(tmp_path, "centres", "import", str(write(tmp_path, HEADER + GOOD)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Imported 2 centres."
    listed = kyodo(tmp_path, "centres", "list").stdout.splitlines()
    assert listed == [
        "1: 中央ケアセンター / Chuo Care Centre  phone: 03-1234-5678  "
        "work: Cleaning, Elderly day care  areas: 中央区, 港区",
        "2: 港ビル清掃センター / Minato Building Cleaning Centre  phone: —  "
        "work: Cleaning  areas: —",
    ]


def test_a_file_with_a_broken_row_imports_nothing_and_says_which_line(tmp_path):
    path = write(tmp_path, "\ufeff" + HEADER + GOOD + BROKEN, "utf-8")
    dry = kyodo(tmp_path, "centres", "import", "--dry-run", str(path))
    assert dry.returncode == 1
    assert "line 4: write the phone number with digits and hyphens" in dry.stderr
    assert "Dry run: 2 centres would be imported; 1 line is broken." in dry.stdout
    refused = kyodo(tmp_path, "centres", "import", str(path), LANG="ja_JP.UTF-8")
    assert refused.returncode == 1
    assert "4行目：電話番号は数字とハイフンで書いてください" in refused.stderr
    assert "何も取り込んでいません：問題のある行が1行あります。" in refused.stderr
    assert kyodo(tmp_path, "centres", "list").stdout.startswith("There are no centres yet.")


def test_an_admin_adds_renames_describes_and_closes_a_centre(tmp_path):
    added = kyodo(tmp_path, "centres", "add", "中央", "Chuo", "--phone", "０３-1111-2222")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("Centre created: 1: 中央 / Chuo  phone: 03-1111-2222")
    renamed = kyodo(tmp_path, "centres", "rename", "1", "中央ケア", "Chuo & Co. Care")
    assert "Centre renamed: 1: 中央ケア / Chuo & Co. Care" in renamed.stdout
    described = kyodo(
        tmp_path, "centres", "describe", "1", "--kinds", "childcare", "--areas", "中央区"
    )
    assert "work: Childcare  areas: 中央区" in described.stdout
    taken = kyodo(tmp_path, "centres", "add", "別", "CHUO & CO. CARE", LANG="ja_JP.UTF-8")
    assert taken.returncode == 1
    assert "変更していません：その名前（日本語または英語）のセンターはもうあります" in taken.stderr
    closed = kyodo(tmp_path, "centres", "close", "1", LANG="ja_JP.UTF-8")
    assert closed.stdout.startswith("センターを閉所にしました（記録は残ります）：1: 中央ケア")
    assert "（閉所）" in kyodo(tmp_path, "centres", "list", LANG="ja_JP.UTF-8").stdout
    again = kyodo(tmp_path, "centres", "close", "1")
    assert again.returncode == 1
    assert again.stderr.splitlines()[-1] == "Nothing was changed: that centre is already closed"
    missing = kyodo(tmp_path, "centres", "rename", "9", "x", "y")
    assert "no centre has that number" in missing.stderr


def test_an_admin_adds_a_head_office_and_puts_centres_under_it(tmp_path):
    office = kyodo(tmp_path, "centres", "add", "東京本部", "Tokyo Head Office", "--head-office")
    assert office.returncode == 0, office.stderr
    assert office.stdout.strip().endswith("(head office)")
    chuo = kyodo(tmp_path, "centres", "add", "中央", "Chuo", "--office", "1")
    assert chuo.stdout.strip().endswith("head office: 1")
    kyodo(tmp_path, "centres", "add", "港", "Minato")
    moved = kyodo(tmp_path, "centres", "office", "3", "1", LANG="ja_JP.UTF-8")
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.startswith("所属する本部を変えました：3: 港 / Minato")
    assert moved.stdout.strip().endswith("本部：1")
    wrong = kyodo(tmp_path, "centres", "office", "3", "2", LANG="ja_JP.UTF-8")
    assert wrong.returncode == 1
    assert "その本部はありません" in wrong.stderr
    out = kyodo(tmp_path, "centres", "office", "2", "--none")
    assert out.returncode == 0, out.stderr
    listed = kyodo(tmp_path, "centres", "list").stdout.splitlines()
    assert listed[0].endswith("(head office)")
    assert not listed[1].endswith("head office: 1") and listed[2].endswith("head office: 1")
