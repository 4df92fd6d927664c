"""`kyodo assembly publish` as an administrator uses it from the shell."""

from __future__ import annotations

from datetime import date, timedelta

from bot.config import load_settings
from bot.domain.assemblies import agenda_in
from kyodo.app import open_store
from tests.fixtures.cli import kyodo

AT = date.today() + timedelta(days=60)
NOTICE = ("--title-ja", "臨時総会", "--place-ja", "本部", "--quorum", "2/3")


async def test_a_notice_is_published_with_english_defaulting_to_japanese(tmp_path):
    """Titles and places fall back to the Japanese text; the agenda is marked Japanese only."""
    done = kyodo(
        tmp_path,
        "assembly",
        "publish",
        *NOTICE,
        "--at",
        f"{AT.isoformat()}T14:00",
        "--answer-by",
        (AT - timedelta(days=7)).isoformat(),
        "--agenda-ja",
        "1. 定款変更\\n2. 予算",
    )
    assert done.returncode == 0, done.stderr
    assert "Published notice #1: 臨時総会, " in done.stdout
    settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'kyodo.db'}"})
    async with open_store(settings) as store, store.uow() as uow:
        assembly = await uow.assemblies.get(1)
    assert assembly is not None
    assert (assembly.title_en, assembly.place_en, str(assembly.quorum)) == (
        "臨時総会",
        "本部",
        "2/3",
    )
    assert agenda_in("en", assembly.agenda_ja, assembly.agenda_en) == ("1. 定款変更\n2. 予算", True)


async def test_an_english_agenda_is_published_for_english_readers(tmp_path):
    done = kyodo(
        tmp_path,
        "assembly",
        "publish",
        *NOTICE,
        "--at",
        f"{AT.isoformat()}T14:00",
        "--answer-by",
        (AT - timedelta(days=7)).isoformat(),
        "--agenda-ja",
        "1. 定款変更",
        "--agenda-en",
        "1. Amending the articles\n2. Budget",
    )
    assert done.returncode == 0, done.stderr
    settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'kyodo.db'}"})
    async with open_store(settings) as store, store.uow() as uow:
        assembly = await uow.assemblies.get(1)
    assert assembly is not None
    assert (assembly.agenda_ja, assembly.agenda_en) == (
        "1. 定款変更",
        "1. Amending the articles\n2. Budget",
    )


def test_bad_dates_are_refused_in_the_terminals_language(tmp_path):
    impossible = kyodo(
        tmp_path,
        "assembly",
        "publish",
        *NOTICE,
        "--at",
        "2099-02-30T14:00",
        "--answer-by",
        "2099-02-01",
    )
    assert impossible.returncode == 2
    assert "That date or time does not exist." in impossible.stderr
    late = kyodo(
        tmp_path,
        "assembly",
        "publish",
        *NOTICE,
        "--at",
        f"{AT.isoformat()}T14:00",
        "--answer-by",
        (AT + timedelta(days=1)).isoformat(),
        LANG="ja_JP.UTF-8",
    )
    assert late.returncode == 2
    assert "出欠の締め切りは総会の開始より前にしてください。" in late.stderr
