"""Broadcasts on the desk: compose in both languages with a side-by-side preview exactly as
readers will get it, choose the audience (its size shown before sending), send now or at a
time, and follow the progress live (sent, failed, remaining, expected finish; pause, resume,
cancel; at the end, who could not be reached). Every action is one call of
bot.services.broadcasts, the API the Telegram dialog uses too."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from aiohttp import web
from markupsafe import Markup

from bot.domain.broadcasts import Audience, AudienceKind, BroadcastKind, BroadcastStatus, Draft
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.services import broadcasts as service
from bot.services import line_quota
from handlers.desk.context import (
    config,
    int_arg,
    locale_of,
    now,
    redirect,
    render,
    translator,
    unit,
    user,
)
from handlers.desk.undo import offer, take_back

FIELDS = ("audience", "centre", "assembly", "kind", "text_ja", "text_en", "when", "day", "time")
TEXT_LIMIT = 4000


def _values(form: Any) -> dict[str, str]:
    return {name: str(form.get(name) or "") for name in FIELDS}


def _draft(values: dict[str, str]) -> Draft:
    kinds = {k.value for k in AudienceKind}
    if values["audience"] not in kinds or values["kind"] not in {k.value for k in BroadcastKind}:
        raise InvalidInput("broadcast_audience")
    audience = AudienceKind(values["audience"])
    try:
        chosen = Audience(
            audience,
            centre_id=int_arg(values["centre"]) if audience is AudienceKind.CENTRE else None,
            assembly_id=int_arg(values["assembly"]) if audience is AudienceKind.NO_ANSWER else None,
        )
    except ValueError:
        raise InvalidInput("broadcast_audience") from None
    text_ja, text_en = values["text_ja"].strip(), values["text_en"].strip()
    if max(len(text_ja), len(text_en)) > TEXT_LIMIT:
        raise InvalidInput("broadcast_too_long")
    return Draft(chosen, BroadcastKind(values["kind"]), text_ja, text_en)


def _send_at(values: dict[str, str], request: web.Request) -> datetime | None:
    if values["when"] != "later":
        return None
    try:
        day = date.fromisoformat(values["day"])
        clock = time.fromisoformat(values["time"] or "09:00")
    except ValueError:
        raise InvalidInput("broadcast_when") from None
    return datetime.combine(day, clock, config(request).tz)


def _error(request: web.Request, error: DomainError) -> str:
    desk = config(request)
    key = f"broadcasts.error.{error.code}"
    if not desk.i18n.has(key, locale_of(request)):
        key = "desk.rq.error.other"
    details = {k: v for k, v in error.details.items() if isinstance(v, str | int)}
    return str(translator(request)(key, **{"limit": TEXT_LIMIT, "status": "", **details}))


async def _form(
    request: web.Request,
    values: dict[str, str],
    *,
    preview: dict[str, Markup] | None = None,
    count: service.AudienceCount | None = None,
    line: list[str] | None = None,
    line_over: bool = False,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    actor = user(request).actor
    async with unit(request) as uow:
        centres = await service.centres(uow, actor, now(request))
        notices = await service.open_notices(uow, actor, now(request))
    context = {
        "values": values,
        "centres": centres,
        "notices": notices,
        "audiences": list(AudienceKind),
        "kinds": list(BroadcastKind),
        "preview": preview,
        "count": count,
        "line": line or [],  # LINE's monthly messages: the cost, what is left (line.po)
        "line_over": line_over,  # beyond what is left: no Send button, fewer people first
        "error": error,
    }
    return render(request, "broadcast_form.html", context, status=status)


async def new_form(request: web.Request) -> web.Response:
    values = {name: "" for name in FIELDS} | {
        "audience": AudienceKind.MEMBERS.value,
        "kind": BroadcastKind.NOTICE.value,
        "when": "now",
        "time": "09:00",
    }
    return await _form(request, values)


async def compose(request: web.Request) -> web.StreamResponse:
    """`Preview` shows both languages and the audience's size; `Send` creates the broadcast."""
    values = _values(await request.post())
    form = await request.post()
    desk = config(request)
    actor = user(request).actor
    try:
        draft = _draft(values)
        if not form.get("send"):
            replies = service.preview(draft)
            preview = {
                lang: Markup(desk.renderer.render(reply, 0, lang).text)  # noqa: S704 -- escaped
                for lang, reply in replies.items()
            }
            async with unit(request) as uow:
                count = await service.audience_count(
                    uow, actor, draft.audience, draft.kind, now(request)
                )
                cost = await _line_cost(request, uow, draft)
            line, over = _line_texts(request, cost), cost is not None and cost.too_many
            return await _form(
                request, values, preview=preview, count=count, line=line, line_over=over
            )
        send_at = _send_at(values, request)
        async with unit(request) as uow:
            cost = await _line_cost(request, uow, draft)
            if cost is None or not cost.too_many:
                if send_at is None:  # starts once its few minutes to undo it are over
                    broadcast = await service.send_now(uow, actor, draft, now=now(request))
                else:
                    broadcast = await service.create(
                        uow, actor, draft, now=now(request), send_at=send_at
                    )
                await uow.commit()
        if cost is not None and cost.too_many:  # not started: fewer people, or nothing
            line = _line_texts(request, cost)
            return await _form(
                request, values, error=line[-1], line=line, line_over=True, status=400
            )
    except PermissionDenied:
        raise
    except DomainError as error:
        return await _form(request, values, error=_error(request, error), status=400)
    if send_at is None:
        raise redirect(f"/desk/broadcasts/{broadcast.id}", done="bc_held", undo=1)
    raise redirect(f"/desk/broadcasts/{broadcast.id}", done="bc_created")


async def _line_cost(request: web.Request, uow: Any, draft: Draft) -> line_quota.LineCost | None:
    actor, quota = user(request).actor, config(request).line_quota
    return await line_quota.line_cost(uow, actor, draft.audience, draft.kind, now(request), quota)


def _line_texts(request: web.Request, cost: line_quota.LineCost | None) -> list[str]:
    t = translator(request)
    return [t(m.key, **m.args) for m in line_quota.cost_lines(cost)] if cost else []


async def index(request: web.Request) -> web.Response:
    actor = user(request).actor
    async with unit(request) as uow:
        found = await service.upcoming(uow, actor, now(request))
        rows = [
            await service.progress(uow, actor, b.id, now(request), config(request).global_rate)
            for b in found
        ]
    return render(request, "broadcasts.html", {"rows": rows})


async def _progress(request: web.Request) -> tuple[Any, Any, list[Any]]:
    broadcast_id = int_arg(request.match_info["id"])
    if broadcast_id is None:
        raise web.HTTPNotFound()
    actor = user(request).actor
    async with unit(request) as uow:
        broadcast, state = await service.progress(
            uow, actor, broadcast_id, now(request), config(request).global_rate
        )
        missed = []
        if broadcast.status in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED):
            missed = await service.unreached(uow, actor, broadcast_id, now(request), limit=500)
    return broadcast, state, missed


async def show(request: web.Request) -> web.Response:
    broadcast, state, missed = await _progress(request)
    # Undo of "send now" just pressed (the service decides if it still may).
    url = f"/desk/broadcasts/{broadcast.id}/undo" if request.query.get("undo") else None
    context = {"b": broadcast, "p": state, "missed": missed, **offer(url)}
    return render(request, "broadcast.html", context)


async def progress_json(request: web.Request) -> web.Response:
    """What the page's script polls every few seconds to keep the figures live."""
    broadcast, state, _ = await _progress(request)
    t = translator(request)
    return web.json_response(
        {
            "status": str(t(f"broadcasts.status.{broadcast.status.value}")),
            "sent": state.sent,
            "failed": state.failed,
            "remaining": state.remaining,
            "total": state.estimated_total,
            "finish": t.datetime(state.finish_at) if state.finish_at else "—",
            "open": broadcast.status
            in (BroadcastStatus.SCHEDULED, BroadcastStatus.RUNNING, BroadcastStatus.PAUSED),
        },
        headers={"Cache-Control": "no-store"},
    )


async def control(request: web.Request) -> web.StreamResponse:
    broadcast_id = int_arg(request.match_info["id"])
    if broadcast_id is None:
        raise web.HTTPNotFound()
    action = request.match_info["action"]
    calls = {"pause": service.pause, "resume": service.resume, "cancel": service.cancel}
    try:
        async with unit(request) as uow:
            await calls[action](uow, user(request).actor, broadcast_id, now(request))
            await uow.commit()
    except PermissionDenied:
        raise
    except DomainError:
        raise redirect(f"/desk/broadcasts/{broadcast_id}", done="bc_changed") from None
    raise redirect(f"/desk/broadcasts/{broadcast_id}", done=f"bc_{action}")


async def undo(request: web.Request) -> web.StreamResponse:
    """Undo of the coordinator's own "send now" before sending started: cancelled for good,
    nobody received anything."""
    broadcast_id = int_arg(request.match_info["id"])
    if broadcast_id is None:
        raise web.HTTPNotFound()
    page = f"/desk/broadcasts/{broadcast_id}"
    await take_back(request, service.undo_send, broadcast_id, page, "bc_undone", "bc_changed")


def setup_broadcasts(app: web.Application) -> None:
    app.router.add_get("/broadcasts", index)
    app.router.add_get("/broadcasts/new", new_form)
    app.router.add_post("/broadcasts/new", compose)
    app.router.add_get("/broadcasts/{id:[0-9]+}", show)
    app.router.add_get("/broadcasts/{id:[0-9]+}/progress", progress_json)
    app.router.add_post("/broadcasts/{id:[0-9]+}/{action:pause|resume|cancel}", control)
    app.router.add_post("/broadcasts/{id:[0-9]+}/undo", undo)
