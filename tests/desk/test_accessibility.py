"""Every page of the desk in Japanese and English: axe-core finds no serious or critical
accessibility violation. With KYODO_SCREENSHOTS=DIR set (`make screenshots`), each page is also
saved as DIR/<lang>-<page>.png for a reviewer to look at."""

from __future__ import annotations

import json
import os
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.async_api import Page, expect

from bot.domain.people import Actor, Role
from bot.services import conversations, member_import
from tests.desk.conftest import MARIA, TANAKA, Desk
from tests.fixtures.browser import NewContext, needs_chromium, on_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]

AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
SHOTS = os.environ.get("KYODO_SCREENSHOTS")


async def check(page: Page, lang: str, name: str) -> None:
    # The desk's CSP forbids inline scripts; the test context bypasses it to inject axe-core.
    await page.add_script_tag(path=str(AXE))
    result = json.loads(
        await page.evaluate(
            "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"
        )
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], (lang, name, bad)
    assert await page.get_attribute("html", "lang") == lang
    if SHOTS:
        await page.screenshot(path=str(Path(SHOTS) / f"{lang}-{name}.png"), full_page=True)


async def test_every_page_passes_axe_in_japanese_and_english(desk: Desk, new_context: NewContext):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
    await desk.report(TANAKA, 2, 480)
    await desk.report(MARIA, 1, 360)
    report = await desk.report(TANAKA, 1, 120)
    request_id = await desk.service_request()
    await desk.volunteer_application()
    broadcast_id = await desk.scheduled_broadcast()
    context = await new_context(
        locale="ja-JP", bypass_csp=True, viewport={"width": 1024, "height": 768}
    )
    page = await context.new_page()
    async with await desk.store() as store, store.uow() as uow:
        tanaka = await uow.people.by_telegram_id(TANAKA)
        assembly = (await uow.assemblies.upcoming(desk.app.clock.now(), 1))[0]
        shift = (
            await uow.shifts.for_person(
                tanaka.id, desk.app.clock.now(), desk.app.clock.now().replace(year=2100)
            )
        )[0]  # type: ignore[union-attr]
        # Someone imported who has not joined: the Letters page shows a row with its buttons.
        admin = Actor(None, frozenset({Role.ADMIN}), "ja")
        roster = "name,kana,centres\n山田 花子,ヤマダ ハナコ,中央ケアセンター\n".encode()
        await member_import.import_members(uow, admin, roster, desk.app.clock.now(), letters=True)
        # A message to the staff: the Messages list and its conversation page show it.
        maria = await uow.people.by_telegram_id(MARIA)
        assert maria is not None
        writer = Actor(maria.id, maria.roles, "en")
        talk = await conversations.write(
            uow, writer, MARIA, maria.display_name, "I lost my code", desk.app.clock.now()
        )
        await uow.commit()
    link = await desk.link()
    await page.goto(link)
    await check(page, "ja", "00-sign-in")
    await page.get_by_role("button", name="ログインする").click()
    pages = {
        "01-home": "/",
        "02-hours": "/hours",
        "03-reject": f"/hours/{report}/reject",
        "03a-requests": "/requests",
        "03b-request": f"/requests/{request_id}",
        "03c-volunteers": "/volunteers",
        "03d-broadcasts": "/broadcasts",
        "03e-broadcast-new": "/broadcasts/new",
        "03f-broadcast": f"/broadcasts/{broadcast_id}",
        "03g-conversations": "/conversations",
        "03h-conversation": f"/conversations/{talk.conversation_id}",
        "04-shifts-week": "/shifts",
        "05-shift-new": "/shifts/new",
        "06-shift-edit": f"/shifts/{shift.id}",
        "07-shift-import": "/shifts/import",
        "07a-centres": "/centres",
        "07b-centre": f"/centres/{shift.centre_id}",
        "08-assemblies": "/assemblies",
        "09-assembly": f"/assemblies/{assembly.id}",
        "10-assembly-new": "/assemblies/new",
        "10b-assembly-edit": f"/assemblies/{assembly.id}/edit",
        "11-people": "/people",
        "12-person": f"/people/{tanaka.id}",
        "13-invites": "/invites",
        "13c-links": "/links",
        "13a-letters": "/members",
        "13b-deliveries": "/deliveries",
        "13d-line-undelivered": "/deliveries/line",
        "14-audit": "/audit",
        "15-exports": "/exports",
    }
    for lang in ("ja", "en"):
        for name, path in pages.items():
            await page.goto(desk.base + path)
            await check(page, lang, name)
        if lang == "ja":
            await page.get_by_role("button", name="English").click()
            await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.goto(desk.base + "/login/" + "x" * 43)
    await check(page, "ja", "15-refused-link")  # signed out: the browser's language


async def test_the_desk_works_on_a_phone_sized_screen_and_by_keyboard(desk: Desk, page: Page):
    await desk.sign_in(page)
    await page.set_viewport_size({"width": 390, "height": 800})
    await page.goto(desk.base + "/hours")
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    assert await skip.evaluate("(e) => e === document.activeElement")
    await page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # nothing forces sideways scrolling of the whole page
