"""The LINE stand-in's webhooks, as the official SDK's parser receives them: signed bodies,
every event kind Kyodo handles, a bad signature, the connection check, redelivery."""

from __future__ import annotations

import pytest
from linebot.v3 import messaging
from linebot.v3.messaging import AsyncMessagingApi
from linebot.v3.webhooks import (
    AudioMessageContent,
    FollowEvent,
    ImageMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
)

from sandbox.line.standin import LineStandIn
from sandbox.line.webhook import WebhookSettings
from tests.fixtures.line import SdkBot

FAST = WebhookSettings(retry_base=0.01, retry_cap=0.05, max_attempts=4)


async def test_every_event_kind_arrives_signed_and_parses_with_the_sdk(
    line: LineStandIn, line_bot: SdkBot
) -> None:
    hana = line.add_person("花子", friend=False)
    line.follows(hana.user_id)
    line.sends_text(hana.user_id, "7時間働きました")
    line.sends_image(hana.user_id)
    line.sends_audio(hana.user_id, duration_ms=4200)
    line.sends_sticker(hana.user_id, "446", "1989")
    line.postback(hana.user_id, "hours:ok:7", params={"date": "2026-07-01"})
    line.unfollows(hana.user_id)

    events = await line_bot.wait_for_events(7)

    follow, text, image, audio, sticker, postback, unfollow = events
    assert isinstance(follow, FollowEvent) and follow.follow.is_unblocked is False
    assert isinstance(text, MessageEvent) and isinstance(text.message, TextMessageContent)
    assert text.message.text == "7時間働きました"
    assert isinstance(image.message, ImageMessageContent)
    assert image.message.content_provider.type == "line"
    assert isinstance(audio.message, AudioMessageContent) and audio.message.duration == 4200
    assert isinstance(sticker.message, StickerMessageContent)
    assert sticker.message.sticker_id == "1989"
    assert isinstance(postback, PostbackEvent)
    assert postback.postback.data == "hours:ok:7"
    assert postback.postback.params == {"date": "2026-07-01"}
    assert isinstance(unfollow, UnfollowEvent)
    for event in events:
        assert event.source.user_id == hana.user_id
        assert event.delivery_context.is_redelivery is False
        assert len(event.webhook_event_id) == 26
    assert [bool(getattr(e, "reply_token", None)) for e in events] == [True] * 6 + [False]
    assert len({e.webhook_event_id for e in events}) == 7
    assert {body["destination"] for body in line_bot.bodies} == {line.channel.bot_user_id}
    assert line_bot.refused == 0
    for record in line.events:
        assert (await line.wait_for_event(record)).status == "delivered"


async def test_events_due_together_share_a_post_in_order(
    line: LineStandIn, line_bot: SdkBot
) -> None:
    line.webhook_url = None
    people = [line.add_person(f"会員{n}") for n in range(3)]
    for n, person in enumerate(people):
        line.sends_text(person.user_id, f"message {n}")
    line.webhook_url = line_bot.url

    events = await line_bot.wait_for_events(3)

    assert [e.message.text for e in events] == ["message 0", "message 1", "message 2"]
    assert len(line_bot.bodies) == 1
    assert len(line_bot.bodies[0]["events"]) == 3


async def test_a_body_signed_with_another_secret_is_refused_by_the_sdk(
    line: LineStandIn, line_bot: SdkBot
) -> None:
    hana = line.add_person("花子")

    assert await line.post_bad_signature(hana.user_id, "偽物") == "403"
    assert await line.post_bad_signature(hana.user_id, "署名なし", signature=None) == "403"

    assert line_bot.refused == 2
    assert line_bot.events == []


async def test_the_connection_check_is_an_empty_signed_body(
    line: LineStandIn, line_bot: SdkBot, line_api: AsyncMessagingApi
) -> None:
    assert await line.post_connection_check() == "200"

    answer = await line_api.test_webhook_endpoint(messaging.TestWebhookEndpointRequest())

    assert answer.success is True and answer.status_code == 200
    assert [body["events"] for body in line_bot.bodies] == [[], []]
    assert line_bot.refused == 0


@pytest.mark.line_options(webhook=FAST)
async def test_an_event_the_bot_did_not_take_is_redelivered_identical_but_marked(
    line: LineStandIn, line_bot: SdkBot
) -> None:
    hana = line.add_person("花子")
    line_bot.answers = [500, 503]

    record = await line.wait_for_event(line.sends_text(hana.user_id, "もう一度"))

    assert record.status == "delivered"
    assert record.answers == ["500", "503", "200"]
    first, second, third = (body["events"][0] for body in line_bot.bodies)
    assert first["deliveryContext"] == {"isRedelivery": False}
    assert second["deliveryContext"] == third["deliveryContext"] == {"isRedelivery": True}
    for resent in (second, third):
        assert {**resent, "deliveryContext": first["deliveryContext"]} == first
    [event] = line_bot.events
    assert event.delivery_context.is_redelivery is True
    assert line.stats["webhook_redeliveries"] == 2


@pytest.mark.line_options(webhook=FAST)
async def test_redelivery_gives_up_after_its_attempts(line: LineStandIn, line_bot: SdkBot) -> None:
    hana = line.add_person("花子")
    line_bot.answers = [500] * 10

    record = await line.wait_for_event(line.sends_text(hana.user_id, "届かない"))

    assert record.status == "failed"
    assert record.answers == ["500"] * FAST.max_attempts
    assert line_bot.events == []


@pytest.mark.line_options(webhook=WebhookSettings(redelivery=False))
async def test_without_redelivery_a_failed_event_is_lost(
    line: LineStandIn, line_bot: SdkBot
) -> None:
    hana = line.add_person("花子")
    line_bot.answers = [500]

    record = await line.wait_for_event(line.sends_text(hana.user_id, "一度きり"))

    assert (record.status, record.answers) == ("failed", ["500"])


async def test_a_delivered_event_can_be_sent_again_as_line_sometimes_does(
    line: LineStandIn, line_bot: SdkBot
) -> None:
    hana = line.add_person("花子")
    record = await line.wait_for_event(line.sends_text(hana.user_id, "二重"))

    await line.wait_for_event(line.redeliver(record.id, is_redelivery=False))

    first, again = await line_bot.wait_for_events(2)
    assert first.webhook_event_id == again.webhook_event_id
    assert first.reply_token == again.reply_token
    assert again.delivery_context.is_redelivery is False
