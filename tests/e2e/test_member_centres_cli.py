"""At the shell: `kyodo members centres PERSON [--set ...]` shows and sets someone's centres
(audited as the desk's change is), and `kyodo invite --role coordinator` issues a code."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from bot.config import load_settings
from bot.domain.invites import code_hash
from bot.domain.people import Role
from kyodo.app import open_store
from storage.models import AuditRow
from tests.fixtures.cli import kyodo

CENTRES = (
    "名称,英語名,本部,所属本部\r\n"
    "中央ケアセンター,Chuo Care Centre,,\r\n"
    "港ビル清掃センター,Minato Building Cleaning Centre,,\r\n"
    "北センター,Kita Centre,,\r\n"
)
ROSTER = "氏名,フリガナ,所属,言語,役割\r\n田中 一郎,タナカ イチロウ,中央ケアセンター,ja,組合員\r\n"


def _settings(tmp_path: Path):
    return load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'kyodo.db'}"})


async def test_an_admin_sets_someones_centres_by_name_or_id_and_it_is_audited(tmp_path):
    (tmp_path / "centres.csv").write_bytes(CENTRES.encode("cp932"))
    (tmp_path / "members.csv").write_bytes(ROSTER.encode("cp932"))
    assert kyodo(tmp_path, "centres", "import", str(tmp_path / "centres.csv")).returncode == 0
    assert kyodo(tmp_path, "members", "import", str(tmp_path / "members.csv")).returncode == 0
    shown = kyodo(tmp_path, "members", "centres", "1")
    assert shown.stdout.strip() == "田中 一郎 (id 1) belongs to: Chuo Care Centre"

    done = kyodo(
        tmp_path, "members", "centres", "1", "--set", "ｍｉｎａｔｏ building cleaning centre;3"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "田中 一郎 (id 1) belongs to: Minato Building Cleaning Centre, Kita Centre"
    )
    ja = kyodo(tmp_path, "members", "centres", "1", LANG="ja_JP.UTF-8")
    assert ja.stdout.strip() == "田中 一郎（ID 1）の所属センター：港ビル清掃センター、北センター"

    unknown = kyodo(tmp_path, "members", "centres", "1", "--set", "中央ケアセンター;南センター")
    assert unknown.returncode == 1
    assert "No centre is called: 南センター. Nothing was changed." in unknown.stderr
    assert kyodo(tmp_path, "centres", "close", "1").returncode == 0
    closed = kyodo(tmp_path, "members", "centres", "1", "--set", "中央ケアセンター")
    assert closed.returncode == 1
    assert "A closed centre cannot be newly given. Nothing was changed." in closed.stderr
    nobody = kyodo(tmp_path, "members", "centres", "9", "--set", "")
    assert nobody.returncode == 1 and "No person has the id 9." in nobody.stderr
    none = kyodo(tmp_path, "members", "centres", "1", "--set", "")
    assert none.stdout.strip() == "田中 一郎 (id 1) belongs to: —"

    async with open_store(_settings(tmp_path)) as store, store.engine.connect() as db:
        rows = await db.execute(
            select(AuditRow.subject, AuditRow.details).where(
                AuditRow.action == "membership.changed"
            )
        )
        changes = [(row.subject, row.details) for row in rows]
    assert changes == [
        ("person:1", {"added": [2, 3], "removed": [1]}),
        ("person:1", {"added": [], "removed": [2, 3]}),
    ]


async def test_the_shell_invites_a_coordinator(tmp_path):
    done = kyodo(tmp_path, "invite", "--role", "coordinator")
    assert done.returncode == 0, done.stderr
    code = re.search(r"([A-Z0-9]{4}-[A-Z0-9]{4})", done.stdout)
    assert code, done.stdout
    async with open_store(_settings(tmp_path)) as store, store.uow() as uow:
        invite = await uow.invites.get(code_hash(code[1].replace("-", "")))
    assert invite is not None and invite.role is Role.COORDINATOR
