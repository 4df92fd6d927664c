"""The chat page shows the bot's reply keyboard (Kyodo's short menu under the chat) under the
typing field, in headless Chromium: a key sends its label as the persona's text, and a
remove_keyboard takes it away."""

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


async def test_a_reply_keyboard_is_shown_pressed_and_removed(
    sandbox: SandboxServer, call: RawCall, page: Page
) -> None:
    sandbox.add_persona(3001, "鈴木", "ja", label="鈴木さん（組合員）")
    await page.goto(sandbox.page_url)
    await page.locator("#persona").select_option("3001")
    keyboard = page.get_by_test_id("reply-keyboard")
    await expect(keyboard).to_be_hidden()

    status, _ = await call(
        "sendMessage",
        chat_id=3001,
        text="よく使うボタンを、入力欄の下に置きました。",
        reply_markup={
            "keyboard": [[{"text": "⏱ 時間"}, {"text": "📅 シフト"}], [{"text": "≡ その他"}]],
            "is_persistent": True,
            "resize_keyboard": True,
        },
    )
    assert status == 200
    await expect(keyboard).to_be_visible()
    await expect(keyboard.locator("button.reply")).to_have_text(["⏱ 時間", "📅 シフト", "≡ その他"])

    await keyboard.locator("button.reply", has_text="シフト").click()
    status, body = await call("getUpdates", timeout=5)
    [update] = body["result"]
    assert update["message"]["text"] == "📅 シフト"
    assert update["message"]["from"]["id"] == 3001

    # The bot answers with inline buttons: the keyboard stays (it is persistent) ...
    await call(
        "sendMessage",
        chat_id=3001,
        text="あなたのシフト",
        reply_markup={"inline_keyboard": [[{"text": "戻る", "callback_data": "menu"}]]},
    )
    await expect(page.locator(".msg.bot")).to_have_count(2)
    await expect(keyboard).to_be_visible()
    # ... until a message removes it.
    await call(
        "sendMessage", chat_id=3001, text="片付けました。", reply_markup={"remove_keyboard": True}
    )
    await expect(keyboard).to_be_hidden()


@pytest.mark.sandbox_violations_expected
async def test_a_keyboard_the_bot_api_would_refuse_is_refused(
    sandbox: SandboxServer, call: RawCall
) -> None:
    """A key without its text, or a keyboard that is not rows of keys: 400, nothing shown."""
    sandbox.add_persona(3002, "高橋", "ja")
    status, body = await call(
        "sendMessage", chat_id=3002, text="x", reply_markup={"keyboard": [[{"label": "時間"}]]}
    )
    assert status == 400, body
    status, body = await call(
        "sendMessage", chat_id=3002, text="x", reply_markup={"keyboard": ["時間"]}
    )
    assert status == 400, body
    assert sandbox.messages_to(3002) == []
    assert len(sandbox.violations) == 2
