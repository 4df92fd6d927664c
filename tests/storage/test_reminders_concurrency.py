"""A scheduled send run by several runners at once (two leaders for a moment, a retry) queues
each person's copy once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dialogs.engine import DialogSettings
from bot.domain.coop import NewAssembly
from bot.domain.people import Actor, NewPerson, Role
from bot.domain.reminders import SendStatus
from bot.i18n import I18n
from bot.notices.bus import Consequences
from bot.rendering import Renderer
from bot.services import assemblies
from bot.services.reminders import ReminderRunner, ReminderSettings
from storage.models import OutboxRow
from storage.uow import make_uow_factory

TOKYO = ZoneInfo("Asia/Tokyo")
T0 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
MEMBERS = 40
RUNNERS = 4


async def test_a_send_run_by_four_runners_at_once_queues_each_copy_once(sql_engine: AsyncEngine):
    settings = DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
    )
    uow = make_uow_factory(sql_engine, Consequences(Renderer(I18n(TOKYO, "ja")), settings))
    async with uow() as tx:
        for i in range(MEMBERS):
            roles = frozenset({Role.MEMBER})
            await tx.people.add(NewPerson(90_000 + i, f"M{i}", "ja", T0, None, roles))
        starts = T0 + timedelta(days=20)
        await assemblies.publish(
            tx,
            Actor(None, frozenset({Role.ADMIN}), "ja"),
            NewAssembly("総会", "Assembly", starts, "本部", "HQ", starts),
            T0,
        )
        await tx.commit()
    runners = [ReminderRunner(uow, ReminderSettings(TOKYO)) for _ in range(RUNNERS)]
    async with uow() as tx:
        [notice] = await tx.reminders.due(T0, 10)

    # Each runner saw the send pending and fans it out in its own transaction, at once.
    outcomes = await asyncio.gather(*(r._run_one(notice, T0, set()) for r in runners))

    settled = [o for o in outcomes if o is not None]
    assert len(settled) == 1 and settled[0].queued == MEMBERS
    async with sql_engine.connect() as db:
        queued = Counter((await db.scalars(select(OutboxRow.chat_id))).all())
    assert len(queued) == MEMBERS and set(queued.values()) == {1}
    async with uow() as tx:
        sent = await tx.reminders.get(notice.id)
    assert sent is not None and sent.status is SendStatus.SENT
