"""What 10,000 strangers' /start leave in the store, right away and after the nightly purge.

Each stranger sends `/start` once, as Telegram delivers it: the intake commits the raw updates to
the inbox (in batches, as getUpdates brings them), the inbox worker hands them to the core, and
every reply is "sent" (claimed and marked as the sender does). The script then counts the rows of
every table (reflected: a new table is counted too) and looks for a sample of the strangers'
names and Telegram ids anywhere in the database; then it runs the nightly purge the next day and
eight days on (KYODO_OUTBOX_KEEP_DAYS is 7), each time with the inbox worker's own prune of
handled updates (which runs hourly), and counts again. The first column is the baseline: the
same store before any purge.

    .venv/bin/python bench/strangers.py [--people 10000] [--sample 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.dialogs.engine import DialogSettings
from bot.i18n import I18n
from bot.rendering import Renderer
from bot.runtime.inbox import KEEP_HANDLED
from bot.services.personal_data import purge_expired
from storage.database import create_engine
from storage.migrate import upgrade
from storage.uow import SqlStore
from tests.fakes.chat import User
from tests.fixtures.core import FakeClock
from tests.fixtures.whole_db import SqlChat, row_counts, scan, tg_user

FIRST_ID = 800_000_000
BATCH = 100  # updates per getUpdates batch


def stranger(n: int) -> User:
    return User(FIRST_ID + n, f"Stranger{n:05d} 名前", "ja" if n % 2 else "en")


def start_update(n: int) -> dict[str, object]:
    user = stranger(n)
    return {
        "update_id": n + 1,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user.id, "type": "private", "first_name": user.name},
            "from": tg_user(user),
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def found(chat: SqlChat, sample: int, people: int) -> tuple[int, str]:
    """How many of a sample of strangers are still anywhere in the store, and where."""
    step = max(1, people // sample)
    needles = []
    for n in range(0, people, step)[:sample]:
        user = stranger(n)
        needles += [user.name.split()[0], str(user.id)]
    where = await scan(chat.engine, needles)
    # One scan for the whole sample says where; a scan per person says how many.
    count = 0
    if where:
        for n in range(0, people, step)[:sample]:
            user = stranger(n)
            if await scan(chat.engine, (user.name.split()[0], str(user.id))):
                count += 1
    return count, ", ".join(f"{t}.{'/'.join(sorted(c))}" for t, c in sorted(where.items())) or "-"


async def main(people: int, sample: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'strangers.db'}"
        await upgrade(url)
        engine = create_engine(url)
        clock = FakeClock(datetime(2026, 11, 22, 0, 0, tzinfo=UTC))
        settings = DialogSettings(
            bot_username="kyodo_bench_bot",
            invite_ttl_hours=72,
            max_text_length=1000,
            default_locale="ja",
        )
        renderer = Renderer(I18n(ZoneInfo("Asia/Tokyo"), "ja"))
        chat = SqlChat(SqlStore(engine), engine, clock, settings, renderer)
        began = time.perf_counter()
        for first in range(0, people, BATCH):
            await chat.intake.accept([start_update(n) for n in range(first, first + BATCH)])
            await chat.worker.run_once()
            await chat.deliver()
        took = time.perf_counter() - began
        columns = [("after /start", await row_counts(engine), await found(chat, sample, people))]
        for label, days in (("purge next day", 1), ("purge 8 days on", 7)):
            clock.advance(days=days)
            await purge_expired(chat.store.uow, clock.now(), timedelta(days=365))
            async with chat.store.uow() as uow:  # the inbox worker's hourly prune
                await uow.inbox.prune(clock.now() - KEEP_HANDLED)
                await uow.commit()
            columns.append((label, await row_counts(engine), await found(chat, sample, people)))
        await engine.dispose()
    tables = sorted(t for t in columns[0][1] if any(c[1].get(t) for c in columns))
    width = max(len(t) for t in [*tables, "strangers found (of sample)"])
    print(f"{people:,} strangers' /start on SQLite ({took:.1f} s, {people / took:,.0f}/s)\n")
    print(f"| {'table':<{width}} | " + " | ".join(f"{c[0]:>15}" for c in columns) + " |")
    print(f"|{'-' * (width + 2)}|" + "|".join("-" * 17 for _ in columns) + "|")
    for table in tables:
        cells = " | ".join(f"{c[1].get(table, 0):>15,}" for c in columns)
        print(f"| {table:<{width}} | {cells} |")
    label = f"strangers found (of {sample})"
    print(f"| {label:<{width}} | " + " | ".join(f"{c[2][0]:>15}" for c in columns) + " |")
    print()
    for name, _, (_, where) in columns:
        print(f"{name}: a sampled stranger's name or id is in {where}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=100)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.people, args.sample)))
