"""Kyodo's own small web app: today, the members' secret calendar links (iCalendar feeds).

    app = web.Application()
    setup_ical(app, store.uow, i18n, clock)      # GET /calendar/<token>.ics

The token in the path is the only credential (calendar apps cannot log in), so it is long and
random, stored hashed, replaced when the member asks for a new link, and never logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from aiohttp import web

from bot.calendar_feed import feed
from bot.i18n import I18n
from bot.ports.clock import Clock
from bot.ports.store import UnitOfWorkFactory
from bot.services.shift_swaps import calendar_owner

log = logging.getLogger(__name__)

CALENDAR_PATH = "/calendar"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class CalendarSource:
    uow: UnitOfWorkFactory
    i18n: I18n
    clock: Clock


CALENDAR = web.AppKey("calendar", CalendarSource)


async def serve_calendar(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    if _TOKEN.fullmatch(token) is None:
        return web.Response(status=404, text="not found")
    source = request.app[CALENDAR]
    async with source.uow() as uow:
        person = await calendar_owner(uow, token)
        if person is None:
            return web.Response(status=404, text="not found")
        text = await feed(uow, source.i18n, person, source.clock.now())
    return web.Response(
        text=text,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


def setup_ical(app: web.Application, uow: UnitOfWorkFactory, i18n: I18n, clock: Clock) -> None:
    app[CALENDAR] = CalendarSource(uow, i18n, clock)
    app.router.add_get(CALENDAR_PATH + "/{token}.ics", serve_calendar)
