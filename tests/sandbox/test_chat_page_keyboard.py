"""The chat page shows the bot's reply keyboard (Kyodo's short menu under the chat) under the
typing field, in headless Chromium: a key sends its label as the persona's text, and a
remove_keyboard takes it away."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from sandbox.server import SandboxServer
from tests.fixtures import sandbox_page
from tests.fixtures.browser import needs_chromium, on_the_browser_loop
from tests.fixtures.sandbox_page import SUZUKI
from tests.sandbox.conftest import RawCall

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]

# The chat page's fixtures, made on the browser's event loop (tests/fixtures/sandbox_page.py).
sandbox, http, chat_page = sandbox_page.sandbox, sandbox_page.http, sandbox_page.chat_page


async def test_a_reply_keyboard_is_shown_pressed_and_removed(
    call: RawCall, chat_page: Page
) -> None:
    page = chat_page
    keyboard = page.get_by_test_id("reply-keyboard")
    await expect(keyboard).to_be_hidden()

    status, _ = await call(
        "sendMessage",
        chat_id=SUZUKI,
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
    assert update["message"]["from"]["id"] == SUZUKI

    # The bot answers with inline buttons: the keyboard stays (it is persistent) ...
    await call(
        "sendMessage",
        chat_id=SUZUKI,
        text="あなたのシフト",
        reply_markup={"inline_keyboard": [[{"text": "戻る", "callback_data": "menu"}]]},
    )
    await expect(page.locator(".msg.bot")).to_have_count(2)
    await expect(keyboard).to_be_visible()
    # ... until a message removes it.
    await call(
        "sendMessage", chat_id=SUZUKI, text="片付けました。", reply_markup={"remove_keyboard": True}
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
