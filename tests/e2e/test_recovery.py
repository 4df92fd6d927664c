"""Quick to recover: PostgreSQL stops (as in a crash) while a person writes, and comes back;
Kyodo, which kept trying every second, answers the message. The time from the database's
return to the answer is printed (`-s`), not asserted: tests/transport/test_polling.py checks
on a fake clock that a failing store is tried every second."""

from __future__ import annotations

import asyncio
import time

import pytest

from kyodo.app import KyodoApp
from tests.fixtures.kyodo import Person, kyodo_settings
from tests.pgserver import PostgresUnavailable, running_postgres

pytestmark = pytest.mark.postgres

USER = {"id": 6201, "is_bot": False, "first_name": "Ken", "language_code": "en"}


async def test_after_postgresql_comes_back_the_waiting_message_is_answered(sandbox, tmp_path):
    try:
        server = running_postgres()
        pg = server.__enter__()
    except PostgresUnavailable as missing:
        pytest.skip(f"PostgreSQL tests skipped: {missing}")
    try:
        admin = await pg.admin()
        await admin.execute('CREATE DATABASE "kyodo"')
        await admin.close()
        settings = kyodo_settings(
            sandbox, "aiohttp", tmp_path / "unused.db", DATABASE_URL=pg.url("kyodo")
        )
        async with KyodoApp(settings):
            ken = Person(sandbox, USER)
            assert "Hello, Ken!" in (await ken.says("/start")).text
            pg.stop()
            delivered = sandbox.stats["updates_delivered_by_polling"]
            sandbox.user_sends(USER, "/help")
            # Kyodo fetched it, could not store it, and fetched it again: it keeps trying.
            for _ in range(300):
                if sandbox.stats["updates_delivered_by_polling"] >= delivered + 3:
                    break
                await asyncio.sleep(0.05)
            assert sandbox.stats["updates_delivered_by_polling"] >= delivered + 3
            back = time.monotonic()
            pg.start()
            messages = await sandbox.wait_for_messages(ken.id, 2, timeout=30)
            print(f"\nanswered {time.monotonic() - back:.2f} s after PostgreSQL came back")
            assert "Help" in messages[-1].text
    finally:
        server.__exit__(None, None, None)
