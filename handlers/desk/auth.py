"""Signing in and out of the desk, and the guard in front of every other page.

- `GET /login/<token>` shows a "Sign in" button (link previews and prefetchers only GET, so
  they cannot use the one-time link up); `POST` uses the link and sets the session cookie.
- Every other request goes through `guard`: a live session of someone who is staff *now*, and
  on every POST the session's CSRF token, compared in constant time. A refusal is a page that
  says why, in the person's language, and is audited.
- Sign-in links are guessed at cheaply: a client's refused links are counted in memory, ten in a
  minute and it is refused before anything is looked up (429), and one audit row a minute says
  how many guesses came from which address (bot.services.refusals).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress

from aiohttp import web

from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.languages import SUPPORTED
from bot.services import queue as desk_service
from bot.services.desk_auth import current, link_problem, set_locale, sign_in, sign_out
from bot.services.refusals import GuessGate
from handlers.desk.context import (
    COOKIE,
    COUNTS,
    DESK,
    USER,
    config,
    message_page,
    now,
    redirect,
    render,
    user,
)

log = logging.getLogger(__name__)

PUBLIC = ("/desk/login/", "/desk/static/")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
GUESSES = web.AppKey("desk_guesses", GuessGate)

_REFUSALS = {
    "desk_link_unknown": "desk.login.unknown",
    "desk_link_used": "desk.login.used",
    "desk_link_expired": "desk.login.expired",
    "desk_not_staff": "desk.login.not_staff",
}


def _security_headers(response: web.StreamResponse) -> None:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # The sign-in path holds a token: never send it on as a referrer.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not response.headers.get("Cache-Control"):
        response.headers["Cache-Control"] = "no-store"


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await _guarded(request, handler)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        # A mistyped or forged address: a page in the person's language, not a bare status.
        response = message_page(
            request, "desk.error.not_found_title", "desk.error.not_found", status=404
        )
    except web.HTTPException as http:
        _security_headers(http)
        raise
    _security_headers(response)
    return response


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(PUBLIC):
        return await handler(request)
    desk = config(request)
    session_id = request.cookies.get(COOKIE, "")
    async with desk.uow() as uow:
        try:
            found = await current(uow, session_id, now(request), desk.default_locale, desk.idle)
            counts = await desk_service.counts(uow, found.actor, now(request))
        except PermissionDenied:
            await uow.commit()  # the ended session and the audit row
            response = message_page(
                request, "desk.refused.title", "desk.login.not_staff", status=403
            )
            response.del_cookie(COOKIE, path="/desk")
            return response
        except DomainError:
            return message_page(
                request,
                "desk.signed_out.title",
                "desk.signed_out.body",
                status=401,
                sign_in_hint=True,
            )
        await uow.commit()
    request[USER] = found
    request[COUNTS] = counts
    if request.method == "POST":
        refused = await _csrf_refused(request)
        if refused is not None:
            return refused
    try:
        return await handler(request)
    except PermissionDenied:
        # The service refused and wrote the audit row (a forged id, a role one lacks).
        return message_page(request, "desk.refused.title", "desk.refused.body", status=403)


async def _csrf_refused(request: web.Request) -> web.Response | None:
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        return message_page(request, "desk.error.title", "desk.error.too_large", status=413)
    sent = form.get("csrf")
    expected = user(request).csrf_token
    if isinstance(sent, str) and hmac.compare_digest(sent.encode(), expected.encode()):
        return None
    desk = config(request)
    async with desk.uow() as uow:
        await uow.audit.add(
            now(request),
            user(request).person.id,
            "desk.csrf_refused",
            f"person:{user(request).person.id}",
            {"path": request.path[:100]},
        )
        await uow.commit()
    return message_page(request, "desk.refused.title", "desk.csrf.body", status=403)


def client_of(request: web.Request) -> str:
    """The address a request came from (the proxy's, behind one: see docs/personal-data.md)."""
    return request.remote or "unknown"


async def _throttled(request: web.Request) -> web.Response | None:
    """The 429 page when this client has used up its guesses this minute; writes the minutes
    of guesses that are over."""
    gate = request.app[GUESSES]
    if gate.due(now(request)):
        await gate.flush(config(request).uow, now(request))
    if not gate.blocked(client_of(request), now(request)):
        return None
    response = message_page(request, "desk.login.refused_title", "desk.login.throttled", status=429)
    response.headers["Retry-After"] = "60"
    return response


async def _refused(request: web.Request, code: str) -> web.Response:
    request.app[GUESSES].refused(client_of(request), now(request), code)
    key = _REFUSALS.get(code, "desk.login.unknown")
    return message_page(request, "desk.login.refused_title", key, status=403)


async def login_page(request: web.Request) -> web.Response:
    """Shows the sign-in button, or why this link cannot sign anyone in."""
    if (throttled := await _throttled(request)) is not None:
        return throttled
    token = request.match_info["token"]
    async with config(request).uow() as uow:
        problem = await link_problem(uow, token, now(request))
    if problem is not None:
        return await _refused(request, problem)
    return render(request, "login.html", {"token": token})


async def login(request: web.Request) -> web.StreamResponse:
    if (throttled := await _throttled(request)) is not None:
        return throttled
    token = request.match_info["token"]
    desk = config(request)
    async with desk.uow() as uow:
        try:
            signed = await sign_in(uow, token, now(request))
        except DomainError as error:
            await uow.commit()  # the audit row of a real link's refusal (a guess has none)
            return await _refused(request, error.code)
        await uow.commit()
    response = web.HTTPSeeOther("/desk/")
    response.set_cookie(
        COOKIE,
        signed.session_id,
        path="/desk",
        httponly=True,
        samesite="Lax",  # Strict would drop the cookie on the redirect after Telegram's link
        secure=desk.secure_cookie,
    )
    _security_headers(response)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    desk = config(request)
    async with desk.uow() as uow:
        await sign_out(uow, request.cookies.get(COOKIE, ""), now(request))
        await uow.commit()
    response = message_page(request, "desk.signed_out.title", "desk.signed_out.done", status=200)
    response.del_cookie(COOKIE, path="/desk")
    return response


async def language(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    chosen = form.get("locale")
    back = form.get("back")
    if chosen in SUPPORTED:
        async with config(request).uow() as uow:
            await set_locale(uow, user(request).actor, str(chosen), now(request))
            await uow.commit()
    target = back if isinstance(back, str) and back.startswith("/desk/") else "/desk/"
    raise redirect(target.split("?")[0])


async def _write_guesses(app: web.Application) -> AsyncIterator[None]:
    """Writes the guesses of each minute that is over, quiet or not, and the rest at shutdown."""
    gate, desk = app[GUESSES], app[DESK]

    async def every_minute() -> None:
        while True:
            await asyncio.sleep(60)
            try:
                await gate.flush(desk.uow, desk.clock.now())
            except Exception:  # a store hiccup: the rows are written next time
                log.exception("desk: writing the sign-in guesses' audit rows failed")

    task = asyncio.create_task(every_minute())
    yield
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    with suppress(Exception):
        await gate.flush(desk.uow, desk.clock.now(), everything=True)


def setup_auth(app: web.Application) -> None:
    app[GUESSES] = GuessGate("desk.sign_in_refused")
    app.cleanup_ctx.append(_write_guesses)
    app.middlewares.append(guard)
    app.router.add_get("/login/{token}", login_page)
    app.router.add_post("/login/{token}", login)
    app.router.add_post("/logout", logout)
    app.router.add_post("/language", language)
