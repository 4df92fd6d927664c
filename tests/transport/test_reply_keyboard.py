"""The short menu under the chat (Telegram's reply keyboard) over both transports, against the
sandbox, which checks the request against the Bot API's description: set (persistent, resized),
removed, and kept through the outbox's storage."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.outbound import OutboundMessage, markup_json, markup_of
from bot.ports.telegram import TelegramGateway
from handlers.ptb.gateway import PtbGateway
from handlers.raw.gateway import RawGateway
from sandbox.ratelimit import RateLimits

GATEWAYS: dict[str, Callable[..., TelegramGateway]] = {"ptb": PtbGateway, "aiohttp": RawGateway}
UNLIMITED = pytest.mark.sandbox_options(rate_limits=RateLimits.disabled())
TANAKA = 2001
KEYS = (("⏱ 時間", "📅 シフト"), ("📣 総会", "🆘 困ったとき"), ("≡ その他",))


@pytest.fixture(params=list(GATEWAYS))
async def tg(request, sandbox) -> AsyncIterator[TelegramGateway]:
    gateway = GATEWAYS[request.param](sandbox.token, sandbox.api_base_url)
    yield gateway
    await gateway.close()


@UNLIMITED
async def test_a_keyboard_is_set_persistent_and_resized_then_removed(tg, sandbox):
    sandbox.add_persona(TANAKA, "田中", "ja")
    await tg.send(OutboundMessage(TANAKA, "よく使うボタンを下に置きました。", keyboard=KEYS))
    [message] = sandbox.messages_to(TANAKA)
    assert message.reply_markup == {
        "keyboard": [
            [{"text": "⏱ 時間"}, {"text": "📅 シフト"}],
            [{"text": "📣 総会"}, {"text": "🆘 困ったとき"}],
            [{"text": "≡ その他"}],
        ],
        "is_persistent": True,
        "resize_keyboard": True,
    }
    await tg.send(OutboundMessage(TANAKA, "片付けました。", keyboard=()))
    assert sandbox.messages_to(TANAKA)[-1].reply_markup == {"remove_keyboard": True}


@UNLIMITED
async def test_an_edit_never_carries_a_keyboard(tg, sandbox):
    """editMessageText takes inline buttons only: the keyboard of an edit is left out."""
    sandbox.add_persona(TANAKA, "田中", "ja")
    sent = await tg.send(OutboundMessage(TANAKA, "a", buttons=((("x", "y"),),)))
    edit = OutboundMessage(TANAKA, "b", edit_message_id=sent.message_id, keyboard=KEYS)
    await tg.send(edit)
    [message] = sandbox.messages_to(TANAKA)
    assert message.text == "b" and not message.reply_markup


def test_the_outbox_column_keeps_inline_buttons_keyboards_and_removals_apart():
    for message in (
        OutboundMessage(1, "t", buttons=((("A", "a"), ("B", "b")),)),
        OutboundMessage(1, "t", keyboard=KEYS),
        OutboundMessage(1, "t", keyboard=()),
        OutboundMessage(1, "t"),
    ):
        assert markup_of(markup_json(message)) == (message.buttons, message.keyboard)


async def test_every_outbox_keeps_a_keyboard_and_a_removal(uow_factory):
    """Memory, SQLite and PostgreSQL: what the sender claims is what was queued."""
    now = datetime(2026, 12, 7, tzinfo=UTC)
    async with uow_factory() as uow:
        await uow.outbox.add(OutboundMessage(TANAKA, "k", keyboard=KEYS), now)
        await uow.outbox.add(OutboundMessage(TANAKA, "r", keyboard=()), now)
        await uow.commit()
    async with uow_factory() as uow:
        items = await uow.outbox.claim(now, now + timedelta(minutes=1), 10)
        await uow.commit()
    assert [(i.message.text, i.message.keyboard) for i in items] == [("k", KEYS), ("r", ())]
