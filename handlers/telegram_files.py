"""A person's photo or voice note, fetched from Telegram by its file_id for the desk (getFile,
then the file's URL), and streamed chunk by chunk: nothing is written anywhere.

The URL of a file holds the bot token, so no error from here is logged with its URL.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from bot.ports.files import FetchedFile, FileUnavailable

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
TIMEOUT = aiohttp.ClientTimeout(total=120, sock_connect=10)
# Telegram's paths end in these; mimetypes does not know them all.
_TYPES = {".oga": "audio/ogg", ".ogg": "audio/ogg", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def content_type(path: str) -> str:
    """The content type of a Telegram file by its path (`voice/file_3.oga` -> audio/ogg)."""
    suffix = path[path.rfind(".") :].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


class TelegramFiles:
    def __init__(self, api_base_url: str, token: str) -> None:
        """`api_base_url`: the Bot API's base (`https://api.telegram.org/bot`); files live
        under `.../file/bot<token>/<file_path>` beside it."""
        base = api_base_url.rstrip("/")
        root = base.removesuffix("/bot") if base.endswith("/bot") else base
        self._api = f"{base}{token}"
        self._files = f"{root}/file/bot{token}"

    @asynccontextmanager
    async def fetch(self, file_id: str) -> AsyncIterator[FetchedFile | None]:
        try:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
                async with session.post(f"{self._api}/getFile", json={"file_id": file_id}) as got:
                    answer = await got.json(content_type=None)
                path = (answer.get("result") or {}).get("file_path") if answer.get("ok") else None
                if not isinstance(path, str) or not path or ".." in path:
                    log.warning("Telegram has no file for a message's file_id any more")
                    yield None
                    return
                async with session.get(f"{self._files}/{path}") as file:
                    if file.status != 200:
                        log.warning("Telegram answered %s for a file", file.status)
                        yield None
                        return
                    yield FetchedFile(content_type(path), file.content.iter_chunked(CHUNK))
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            # Never the exception's text: it may carry the URL, and the URL the token.
            log.warning("a file could not be fetched from Telegram (%s)", type(error).__name__)
            raise FileUnavailable() from None
