"""The browser chat page in headless Chromium: chat as a persona, see the bot, tap its buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from sandbox.server import SandboxServer
from tests.fixtures.browser import needs_chromium, on_the_browser_loop
from tests.fixtures.sandbox import serve_sandbox
from tests.sandbox.conftest import RawCall

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]


# The sandbox and its HTTP client, on the browser's event loop (tests/fixtures/browser.py).
@pytest_asyncio.fixture(loop_scope="session")
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[SandboxServer]:
    async for server in serve_sandbox(request):
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_chatting_with_the_bot_from_the_page(
    sandbox: SandboxServer, call: RawCall, page: Page
) -> None:
    sandbox.add_persona(3001, "鈴木", "ja", label="鈴木さん（組合員）")
    await page.goto(sandbox.page_url)
    await expect(page.locator("#title")).to_have_text("Kyodo サンドボックス")

    await page.locator("#persona").select_option("3001")
    await page.locator("#text").fill("7時間働きました")
    await page.locator("#send").click()

    status, body = await call("getUpdates", timeout=5)
    assert status == 200
    [update] = body["result"]
    assert update["message"]["text"] == "7時間働きました"
    assert update["message"]["from"]["id"] == 3001

    await call(
        "sendMessage",
        chat_id=3001,
        parse_mode="HTML",
        text="<b>7時間</b>で記録しますか？ <i>&lt;確認&gt;</i> &lt;script&gt;",
        reply_markup={
            "inline_keyboard": [
                [
                    {"text": "はい", "callback_data": "hours:ok:7"},
                    {"text": "いいえ", "callback_data": "hours:no"},
                ]
            ]
        },
    )
    bot_message = page.locator(".msg.bot")
    await expect(bot_message).to_have_count(1)
    await expect(bot_message.locator("strong")).to_have_text("7時間")
    await expect(bot_message).to_contain_text("<確認>")
    await expect(bot_message).to_contain_text("<script>")
    assert await page.locator(".msg.bot script").count() == 0

    await page.locator(".msg.bot button.inline", has_text="はい").click()

    status, body = await call("getUpdates", offset=update["update_id"] + 1, timeout=5)
    [pressed] = body["result"]
    assert pressed["callback_query"]["data"] == "hours:ok:7"
    assert pressed["callback_query"]["from"]["id"] == 3001

    await call(
        "answerCallbackQuery",
        callback_query_id=pressed["callback_query"]["id"],
        text="記録しました",
    )
    await expect(page.locator("#toast")).to_have_text("記録しました")


async def test_a_new_stranger_in_english_and_the_language_toggle(
    sandbox: SandboxServer, call: RawCall, page: Page
) -> None:
    await page.goto(sandbox.page_url)
    await page.locator("#ui-lang").click()
    await expect(page.locator("#send")).to_have_text("Send")
    await expect(page.locator("html")).to_have_attribute("lang", "en")

    await page.locator("#persona").select_option("new:en")
    await expect(page.locator("#text")).to_be_enabled()
    await page.locator("#text").fill("hello")
    await page.locator("#text").press("Enter")

    _, body = await call("getUpdates", timeout=5)
    user = body["result"][0]["message"]["from"]
    assert user["language_code"] == "en"
    assert user["id"] in {p["id"] for p in sandbox.personas}
    await expect(page.locator(".msg.user .text")).to_have_text(["hello"])
