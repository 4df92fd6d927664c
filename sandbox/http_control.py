"""The control API under ``/_sandbox/``: JSON endpoints for tests, the shell and the chat page.

They mirror ``SandboxServer``'s Python API: act as a person, read chats, inject faults, read
statistics and violations. Every endpoint takes an optional ``bot_id`` (default: the default bot).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.json_api import json_object, respond

if TYPE_CHECKING:
    from sandbox.server import SandboxServer

SERVER_KEY: web.AppKey[SandboxServer] = web.AppKey("sandbox_server")
routes = web.RouteTableDef()


def _server(request: web.Request) -> SandboxServer:
    return request.app[SERVER_KEY]


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise web.HTTPBadRequest(text=f"{name} must be an integer") from error


def _bot_id(request: web.Request, body: dict[str, Any]) -> int | None:
    raw = body.get("bot_id", request.query.get("bot_id"))
    return None if raw is None else _int(raw, "bot_id")


def _user(server: SandboxServer, body: dict[str, Any]) -> dict[str, Any] | int:
    if isinstance(body.get("user"), dict):
        return dict(body["user"])
    return _int(body.get("user_id"), "user_id")


def _guarded(action: Any) -> Any:
    try:
        return action()
    except (LookupError, ValueError) as error:
        raise web.HTTPBadRequest(text=str(error)) from error


@routes.get("/_sandbox/info")
async def info(request: web.Request) -> web.Response:
    server = _server(request)
    bot = server.bot(_bot_id(request, {}))
    return respond(
        {
            "bot": bot.user,
            "api_base_url": server.api_base_url,
            "page_url": server.page_url,
            "personas": server.personas,
            "full_reference": server.reference_spec is not None,
        }
    )


@routes.get("/_sandbox/personas")
async def personas(request: web.Request) -> web.Response:
    return respond(_server(request).personas)


@routes.post("/_sandbox/personas")
async def add_persona(request: web.Request) -> web.Response:
    body = await json_object(request)
    server = _server(request)
    persona = _guarded(
        lambda: server.add_persona(
            _int(body.get("id"), "id"),
            str(body.get("first_name", "")) or "User",
            str(body.get("language_code", "ja")),
            body.get("label"),
        )
    )
    return respond(persona)


@routes.post("/_sandbox/strangers")
async def new_stranger(request: web.Request) -> web.Response:
    body = await json_object(request)
    language = str(body.get("language_code", "ja"))
    if language not in {"ja", "en"}:
        raise web.HTTPBadRequest(text="language_code must be ja or en")
    return respond(_server(request).new_stranger(language))


@routes.post("/_sandbox/send")
async def send(request: web.Request) -> web.Response:
    body = await json_object(request)
    server = _server(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise web.HTTPBadRequest(text="text must be a non-empty string")
    return respond(
        _guarded(
            lambda: server.user_sends(
                _user(server, body), text, body.get("chat"), bot_id=_bot_id(request, body)
            )
        )
    )


@routes.post("/_sandbox/sticker")
async def sticker(request: web.Request) -> web.Response:
    body = await json_object(request)
    server = _server(request)
    return respond(
        _guarded(
            lambda: server.user_sends_sticker(
                _user(server, body),
                str(body.get("emoji", "👍")),
                body.get("chat"),
                bot_id=_bot_id(request, body),
            )
        )
    )


@routes.post("/_sandbox/photo")
async def photo(request: web.Request) -> web.Response:
    body = await json_object(request)
    server = _server(request)
    return respond(
        _guarded(
            lambda: server.user_sends_photo(
                _user(server, body),
                body.get("caption"),
                body.get("chat"),
                bot_id=_bot_id(request, body),
            )
        )
    )


@routes.post("/_sandbox/press")
async def press(request: web.Request) -> web.Response:
    body = await json_object(request)
    server = _server(request)
    chat_id = body.get("chat_id")
    return respond(
        _guarded(
            lambda: server.user_presses(
                _user(server, body),
                _int(body.get("message_id"), "message_id"),
                str(body.get("callback_data", "")),
                chat_id=None if chat_id is None else _int(chat_id, "chat_id"),
                bot_id=_bot_id(request, body),
            )
        )
    )


@routes.get("/_sandbox/chats/{chat_id}")
async def chat(request: web.Request) -> web.Response:
    """The chat's transcript; with ``since=<version>&wait=<s>`` it long-polls for a change."""
    server = _server(request)
    chat_id = _int(request.match_info["chat_id"], "chat_id")
    since = request.query.get("since")
    if since is not None:
        wait = min(float(request.query.get("wait", "20")), 30.0)
        seen = _int(since, "since")
        await server.notifier.wait_until(lambda: server.notifier.version != seen, wait)
    messages = server.transcript(chat_id, bot_id=_bot_id(request, {}))
    keyboard = None
    for message in messages:
        markup = message.reply_markup or {}
        if message.from_bot and ("keyboard" in markup or "remove_keyboard" in markup):
            keyboard = markup.get("keyboard")
    answers = [
        a for a in server.bot(_bot_id(request, {})).callback_answers if a["chat_id"] == chat_id
    ]
    return respond(
        {
            "version": server.notifier.version,
            "reply_keyboard": keyboard,
            "messages": [m.to_dict() for m in messages if not m.deleted],
            "callback_answers": answers,
        }
    )


@routes.get("/_sandbox/chats/{chat_id}/bot-messages")
async def bot_messages(request: web.Request) -> web.Response:
    server = _server(request)
    chat_id = _int(request.match_info["chat_id"], "chat_id")
    return respond([m.to_dict() for m in server.messages_to(chat_id, bot_id=_bot_id(request, {}))])


@routes.get("/_sandbox/callback-answers")
async def callback_answers(request: web.Request) -> web.Response:
    server = _server(request)
    return respond(server.bot(_bot_id(request, {})).callback_answers)


@routes.get("/_sandbox/updates")
async def pending_updates(request: web.Request) -> web.Response:
    server = _server(request)
    return respond(server.pending_updates(bot_id=_bot_id(request, {})))


@routes.post("/_sandbox/redeliver")
async def redeliver(request: web.Request) -> web.Response:
    body = await json_object(request)
    server = _server(request)
    return respond(
        _guarded(
            lambda: server.redeliver(
                _int(body.get("update_id"), "update_id"), bot_id=_bot_id(request, body)
            )
        )
    )


@routes.get("/_sandbox/faults")
async def list_faults(request: web.Request) -> web.Response:
    server = _server(request)
    return respond(
        {
            "faults": [f.to_dict() for f in server.faults.faults],
            "blocked_users": sorted(server.faults.blocked_users),
        }
    )


@routes.post("/_sandbox/faults")
async def inject_fault(request: web.Request) -> web.Response:
    body = await json_object(request)
    server = _server(request)
    delay = body.get("delay")
    fault = _guarded(
        lambda: server.inject_fault(
            str(body.get("kind", "")),
            method=body.get("method"),
            count=_int(body.get("count", 1), "count"),
            retry_after=_int(body.get("retry_after", 1), "retry_after"),
            delay=None if delay is None else float(delay),
        )
    )
    return respond(fault.to_dict())


@routes.delete("/_sandbox/faults")
async def clear_faults(request: web.Request) -> web.Response:
    _server(request).clear_faults()
    return respond({"ok": True})


@routes.post("/_sandbox/blocked")
async def blocked(request: web.Request) -> web.Response:
    body = await json_object(request)
    _server(request).block_user(
        _int(body.get("user_id"), "user_id"), bool(body.get("blocked", True))
    )
    return respond({"ok": True})


@routes.get("/_sandbox/stats")
async def stats(request: web.Request) -> web.Response:
    return respond(dict(_server(request).stats))


@routes.get("/_sandbox/violations")
async def violations(request: web.Request) -> web.Response:
    return respond([asdict(v) for v in _server(request).violations])


def setup_control(app: web.Application) -> None:
    app.router.add_routes(routes)
