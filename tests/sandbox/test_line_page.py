"""The LINE-style chat page in headless Chromium: write as a person, see the bot's messages,
tap quick replies, Flex buttons and the rich menu; what the bot sends never becomes markup."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexMessage,
    FlexText,
    MessageAction,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    TextMessage,
)
from playwright.async_api import Page, expect

from sandbox.line.events import png
from sandbox.line.standin import LineStandIn
from tests.fixtures.browser import needs_chromium, on_the_browser_loop
from tests.fixtures.line import SdkBot, fail_on_violations

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]


# The stand-in, a bot's receiver and the SDK's client, on the browser's event loop.
@pytest_asyncio.fixture(loop_scope="session")
async def line(request: pytest.FixtureRequest) -> AsyncIterator[LineStandIn]:
    standin = LineStandIn()
    await standin.start()
    try:
        yield standin
    finally:
        await standin.stop()
    fail_on_violations(request, standin)


@pytest_asyncio.fixture(loop_scope="session")
async def receiver(line: LineStandIn) -> AsyncIterator[SdkBot]:
    bot = SdkBot(line.channel_secret)
    await bot.start()
    line.webhook_url = bot.url
    yield bot
    await bot.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def client(line: LineStandIn) -> AsyncIterator[AsyncApiClient]:
    configuration = Configuration(host=line.api_base_url, access_token=line.access_token)
    async with AsyncApiClient(configuration) as api_client:
        yield api_client


async def test_chatting_and_tapping_like_in_line(
    line: LineStandIn, receiver: SdkBot, client: AsyncApiClient, page: Page
) -> None:
    api = AsyncMessagingApi(client)
    hana = line.add_person("花子")
    await page.goto(f"{line.page_url}?user={hana.user_id}")
    await expect(page.locator("#title")).to_have_text("Kyodo LINE サンドボックス")

    await page.locator("#text").fill("シフトを見たい")
    await page.locator("#send").click()
    [asked] = await receiver.wait_for_events(1)
    assert asked.message.text == "シフトを見たい"

    card = FlexMessage(
        alt_text="6月3日のシフト",
        contents=FlexBubble(
            body=FlexBox(
                layout="vertical",
                contents=[
                    FlexText(text="6月3日 9:00-13:00 <b>倉庫</b>", weight="bold"),
                    FlexButton(action=PostbackAction(label="受ける", data="shift:take:3")),
                ],
            )
        ),
    )
    question = TextMessage(
        text="どうしますか？",
        quick_reply=QuickReply(
            items=[
                QuickReplyItem(
                    action=PostbackAction(label="後で", data="later", display_text="後で")
                ),
                QuickReplyItem(action=MessageAction(label="やめる", text="やめます")),
            ]
        ),
    )
    await api.reply_message(
        ReplyMessageRequest(reply_token=asked.reply_token, messages=[card, question])
    )

    bot_messages = page.get_by_test_id("bot-message")
    await expect(bot_messages).to_have_count(2)
    await expect(bot_messages.first).to_contain_text("6月3日 9:00-13:00 <b>倉庫</b>")
    assert await page.locator(".chat b").count() == 0
    quick = page.get_by_test_id("quick-reply")
    await expect(quick.get_by_role("button")).to_have_text(["後で", "やめる"])

    await quick.get_by_role("button", name="後で").click()
    later = (await receiver.wait_for_events(2))[-1]
    assert later.postback.data == "later"
    await expect(page.get_by_test_id("person-message").last.locator(".bubble")).to_have_text("後で")
    await expect(quick).to_be_hidden()

    await bot_messages.first.get_by_role("button", name="受ける").click()
    taken = (await receiver.wait_for_events(3))[-1]
    assert taken.postback.data == "shift:take:3"

    await api.push_message(PushMessageRequest(to=hana.user_id, messages=[question]))
    await quick.get_by_role("button", name="やめる").click()
    said = (await receiver.wait_for_events(4))[-1]
    assert said.message.text == "やめます"


async def test_the_rich_menu_and_media_on_the_page(
    line: LineStandIn, receiver: SdkBot, client: AsyncApiClient, page: Page
) -> None:
    api, blob = AsyncMessagingApi(client), AsyncMessagingApiBlob(client)
    hana = line.add_person("花子")
    menu_id = (
        await api.create_rich_menu(
            RichMenuRequest(
                size=RichMenuSize(width=2500, height=843),
                selected=True,
                name="member",
                chat_bar_text="メニュー",
                areas=[
                    RichMenuArea(
                        bounds=RichMenuBounds(x=n * 1250, y=0, width=1250, height=843),
                        action=PostbackAction(label=label, data=f"menu:{label}"),
                    )
                    for n, label in enumerate(["時間", "シフト"])
                ],
            )
        )
    ).rich_menu_id
    await blob.set_rich_menu_image(menu_id, png(2500, 843), _headers={"Content-Type": "image/png"})
    await api.link_rich_menu_id_to_user(hana.user_id, menu_id)

    await page.goto(f"{line.page_url}?user={hana.user_id}")
    areas = page.get_by_test_id("menu-area")
    await expect(areas).to_have_text(["時間", "シフト"])
    await areas.nth(1).click()
    await page.get_by_test_id("photo").click()
    await page.get_by_test_id("voice").click()

    tapped, photo, voice = await receiver.wait_for_events(3)
    assert tapped.postback.data == "menu:シフト"
    assert (photo.message.type, voice.message.type) == ("image", "audio")
    image = page.locator(".msg.person img")
    await expect(image).to_have_count(1)
    assert await image.evaluate("img => img.naturalWidth") > 0

    await page.get_by_test_id("block").click()
    [unfollowed] = (await receiver.wait_for_events(4))[-1:]
    assert unfollowed.type == "unfollow"
    await expect(page.locator("#send")).to_be_disabled()
