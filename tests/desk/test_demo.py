"""The reviewer's way in: `kyodo run` with no token (what `make run` starts), the demo staff
coordinator sends /desk on the sandbox page, and the link there opens the desk."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.fixtures.browser import needs_chromium, on_the_browser_loop
from tests.fixtures.cli import wait_for_page


@pytest.mark.browser
@needs_chromium
@on_the_browser_loop
async def test_the_demo_coordinator_opens_the_desk_from_the_sandbox_page(
    kyodo_sandbox: str, page: Page
):
    await wait_for_page(kyodo_sandbox)
    await page.goto(kyodo_sandbox)
    await page.locator("#persona").select_option("1001")  # 佐藤 花子, staff coordinator
    await page.locator("#text").fill("/desk")
    await page.locator("#send").click()
    answer = page.locator(".msg.bot", has_text="ログインリンク")
    await expect(answer).to_contain_text("/desk/login/", timeout=10_000)
    link = re.search(r"http://\S+/desk/login/[A-Za-z0-9_-]+", await answer.inner_text())
    assert link is not None
    await page.goto(link.group(0))
    await page.get_by_role("button", name="ログインする").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("スタッフデスク")
    await page.get_by_role("link", name=re.compile("週間シフト|シフト")).first.click()
    await expect(page.locator("table.week")).to_be_visible()
