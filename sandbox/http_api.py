"""The Bot API over HTTP: ``GET|POST /bot<token>/<method>`` with JSON, form or multipart bodies."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from sandbox.botapi import SANDBOX_FILE, file_bytes
from sandbox.errors import ApiError
from sandbox.gateway import Gateway
from sandbox.state import BotState
from sandbox.validation import UploadedFile

TOKEN = re.compile(r"^([0-9]{1,20}):[A-Za-z0-9_-]{1,100}$")


def _answer(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query string and body merged, as Telegram accepts them; raise ApiError on a bad body."""
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as error:
            raise ApiError(400, "Bad Request: can't parse JSON object", violation=True) from error
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON object expected", violation=True)
        params.update(body)
    elif content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                size = len(value.file.read())
                params[name] = UploadedFile(name, value.filename, value.content_type, size)
            else:
                params[name] = value if isinstance(value, str) else bytes(value).decode()
    else:
        await request.read()
    return params


def setup_bot_api(
    app: web.Application, gateway: Gateway, bot_for: Callable[[int], BotState]
) -> None:
    async def handle(request: web.Request) -> web.Response:
        match = TOKEN.match(request.match_info["token"])
        if match is None:
            return _answer({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        bot = bot_for(int(match.group(1)))
        method = request.match_info["method"]
        try:
            params = await read_params(request)
        except ApiError as error:
            gateway.record_failure(bot, method, {}, error)
            return _answer(error.payload(), error.error_code)
        try:
            result = await gateway.call(bot, method, params)
        except ApiError as error:
            return _answer(error.payload(), error.error_code)
        return _answer({"ok": True, "result": result})

    app.router.add_route("*", r"/bot{token:[^/]+}/{method:[A-Za-z]+}", handle)

    async def download(request: web.Request) -> web.Response:
        """A file's bytes at the path getFile gave, as api.telegram.org/file/bot<token>/ serves."""
        if TOKEN.match(request.match_info["token"]) is None:
            return web.Response(status=401, text="Unauthorized")
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if not SANDBOX_FILE.fullmatch(file_id):
            return web.Response(status=404, text="Not Found")
        return web.Response(body=file_bytes(file_id), content_type="application/octet-stream")

    app.router.add_get(r"/file/bot{token:[^/]+}/{path:.+}", download)
