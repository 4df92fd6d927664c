"""The LINE stand-in's control API under ``/_sandbox/line/``: JSON for tests, the shell and the
chat page. It mirrors ``LineStandIn``'s Python API.

People: ``GET|POST people``; ``POST people/{user_id}/{act}`` where act is ``text`` {text},
``image`` {data_base64?, content_type?}, ``audio`` {data_base64?, content_type?, duration_ms?},
``sticker`` {package_id?, sticker_id?}, ``postback`` {data, display_text?, params?}, ``tap``
{message_id, label or action, params?}, ``richmenu-tap`` {area, params?}, ``follow``,
``unfollow``; each answers the webhook event it made (null for a link). ``GET
people/{user_id}/chat`` (``?since=<version>&wait=<s>`` long-polls), ``.../received``, ``GET
content/{message_id}`` (what a person sent). Webhooks: ``GET events``, ``POST
events/{id}/redeliver``, ``GET|POST webhook`` {url}, ``POST webhook/bad-signature`` {user_id,
text?, signature?: "bad" or null}, ``POST webhook/connection-check``. The rest: ``POST clock``
{advance: seconds}, ``GET|POST quota`` {limit}, ``GET stats|violations|calls|info``,
``POST|DELETE faults``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.json_api import json_object, respond
from sandbox.line.webhook import EventRecord

if TYPE_CHECKING:
    from sandbox.line.standin import LineStandIn

LINE_KEY: web.AppKey[LineStandIn] = web.AppKey("line_standin")
PREFIX = "/_sandbox/line"
routes = web.RouteTableDef()


def _line(request: web.Request) -> LineStandIn:
    return request.app[LINE_KEY]


def _guarded(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except (LookupError, ValueError, TypeError, binascii.Error) as error:
        raise web.HTTPBadRequest(text=str(error)) from error


def _event(record: EventRecord | None) -> web.Response:
    return respond(None if record is None else record.to_dict())


def _bytes(body: dict[str, Any]) -> bytes | None:
    raw = body.get("data_base64")
    return None if raw is None else base64.b64decode(str(raw), validate=True)


@routes.get(PREFIX + "/info")
async def info(request: web.Request) -> web.Response:
    line = _line(request)
    return respond(
        {
            "botUserId": line.channel.bot_user_id,
            "botName": line.channel.bot_name,
            "apiBaseUrl": line.api_base_url,
            "pageUrl": line.page_url,
            "webhookUrl": line.webhook_url,
            "quota": line.quota.to_dict(),
        }
    )


@routes.get(PREFIX + "/people")
async def people(request: web.Request) -> web.Response:
    return respond([person.to_dict() for person in _line(request).channel.people.values()])


@routes.post(PREFIX + "/people")
async def add_person(request: web.Request) -> web.Response:
    body = await json_object(request)
    line = _line(request)
    language = str(body.get("language", "ja"))
    name = str(body.get("display_name") or ("ゲスト" if language == "ja" else "Guest"))
    person = _guarded(
        lambda: line.add_person(
            name, language, user_id=body.get("user_id"), friend=bool(body.get("friend", True))
        )
    )
    return respond(person.to_dict())


def _act(line: LineStandIn, user_id: str, act: str, body: dict[str, Any]) -> EventRecord | None:
    params = body.get("params")
    if act == "text":
        return line.sends_text(user_id, str(body.get("text", "")))
    if act == "image":
        return line.sends_image(user_id, _bytes(body), str(body.get("content_type", "image/png")))
    if act == "audio":
        return line.sends_audio(
            user_id,
            _bytes(body),
            str(body.get("content_type", "audio/x-m4a")),
            int(body.get("duration_ms", 3000)),
        )
    if act == "sticker":
        return line.sends_sticker(
            user_id, str(body.get("package_id", "446")), str(body.get("sticker_id", "1988"))
        )
    if act == "postback":
        return line.postback(
            user_id, str(body.get("data", "")), display_text=body.get("display_text"), params=params
        )
    if act == "tap":
        return line.taps(
            user_id,
            str(body.get("message_id")),
            body.get("label"),
            action=body.get("action"),
            params=params,
        )
    if act == "richmenu-tap":
        return line.taps_rich_menu(user_id, int(body.get("area", -1)), params)
    if act == "follow":
        return line.follows(user_id)
    if act == "unfollow":
        return line.unfollows(user_id)
    raise LookupError(f"unknown act {act!r}")


@routes.post(PREFIX + "/people/{user_id}/{act}")
async def act(request: web.Request) -> web.Response:
    body = await json_object(request)
    line = _line(request)
    user_id, name = request.match_info["user_id"], request.match_info["act"]
    return _event(_guarded(lambda: _act(line, user_id, name, body)))


def _menu_view(line: LineStandIn, user_id: str) -> dict[str, Any] | None:
    menu = line.channel.effective_rich_menu(user_id)
    if menu is None:
        return None
    return {**menu.response(), "hasImage": menu.image is not None}


@routes.get(PREFIX + "/people/{user_id}/chat")
async def chat(request: web.Request) -> web.Response:
    """A person's chat; with ``since=<version>&wait=<s>`` it waits for a change first."""
    line = _line(request)
    user_id = request.match_info["user_id"]
    person = _guarded(lambda: line.channel.person(user_id))
    since = request.query.get("since")
    if since is not None:
        wait = min(float(request.query.get("wait", "20")), 30.0)
        await line.notifier.wait_until(lambda: str(line.notifier.version) != since, wait)
    entries = line.chat(user_id)
    last = entries[-1] if entries else None
    quick = None
    if last is not None and last.sender == "bot" and last.quick_reply and not last.quick_reply_used:
        quick = {"messageId": last.id, "items": last.quick_reply}
    return respond(
        {
            "version": line.notifier.version,
            "person": person.to_dict(),
            "messages": [entry.to_dict() for entry in entries],
            "quickReply": quick,
            "richMenu": _menu_view(line, user_id),
        }
    )


@routes.get(PREFIX + "/people/{user_id}/received")
async def received(request: web.Request) -> web.Response:
    line = _line(request)
    return respond([entry.to_dict() for entry in line.received(request.match_info["user_id"])])


@routes.get(PREFIX + "/richmenus/{menu_id}/image")
async def rich_menu_image(request: web.Request) -> web.Response:
    menu = _line(request).channel.rich_menus.get(request.match_info["menu_id"])
    if menu is None or menu.image is None:
        raise web.HTTPNotFound(text="no such rich menu image")
    return web.Response(body=menu.image, content_type=menu.image_type or "image/png")


@routes.get(PREFIX + "/content/{message_id}")
async def content(request: web.Request) -> web.Response:
    found = _line(request).channel.contents.get(request.match_info["message_id"])
    if found is None:
        raise web.HTTPNotFound(text="no such content")
    return web.Response(body=found.data, content_type=found.content_type)


@routes.get(PREFIX + "/events")
async def list_events(request: web.Request) -> web.Response:
    status = request.query.get("status")
    records = [r for r in _line(request).events if status is None or r.status == status]
    return respond([record.to_dict() for record in records])


@routes.post(PREFIX + "/events/{event_id}/redeliver")
async def redeliver(request: web.Request) -> web.Response:
    body = await json_object(request)
    line = _line(request)
    event_id = request.match_info["event_id"]
    again = bool(body.get("is_redelivery", True))
    return _event(_guarded(lambda: line.redeliver(event_id, is_redelivery=again)))


@routes.get(PREFIX + "/webhook")
async def get_webhook(request: web.Request) -> web.Response:
    return respond({"url": _line(request).webhook_url})


@routes.post(PREFIX + "/webhook")
async def set_webhook(request: web.Request) -> web.Response:
    body = await json_object(request)
    url = body.get("url")
    _line(request).webhook_url = None if url is None else str(url)
    return respond({"url": url})


@routes.post(PREFIX + "/webhook/bad-signature")
async def bad_signature(request: web.Request) -> web.Response:
    body = await json_object(request)
    signature = body.get("signature", "bad")
    answer = await _line(request).post_bad_signature(
        str(body.get("user_id", "U" + "0" * 32)),
        str(body.get("text", "hello")),
        signature=None if signature is None else str(signature),
    )
    return respond({"answer": answer})


@routes.post(PREFIX + "/webhook/connection-check")
async def connection_check(request: web.Request) -> web.Response:
    return respond({"answer": await _line(request).post_connection_check()})


@routes.post(PREFIX + "/clock")
async def clock(request: web.Request) -> web.Response:
    body = await json_object(request)
    line = _line(request)
    _guarded(lambda: line.clock.advance(float(body.get("advance", 0))))
    return respond({"now": line.clock.now(), "month": line.clock.month()})


@routes.get(PREFIX + "/quota")
async def get_quota(request: web.Request) -> web.Response:
    return respond(_line(request).quota.to_dict())


@routes.post(PREFIX + "/quota")
async def set_quota(request: web.Request) -> web.Response:
    body = await json_object(request)
    quota = _line(request).quota
    limit = body.get("limit")
    quota.limit = None if limit is None else _guarded(lambda: int(limit))
    return respond(quota.to_dict())


@routes.get(PREFIX + "/stats")
async def stats(request: web.Request) -> web.Response:
    return respond(_line(request).stats)


@routes.get(PREFIX + "/violations")
async def violations(request: web.Request) -> web.Response:
    return respond([v.to_dict() for v in _line(request).violations])


@routes.get(PREFIX + "/calls")
async def calls(request: web.Request) -> web.Response:
    return respond([c.to_dict() for c in _line(request).calls])


@routes.post(PREFIX + "/faults")
async def inject_fault(request: web.Request) -> web.Response:
    body = await json_object(request)
    line = _line(request)
    delay = body.get("delay")
    fault = _guarded(
        lambda: line.inject_fault(
            str(body.get("kind", "")),
            operation=body.get("operation"),
            count=int(body.get("count", 1)),
            delay=None if delay is None else float(delay),
        )
    )
    return respond(fault.to_dict())


@routes.delete(PREFIX + "/faults")
async def clear_faults(request: web.Request) -> web.Response:
    _line(request).faults.clear()
    return respond({"ok": True})


def setup_control(app: web.Application, line: LineStandIn) -> None:
    app[LINE_KEY] = line
    app.router.add_routes(routes)
