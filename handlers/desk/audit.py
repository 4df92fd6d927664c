"""The audit log on the desk: searchable by the person it concerns, the staff member who acted,
the action (exact, or a prefix such as `hours.`) and a date range; newest first, paginated."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from aiohttp import web

from bot.domain.audit import AuditQuery
from bot.services import audit
from handlers.desk.context import config, int_arg, now, render, translator, unit, user


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise ValueError(text) from None


async def index(request: web.Request) -> web.Response:
    q = request.query
    tz = config(request).tz
    error = None
    try:
        since, until = _day(q.get("since", "")), _day(q.get("until", ""))
    except ValueError:
        since = until = None
        error = str(translator(request)("desk.audit.bad_date"))
    person = int_arg(q.get("person", "").strip().lstrip("#") or None)
    action = q.get("action", "").strip()[:64] or None
    query = AuditQuery(
        subject=f"person:{person}" if person is not None else None,
        actor_person_id=int_arg(q.get("actor", "").strip().lstrip("#") or None),
        action=action,
        since=datetime.combine(since, time(0), tz) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(0), tz) if until else None,
    )
    before = int_arg(q.get("before"))
    async with unit(request) as uow:
        page = await audit.search(uow, user(request).actor, query, now(request), before=before)
    keep = {
        k: v for k, v in q.items() if k in ("person", "actor", "action", "since", "until") and v
    }
    next_link = "/desk/audit?" + urlencode({**keep, "before": page.next_cursor or ""})
    return render(request, "audit.html", {"page": page, "error": error, "next_link": next_link})


def setup_audit(app: web.Application) -> None:
    app.router.add_get("/audit", index)
