"""Service requests on the desk: the open ones, oldest first, by centre and status; one request
with its history and its conversation with the resident (opening it is audited: it shows the
phone and address); take, assign to a centre, accept, schedule, done, decline with a reason, ask
a question. Each action is the one service call the staff card's button makes
(bot.services.requests); the resident's notice and the staff cards are that call's consequences
(bot.notices.requests), queued when the desk's unit of work commits."""

from __future__ import annotations

from datetime import date, datetime, time

from aiohttp import web

from bot.domain.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from bot.domain.languages import base_language
from bot.domain.requests import OPEN, RequestStatus
from bot.i18n import resolve_locale
from bot.services import memberships
from bot.services import requests as service
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
from handlers.desk.conversations import no_file, stream_file
from handlers.desk.undo import offer, take_back

PAGE = 20
# The actions whose page offers Undo for a few minutes (the resident is told once they are
# over), each with the service call that takes it back.
UNDO = {"accept": service.undo_accept, "done": service.undo_done, "decline": service.undo_decline}


async def queue(request: web.Request) -> web.Response:
    centre_id = int_arg(request.query.get("centre") or None)
    raw = request.query.get("status", "")
    status = RequestStatus(raw) if raw in {s.value for s in RequestStatus} else None
    offset = min(int_arg(request.query.get("offset")) or 0, 100_000)
    actor = user(request).actor
    async with unit(request) as uow:
        found = await service.queue(
            uow,
            actor,
            now(request),
            centre_id=centre_id,
            statuses=frozenset({status}) if status else OPEN,
            limit=PAGE + 1,
            offset=offset,
        )
        counts = await service.counts(uow, actor, now(request), centre_id=centre_id)
        centres = await memberships.centres_in_scope(uow, user(request).actor)
    context = {
        "items": found[:PAGE],
        "more": len(found) > PAGE,
        "offset": offset,
        "page_size": PAGE,
        "status": status,
        "statuses": list(RequestStatus),
        "status_counts": counts,
        "centres": centres,
        "centre_id": centre_id,
    }
    return render(request, "requests.html", context)


def _request_id(request: web.Request) -> int:
    found = int_arg(request.match_info["id"])
    if found is None:
        raise web.HTTPNotFound()
    return found


async def _detail(
    request: web.Request, error: str | None = None, status: int = 200
) -> web.Response:
    request_id = _request_id(request)
    async with unit(request) as uow:
        detail = await service.detail(uow, user(request).actor, request_id, now(request))
        centres = await memberships.centres_in_scope(uow, user(request).actor)
        await uow.commit()  # the view of personal details is audited
    code = detail.view.request.area
    area = next((a for a in config(request).service_areas if a.code == code), None)
    requester = detail.view.requester
    reads = (
        None
        if requester is None
        else resolve_locale(
            requester.locale, requester.telegram_language, config(request).default_locale
        )
    )
    context = {
        "d": detail,
        "r": detail.view.request,
        "area": area.name(locale_of(request)) if area else code,
        "centres": centres,
        "error": error,
        "reads": reads,
        # The resident reads another language than this page: a reason or question may be
        # written in both (bot.domain.bilingual); they get their language's part.
        "write_both": reads is not None
        and base_language(reads) != base_language(locale_of(request)),
        **offer(_undo_url(request, request_id)),
    }
    return render(request, "request.html", context, status=status)


def _undo_url(request: web.Request, request_id: int) -> str | None:
    action = request.query.get("undo", "")
    return f"/desk/requests/{request_id}/undo/{action}" if action in UNDO else None


async def show(request: web.Request) -> web.Response:
    return await _detail(request)


def _error_text(request: web.Request, error: DomainError) -> str:
    t = translator(request)
    desk = config(request)
    details = {k: v for k, v in error.details.items() if isinstance(v, str | int)}
    for key in (f"desk.rq.error.{error.code}", f"requests.error.{error.code}"):
        if desk.i18n.has(key, locale_of(request)):
            return str(t(key, **{"by": "", "status": "", "limit": "", "length": "", **details}))
    return str(t("desk.rq.error.other"))


def _when(day: str, clock: str, request: web.Request) -> datetime:
    try:
        return datetime.combine(
            date.fromisoformat(day), time.fromisoformat(clock or "10:00"), config(request).tz
        )
    except ValueError:
        raise InvalidInput("date_malformed") from None


async def act(request: web.Request) -> web.StreamResponse:
    """One action on one request: exactly one service call, as the staff card's button."""
    request_id = _request_id(request)
    form = await request.post()
    action = request.match_info["action"]
    actor = user(request).actor
    at = now(request)

    def field(name: str) -> str:
        return str(form.get(name) or "")

    try:
        async with unit(request) as uow:
            if action == "take":
                await service.take(uow, actor, request_id, at)
            elif action == "assign":
                centre = int_arg(field("centre")) or 0
                await service.assign_centre(uow, actor, request_id, centre, at)
            elif action == "accept":
                centre = int_arg(field("centre")) or 0
                when = _when(field("day"), field("time"), request)
                await service.accept(uow, actor, request_id, centre, when, at)
            elif action == "schedule":
                when = _when(field("day"), field("time"), request)
                await service.schedule(uow, actor, request_id, when, at)
            elif action == "done":
                await service.done(uow, actor, request_id, at)
            elif action == "decline":
                await service.decline(uow, actor, request_id, field("reason"), at)
            elif action == "ask":
                await service.ask(uow, actor, request_id, field("question"), at)
            else:
                raise web.HTTPNotFound()
            await uow.commit()
    except PermissionDenied:
        raise  # the guard answers it, and the unit wrote the refusal to the audit log
    except DomainError as error:
        return await _detail(request, _error_text(request, error), status=400)
    undo = {"undo": action} if action in UNDO else {}
    raise redirect(f"/desk/requests/{request_id}", done=f"rq_{action}", **undo)


async def undo(request: web.Request) -> web.StreamResponse:
    """Undo of the staff member's own accept, done or decline, within its few minutes and
    while nobody else acted on the request: as it was before, and the resident never told."""
    request_id = _request_id(request)
    call = UNDO[request.match_info["action"]]
    try:
        await take_back(request, call, request_id, f"/desk/requests/{request_id}", "rq_undone")
    except PermissionDenied:
        raise
    except DomainError as error:  # not a refused undo: said on the request's page
        return await _detail(request, _error_text(request, error), status=400)


async def file(request: web.Request) -> web.StreamResponse:
    """A voice note or photo sent with the request or an answer, played or shown from Telegram
    (streamed, never stored; the hand-over audited by the service)."""
    request_id = _request_id(request)
    number = int_arg(request.match_info["n"])
    if number is None:
        raise web.HTTPNotFound()
    try:
        async with unit(request) as uow:
            file_id = await service.file_for_staff(
                uow, user(request).actor, request_id, number, now(request)
            )
            await uow.commit()
    except NotFound:
        raise web.HTTPNotFound() from None
    return await stream_file(request, file_id) or no_file(request)


def setup_requests(app: web.Application) -> None:
    app.router.add_get("/requests", queue)
    app.router.add_get("/requests/{id:[0-9]+}", show)
    app.router.add_get("/requests/{id:[0-9]+}/files/{n:[0-9]+}", file)
    app.router.add_post(
        "/requests/{id:[0-9]+}/{action:take|assign|accept|schedule|done|decline|ask}", act
    )
    app.router.add_post("/requests/{id:[0-9]+}/undo/{action:accept|done|decline}", undo)
