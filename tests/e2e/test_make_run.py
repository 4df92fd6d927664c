"""The README's first command as a newcomer uses it: `kyodo run` with no token opens the sandbox
with demo data, and a person chats with Kyodo from the browser page, tapping its buttons."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Page, expect

from tests.fixtures.browser import needs_chromium, on_the_browser_loop
from tests.fixtures.cli import kyodo_run, wait_for_page
from tests.net import free_port


@pytest.mark.browser
@needs_chromium
@on_the_browser_loop
async def test_a_coordinator_from_the_demo_data_issues_an_invite_in_the_browser(
    kyodo_sandbox: str, page: Page
):
    await wait_for_page(kyodo_sandbox)
    await page.goto(kyodo_sandbox)
    await page.locator("#persona").select_option("1001")  # 佐藤 花子, staff coordinator
    await page.locator("#text").fill("/start")
    await page.locator("#send").click()
    menu = page.locator(".msg.bot").last
    await expect(menu).to_contain_text("佐藤 花子さん、こんにちは", timeout=10_000)
    await menu.locator("button.inline", has_text="組合員を招待").click()
    invite = page.locator(".msg.bot", has_text="新しい組合員の招待コード")
    await expect(invite).to_contain_text("https://t.me/kyodo_coop_bot?start=", timeout=10_000)


@pytest.mark.browser
@needs_chromium
@on_the_browser_loop
async def test_a_new_stranger_gets_the_english_welcome_and_taps_language(
    kyodo_sandbox: str, page: Page
):
    await wait_for_page(kyodo_sandbox)
    await page.goto(kyodo_sandbox)
    # The demo people are there to pick.
    await expect(page.locator("#persona option", has_text="山本 トメ")).to_have_count(1)
    await page.locator("#persona").select_option("new:en")
    await page.locator("#text").fill("/start")
    await page.locator("#send").click()
    welcome = page.locator(".msg.bot").last
    await expect(welcome).to_contain_text("What would you like to do?", timeout=10_000)
    # No language chosen yet: the welcome itself offers 日本語 / やさしい にほんご / English.
    await welcome.locator("button.inline", has_text="日本語").click()
    await expect(page.locator(".msg.bot").last).to_contain_text(
        "これから日本語でご案内します", timeout=10_000
    )


async def _start_and_read_the_answer(url: str, user_id: int) -> str:
    """Sends /start as a demo person through the sandbox and returns the bot's answer."""
    await wait_for_page(url)
    async with aiohttp.ClientSession() as http:
        before = await _bot_messages(http, url, user_id)
        await http.post(f"{url}_sandbox/send", json={"user_id": user_id, "text": "/start"})
        # Up to a minute: the sandbox's page comes up before Kyodo has started polling it, and
        # on a loaded machine that start can take many seconds (a bound, not a timing claim).
        for _ in range(600):
            messages = await _bot_messages(http, url, user_id)
            # The message that only sets the short menu under the chat comes first; the
            # answer of the same turn follows it (bot/dialogs/keyboard.py).
            if len(messages) > len(before) and not _sets_keyboard(messages[-1]):
                return str(messages[-1]["text"])
            await asyncio.sleep(0.1)
    raise AssertionError("Kyodo did not answer /start")


def _sets_keyboard(message: dict) -> bool:
    markup = message.get("reply_markup") or {}
    return "keyboard" in markup or "remove_keyboard" in markup


async def _bot_messages(http: aiohttp.ClientSession, url: str, user_id: int) -> list[dict]:
    async with http.get(f"{url}_sandbox/chats/{user_id}/bot-messages") as response:
        return list(await response.json())


async def test_a_second_run_on_the_same_store_answers_at_once(tmp_path: Path):
    """The README's first command, twice in a row on the same store: the second run's sandbox
    goes on counting update ids, so its updates are not taken for the first run's (which made
    Kyodo deaf until the new ids passed the old ones)."""
    store = tmp_path / "kyodo.db"
    for run in (1, 2):
        # A port of its own each time: the one the first run let go may be taken meanwhile by
        # another test's listener on an ephemeral port (seen under load: "address in use").
        with kyodo_run(store, free_port()) as url:
            answer = await _start_and_read_the_answer(url, 2001)  # 田中 一郎, demo member
            assert "田中 一郎さん、こんにちは" in answer, (run, answer)
