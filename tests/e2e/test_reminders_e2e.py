"""Reminders through a real Kyodo and the sandbox, across a restart.

Sends planned while Kyodo was down come due before it starts: the one still useful goes out when
it comes back, the ones no longer useful are skipped with a log line, and a second start sends
nothing again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.domain.coop import NewAssembly
from bot.domain.people import Actor, NewPerson, Role
from bot.domain.reminders import SendStatus
from bot.services import assemblies
from kyodo.app import KyodoApp, open_store
from storage.migrate import upgrade
from storage.models import ScheduledSendRow
from tests.fixtures.kyodo import kyodo_settings

ADMIN = Actor(None, frozenset({Role.ADMIN}), "ja")
TANAKA, MARIA = 81_001, 81_002


async def publish(settings, title: str, starts: datetime, published_at: datetime) -> int:
    """A notice reminded 2 hours before the assembly, as if published at `published_at`."""
    draft = NewAssembly(title, title, starts, "本部", "HQ", starts)
    async with open_store(settings) as store, store.uow() as uow:
        assembly = await assemblies.publish(uow, ADMIN, draft, published_at, (timedelta(hours=2),))
        await uow.commit()
    return assembly.id


async def statuses(settings) -> dict[str, str]:
    async with open_store(settings) as store, store.engine.connect() as db:
        rows = await db.execute(select(ScheduledSendRow.key, ScheduledSendRow.status))
        return {key: status for key, status in rows if key.startswith("asm:")}


async def test_sends_due_while_down_go_out_if_useful_and_are_skipped_with_a_log_line_if_not(
    sandbox, tmp_path, caplog
):
    settings = kyodo_settings(sandbox, "aiohttp", tmp_path / "kyodo.db", KYODO_SCHEDULER_TICK="0.5")
    await upgrade(settings.database_url)
    now = datetime.now(UTC)
    async with open_store(settings) as store, store.uow() as uow:
        for tg, name, language in ((TANAKA, "田中 一郎", "ja"), (MARIA, "Maria", "en")):
            await uow.people.add(NewPerson(tg, name, language, now, None, frozenset({Role.MEMBER})))
        await uow.commit()
    # Kyodo is down. One assembly's reminder comes due now, an hour and more before it starts;
    # another assembly was published three hours ago and began ten minutes ago.
    useful = await publish(settings, "臨時総会", now + timedelta(hours=2, seconds=1), now)
    late = await publish(
        settings, "過ぎた総会", now - timedelta(minutes=10), now - timedelta(hours=3)
    )
    async with open_store(settings) as store, store.uow() as uow:
        # Its notice went out before Kyodo went down.
        notice = next(s for s in await uow.reminders.pending(10) if s.key == f"asm:{useful}:notice")
        await uow.reminders.finish(notice.id, SendStatus.SENT, now)
        await uow.commit()
    await asyncio.sleep(1.5)

    with caplog.at_level(logging.INFO, logger="bot.services.reminders"):
        app = KyodoApp(settings)
        await app.start()
        try:
            tanaka = await sandbox.wait_for_messages(TANAKA, 1, timeout=15)
            maria = await sandbox.wait_for_messages(MARIA, 1, timeout=15)
            await asyncio.sleep(1.5)  # three more ticks: anything else would arrive now
        finally:
            await app.stop()
    assert len(sandbox.messages_to(TANAKA)) == len(sandbox.messages_to(MARIA)) == 1
    assert "ご回答がまだです" in tanaka[0].text and "臨時総会" in tanaka[0].text
    assert "Please answer by" in maria[0].text
    assert all("過ぎた総会" not in m.text for m in [*tanaka, *maria])
    assert f"scheduled send asm:{late}:notice skipped: no longer useful" in caplog.text
    assert f"scheduled send asm:{late}:2h skipped" in caplog.text
    assert await statuses(settings) == {
        f"asm:{useful}:notice": "sent",
        f"asm:{useful}:2h": "sent",
        f"asm:{late}:notice": "skipped",
        f"asm:{late}:2h": "skipped",
    }

    # Started again: nothing goes out twice.
    app = KyodoApp(settings)
    await app.start()
    try:
        await asyncio.sleep(1.5)
    finally:
        await app.stop()
    assert len(sandbox.messages_to(TANAKA)) == len(sandbox.messages_to(MARIA)) == 1
