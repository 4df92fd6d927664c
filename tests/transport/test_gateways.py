"""Both gateways against the local Telegram sandbox: same calls, same answers, same errors."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Callable

import pytest

from bot.domain.outbound import OutboundMessage
from bot.ports.telegram import (
    AmbiguousTimeout,
    BadRequest,
    Conflict,
    RateLimited,
    TelegramGateway,
    TransientError,
    Unreachable,
)
from handlers.ptb.gateway import PtbGateway
from handlers.raw.gateway import RawGateway
from sandbox.ratelimit import RateLimits

GATEWAYS: dict[str, Callable[..., TelegramGateway]] = {"ptb": PtbGateway, "aiohttp": RawGateway}
UNLIMITED = pytest.mark.sandbox_options(rate_limits=RateLimits.disabled())
HANAKO = 1001


@pytest.fixture(params=list(GATEWAYS))
async def gateway_for(request, sandbox) -> AsyncIterator[Callable[..., TelegramGateway]]:
    made: list[TelegramGateway] = []

    def make(**kw) -> TelegramGateway:
        gateway = GATEWAYS[request.param](sandbox.token, sandbox.api_base_url, **kw)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        await gateway.close()


@pytest.fixture
def tg(gateway_for) -> TelegramGateway:
    return gateway_for()


@pytest.fixture
def hanako(sandbox) -> dict:
    return sandbox.add_persona(HANAKO, "花子", "ja")


async def test_get_me_names_the_bot(tg, sandbox):
    me = await tg.get_me()

    assert (me.id, me.username) == (sandbox.bot_id, sandbox.bot_username)


@UNLIMITED
async def test_a_message_with_buttons_arrives_as_sent(tg, sandbox, hanako):
    sent = await tg.send(
        OutboundMessage(
            HANAKO,
            "<b>シフト</b> 11月22日 &amp; 23日",
            buttons=((("はい", "shift:yes:7"), ("いいえ", "shift:no:7")), (("戻る", "back"),)),
        )
    )

    [message] = sandbox.messages_to(HANAKO)
    assert sent.message_id == message.message_id
    assert message.text == "シフト 11月22日 & 23日"
    assert message.reply_markup == {
        "inline_keyboard": [
            [
                {"text": "はい", "callback_data": "shift:yes:7"},
                {"text": "いいえ", "callback_data": "shift:no:7"},
            ],
            [{"text": "戻る", "callback_data": "back"}],
        ]
    }


@UNLIMITED
async def test_an_edit_replaces_the_text_and_an_unchanged_edit_counts_as_done(tg, sandbox, hanako):
    sent = await tg.send(OutboundMessage(HANAKO, "承認待ち", buttons=((("承認", "ok:1"),),)))
    edit = OutboundMessage(HANAKO, "承認しました", edit_message_id=sent.message_id)

    assert (await tg.send(edit)).message_id == sent.message_id
    assert (await tg.send(edit)).message_id == sent.message_id  # "message is not modified"

    [message] = sandbox.messages_to(HANAKO)
    assert message.text == "承認しました"
    assert not message.reply_markup


@UNLIMITED
async def test_editing_a_message_that_does_not_exist_is_a_bad_request(tg, hanako):
    with pytest.raises(BadRequest):
        await tg.send(OutboundMessage(HANAKO, "x", edit_message_id=424242))


@UNLIMITED
@pytest.mark.sandbox_violations_expected
async def test_broken_html_is_a_bad_request(tg, hanako):
    with pytest.raises(BadRequest, match="parse entities"):
        await tg.send(OutboundMessage(HANAKO, "<b>unclosed"))


async def test_a_429_is_rate_limited_with_retry_after(tg, sandbox, hanako):
    sandbox.inject_fault("429", method="sendMessage", retry_after=7)

    with pytest.raises(RateLimited) as caught:
        await tg.send(OutboundMessage(HANAKO, "hi"))

    assert caught.value.retry_after == 7


async def test_the_sandbox_flood_limit_surfaces_as_rate_limited(tg, sandbox, hanako):
    with pytest.raises(RateLimited) as caught:
        for _ in range(10):
            await tg.send(OutboundMessage(HANAKO, "flood"))

    assert caught.value.retry_after >= 1


@UNLIMITED
async def test_a_person_who_blocked_the_bot_is_unreachable(tg, sandbox, hanako):
    sandbox.block_user(HANAKO)

    with pytest.raises(Unreachable):
        await tg.send(OutboundMessage(HANAKO, "hi"))


@UNLIMITED
async def test_an_injected_403_is_unreachable_and_a_500_is_transient(tg, sandbox, hanako):
    sandbox.inject_fault("403", method="sendMessage")
    sandbox.inject_fault("500", method="sendMessage")

    with pytest.raises(Unreachable):
        await tg.send(OutboundMessage(HANAKO, "hi"))
    with pytest.raises(TransientError):
        await tg.send(OutboundMessage(HANAKO, "hi"))


@pytest.mark.sandbox_options(rate_limits=RateLimits.disabled(), strict_chats=True)
async def test_a_chat_that_does_not_exist_is_unreachable(tg):
    with pytest.raises(Unreachable):
        await tg.send(OutboundMessage(987654321, "hi"))


@UNLIMITED
async def test_a_request_left_unanswered_is_an_ambiguous_timeout(gateway_for, sandbox, hanako):
    tg = gateway_for(read_timeout=0.3)
    sandbox.inject_fault("timeout", method="sendMessage", delay=3.0)

    with pytest.raises(AmbiguousTimeout):
        await tg.send(OutboundMessage(HANAKO, "did it arrive?"))


async def test_a_refused_connection_is_transient(request):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for make in GATEWAYS.values():
        tg = make("1:x", f"http://127.0.0.1:{port}/bot")
        try:
            with pytest.raises(TransientError):
                await tg.get_me()
        finally:
            await tg.close()


@UNLIMITED
async def test_get_updates_returns_the_raw_updates_and_the_offset_confirms_them(
    tg, sandbox, hanako
):
    sandbox.user_sends(HANAKO, "/start INV-1")
    sandbox.user_sends(HANAKO, "こんにちは")

    updates = await tg.get_updates(None, 0)

    assert [u["message"]["text"] for u in updates] == ["/start INV-1", "こんにちは"]
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    again = await tg.get_updates(None, 0)
    assert [u["update_id"] for u in again] == [u["update_id"] for u in updates]
    assert await tg.get_updates(updates[-1]["update_id"] + 1, 0) == []


@UNLIMITED
async def test_a_button_press_can_be_answered(tg, sandbox, hanako):
    sent = await tg.send(OutboundMessage(HANAKO, "OK?", buttons=((("OK", "ok"),),)))
    sandbox.user_presses(HANAKO, sent.message_id, "ok")
    [update] = await tg.get_updates(None, 0)

    await tg.answer_callback(update["callback_query"]["id"], "受け付けました")

    [answer] = sandbox.callback_answers
    assert answer.get("text") == "受け付けました"


@UNLIMITED
async def test_polling_while_a_webhook_is_set_is_a_conflict(tg):
    await tg.set_webhook("https://kyodo.example/telegram/webhook", "s3cret")

    with pytest.raises(Conflict):
        await tg.get_updates(None, 0)

    await tg.delete_webhook()
    assert await tg.get_updates(None, 0) == []


@UNLIMITED
async def test_the_token_never_reaches_the_log(gateway_for, sandbox, hanako, caplog):
    caplog.set_level(logging.DEBUG)
    tg = gateway_for()

    await tg.get_me()
    await tg.send(OutboundMessage(HANAKO, "secret words"))
    await tg.get_updates(None, 0)
    sandbox.inject_fault("500", method="sendMessage")
    with pytest.raises(TransientError) as caught:
        await tg.send(OutboundMessage(HANAKO, "x"))

    secret_part = sandbox.token.split(":", 1)[1]
    assert secret_part not in caplog.text
    assert secret_part not in str(caught.value)
    assert secret_part not in repr(tg)
    assert "secret words" not in caplog.text
