"""Every page of the desk in Japanese and English: axe-core finds no serious or critical
accessibility violation. With KYODO_SCREENSHOTS=DIR set (`make screenshots`), each page is also
saved as DIR/<lang>-<page>.png for a reviewer to look at.

One test per page (both languages), so that parallel runs spread the pages over their workers:
they share one Kyodo with the pages' data and one signed-in browser page per module and
worker (`site`), set up once, where a test of all pages took over half a minute on one worker."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import axe_playwright_python
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from bot.domain.people import Actor, Role
from bot.ports.clock import SystemClock
from bot.services import conversations, member_import
from kyodo.app import KyodoApp, open_store
from kyodo.demo import load_demo
from tests.desk.conftest import MARIA, TANAKA, Desk
from tests.fixtures.browser import needs_chromium, on_the_browser_loop
from tests.fixtures.kyodo import kyodo_settings
from tests.fixtures.sandbox import serve_sandbox

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


# The signed-in pages, each with the ids of the rows `site` makes for it ({report}...).
PAGES = {
    "01-home": "/",
    "02-hours": "/hours",
    "03-reject": "/hours/{report}/reject",
    "03a-requests": "/requests",
    "03b-request": "/requests/{request_id}",
    "03c-volunteers": "/volunteers",
    "03d-broadcasts": "/broadcasts",
    "03e-broadcast-new": "/broadcasts/new",
    "03f-broadcast": "/broadcasts/{broadcast_id}",
    "03g-conversations": "/conversations",
    "03h-conversation": "/conversations/{conversation}",
    "04-shifts-week": "/shifts",
    "05-shift-new": "/shifts/new",
    "06-shift-edit": "/shifts/{shift}",
    "07-shift-import": "/shifts/import",
    "07a-centres": "/centres",
    "07b-centre": "/centres/{centre}",
    "08-assemblies": "/assemblies",
    "09-assembly": "/assemblies/{assembly}",
    "10-assembly-new": "/assemblies/new",
    "10b-assembly-edit": "/assemblies/{assembly}/edit",
    "11-people": "/people",
    "12-person": "/people/{tanaka}",
    "13-invites": "/invites",
    "13c-links": "/links",
    "13a-letters": "/members",
    "13b-deliveries": "/deliveries",
    "13d-line-undelivered": "/deliveries/line",
    "14-audit": "/audit",
    "15-exports": "/exports",
}


@dataclass
class Site:
    desk: Desk
    page: Page  # signed in as the demo's coordinator, on a 1024x768 screen
    ids: dict[str, int]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(
    request: pytest.FixtureRequest, browser: Browser, tmp_path_factory, sqlite_template: Path
) -> AsyncIterator[Site]:
    """Kyodo with the demo co-op and a row for every page that shows one, and a browser page
    signed in through the link `/desk` sends."""
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
    async for sandbox in serve_sandbox(request):
        db = tmp_path_factory.mktemp("axe") / "kyodo.db"
        shutil.copyfile(sqlite_template, db)
        app = KyodoApp(kyodo_settings(sandbox, "aiohttp", db))
        await app.start()
        context = None
        try:
            async with open_store(app.settings) as store, store.uow() as uow:
                await load_demo(uow, SystemClock().now(), app.settings.tz)
                await uow.commit()
            desk = Desk(app, sandbox)
            ids = await _rows_to_show(desk)
            context = await browser.new_context(
                locale="ja-JP", bypass_csp=True, viewport={"width": 1024, "height": 768}
            )
            page = await context.new_page()
            await page.goto(await desk.link())
            await page.get_by_role("button", name="ログインする").click()
            await page.wait_for_url(desk.base + "/")
            yield Site(desk, page, ids)
        finally:
            if context is not None:
                await context.close()
            await app.stop()


async def _rows_to_show(desk: Desk) -> dict[str, int]:
    await desk.report(TANAKA, 2, 480)
    await desk.report(MARIA, 1, 360)
    report = await desk.report(TANAKA, 1, 120)
    request_id = await desk.service_request()
    await desk.volunteer_application()
    broadcast_id = await desk.scheduled_broadcast()
    async with await desk.store() as store, store.uow() as uow:
        tanaka = await uow.people.by_telegram_id(TANAKA)
        assert tanaka is not None
        assembly = (await uow.assemblies.upcoming(desk.app.clock.now(), 1))[0]
        shift = (
            await uow.shifts.for_person(
                tanaka.id, desk.app.clock.now(), desk.app.clock.now().replace(year=2100)
            )
        )[0]
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
    return {
        "report": report,
        "request_id": request_id,
        "broadcast_id": broadcast_id,
        "conversation": talk.conversation_id,
        "shift": shift.id,
        "centre": shift.centre_id,
        "assembly": assembly.id,
        "tanaka": tanaka.id,
    }


async def choose_language(page: Page, lang: str) -> None:
    """The desk's own language buttons (on every signed-in page): the choice is the staff
    member's, kept in the store, so the page comes back in it."""
    if await page.get_attribute("html", "lang") != lang:
        await page.locator(f'form[action="/desk/language"] button[value="{lang}"]').click()
        await expect(page.locator("html")).to_have_attribute("lang", lang)


@pytest.mark.parametrize("name", list(PAGES))
async def test_every_page_passes_axe_in_japanese_and_english(site: Site, name: str):
    url = site.desk.base + PAGES[name].format(**site.ids)
    await site.page.goto(url)
    # First in the language the previous page's test ended in: one switch a page, not two.
    first = await site.page.get_attribute("html", "lang")
    for lang in ("en", "ja") if first == "en" else ("ja", "en"):
        await choose_language(site.page, lang)
        assert site.page.url == url  # the language buttons come back to the same page
        await check(site.page, lang, name)


async def test_every_page_passes_axe_signed_out_too(site: Site, browser: Browser):
    """The sign-in page a link opens, and the page of a link that is no link: in the browser's
    language (no one is signed in); the coordinator's own is Japanese too, as it was at first."""
    await site.page.goto(site.desk.base + "/")
    await choose_language(site.page, "ja")
    context = await browser.new_context(
        locale="ja-JP", bypass_csp=True, viewport={"width": 1024, "height": 768}
    )
    try:
        page = await context.new_page()
        await page.goto(await site.desk.link())
        await check(page, "ja", "00-sign-in")
        await page.goto(site.desk.base + "/login/" + "x" * 43)
        await check(page, "ja", "15-refused-link")
    finally:
        await context.close()


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
