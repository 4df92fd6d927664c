"""The desk's Centres page: every business centre (closed ones and head offices marked), a form
to add one (or a head office), and each centre's page to rename it, set its phone, kinds of
work, service areas and the head office it belongs to, or close it.

Each action is one call of bot.services.centres (staff read, admins change; refusals audited
there and answered by the desk's refusal page); the form's text is read by bot.domain.centre_csv,
as the shell and the CSV import read it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.domain import centre_csv
from bot.domain.centre_csv import CentreFields
from bot.domain.contact import parse_office_hours
from bot.domain.coop import BusinessCentre, WorkKind
from bot.domain.errors import InvalidInput, NotFound
from bot.services import centres as service
from handlers.desk.context import int_arg, now, redirect, render, translator, unit, user

Form = MultiDictProxy[Any]  # a posted form, as aiohttp's request.post() gives it


def _values(form: Form | None, centre: BusinessCentre | None) -> dict[str, object]:
    """What the form shows: what was typed (after an error), else the centre's own values."""
    if form is not None:
        return {
            "name_ja": str(form.get("name_ja") or ""),
            "name_en": str(form.get("name_en") or ""),
            "phone": str(form.get("phone") or ""),
            "kinds": {str(k) for k in form.getall("kinds", [])},
            "areas": str(form.get("areas") or ""),
            "office_hours": str(form.get("office_hours") or ""),
            "is_office": bool(form.get("is_office")),
            "office_id": int_arg(str(form.get("office_id") or "")),
        }
    if centre is None:
        return {
            "name_ja": "",
            "name_en": "",
            "phone": "",
            "kinds": set(),
            "areas": "",
            "is_office": False,
            "office_id": None,
        }
    return {
        "name_ja": centre.name_ja,
        "name_en": centre.name_en,
        "phone": centre.phone or "",
        "kinds": {kind.value for kind in centre.kinds},
        "areas": "\n".join(centre.areas),
        "office_hours": "; ".join(span.code() for span in centre.office_hours),
        "is_office": centre.is_office,
        "office_id": centre.office_id,
    }


def _office_id(form: Form) -> int | None:
    """The head office chosen in the form's list (empty: none); an id that is no office is
    refused by the service."""
    raw = str(form.get("office_id") or "")
    if not raw:
        return None
    found = int_arg(raw)
    if found is None:
        raise InvalidInput("not_an_office")
    return found


def _offices(
    found: list[BusinessCentre], centre: BusinessCentre | None = None
) -> list[BusinessCentre]:
    """The open head offices a centre may be given, by id, and the one it has (even closed, so
    that saving its page keeps it)."""
    return [
        c
        for c in found
        if c.is_office
        and (c.is_open or (centre is not None and c.id == centre.office_id))
        and (centre is None or c.id != centre.id)
    ]


def _fields(form: Form) -> CentreFields:
    kinds = set()
    for code in form.getall("kinds", []):
        if str(code) not in {kind.value for kind in WorkKind}:
            raise InvalidInput("bad_kind")
        kinds.add(WorkKind(str(code)))
    areas = str(form.get("areas") or "")
    if len(areas) > centre_csv.MAX_RAW:
        raise InvalidInput("too_long")
    return CentreFields(
        name_ja=centre_csv.parse_name(str(form.get("name_ja") or "")),
        name_en=centre_csv.parse_name(str(form.get("name_en") or "")),
        phone=centre_csv.parse_phone(str(form.get("phone") or "")),
        kinds=frozenset(kinds),
        # One area a line, or separated by ; or 、 as in the CSV file.
        areas=centre_csv.parse_areas(areas.replace("\r", "").replace("\n", ";")),
    )


def _error(request: web.Request, error: InvalidInput | NotFound) -> str:
    code = "not_found" if isinstance(error, NotFound) else error.code
    if code == "office_hours_invalid":  # a person to reach (issue 15): its text is help.po's
        return str(translator(request)("help.error.office_hours_invalid"))
    return str(translator(request)(f"centres.error.{code}"))


async def index(
    request: web.Request,
    error: str | None = None,
    form: Form | None = None,
) -> web.Response:
    async with unit(request) as uow:
        found = await service.listing(uow, user(request).actor, now(request))
    context = {
        "centres": found,
        "names": {c.id: c for c in found},
        "offices": _offices(found),
        "kinds": list(WorkKind),
        "values": _values(form, None),
        "error": error,
    }
    return render(request, "centres.html", context, status=400 if error else 200)


async def add(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        async with unit(request) as uow:
            fields = replace(_fields(form), is_office=bool(form.get("is_office")))
            await service.add(
                uow, user(request).actor, now(request), fields, office_id=_office_id(form)
            )
            await uow.commit()
    except InvalidInput as error:
        return await index(request, _error(request, error), form)
    raise redirect("/desk/centres", done="centre_added")


def _centre_id(request: web.Request) -> int:
    found = int_arg(request.match_info["id"])
    if found is None:
        raise web.HTTPNotFound()
    return found


async def page(
    request: web.Request,
    error: str | None = None,
    form: Form | None = None,
) -> web.Response:
    centre_id = _centre_id(request)
    async with unit(request) as uow:
        found = await service.listing(uow, user(request).actor, now(request))
    centre = next((c for c in found if c.id == centre_id), None)
    if centre is None:
        raise web.HTTPNotFound()
    context = {
        "centre": centre,
        "offices": _offices(found, centre),
        "kinds": list(WorkKind),
        "values": _values(form, centre),
        "error": error,
    }
    return render(request, "centre.html", context, status=400 if error else 200)


async def edit(request: web.Request) -> web.StreamResponse:
    centre_id = _centre_id(request)
    form = await request.post()
    actor, at = user(request).actor, now(request)
    try:
        async with unit(request) as uow:
            fields = _fields(form)
            await service.rename(uow, actor, at, centre_id, fields.name_ja, fields.name_en)
            hours = str(form.get("office_hours") or "").strip()
            if len(hours) > 200:
                raise InvalidInput("office_hours_invalid")
            await service.describe(
                uow,
                actor,
                at,
                centre_id,
                phone=fields.phone,
                kinds=fields.kinds,
                areas=fields.areas,
                office_hours=parse_office_hours(hours) if hours else (),
            )
            # A head office's page has no list of offices: None leaves it as it is (none).
            await service.set_office(uow, actor, at, centre_id, _office_id(form))
            await uow.commit()
    except NotFound:
        raise web.HTTPNotFound() from None
    except InvalidInput as error:
        return await page(request, _error(request, error), form)
    raise redirect(f"/desk/centres/{centre_id}", done="centre_saved")


async def close(request: web.Request) -> web.StreamResponse:
    centre_id = _centre_id(request)
    try:
        async with unit(request) as uow:
            await service.close(uow, user(request).actor, now(request), centre_id)
            await uow.commit()
    except NotFound:
        raise web.HTTPNotFound() from None
    except InvalidInput as error:
        return await page(request, _error(request, error))
    raise redirect("/desk/centres", done="centre_closed")


def setup_centres(app: web.Application) -> None:
    app.router.add_get("/centres", index)
    app.router.add_post("/centres", add)
    app.router.add_get("/centres/{id:[0-9]+}", page)
    app.router.add_post("/centres/{id:[0-9]+}", edit)
    app.router.add_post("/centres/{id:[0-9]+}/close", close)
