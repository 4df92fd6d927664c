"""Assemblies on the desk: publish a notice in both languages, see the live answers and the
quorum as a bar chart, remind those who have not answered, and check members in on the day."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from aiohttp import web

from bot.domain.assemblies import (
    MAX_AGENDA,
    MAX_PLACE,
    MAX_PROXIES_HELD,
    MAX_TITLE,
    parse_quorum,
    parse_text,
)
from bot.domain.coop import NewAssembly
from bot.domain.errors import DomainError, InvalidInput
from bot.services import assemblies as service
from handlers.desk.context import config, int_arg, now, redirect, render, translator, unit, user

FIELDS = (
    "title_ja",
    "title_en",
    "place_ja",
    "place_en",
    "starts",
    "answer_by",
    "quorum",
    "agenda_ja",
    "agenda_en",
)


async def index(request: web.Request) -> web.Response:
    async with unit(request) as uow:
        notices = await service.notices(uow, user(request).actor, now(request), limit=20)
    return render(request, "assemblies.html", {"notices": notices})


async def _count(request: web.Request) -> service.Count:
    assembly_id = int_arg(request.match_info["id"])
    if assembly_id is None:
        raise web.HTTPNotFound()
    async with unit(request) as uow:
        return await service.count(uow, user(request).actor, assembly_id, now(request))


async def show(request: web.Request) -> web.Response:
    count = await _count(request)
    tally = count.tally
    tz = config(request).tz
    bars = [
        ("attending", tally.attending),
        ("proxies", tally.proxies),
        ("absent", tally.absent),
        ("no_answer", tally.no_answer),
        ("expected", tally.expected),
    ]
    if tally.present:
        bars.append(("present", tally.present))
    context = {
        "a": count.assembly,
        "count": count,
        "tally": tally,
        "bars": bars,
        "checked_any": tally.present > 0,
        "max_held": MAX_PROXIES_HELD,
        "is_today": now(request).astimezone(tz).date()
        == count.assembly.starts_at.astimezone(tz).date(),
    }
    return render(request, "assembly.html", context)


async def remind(request: web.Request) -> web.StreamResponse:
    """Asks, through the outbox, every member who has not answered (once a day each)."""
    assembly_id = int_arg(request.match_info["id"])
    if assembly_id is None:
        raise web.HTTPNotFound()
    async with unit(request) as uow:
        sent = await service.request_answers(
            uow, user(request).actor, assembly_id, now(request), config(request).tz
        )
        await uow.commit()
    raise redirect(f"/desk/assemblies/{assembly_id}", done="reminded", n=sent)


async def check_in(request: web.Request) -> web.StreamResponse:
    assembly_id = int_arg(request.match_info["id"])
    form = await request.post()
    person_id = int_arg(str(form.get("person") or ""))
    if assembly_id is None or person_id is None:
        raise web.HTTPNotFound()
    async with unit(request) as uow:
        try:
            await service.check_in(
                uow, user(request).actor, assembly_id, person_id, now(request), config(request).tz
            )
        except DomainError as error:
            if error.code != "check_in_not_today":
                raise
            raise redirect(f"/desk/assemblies/{assembly_id}", done="not_today") from None
        await uow.commit()
    raise redirect(f"/desk/assemblies/{assembly_id}", done="checked_in", n=1)


def _blank(request: web.Request) -> dict[str, Any]:
    return {name: "" for name in FIELDS} | {"quorum": "1/2"}


async def new_form(request: web.Request) -> web.Response:
    context = {"values": _blank(request), "error": None, "editing": None}
    return render(request, "assembly_form.html", context)


async def edit_form(request: web.Request) -> web.Response:
    count = await _count(request)
    a = count.assembly
    values = {
        "title_ja": a.title_ja,
        "title_en": a.title_en,
        "place_ja": a.place_ja,
        "place_en": a.place_en,
        "agenda_ja": a.agenda_ja,
        "agenda_en": a.agenda_en,
        "quorum": str(a.quorum),
        "starts": "",
        "answer_by": "",
    }
    return render(request, "assembly_form.html", {"values": values, "error": None, "editing": a})


async def edit(request: web.Request) -> web.StreamResponse:
    count = await _count(request)
    form = await request.post()
    values = {name: str(form.get(name) or "") for name in FIELDS}
    try:
        title_ja = parse_text(values["title_ja"], MAX_TITLE)
        place_ja = parse_text(values["place_ja"], MAX_PLACE)
        agenda_ja = values["agenda_ja"].strip()
        agenda_en = values["agenda_en"].strip() or agenda_ja
        if max(len(agenda_ja), len(agenda_en)) > MAX_AGENDA:
            raise InvalidInput(
                "text_too_long", limit=MAX_AGENDA, length=max(len(agenda_ja), len(agenda_en))
            )
        async with unit(request) as uow:
            await service.edit_notice(
                uow,
                user(request).actor,
                count.assembly.id,
                title_ja=title_ja,
                title_en=parse_text(values["title_en"], MAX_TITLE)
                if values["title_en"].strip()
                else title_ja,
                place_ja=place_ja,
                place_en=parse_text(values["place_en"], MAX_PLACE)
                if values["place_en"].strip()
                else place_ja,
                agenda_ja=agenda_ja,
                agenda_en=agenda_en,
                quorum=parse_quorum(values["quorum"]),
                now=now(request),
            )
            await uow.commit()
    except InvalidInput as error:
        message = translator(request)(f"asm.error.{error.code}", **error.details)
        context = {"values": values, "error": message, "editing": count.assembly}
        return render(request, "assembly_form.html", context, status=400)
    except DomainError as error:
        if error.code != "assembly_over":
            raise
        raise redirect(f"/desk/assemblies/{count.assembly.id}", done="asm_over") from None
    raise redirect(f"/desk/assemblies/{count.assembly.id}", done="asm_edited")


def _draft(values: dict[str, str], request: web.Request) -> NewAssembly:
    tz = config(request).tz
    title_ja = parse_text(values["title_ja"], MAX_TITLE)
    place_ja = parse_text(values["place_ja"], MAX_PLACE)
    title_en = parse_text(values["title_en"], MAX_TITLE) if values["title_en"].strip() else title_ja
    place_en = parse_text(values["place_en"], MAX_PLACE) if values["place_en"].strip() else place_ja
    agenda_ja = values["agenda_ja"].strip()
    agenda_en = values["agenda_en"].strip() or agenda_ja
    if max(len(agenda_ja), len(agenda_en)) > MAX_AGENDA:
        raise InvalidInput(
            "text_too_long", limit=MAX_AGENDA, length=max(len(agenda_ja), len(agenda_en))
        )
    try:
        starts_at = datetime.fromisoformat(values["starts"]).replace(tzinfo=tz)
        answer_by = datetime.combine(date.fromisoformat(values["answer_by"]), time(23, 59), tz)
    except ValueError:
        raise InvalidInput("when_malformed") from None
    if answer_by > starts_at:
        raise InvalidInput("answer_by_after_start")
    return NewAssembly(
        title_ja=title_ja,
        title_en=title_en,
        starts_at=starts_at,
        place_ja=place_ja,
        place_en=place_en,
        answer_by=answer_by,
        agenda_ja=agenda_ja,
        agenda_en=agenda_en,
        quorum=parse_quorum(values["quorum"]),
    )


async def create(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    values = {name: str(form.get(name) or "") for name in FIELDS}
    try:
        draft = _draft(values, request)
        async with unit(request) as uow:
            assembly = await service.publish(uow, user(request).actor, draft, now(request))
            await uow.commit()
    except InvalidInput as error:
        message = translator(request)(f"asm.error.{error.code}", **error.details)
        context = {"values": values, "error": message, "editing": None}
        return render(request, "assembly_form.html", context, status=400)
    raise redirect(f"/desk/assemblies/{assembly.id}", done="published")


def setup_assemblies(app: web.Application) -> None:
    app.router.add_get("/assemblies", index)
    app.router.add_get("/assemblies/new", new_form)
    app.router.add_post("/assemblies/new", create)
    app.router.add_get("/assemblies/{id:[0-9]+}", show)
    app.router.add_post("/assemblies/{id:[0-9]+}/remind", remind)
    app.router.add_get("/assemblies/{id:[0-9]+}/edit", edit_form)
    app.router.add_post("/assemblies/{id:[0-9]+}/edit", edit)
    app.router.add_post("/assemblies/{id:[0-9]+}/checkin", check_in)
