"""What the sandbox's control APIs (Telegram's under ``/_sandbox/``, LINE's under
``/_sandbox/line/``) share: JSON answers that keep Japanese readable, and a request body that
must be a JSON object (anything else is a 400 saying so, never a crash)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


def respond(body: Any, status: int = 200) -> web.Response:
    return web.json_response(
        body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str)
    )


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body; {} when there is none."""
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError as error:
        raise web.HTTPBadRequest(text="the body must be a JSON object") from error
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body
