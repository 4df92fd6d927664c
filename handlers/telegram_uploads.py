"""Telegram staff get a photo or voice note that came through LINE as the file itself.

Telegram sends a file by its own file id only, and a LINE message's file id (``line:<id>``)
names LINE's content. `UploadingGateway` wraps either Telegram transport: a message whose media
is such a file is sent by fetching the content from its `FileSource` (LINE's content API) and
uploading it in the same request (multipart/form-data, the bytes streamed from LINE to
Telegram chunk by chunk; nothing is written anywhere, and the outbox row holds the file id
only). Every other call goes to the wrapped gateway unchanged.

Why one upload path beside the two transports rather than a method in each: the upload is the
same Bot API request whatever library sends the rest, and the errors are translated by the
same rules (handlers/wire.py), so the sender still cannot tell the transports apart.

LINE's voice notes are M4A, which sendVoice accepts (besides OGG/OPUS and MP3).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import aiohttp

from bot.domain.outbound import OutboundMessage
from bot.ports.files import FileSource, FileUnavailable
from bot.ports.telegram import (
    BadRequest,
    BotIdentity,
    SentMessage,
    TelegramGateway,
    TransientError,
)
from handlers.bot_api_post import post
from handlers.wire import error_for, send_params

log = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=120)
# The file name Telegram is given, by the content type LINE answered with.
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "audio/x-m4a": "m4a",
    "audio/m4a": "m4a",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
}


class UploadingGateway:
    """A `TelegramGateway` that uploads the files `is_foreign` names from `files`."""

    def __init__(
        self,
        gateway: TelegramGateway,
        files: FileSource,
        is_foreign: Callable[[str], bool],
        api_base_url: str,
        token: str,
    ) -> None:
        self._gateway = gateway
        self._files = files
        self._is_foreign = is_foreign
        self._url = f"{api_base_url.rstrip('/')}{token}/"

    def __repr__(self) -> str:  # the token is in the URL: never show it
        return f"UploadingGateway({self._gateway!r})"

    async def send(self, message: OutboundMessage) -> SentMessage:
        if message.media is None or not self._is_foreign(message.media[1]):
            return await self._gateway.send(message)
        return await self._upload(message, message.media[1])

    async def _upload(self, message: OutboundMessage, file_id: str) -> SentMessage:
        method, params = send_params(message)
        field = next(name for name, value in params.items() if value == file_id)
        try:
            async with self._files.fetch(file_id) as fetched:
                if fetched is None:
                    # LINE keeps what people send for a limited time: retrying cannot help.
                    raise BadRequest(f"{method}: the file is no longer where it was sent")
                form = aiohttp.FormData()
                for name, value in params.items():
                    if name != field:
                        form.add_field(name, _form_value(value))
                extension = _EXTENSIONS.get(fetched.content_type.split(";")[0].strip(), "bin")
                form.add_field(
                    field,
                    _chunks(fetched.chunks),
                    filename=f"{field}.{extension}",
                    content_type=fetched.content_type,
                )
                answer, status = await self._post(method, form)
        except FileUnavailable:
            raise TransientError(f"{method}: the file could not be fetched") from None
        return _sent(method, answer, status, message)

    async def _post(self, method: str, form: aiohttp.FormData) -> tuple[Any, int]:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            return await post(session, self._url, method, data=form)

    async def get_me(self) -> BotIdentity:
        return await self._gateway.get_me()

    async def get_updates(self, offset: int | None, timeout: int) -> Sequence[dict[str, Any]]:
        return await self._gateway.get_updates(offset, timeout)

    async def answer_callback(self, callback_query_id: str, text: str | None) -> None:
        await self._gateway.answer_callback(callback_query_id, text)

    async def set_commands(self, commands: Sequence[tuple[str, str]], language: str | None) -> None:
        await self._gateway.set_commands(commands, language)

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self._gateway.set_webhook(url, secret_token)

    async def delete_webhook(self) -> None:
        await self._gateway.delete_webhook()

    async def close(self) -> None:
        await self._gateway.close()


async def _chunks(source: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    async for chunk in source:
        yield chunk


def _form_value(value: Any) -> str:
    """A multipart field: strings as they are, objects (reply_markup) JSON-serialised."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _sent(method: str, answer: Any, status: int, message: OutboundMessage) -> SentMessage:
    """The Bot API's answer read as both transports read it (handlers/wire.py)."""
    if not isinstance(answer, dict):
        if status >= 500 or status == 429:
            raise error_for(status, f"HTTP {status}", None)
        raise BadRequest(f"{method}: HTTP {status} without a JSON answer")
    if answer.get("ok") is True and 200 <= status < 300:
        result = answer.get("result")
        if isinstance(result, dict) and isinstance(result.get("message_id"), int):
            return SentMessage(result["message_id"])
        return SentMessage(None)
    description = str(answer.get("description") or f"HTTP {status}")
    code = answer.get("error_code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else status
    parameters = answer.get("parameters")
    retry_after: float | None = None
    if isinstance(parameters, dict) and isinstance(parameters.get("retry_after"), int | float):
        retry_after = float(parameters["retry_after"])
    raise error_for(code, description, retry_after)
