"""python-telegram-bot's `Bot` over Kyodo's aiohttp request (handlers/ptb/aiohttp_request.py),
against the Telegram sandbox: a call with a file goes as one multipart upload (ptb's interface
asks for it, though Kyodo's own uploads go through handlers/telegram_uploads.py), a plain call
as form fields, and an unreachable server is a NetworkError that names no URL (the token is in
it)."""

from __future__ import annotations

import pytest
from telegram import Bot, InputFile
from telegram.error import NetworkError

from handlers.ptb.aiohttp_request import AiohttpRequest
from sandbox.ratelimit import RateLimits
from tests.net import free_port

HANAKO = 1001
pytestmark = pytest.mark.sandbox_options(rate_limits=RateLimits.disabled())


def bot_on(base_url: str, token: str) -> Bot:
    request = AiohttpRequest(connection_pool_size=4, connect_timeout=5.0, read_timeout=5.0)
    return Bot(token, base_url=base_url.rstrip("/"), request=request)


async def test_a_file_and_its_caption_arrive_in_one_upload(sandbox):
    sandbox.add_persona(HANAKO, "花子", "ja")
    bot = bot_on(sandbox.api_base_url, sandbox.token)
    async with bot:
        sent = await bot.send_photo(
            chat_id=HANAKO,
            photo=InputFile(bytes(range(256)) * 20, filename="shift.jpg"),
            caption="12月9日（水）のシフト表",
        )
        plain = await bot.send_message(chat_id=HANAKO, text="受け取りました")
    first, second = sandbox.messages_to(HANAKO)
    assert (first.message_id, first.kind) == (sent.message_id, "photo")
    assert first.media["photo"][-1]["file_size"] == 256 * 20
    assert first.text == "12月9日（水）のシフト表"
    assert (second.message_id, second.text) == (plain.message_id, "受け取りました")
    assert not sandbox.violations


async def test_an_unreachable_server_is_a_network_error_without_the_url():
    token = "123456:SECRET-token"
    bot = bot_on(f"http://127.0.0.1:{free_port()}/bot", token)
    with pytest.raises(NetworkError) as raised:
        await bot.initialize()
    assert "SECRET" not in str(raised.value)
    await bot.shutdown()
