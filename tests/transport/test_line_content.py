"""What a person sent through LINE, fetched from LINE's content API when staff ask for it,
against the stand-in (which checks each request against LINE's OpenAPI files): the bytes and
LINE's content type arrive as sent, chunk by chunk; a message LINE no longer keeps (404) or an
id that is not LINE's is None (the desk says it cannot be shown); an unreachable LINE is
`FileUnavailable`; the desk's one file source sends ``line:`` ids to LINE and the rest to
Telegram's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.ports.files import FetchedFile, FileSource, FileUnavailable
from handlers.line.content import LineContent, MessengerFiles
from sandbox.line.events import png
from sandbox.line.standin import LineStandIn
from tests.net import free_port

VOICE = b"\x00\x00\x00\x1cftypM4A " + bytes(range(256)) * 600  # several chunks


async def read(source: FileSource, file_id: str) -> tuple[str, bytes] | None:
    async with source.fetch(file_id) as fetched:
        if fetched is None:
            return None
        return fetched.content_type, b"".join([chunk async for chunk in fetched.chunks])


def message_id(record) -> str:
    return str(record.event["message"]["id"])


async def test_a_photo_and_a_voice_note_come_from_the_content_api(line: LineStandIn):
    hana = line.add_person("花子")
    photo = message_id(line.sends_image(hana.user_id))
    voice = message_id(line.sends_audio(hana.user_id, VOICE))
    content = LineContent(line.access_token, line.api_base_url)

    assert await read(content, f"line:{photo}") == ("image/png", png())
    assert await read(content, f"line:{voice}") == ("audio/x-m4a", VOICE)
    assert [call.operation for call in line.calls_of("getMessageContent")] == [
        "getMessageContent",
        "getMessageContent",
    ]


async def test_what_line_no_longer_keeps_or_is_not_lines_is_none(line: LineStandIn):
    content = LineContent(line.access_token, line.api_base_url)
    assert await read(content, "line:123456789") is None  # LINE answers 404
    assert await read(content, "line:../../v2/bot/info") is None  # never a request
    assert await read(content, "AgADBAADr6cxG") is None  # a Telegram file id
    assert len(line.calls_of("getMessageContent")) == 1


async def test_a_wrong_token_is_refused_by_line_and_nothing_is_shown(line: LineStandIn):
    hana = line.add_person("花子")
    photo = message_id(line.sends_image(hana.user_id))
    assert await read(LineContent("not-the-token", line.api_base_url), f"line:{photo}") is None


async def test_an_unreachable_line_is_file_unavailable():
    content = LineContent("token", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(FileUnavailable):
        await read(content, "line:1")


class Telegrams:
    """Telegram's files as the desk gets them, for the routing test: one known file."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    @asynccontextmanager
    async def fetch(self, file_id: str) -> AsyncIterator[FetchedFile | None]:
        self.asked.append(file_id)

        async def chunks() -> AsyncIterator[bytes]:
            yield b"jpeg bytes"

        yield FetchedFile("image/jpeg", chunks())


async def test_the_desks_files_go_to_the_messenger_that_has_them(line: LineStandIn):
    hana = line.add_person("花子")
    photo = message_id(line.sends_image(hana.user_id))
    telegram = Telegrams()
    files = MessengerFiles(telegram, LineContent(line.access_token, line.api_base_url))
    assert await read(files, f"line:{photo}") == ("image/png", png())
    assert await read(files, "AgADBAADr6cxG") == ("image/jpeg", b"jpeg bytes")
    assert telegram.asked == ["AgADBAADr6cxG"]
    # Without LINE (or without Telegram) the other's files are simply not there.
    assert await read(MessengerFiles(telegram, None), f"line:{photo}") is None
    assert await read(MessengerFiles(None, None), "AgADBAADr6cxG") is None
