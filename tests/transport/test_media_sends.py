"""A person's photo or voice note handed to one staff member by its file_id (issue 15): both
gateways send it with sendPhoto / sendVoice against the local Telegram sandbox, the caption and
its button with it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.domain.outbound import OutboundMessage
from bot.ports.telegram import TelegramGateway
from handlers.ptb.gateway import PtbGateway
from handlers.raw.gateway import RawGateway
from handlers.telegram_files import content_type
from handlers.wire import send_params
from sandbox.ratelimit import RateLimits

GATEWAYS: dict[str, Callable[..., TelegramGateway]] = {"ptb": PtbGateway, "aiohttp": RawGateway}
HANAKO = 1001
pytestmark = pytest.mark.sandbox_options(rate_limits=RateLimits.disabled())


@pytest.fixture(params=list(GATEWAYS))
async def tg(request, sandbox) -> AsyncIterator[TelegramGateway]:
    gateway = GATEWAYS[request.param](sandbox.token, sandbox.api_base_url)
    yield gateway
    await gateway.close()


@pytest.mark.parametrize(("kind", "file_id"), [("photo", "AgACphoto1"), ("voice", "AwACvoice1")])
async def test_a_file_goes_by_its_file_id_with_its_caption_and_button(tg, sandbox, kind, file_id):
    sandbox.add_persona(HANAKO, "花子", "ja")
    sent = await tg.send(
        OutboundMessage(
            HANAKO,
            "💬 #1：<b>Maria Santos</b>さんが送った写真です。",
            buttons=((("↩ 返事を書く #1", "conv:r:1"),),),
            media=(kind, file_id),
        )
    )
    [message] = sandbox.messages_to(HANAKO)
    assert sent.message_id == message.message_id
    assert message.kind == kind
    assert message.text == "💬 #1：Maria Santosさんが送った写真です。"  # the caption, rendered
    assert message.reply_markup == {
        "inline_keyboard": [[{"text": "↩ 返事を書く #1", "callback_data": "conv:r:1"}]]
    }


def test_each_kind_has_its_method_and_a_video_note_no_caption():
    def method(kind: str) -> tuple[str, set[str]]:
        name, params = send_params(OutboundMessage(1, "caption", media=(kind, "F")))
        return name, set(params)

    assert method("photo") == ("sendPhoto", {"chat_id", "photo", "caption", "parse_mode"})
    assert method("voice") == ("sendVoice", {"chat_id", "voice", "caption", "parse_mode"})
    assert method("audio")[0] == "sendAudio"
    assert method("video_note") == ("sendVideoNote", {"chat_id", "video_note"})
    assert method("document")[0] == "sendDocument"


def test_a_telegram_file_s_type_comes_from_its_path():
    assert content_type("voice/file_3.oga") == "audio/ogg"
    assert content_type("photos/file_1.jpg") == "image/jpeg"
    assert content_type("documents/file_2.pdf") == "application/pdf"
    assert content_type("documents/no_suffix") == "application/octet-stream"
