"""Deliveries that need a person, on the desk: messages to people that may not have arrived
(no answer from Telegram, or refused, or given up on), per person, each with "send again"; and
messages from people that Kyodo could not handle, each with "try again". Both lists, the
audit of looking at them and of acting on them are bot/services/deliveries.py's, which
Telegram's /queue and the morning digest read too."""

from __future__ import annotations

from aiohttp import web

from bot.domain.errors import DomainError, PermissionDenied
from bot.services import deliveries as service
from handlers.desk.context import int_arg, now, redirect, render, translator, unit, user


async def index(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    async with unit(request) as uow:
        found = await service.needing_a_person(uow, user(request).actor, now(request))
        await uow.commit()  # the look is audited: names and what was written
    return render(request, "deliveries.html", {"found": found, "error": error}, status=status)


def _chat_id(text: str) -> int | None:
    """A chat id from the address: a person's (positive) or a group's (negative)."""
    digits = int_arg(text.removeprefix("-"))
    if digits is None:
        return None
    return -digits if text.startswith("-") else digits


async def send_again(request: web.Request) -> web.StreamResponse:
    chat_id = _chat_id(request.match_info["chat"])
    if chat_id is None:
        raise web.HTTPNotFound()
    try:
        async with unit(request) as uow:
            count = await service.send_again(uow, user(request).actor, now(request), chat_id)
            await uow.commit()
    except PermissionDenied:
        raise
    except DomainError:
        return await index(request, str(translator(request)("desk.dl.nothing_to_send")), 400)
    raise redirect("/desk/deliveries", done="dl_sent_again", n=count)


async def handle_again(request: web.Request) -> web.StreamResponse:
    update_id = int_arg(request.match_info["id"])
    if update_id is None:
        raise web.HTTPNotFound()
    try:
        async with unit(request) as uow:
            await service.handle_again(uow, user(request).actor, now(request), update_id)
            await uow.commit()
    except PermissionDenied:
        raise
    except DomainError:
        # An id, not a quantity: no digit grouping (str, not int).
        message = str(translator(request)("desk.dl.not_parked", id=str(update_id)))
        return await index(request, message, 400)
    raise redirect("/desk/deliveries", done="dl_handled_again")


def setup_deliveries(app: web.Application) -> None:
    app.router.add_get("/deliveries", index)
    app.router.add_post("/deliveries/chats/{chat:-?[0-9]+}/send-again", send_again)
    app.router.add_post("/deliveries/updates/{id:[0-9]+}/handle-again", handle_again)
