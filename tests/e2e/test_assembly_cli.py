"""`kyodo assembly publish` as an administrator uses it from the shell."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path

from bot.config import load_settings
from bot.domain.assemblies import agenda_in
from bot.domain.coop import Assembly
from kyodo.app import open_store
from tests.fixtures.cli import kyodo

AT = date.today() + timedelta(days=60)
NOTICE = ("--title-ja", "臨時総会", "--place-ja", "本部", "--quorum", "2/3")


def publish(
    tmp_path: Path,
    *agenda: str,
    at: str = f"{AT.isoformat()}T14:00",
    answer_by: str = (AT - timedelta(days=7)).isoformat(),
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """`kyodo assembly publish` of the notice at `at`, answers by `answer_by`, with `agenda`."""
    return kyodo(
        tmp_path,
        "assembly",
        "publish",
        *NOTICE,
        "--at",
        at,
        "--answer-by",
        answer_by,
        *agenda,
        **env,
    )


async def published(tmp_path: Path) -> Assembly:
    """The first notice, as the store keeps it."""
    settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'kyodo.db'}"})
    async with open_store(settings) as store, store.uow() as uow:
        assembly = await uow.assemblies.get(1)
    assert assembly is not None
    return assembly


async def test_a_notice_is_published_with_english_defaulting_to_japanese(tmp_path):
    """Titles and places fall back to the Japanese text; the agenda is marked Japanese only."""
    done = publish(tmp_path, "--agenda-ja", "1. 定款変更\\n2. 予算")
    assert done.returncode == 0, done.stderr
    assert "Published notice #1: 臨時総会, " in done.stdout
    assembly = await published(tmp_path)
    assert (assembly.title_en, assembly.place_en, str(assembly.quorum)) == (
        "臨時総会",
        "本部",
        "2/3",
    )
    assert agenda_in("en", assembly.agenda_ja, assembly.agenda_en) == ("1. 定款変更\n2. 予算", True)


async def test_an_english_agenda_is_published_for_english_readers(tmp_path):
    done = publish(
        tmp_path, "--agenda-ja", "1. 定款変更", "--agenda-en", "1. Amending the articles\n2. Budget"
    )
    assert done.returncode == 0, done.stderr
    assembly = await published(tmp_path)
    assert (assembly.agenda_ja, assembly.agenda_en) == (
        "1. 定款変更",
        "1. Amending the articles\n2. Budget",
    )


def test_bad_dates_are_refused_in_the_terminals_language(tmp_path):
    impossible = publish(tmp_path, at="2099-02-30T14:00", answer_by="2099-02-01")
    assert impossible.returncode == 2
    assert "That date or time does not exist." in impossible.stderr
    late = publish(tmp_path, answer_by=(AT + timedelta(days=1)).isoformat(), LANG="ja_JP.UTF-8")
    assert late.returncode == 2
    assert "出欠の締め切りは総会の開始より前にしてください。" in late.stderr
