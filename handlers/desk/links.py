"""People who use both messengers, on the desk: who has a Telegram and a LINE chat linked
(`/link`), for staff (admins see everyone, other staff the people of their centres), and an
admin's Unlink for a further chat. The service audits it and tells the person in their
language (bot.services.links, bot/notices/links.py). A chat is shown by its messenger only:
its id is no one's business on a page."""

from __future__ import annotations

from aiohttp import web

from bot.domain.channels import Channel
from bot.domain.errors import NotFound
from bot.domain.people import Role
from bot.services import links
from handlers.desk.context import int_arg, now, redirect, render, unit, user


async def index(request: web.Request) -> web.Response:
    after = int_arg(request.query.get("after")) or 0
    actor = user(request).actor
    async with unit(request) as uow:
        page = await links.linked(uow, actor, now(request), after=after)
    rows = [
        {
            "person": found.person,
            "first": None
            if found.person.telegram_user_id is None
            else Channel.of(found.person.telegram_user_id).value,
            # (position among the further chats, its messenger): the form names the position
            "linked": [(i, Channel.of(chat).value) for i, chat in enumerate(found.linked)],
        }
        for found in page.items
    ]
    context = {
        "rows": rows,
        "next_cursor": page.next_cursor,
        "is_admin": Role.ADMIN in actor.roles,
    }
    return render(request, "links.html", context)


async def unlink(request: web.Request) -> web.StreamResponse:
    """An admin unlinks one further chat of a person, named by the person and its position
    among their further chats (the page never shows a chat id)."""
    form = await request.post()
    person_id = int_arg(str(form.get("person") or ""))
    position = int_arg(str(form.get("chat") or ""))
    if person_id is None or position is None:
        raise web.HTTPBadRequest()
    actor = user(request).actor
    try:
        async with unit(request) as uow:
            chats = await uow.links.chats_of(person_id)
            if position >= len(chats):
                raise NotFound("link_gone")
            await links.unlink(uow, actor, chats[position], now(request))
            await uow.commit()
    except NotFound:
        raise redirect("/desk/links", done="link_gone") from None
    raise redirect("/desk/links", done="unlinked")


def setup_links(app: web.Application) -> None:
    app.router.add_get("/links", index)
    app.router.add_post("/links/unlink", unlink)
