"""Kyodo's own small web app: today, the members' secret calendar links (iCalendar feeds).

    app = web.Application()
    setup_ical(app, store.uow, i18n, clock)      # GET /calendar/<token>.ics

The token in the path is the only credential (calendar apps cannot log in), so it is long and
random, stored hashed, replaced when the member asks for a new link, and never logged; it stops
working when its owner loses the last role that holds shifts. Guesses are cheap to refuse: a
client's unknown tokens are counted in memory, ten in a minute and it gets 429 before anything is
looked up, and one audit row a minute says how many came from which address
(bot.services.refusals).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass, field

from aiohttp import web

from bot.calendar_feed import feed
from bot.i18n import I18n
from bot.ports.clock import Clock
from bot.ports.store import UnitOfWorkFactory
from bot.services.calendar import feed_owner
from bot.services.refusals import GuessGate

log = logging.getLogger(__name__)

CALENDAR_PATH = "/calendar"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class CalendarSource:
    uow: UnitOfWorkFactory
    i18n: I18n
    clock: Clock
    guesses: GuessGate = field(default_factory=lambda: GuessGate("calendar.refused"))


CALENDAR = web.AppKey("calendar", CalendarSource)


async def serve_calendar(request: web.Request) -> web.Response:
    source = request.app[CALENDAR]
    client, now = request.remote or "unknown", source.clock.now()
    if source.guesses.due(now):
        await source.guesses.flush(source.uow, now)
    if source.guesses.blocked(client, now):
        return web.Response(status=429, text="too many tries", headers={"Retry-After": "60"})
    token = request.match_info["token"]
    if _TOKEN.fullmatch(token) is None:
        source.guesses.refused(client, now, "malformed")
        return web.Response(status=404, text="not found")
    async with source.uow() as uow:
        person = await feed_owner(uow, token, now)
        if person is None:
            await uow.commit()  # the audit row of a link whose owner lost the role, if it was
            source.guesses.refused(client, now, "unknown")
            return web.Response(status=404, text="not found")
        text = await feed(uow, source.i18n, person, now)
    return web.Response(
        text=text,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


async def _write_guesses(app: web.Application) -> AsyncIterator[None]:
    """Writes each minute of guesses that is over, quiet or not, and the rest at shutdown."""
    source = app[CALENDAR]

    async def every_minute() -> None:
        while True:
            await asyncio.sleep(60)
            try:
                await source.guesses.flush(source.uow, source.clock.now())
            except Exception:  # a store hiccup: the rows are written next time
                log.exception("calendar: writing the guesses' audit rows failed")

    task = asyncio.create_task(every_minute())
    yield
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    with suppress(Exception):
        await source.guesses.flush(source.uow, source.clock.now(), everything=True)


def setup_ical(app: web.Application, uow: UnitOfWorkFactory, i18n: I18n, clock: Clock) -> None:
    app[CALENDAR] = CalendarSource(uow, i18n, clock)
    app.cleanup_ctx.append(_write_guesses)
    app.router.add_get(CALENDAR_PATH + "/{token}.ics", serve_calendar)
