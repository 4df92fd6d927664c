"""Sending through the LINE stand-in with the official SDK: reply tokens, retry keys, quota,
multicast, rate limits, the bearer token, invalid messages, profiles and content."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    MulticastRequest,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TextMessage,
)

from sandbox.line.events import png
from sandbox.line.ratelimit import LineRateLimits
from sandbox.line.standin import LineStandIn
from tests.fixtures.line import RawLine, SdkBot

PUSH = "/v2/bot/message/push"
MULTICAST = "/v2/bot/message/multicast"


class StringContaining(str):
    """Equal to any string that contains it (for messages that list many names)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and str(self) in other

    __hash__ = str.__hash__


def error_of(raised: pytest.ExceptionInfo[ApiException]) -> tuple[int, dict[str, Any]]:
    return raised.value.status, json.loads(raised.value.body)


def text(value: str) -> TextMessage:
    return TextMessage(text=value)


async def a_reply_token(line: LineStandIn, line_bot: SdkBot, user_id: str) -> str:
    line.sends_text(user_id, "こんにちは")
    events = await line_bot.wait_for_events(len(line_bot.events) + 1)
    return str(events[-1].reply_token)


async def test_a_reply_token_works_once(
    line: LineStandIn, line_bot: SdkBot, line_api: AsyncMessagingApi
) -> None:
    hana = line.add_person("花子")
    token = await a_reply_token(line, line_bot, hana.user_id)

    answer = await line_api.reply_message(
        ReplyMessageRequest(reply_token=token, messages=[text("はい"), text("どうぞ")])
    )
    with pytest.raises(ApiException) as again:
        await line_api.reply_message(ReplyMessageRequest(reply_token=token, messages=[text("2")]))

    assert len(answer.sent_messages) == 2
    assert error_of(again) == (400, {"message": "Invalid reply token"})
    assert [m.text for m in line.received(hana.user_id)] == ["はい", "どうぞ"]
    assert [m.via for m in line.received(hana.user_id)] == ["reply", "reply"]
    assert line.stats["reply_token_used"] == 1
    assert line.quota.used == 0  # replies are free


async def test_a_reply_token_expires_after_a_minute_of_the_stand_ins_clock(
    line: LineStandIn, line_bot: SdkBot, line_api: AsyncMessagingApi
) -> None:
    hana = line.add_person("花子")
    token = await a_reply_token(line, line_bot, hana.user_id)
    line.clock.advance(61)

    with pytest.raises(ApiException) as expired:
        await line_api.reply_message(
            ReplyMessageRequest(reply_token=token, messages=[text("遅い")])
        )

    assert error_of(expired) == (400, {"message": "Invalid reply token"})
    assert line.received(hana.user_id) == []
    assert line.stats["reply_token_expired"] == 1


async def test_a_repeated_retry_key_answers_409_and_delivers_nothing(
    line: LineStandIn, line_api: AsyncMessagingApi
) -> None:
    hana = line.add_person("花子")
    key = str(uuid.uuid4())
    request = PushMessageRequest(to=hana.user_id, messages=[text("シフトの確認")])

    first = await line_api.push_message(request, x_line_retry_key=key)
    with pytest.raises(ApiException) as repeat:
        await line_api.push_message(request, x_line_retry_key=key)
    await line_api.push_message(request, x_line_retry_key=str(uuid.uuid4()))

    status, body = error_of(repeat)
    assert status == 409
    assert body["message"] == "The retry key is already accepted"
    assert body["sentMessages"] == [
        {"id": first.sent_messages[0].id, "quoteToken": first.sent_messages[0].quote_token}
    ]
    assert repeat.value.headers["x-line-accepted-request-id"]
    assert [m.text for m in line.received(hana.user_id)] == ["シフトの確認", "シフトの確認"]
    assert line.quota.used == 2


@pytest.mark.line_violations_expected
async def test_a_retry_key_must_be_a_uuid(line: LineStandIn, line_api: AsyncMessagingApi) -> None:
    hana = line.add_person("花子")

    with pytest.raises(ApiException) as refused:
        await line_api.push_message(
            PushMessageRequest(to=hana.user_id, messages=[text("x")]), x_line_retry_key="outbox-1"
        )

    status, body = error_of(refused)
    assert status == 400
    assert body["details"] == [{"message": "must be a valid uuid", "property": "X-Line-Retry-Key"}]
    assert line.received(hana.user_id) == []


@pytest.mark.line_options(quota=5)
async def test_the_quota_counts_people_reached_and_refuses_a_send_past_it(
    line: LineStandIn, line_api: AsyncMessagingApi
) -> None:
    people = [line.add_person(f"会員{n}") for n in range(4)]
    blocked = line.add_person("退会", friend=False)
    ids = [p.user_id for p in people]

    await line_api.push_message(PushMessageRequest(to=ids[0], messages=[text("1"), text("2")]))
    await line_api.multicast(MulticastRequest(to=[*ids[:3], blocked.user_id], messages=[text("3")]))
    with pytest.raises(ApiException) as spent:
        await line_api.multicast(MulticastRequest(to=ids[:2], messages=[text("4")]))
    quota = await line_api.get_message_quota()
    consumption = await line_api.get_message_quota_consumption()

    assert error_of(spent) == (429, {"message": "You have reached your monthly limit."})
    assert (quota.type, quota.value, consumption.total_usage) == ("limited", 5, 4)
    assert [m.text for m in line.received(ids[1])] == ["3"]
    assert line.received(blocked.user_id) == []

    line.clock.advance(32 * 24 * 3600)  # a new month
    await line_api.multicast(MulticastRequest(to=ids[:2], messages=[text("4")]))
    assert (await line_api.get_message_quota_consumption()).total_usage == 2


@pytest.mark.line_violations_expected
@pytest.mark.line_options(quota=None)
async def test_a_multicast_to_501_people_is_refused_whole(
    line: LineStandIn, line_raw: RawLine
) -> None:
    # The SDK refuses 501 recipients itself; a bot without it meets the stand-in's check.
    people = [line.add_person(f"会員{n}") for n in range(501)]
    message = [{"type": "text", "text": "総会のお知らせ"}]

    refused = await line_raw(
        "POST", MULTICAST, {"to": [p.user_id for p in people], "messages": message}
    )
    accepted = await line_raw(
        "POST", MULTICAST, {"to": [p.user_id for p in people[:500]], "messages": message}
    )

    assert refused == (
        400,
        {
            "message": "The request body has 1 error(s)",
            "details": [{"message": "Size must be between 1 and 500", "property": "to"}],
        },
    )
    assert accepted == (200, {})
    assert len(line.received(people[0].user_id)) == 1
    assert line.received(people[500].user_id) == []
    [violation] = line.violations
    assert violation.operation == "multicast"


def quick_reply(count: int, data: str = "pick") -> dict[str, Any]:
    return {
        "items": [
            {
                "type": "action",
                "action": {"type": "postback", "label": f"{n}", "data": f"{data}:{n}"},
            }
            for n in range(count)
        ]
    }


@pytest.mark.line_violations_expected
async def test_invalid_messages_are_refused_and_recorded_as_violations(
    line: LineStandIn, line_raw: RawLine
) -> None:
    hana = line.add_person("花子")
    bad = {
        "14 quick replies": [{"type": "text", "text": "選んで", "quickReply": quick_reply(14)}],
        "data of 301": [
            {"type": "text", "text": "選んで", "quickReply": quick_reply(1, "x" * 300)}
        ],
        "text of 5001": [{"type": "text", "text": "あ" * 5001}],
        "six messages": [{"type": "text", "text": str(n)} for n in range(6)],
        "a typo": [{"type": "text", "text": "x", "quickreply": quick_reply(1)}],
        "no such type": [{"type": "txt", "text": "x"}],
        "five buttons": [
            {
                "type": "template",
                "altText": "選んで",
                "template": {
                    "type": "buttons",
                    "text": "選んで",
                    "actions": [
                        {"type": "postback", "label": f"{n}", "data": "x"} for n in range(5)
                    ],
                },
            }
        ],
    }
    details = {}
    for name, messages in bad.items():
        status, body = await line_raw("POST", PUSH, {"to": hana.user_id, "messages": messages})
        assert status == 400
        details[name] = body["details"]

    assert details == {
        "14 quick replies": [
            {"message": "Size must be between 0 and 13", "property": "messages[0].quickReply.items"}
        ],
        "data of 301": [
            {
                "message": "Length must be between 0 and 300",
                "property": "messages[0].quickReply.items[0].action.data",
            }
        ],
        "text of 5001": [
            {"message": "Length must be between 1 and 5000", "property": "messages[0].text"}
        ],
        "six messages": [{"message": "Size must be between 1 and 5", "property": "messages"}],
        "a typo": [
            {"message": "is not a property of TextMessage", "property": "messages[0].quickreply"}
        ],
        "no such type": [
            {
                "message": StringContaining("not 'txt'"),
                "property": "messages[0].type",
            }
        ],
        "five buttons": [
            {"message": "Size must be between 1 and 4", "property": "messages[0].template.actions"}
        ],
    }
    assert len(line.violations) == len(bad)
    assert line.received(hana.user_id) == []
    assert line.quota.used == 0


async def test_thirteen_quick_replies_and_300_characters_of_data_are_fine(
    line: LineStandIn, line_api: AsyncMessagingApi
) -> None:
    hana = line.add_person("花子")
    data = "d" * 297  # "d...:0" is 299 characters, "d...:12" 300
    items = [
        QuickReplyItem(action=PostbackAction(label=f"{n}", data=f"{data}:{n}")) for n in range(13)
    ]

    await line_api.push_message(
        PushMessageRequest(
            to=hana.user_id,
            messages=[TextMessage(text="選んで", quick_reply=QuickReply(items=items))],
        )
    )

    [message] = line.received(hana.user_id)
    assert len(message.quick_reply) == 13


async def test_a_wrong_access_token_is_refused_with_lines_message(line: LineStandIn) -> None:
    configuration = Configuration(host=line.api_base_url, access_token="not-the-token")
    async with AsyncApiClient(configuration) as client:
        with pytest.raises(ApiException) as refused:
            await AsyncMessagingApi(client).get_message_quota()

    status, body = error_of(refused)
    assert status == 401
    assert body["message"].startswith("Authentication failed.")
    assert line.violations == []


@pytest.mark.line_options(rate_limits=LineRateLimits(multicast_per_second=2))
async def test_multicast_is_rate_limited_per_second(
    line: LineStandIn, line_api: AsyncMessagingApi
) -> None:
    hana = line.add_person("花子")
    request = MulticastRequest(to=[hana.user_id], messages=[text("お知らせ")])

    await line_api.multicast(request)
    await line_api.multicast(request)
    with pytest.raises(ApiException) as limited:
        await line_api.multicast(request)
    await line_api.push_message(PushMessageRequest(to=hana.user_id, messages=[text("個別")]))

    assert error_of(limited) == (
        429,
        {"message": "The API rate limit has been exceeded. Try again later."},
    )
    assert len(line.received(hana.user_id)) == 3


async def test_profiles_of_friends_only(line: LineStandIn, line_api: AsyncMessagingApi) -> None:
    hana = line.add_person("花子", "ja")
    gone = line.add_person("Tom", "en")
    line.unfollows(gone.user_id)

    profile = await line_api.get_profile(hana.user_id)
    with pytest.raises(ApiException) as missing:
        await line_api.get_profile(gone.user_id)

    assert (profile.display_name, profile.language, profile.user_id) == ("花子", "ja", hana.user_id)
    assert error_of(missing) == (404, {"message": "Not found"})


async def test_a_person_who_blocked_the_account_receives_nothing_and_costs_nothing(
    line: LineStandIn, line_api: AsyncMessagingApi
) -> None:
    gone = line.add_person("Tom", "en")
    line.unfollows(gone.user_id)

    answer = await line_api.push_message(PushMessageRequest(to=gone.user_id, messages=[text("x")]))

    assert len(answer.sent_messages) == 1
    assert line.received(gone.user_id) == []
    assert line.quota.used == 0


async def test_photos_and_voice_messages_are_downloaded_from_the_content_api(
    line: LineStandIn, line_bot: SdkBot, line_blob: AsyncMessagingApiBlob
) -> None:
    hana = line.add_person("花子")
    voice = b"\x00\x00\x00\x1cftypM4A voice of hana"
    line.sends_image(hana.user_id)
    line.sends_audio(hana.user_id, voice, duration_ms=2500)
    image, audio = await line_bot.wait_for_events(2)

    photo = await line_blob.get_message_content(image.message.id)
    sound = await line_blob.get_message_content_with_http_info(audio.message.id)
    with pytest.raises(ApiException) as missing:
        await line_blob.get_message_content("123")

    assert bytes(photo) == png()
    assert bytes(sound.data) == voice
    assert sound.headers["Content-Type"] == "audio/x-m4a"
    assert missing.value.status == 404
