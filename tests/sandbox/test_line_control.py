"""The LINE stand-in's control API (what the page and a shell use), taps as LINE allows them,
and the stand-in served by the Telegram sandbox's own server."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    ButtonsTemplate,
    Configuration,
    MessageAction,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    TemplateMessage,
    TextMessage,
)

from sandbox.line.standin import LineStandIn
from sandbox.server import SandboxServer
from tests.fixtures.line import SdkBot

CONTROL = "/_sandbox/line"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def control(
    http: aiohttp.ClientSession, base: str, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    async with http.request(method, base + CONTROL + path, json=body) as answer:
        if answer.content_type != "application/json":
            return answer.status, await answer.text()
        return answer.status, await answer.json()


def question() -> TextMessage:
    return TextMessage(
        text="何時間働きましたか？",
        quick_reply=QuickReply(
            items=[
                QuickReplyItem(
                    action=PostbackAction(label="7時間", data="hours:7", display_text="7時間")
                ),
                QuickReplyItem(action=MessageAction(label="8時間", text="8時間です")),
            ]
        ),
    )


def card() -> TemplateMessage:
    return TemplateMessage(
        alt_text="シフト",
        template=ButtonsTemplate(
            text="6月3日 9:00-13:00", actions=[PostbackAction(label="受ける", data="shift:take:3")]
        ),
    )


async def test_a_person_chats_through_the_control_api(
    line: LineStandIn, line_bot: SdkBot, line_api: AsyncMessagingApi, http: aiohttp.ClientSession
) -> None:
    base = line.base_url
    status, person = await control(http, base, "POST", "/people", {"display_name": "花子"})
    assert status == 200
    user = person["userId"]
    voice = base64.b64encode(b"voice").decode()

    await control(http, base, "POST", f"/people/{user}/text", {"text": "こんにちは"})
    await control(http, base, "POST", f"/people/{user}/sticker", {})
    await control(http, base, "POST", f"/people/{user}/audio", {"data_base64": voice})
    events = await line_bot.wait_for_events(3)
    await line_api.push_message(PushMessageRequest(to=user, messages=[question()]))

    _, chat = await control(http, base, "GET", f"/people/{user}/chat")
    assert [m["sender"] for m in chat["messages"]] == ["person"] * 3 + ["bot"]
    assert chat["messages"][0]["message"]["text"] == "こんにちは"
    assert [i["action"]["label"] for i in chat["quickReply"]["items"]] == ["7時間", "8時間"]
    assert line.channel.contents[events[2].message.id].data == b"voice"

    bot_message = chat["messages"][-1]["id"]
    status, event = await control(
        http, base, "POST", f"/people/{user}/tap", {"message_id": bot_message, "label": "7時間"}
    )
    assert status == 200 and event["event"]["postback"] == {"data": "hours:7"}
    _, chat = await control(http, base, "GET", f"/people/{user}/chat")
    assert chat["quickReply"] is None
    assert chat["messages"][-1]["message"]["text"] == "7時間"  # the postback's displayText


async def test_quick_replies_only_under_the_last_message_buttons_for_ever(
    line: LineStandIn, line_bot: SdkBot, line_api: AsyncMessagingApi
) -> None:
    hana = line.add_person("花子")
    await line_api.push_message(PushMessageRequest(to=hana.user_id, messages=[card()]))
    await line_api.push_message(PushMessageRequest(to=hana.user_id, messages=[question()]))
    shift_card, asked = line.received(hana.user_id)

    line.taps(hana.user_id, asked.id, "8時間")  # a message action: the person says it
    with pytest.raises(ValueError, match="last message"):
        line.taps(hana.user_id, asked.id, "7時間")
    line.taps(hana.user_id, shift_card.id, "受ける")  # an old card's button still answers

    said, taken = await line_bot.wait_for_events(2)
    assert said.message.text == "8時間です"
    assert taken.postback.data == "shift:take:3"


async def test_clock_quota_webhook_and_checks_from_the_control_api(
    line: LineStandIn, line_bot: SdkBot, http: aiohttp.ClientSession
) -> None:
    base = line.base_url
    hana = line.add_person("花子")

    _, quota = await control(http, base, "POST", "/quota", {"limit": 5000})
    _, moved = await control(http, base, "POST", "/clock", {"advance": 90})
    _, bad = await control(http, base, "POST", "/webhook/bad-signature", {"user_id": hana.user_id})
    _, check = await control(http, base, "POST", "/webhook/connection-check")
    _, hook = await control(http, base, "GET", "/webhook")

    assert quota == {"limit": 5000, "used": 0, "remaining": 5000}
    assert moved["now"] >= line.clock.now() - 1 and line.clock.offset == 90
    assert (bad, check) == ({"answer": "403"}, {"answer": "200"})
    assert hook == {"url": line_bot.url}
    _, violations = await control(http, base, "GET", "/violations")
    assert violations == []


async def test_unknown_people_and_bad_input_get_a_400(
    line: LineStandIn, http: aiohttp.ClientSession
) -> None:
    base = line.base_url
    assert (await control(http, base, "POST", "/people/U0/text", {"text": "x"}))[0] == 400
    hana = line.add_person("花子")
    empty = await control(http, base, "POST", f"/people/{hana.user_id}/text", {"text": ""})
    assert empty[0] == 400
    assert (await control(http, base, "POST", "/clock", {"advance": -5}))[0] == 400


async def test_the_telegram_sandbox_serves_line_on_its_own_port(
    sandbox: SandboxServer, http: aiohttp.ClientSession
) -> None:
    line = sandbox.line
    hana = line.add_person("花子")
    configuration = Configuration(host=sandbox.base_url, access_token=line.access_token)

    async with AsyncApiClient(configuration) as client:
        await AsyncMessagingApi(client).push_message(
            PushMessageRequest(to=hana.user_id, messages=[TextMessage(text="両方")])
        )
    status, info = await control(http, sandbox.base_url, "GET", "/info")
    async with http.get(sandbox.base_url + "/line") as page:
        html = await page.text()

    assert [m.text for m in line.received(hana.user_id)] == ["両方"]
    assert status == 200 and info["apiBaseUrl"] == sandbox.base_url
    assert page.status == 200 and "LINE" in html
