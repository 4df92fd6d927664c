"""A photo or voice note a person sent through LINE, fetched from LINE's content API when staff
ask for it (the desk's Show / play), and streamed chunk by chunk: nothing is written anywhere.

LINE keeps what people send for a while and serves it at
``GET https://api-data.line.me/v2/bot/message/{messageId}/content`` with the channel's access
token; the core knows such a message by the file id ``line:<messageId>`` (handlers/line/parse.py).
Against a stand-in (`LINE_API_BASE_URL` not LINE's) the content host is that address too, as
for the SDK (handlers/line/client.py).

Not through the SDK: its `get_message_content` reads the whole file into memory before it
returns, and the desk streams. One aiohttp GET does it, with the SDK's own header.

`MessengerFiles` is the desk's one `FileSource`: a LINE message's file id to LINE's content,
any other to Telegram's getFile (handlers/telegram_files.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import aiohttp

from bot.domain.channels import LINE_FILE_PREFIX, is_line_file
from bot.ports.files import FetchedFile, FileSource, FileUnavailable
from handlers.line.client import DEFAULT_API_BASE_URL

log = logging.getLogger(__name__)

LINE_CONTENT_HOST = "https://api-data.line.me"
CHUNK = 64 * 1024
TIMEOUT = aiohttp.ClientTimeout(total=120, sock_connect=10)
_MAX_ID = 64  # LINE's message ids are digits, far shorter; anything longer is not one


class LineContent:
    """A `FileSource` for LINE's file ids (``line:<messageId>``)."""

    def __init__(self, access_token: str, base_url: str = DEFAULT_API_BASE_URL) -> None:
        base = base_url.rstrip("/")
        self._host = LINE_CONTENT_HOST if base == DEFAULT_API_BASE_URL else base
        self._headers = {"Authorization": f"Bearer {access_token}"}

    @asynccontextmanager
    async def fetch(self, file_id: str) -> AsyncIterator[FetchedFile | None]:
        message_id = file_id.removeprefix(LINE_FILE_PREFIX)
        if not is_line_file(file_id) or not message_id.isdigit() or len(message_id) > _MAX_ID:
            yield None
            return
        url = f"{self._host}/v2/bot/message/{quote(message_id)}/content"
        try:
            async with (
                aiohttp.ClientSession(timeout=TIMEOUT, headers=self._headers) as session,
                session.get(url) as answer,
            ):
                if answer.status != 200:
                    # 404: LINE keeps content for a limited time, and no longer has it.
                    log.warning("LINE answered %s for a message's content", answer.status)
                    yield None
                    return
                kind = answer.headers.get("Content-Type", "application/octet-stream")
                yield FetchedFile(kind, answer.content.iter_chunked(CHUNK))
        except (aiohttp.ClientError, TimeoutError) as error:
            # Never the exception's text: the request carried the access token.
            log.warning("a LINE message's content could not be fetched (%s)", type(error).__name__)
            raise FileUnavailable() from None


class MessengerFiles:
    """The desk's files from both messengers: LINE's by their ``line:`` file id, the rest from
    Telegram; None for a messenger Kyodo is not connected to."""

    def __init__(self, telegram: FileSource | None, line: FileSource | None) -> None:
        self._telegram = telegram
        self._line = line

    @asynccontextmanager
    async def fetch(self, file_id: str) -> AsyncIterator[FetchedFile | None]:
        source = self._line if is_line_file(file_id) else self._telegram
        if source is None:
            yield None
            return
        async with source.fetch(file_id) as fetched:
            yield fetched
