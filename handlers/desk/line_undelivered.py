"""The desk's list of notices LINE would not carry this month (its messages spent): per person,
their name and phone, for staff to call them; the page the staff alert links to
(bot/notices/line_quota.py). Looking is audited (bot/services/line_undelivered.py)."""

from __future__ import annotations

from aiohttp import web

from bot.services import line_undelivered as service
from handlers.desk.context import now, render, unit, user


async def index(request: web.Request) -> web.Response:
    async with unit(request) as uow:
        found = await service.undelivered(uow, user(request).actor, now(request))
        await uow.commit()  # the look is audited: names, phones and what was written
    return render(request, "line_undelivered.html", {"found": found})


def setup_line_undelivered(app: web.Application) -> None:
    app.router.add_get("/deliveries/line", index)
