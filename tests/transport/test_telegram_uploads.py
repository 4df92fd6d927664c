"""A file from LINE handed to staff in Telegram (issue 16): `UploadingGateway` fetches it from
its source and uploads it in the same request, over either transport, against the Telegram
sandbox; a file the source no longer has is a BadRequest (never retried), an unreachable source
a TransientError (retried); other messages pass through to the transport untouched."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from bot.domain.channels import is_line_file
from bot.domain.outbound import OutboundMessage
from bot.ports.files import FetchedFile, FileUnavailable
from bot.ports.telegram import BadRequest, TelegramGateway, TransientError
from handlers.ptb.gateway import PtbGateway
from handlers.raw.gateway import RawGateway
from handlers.telegram_uploads import UploadingGateway
from sandbox.ratelimit import RateLimits

GATEWAYS: dict[str, Callable[..., TelegramGateway]] = {"ptb": PtbGateway, "aiohttp": RawGateway}
HANAKO = 1001
pytestmark = pytest.mark.sandbox_options(rate_limits=RateLimits.disabled())


class Files:
    """LINE's content as a test gives it: bytes by file id, None when gone, or unreachable."""

    def __init__(self, files: dict[str, bytes], reachable: bool = True) -> None:
        self.files = files
        self.reachable = reachable
        self.fetched: list[str] = []

    @asynccontextmanager
    async def fetch(self, file_id: str) -> AsyncIterator[FetchedFile | None]:
        self.fetched.append(file_id)
        if not self.reachable:
            raise FileUnavailable()
        data = self.files.get(file_id)
        if data is None:
            yield None
            return

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(data), 1000):
                yield data[start : start + 1000]

        yield FetchedFile("audio/x-m4a" if "voice" in file_id else "image/jpeg", chunks())


@pytest.fixture(params=list(GATEWAYS))
def make(request, sandbox) -> Callable[[Files], UploadingGateway]:
    def made(files: Files) -> UploadingGateway:
        inner = GATEWAYS[request.param](sandbox.token, sandbox.api_base_url)
        return UploadingGateway(inner, files, is_line_file, sandbox.api_base_url, sandbox.token)

    return made


def handed(kind: str, file_id: str) -> OutboundMessage:
    return OutboundMessage(
        HANAKO,
        "💬 #1：<b>トメ</b>さんが送った写真です。",
        buttons=((("↩ 返事を書く #1", "conv:r:1"),),),
        media=(kind, file_id),
    )


@pytest.mark.parametrize(("kind", "size"), [("photo", 5_000), ("voice", 300_000)])
async def test_a_line_file_is_uploaded_with_its_caption_and_button(make, sandbox, kind, size):
    sandbox.add_persona(HANAKO, "花子", "ja")
    files = Files({f"line:{kind}1": bytes(range(256)) * (size // 256)})
    gateway = make(files)
    sent = await gateway.send(handed(kind, f"line:{kind}1"))
    await gateway.close()
    [message] = sandbox.messages_to(HANAKO)
    assert sent.message_id == message.message_id and message.kind == kind
    uploaded = message.media[kind][-1] if kind == "photo" else message.media[kind]
    assert uploaded["file_size"] == size // 256 * 256
    assert message.text == "💬 #1：トメさんが送った写真です。"
    assert message.reply_markup == {
        "inline_keyboard": [[{"text": "↩ 返事を書く #1", "callback_data": "conv:r:1"}]]
    }
    assert not sandbox.violations


async def test_a_file_line_no_longer_has_is_a_bad_request(make, sandbox):
    sandbox.add_persona(HANAKO, "花子", "ja")
    gateway = make(Files({}))
    with pytest.raises(BadRequest):
        await gateway.send(handed("photo", "line:gone"))
    await gateway.close()
    assert not sandbox.messages_to(HANAKO)


async def test_an_unreachable_line_is_retried(make, sandbox):
    sandbox.add_persona(HANAKO, "花子", "ja")
    gateway = make(Files({"line:p": b"x"}, reachable=False))
    with pytest.raises(TransientError):
        await gateway.send(handed("photo", "line:p"))
    await gateway.close()
    assert not sandbox.messages_to(HANAKO)


async def test_telegram_files_and_text_go_through_the_transport(make, sandbox):
    sandbox.add_persona(HANAKO, "花子", "ja")
    files = Files({})
    gateway = make(files)
    await gateway.send(handed("photo", "AgACphoto1"))
    await gateway.send(OutboundMessage(HANAKO, "こんにちは"))
    await gateway.close()
    assert [m.kind for m in sandbox.messages_to(HANAKO)] == ["photo", "text"]
    assert files.fetched == []
