"""The desk's Letters page (/desk/members): imported people who have not joined yet, with until
when their letter's code works; an admin reprints a letter (a new code, the old ones stop
working: the PDF is the answer, the code in clear exists nowhere else) or revokes a lost one.

Each action is one call of bot.services.member_import (admins only; a refusal is audited there
and answered by the desk's refusal page). docs/members.md says what importing does.
"""

from __future__ import annotations

import io
import re

from aiohttp import web

from bot.domain.errors import DomainError, NotFound
from bot.letters.render import render_letters
from bot.services import centres as centre_service
from bot.services import member_import as service
from handlers.desk.context import DESK, int_arg, now, redirect, render, translator, unit, user


def _person_id(request: web.Request) -> int:
    found = int_arg(request.match_info["id"])
    if found is None:
        raise web.HTTPNotFound()
    return found


async def index(request: web.Request, error: str | None = None) -> web.Response:
    after = int_arg(request.query.get("after", "0")) or 0
    actor, at = user(request).actor, now(request)
    async with unit(request) as uow:
        page = await service.waiting(uow, actor, at, after)
        centres = {c.id: c for c in await centre_service.listing(uow, actor, at)}
    context = {"page": page, "centres": centres, "error": error}
    return render(request, "members.html", context, status=400 if error else 200)


def _error(request: web.Request, error: DomainError) -> str:
    code = "not_found" if isinstance(error, NotFound) else error.code
    return str(translator(request)(f"members.import.error.{code}"))


async def reprint(request: web.Request) -> web.StreamResponse:
    person_id = _person_id(request)
    config = request.app[DESK]
    try:
        async with unit(request) as uow:
            issued = await service.reprint(uow, user(request).actor, person_id, now(request))
            letters = service.to_letters(
                [issued],
                bot_username=config.bot_username,
                line_add_friend=config.line_add_friend,
                tz=config.tz,
                default_locale=config.default_locale,
            )
            out = io.BytesIO()
            # Rendered before the commit: a letter that cannot be printed changes nothing.
            render_letters(letters, config.i18n, out)
            await uow.commit()
    except DomainError as error:
        return await index(request, _error(request, error))
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"letter-{person_id}")
    return web.Response(
        body=out.getvalue(),
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.pdf"',
            "Cache-Control": "no-store",  # the code in clear: no copy in a cache
        },
    )


async def revoke(request: web.Request) -> web.StreamResponse:
    person_id = _person_id(request)
    try:
        async with unit(request) as uow:
            await service.revoke(uow, user(request).actor, person_id, now(request))
            await uow.commit()
    except DomainError as error:
        return await index(request, _error(request, error))
    raise redirect("/desk/members", done="letter_revoked")


def setup_members(app: web.Application) -> None:
    app.router.add_get("/members", index)
    app.router.add_post("/members/{id:[0-9]+}/reprint", reprint)
    app.router.add_post("/members/{id:[0-9]+}/revoke", revoke)
