"""`TelegramGateway` on a plain aiohttp client: JSON POSTs to `{base}{token}/{method}`.

Errors are translated exactly as the python-telegram-bot gateway does (both use
`handlers.wire.error_for`), so the sender cannot tell the transports apart.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import aiohttp

from bot.domain.outbound import OutboundMessage
from bot.ports.telegram import (
    BadRequest,
    BotIdentity,
    SentMessage,
    TransientError,
)
from handlers.bot_api_post import post
from handlers.wire import DEFAULT_API_BASE_URL, error_for, is_not_modified, send_params


class RawGateway:
    """One aiohttp session, opened on first use and closed by `close()`."""

    def __init__(
        self,
        token: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
        *,
        connection_pool_size: int = 256,  # the sender's most concurrent sends
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
    ) -> None:
        self._url = f"{api_base_url.rstrip('/')}{token}/"
        self._pool_size = connection_pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:  # the token is in the URL: never show it
        return "RawGateway(...)"

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                json_serialize=lambda obj: json.dumps(obj, ensure_ascii=False),
            )
        return self._session

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        read_timeout: float | None = None,
    ) -> Any:
        """One Bot API call; returns `result` or raises a `GatewayError`."""
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self._connect_timeout,
            sock_read=read_timeout if read_timeout is not None else self._read_timeout,
        )
        answer, status = await post(
            self._client(), self._url, method, json=params or {}, timeout=timeout
        )
        if not isinstance(answer, dict):
            if status >= 500 or status == 429:
                raise error_for(status, f"HTTP {status}", None)
            raise BadRequest(f"{method}: HTTP {status} without a JSON answer")
        if answer.get("ok") is True and 200 <= status < 300:
            return answer.get("result")
        description = str(answer.get("description") or f"HTTP {status}")
        code = answer.get("error_code")
        code = code if isinstance(code, int) and not isinstance(code, bool) else status
        parameters = answer.get("parameters")
        retry_after: float | None = None
        if isinstance(parameters, dict) and isinstance(parameters.get("retry_after"), int | float):
            retry_after = float(parameters["retry_after"])
        raise error_for(code, description, retry_after)

    async def get_me(self) -> BotIdentity:
        me = await self.call("getMe")
        return BotIdentity(id=int(me["id"]), username=str(me.get("username") or ""))

    async def get_updates(
        self,
        offset: int | None,
        timeout: int,
    ) -> Sequence[dict[str, Any]]:
        params: dict[str, Any] = {"timeout": timeout}
        if offset is not None:
            params["offset"] = offset
        result = await self.call("getUpdates", params, read_timeout=timeout + self._read_timeout)
        if not isinstance(result, list):
            raise TransientError("getUpdates: result is not a list")
        return [u for u in result if isinstance(u, dict)]

    async def send(self, message: OutboundMessage) -> SentMessage:
        method, params = send_params(message)
        try:
            result = await self.call(method, params)
        except BadRequest as exc:
            if message.edit_message_id is not None and is_not_modified(str(exc)):
                return SentMessage(message.edit_message_id)
            raise
        if isinstance(result, dict) and isinstance(result.get("message_id"), int):
            return SentMessage(result["message_id"])
        return SentMessage(message.edit_message_id)

    async def answer_callback(self, callback_query_id: str, text: str | None) -> None:
        params: dict[str, Any] = {"callback_query_id": callback_query_id}
        if text:
            params["text"] = text
        await self.call("answerCallbackQuery", params)

    async def set_commands(self, commands: Sequence[tuple[str, str]], language: str | None) -> None:
        params: dict[str, Any] = {
            "commands": [{"command": name, "description": text} for name, text in commands]
        }
        if language:
            params["language_code"] = language
        await self.call("setMyCommands", params)

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
            # lets the connector close its transports before the loop ends (aiohttp's advice)
            await asyncio.sleep(0)
