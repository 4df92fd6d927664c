"""Helpers for the sandbox's own tests: a raw HTTP client and a python-telegram-bot ``Bot``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import telegram

from sandbox.server import SandboxServer

RawCall = Callable[..., Awaitable[tuple[int, dict[str, Any]]]]

HANA = {"id": 1001, "first_name": "花子", "language_code": "ja"}
TOM = {"id": 1002, "first_name": "Tom", "language_code": "en"}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def call(sandbox: SandboxServer, http: aiohttp.ClientSession) -> RawCall:
    """``await call("sendMessage", chat_id=1, text="hi")`` -> (HTTP status, decoded body).

    ``_form=True`` sends form-encoded fields (objects JSON-encoded), like python-telegram-bot.
    """

    async def run(
        method: str, _form: bool = False, _token: str | None = None, **params: Any
    ) -> tuple[int, dict[str, Any]]:
        url = f"{sandbox.api_base_url}{_token or sandbox.token}/{method}"
        if _form:
            fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
            response = await http.post(url, data=fields)
        else:
            response = await http.post(url, json=params)
        async with response:
            return response.status, await response.json()

    return run


@pytest.fixture
async def ptb(sandbox: SandboxServer) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(sandbox.token, base_url=sandbox.api_base_url)
    async with bot:
        yield bot
