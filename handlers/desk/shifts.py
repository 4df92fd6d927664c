"""Shifts on the desk: a centre's week as a calendar grid (public holidays marked, understaffed
shifts highlighted), create and edit a shift, put people on it and take them off, and import a
CSV file with a preview of what will change and each broken row's reason."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from bot.domain.coop import NewShift, WorkKind
from bot.domain.errors import DomainError, InvalidInput
from bot.services import memberships
from bot.services import shifts as service
from bot.services.calendar import holiday_name
from bot.services.shift_import import import_shifts
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

MAX_FILE_BYTES = 512 * 1024


def _week_start(text: str | None, today: date) -> date:
    try:
        day = date.fromisoformat(text) if text else today
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


async def week(request: web.Request) -> web.Response:
    desk = config(request)
    today = now(request).astimezone(desk.tz).date()
    monday = _week_start(request.query.get("week"), today)
    async with unit(request) as uow:
        centres = await memberships.centres_in_scope(uow, user(request).actor)
        if not centres:
            return render(
                request,
                "message.html",
                {
                    "title_key": "desk.shifts.title",
                    "body_key": "desk.shifts.no_centres",
                    "sign_in_hint": False,
                },
            )
        wanted = int_arg(request.query.get("centre") or None)
        centre = next((c for c in centres if c.id == wanted), centres[0])
        start = datetime.combine(monday, time(0), desk.tz)
        shifts = await service.week(
            uow, user(request).actor, centre.id, start, start + timedelta(days=7), now(request)
        )
    locale = locale_of(request)
    days: list[dict[str, Any]] = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        days.append(
            {
                "day": day,
                "holiday": holiday_name(day, locale),
                "shifts": [
                    s for s in shifts if s.shift.starts_at.astimezone(desk.tz).date() == day
                ],
            }
        )
    return render(
        request,
        "shifts.html",
        {
            "centres": centres,
            "centre": centre,
            "centre_id": centre.id,
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "following": monday + timedelta(days=7),
            "days": days,
        },
    )


def _values_from(form: Any) -> dict[str, Any]:
    return {
        "centre": int_arg(str(form.get("centre") or "")),
        "day": str(form.get("day") or ""),
        "start": str(form.get("start") or ""),
        "end": str(form.get("end") or ""),
        "kind": str(form.get("kind") or ""),
        "capacity": str(form.get("capacity") or ""),
        "volunteers": bool(form.get("volunteers")),
    }


def _parse(values: dict[str, Any], request: web.Request) -> dict[str, Any]:
    """The form's fields as a shift's; InvalidInput with the CSV import's codes otherwise."""
    tz = config(request).tz
    try:
        day = date.fromisoformat(values["day"])
    except ValueError:
        raise InvalidInput("bad_date") from None
    try:
        starts = time.fromisoformat(values["start"])
        ends = time.fromisoformat(values["end"])
    except ValueError:
        raise InvalidInput("bad_time") from None
    if values["kind"] not in {k.value for k in WorkKind}:
        raise InvalidInput("bad_kind")
    capacity = int_arg(values["capacity"])
    if capacity is None or not 1 <= capacity <= service.MAX_CAPACITY:
        raise InvalidInput("bad_capacity")
    if values["centre"] is None:
        raise InvalidInput("unknown_centre")
    starts_at = datetime.combine(day, starts, tz)
    ends_at = datetime.combine(day, ends, tz)
    if ends_at <= starts_at:
        raise InvalidInput("end_before_start")
    return {
        "centre_id": values["centre"],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "kind": WorkKind(values["kind"]),
        "capacity": capacity,
        "for_volunteers": values["volunteers"],
    }


def _error_text(request: web.Request, error: DomainError) -> str:
    t = translator(request)
    key = f"shifts.import.error.{error.code}"
    if config(request).i18n.has(key, locale_of(request)):
        return str(t(key))
    return str(t(f"desk.shift.error.{error.code}"))


async def _form(
    request: web.Request,
    values: dict[str, Any],
    *,
    detail: Any = None,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    async with unit(request) as uow:
        centres = await memberships.centres_in_scope(uow, user(request).actor)
        candidates = []
        if detail is not None:
            candidates = await service.candidates(
                uow, user(request).actor, detail.shift.centre_id, now(request)
            )
    context = {
        "centres": centres,
        "kinds": list(WorkKind),
        "values": values,
        "detail": detail,
        "candidates": [
            p for p in candidates if detail is None or p.id not in detail.shift.assigned
        ],
        "error": error,
    }
    return render(request, "shift_form.html", context, status=status)


async def new_form(request: web.Request) -> web.Response:
    tomorrow = now(request).astimezone(config(request).tz).date() + timedelta(days=1)
    values = {
        "centre": int_arg(request.query.get("centre") or None),
        "day": tomorrow.isoformat(),
        "start": "09:00",
        "end": "17:00",
        "kind": WorkKind.ELDERLY_CARE.value,
        "capacity": "2",
        "volunteers": False,
    }
    return await _form(request, values)


async def create(request: web.Request) -> web.StreamResponse:
    values = _values_from(await request.post())
    try:
        fields = _parse(values, request)
        async with unit(request) as uow:
            shift = await service.create_shift(
                uow, user(request).actor, NewShift(**fields), now(request)
            )
            await uow.commit()
    except InvalidInput as error:
        return await _form(request, values, error=_error_text(request, error), status=400)
    raise redirect(f"/desk/shifts/{shift.id}", done="shift_saved")


async def _detail(request: web.Request) -> Any:
    shift_id = int_arg(request.match_info["id"])
    if shift_id is None:
        raise web.HTTPNotFound()
    async with unit(request) as uow:
        return await service.shift(uow, user(request).actor, shift_id, now(request))


def _values_of(request: web.Request, detail: Any) -> dict[str, Any]:
    tz = config(request).tz
    shift = detail.shift
    return {
        "centre": shift.centre_id,
        "day": shift.starts_at.astimezone(tz).date().isoformat(),
        "start": shift.starts_at.astimezone(tz).strftime("%H:%M"),
        "end": shift.ends_at.astimezone(tz).strftime("%H:%M"),
        "kind": shift.kind.value,
        "capacity": str(shift.capacity),
        "volunteers": shift.for_volunteers,
    }


async def edit_form(request: web.Request) -> web.Response:
    detail = await _detail(request)
    return await _form(request, _values_of(request, detail), detail=detail)


async def edit(request: web.Request) -> web.StreamResponse:
    detail = await _detail(request)
    values = _values_from(await request.post())
    try:
        fields = _parse(values, request)
        async with unit(request) as uow:
            await service.edit_shift(
                uow, user(request).actor, detail.shift.id, now=now(request), **fields
            )
            await uow.commit()
    except InvalidInput as error:
        message = _error_text(request, error)
        return await _form(request, values, detail=detail, error=message, status=400)
    raise redirect(f"/desk/shifts/{detail.shift.id}", done="shift_saved")


async def assign(request: web.Request) -> web.StreamResponse:
    detail = await _detail(request)
    form = await request.post()
    person_id = int_arg(str(form.get("person_number") or "").strip() or None) or int_arg(
        str(form.get("person") or "")
    )
    try:
        if person_id is None:
            raise InvalidInput("unknown_member")
        async with unit(request) as uow:
            await service.assign(uow, user(request).actor, detail.shift.id, person_id, now(request))
            await uow.commit()
    except DomainError as error:
        values = _values_of(request, detail)
        message = _error_text(request, error)
        return await _form(request, values, detail=detail, error=message, status=400)
    raise redirect(f"/desk/shifts/{detail.shift.id}", done="assigned")


async def unassign(request: web.Request) -> web.StreamResponse:
    detail = await _detail(request)
    form = await request.post()
    person_id = int_arg(str(form.get("person") or ""))
    if person_id is not None:
        async with unit(request) as uow:
            await service.unassign(
                uow, user(request).actor, detail.shift.id, person_id, now(request)
            )
            await uow.commit()
    raise redirect(f"/desk/shifts/{detail.shift.id}", done="unassigned")


async def import_form(request: web.Request) -> web.Response:
    return render(request, "import.html", {"report": None, "error": None})


async def import_file(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    upload = form.get("file")
    confirm = bool(form.get("confirm"))
    t = translator(request)
    if confirm:
        try:
            data = base64.b64decode(str(form.get("data") or ""), validate=True)
        except (binascii.Error, ValueError):
            data = b""
    elif isinstance(upload, web.FileField):
        data = upload.file.read(MAX_FILE_BYTES + 1)
    else:
        data = b""
    if not data:
        error = str(t("desk.import.no_file"))
        return render(request, "import.html", {"report": None, "error": error}, status=400)
    if len(data) > MAX_FILE_BYTES:
        error = str(t("shifts.import.error.csv_too_long"))
        return render(request, "import.html", {"report": None, "error": error}, status=400)
    desk = config(request)
    async with unit(request) as uow:
        try:
            report = await import_shifts(
                uow,
                user(request).actor,
                data,
                now(request),
                desk.tz,
                kind_names=desk.kind_names(),
                dry_run=not confirm,
                good_rows_only=bool(form.get("good_only")),
            )
        except InvalidInput as error:
            message = str(t(f"shifts.import.error.{error.code}"))
            return render(request, "import.html", {"report": None, "error": message}, status=400)
        if confirm and report.imported:
            await uow.commit()
    if confirm:
        if report.errors and not report.imported:
            message = str(t("desk.import.refused"))
            context = {"report": report, "error": message, "data": form.get("data")}
            return render(request, "import.html", context, status=400)
        raise redirect("/desk/shifts", done="imported", n=report.imported)
    encoded = base64.b64encode(data).decode("ascii")
    return render(request, "import.html", {"report": report, "error": None, "data": encoded})


def setup_shifts(app: web.Application) -> None:
    app.router.add_get("/shifts", week)
    app.router.add_get("/shifts/new", new_form)
    app.router.add_post("/shifts/new", create)
    app.router.add_get("/shifts/import", import_form)
    app.router.add_post("/shifts/import", import_file)
    app.router.add_get("/shifts/{id:[0-9]+}", edit_form)
    app.router.add_post("/shifts/{id:[0-9]+}", edit)
    app.router.add_post("/shifts/{id:[0-9]+}/assign", assign)
    app.router.add_post("/shifts/{id:[0-9]+}/unassign", unassign)
