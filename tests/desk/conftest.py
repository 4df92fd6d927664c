"""The desk's browser tests: Kyodo running for real against the sandbox (aiohttp transport),
the demo co-op loaded, and a staff member who signs in with the link `/desk` sends them.

The fixtures here run on the session's event loop, the shared browser's (tests/fixtures/browser.py):
every test module in this directory carries ``on_the_browser_loop`` in its pytestmark."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from playwright.async_api import Page
from sqlalchemy import select, update

from bot.domain.broadcasts import Audience, AudienceKind, BroadcastKind, Draft
from bot.domain.coop import WorkKind
from bot.domain.people import Actor, Role
from bot.domain.people import Person as Someone  # a Person of the store, not a persona
from bot.domain.requests import (
    DEFAULT_AREAS,
    ForWhom,
    RequestForm,
    ServiceKind,
    TimeWindow,
)
from bot.domain.undo import HELD_PREFIX
from bot.ports.clock import SystemClock
from bot.ports.store import UnitOfWork
from bot.services import conversations
from bot.services.broadcasts import create as create_broadcast
from bot.services.hours import report_hours
from bot.services.requests import submit
from bot.services.volunteers import ApplicationForm
from bot.services.volunteers import submit as apply_to_volunteer
from kyodo.app import KyodoApp, open_store
from kyodo.demo import load_demo
from storage.models import HourReportRow, OutboxRow
from tests.fixtures.browser import NewContext
from tests.fixtures.kyodo import Person, kyodo_settings
from tests.fixtures.sandbox import serve_sandbox

LINK = re.compile(r"(http://\S+/desk/login/[A-Za-z0-9_-]+)")
HANAKO = 1001  # the demo's staff coordinator (staff and admin), Japanese
TANAKA, MARIA = 2001, 2002  # the demo's members
RESIDENT = 4001  # the demo's elderly resident, 山本 トメ


@dataclass
class Desk:
    app: KyodoApp
    sandbox: Any

    @property
    def base(self) -> str:
        return self.app.desk_url

    def person(self, user_id: int, name: str, language: str = "ja") -> Person:
        user = {"id": user_id, "is_bot": False, "first_name": name, "language_code": language}
        return Person(self.sandbox, user)

    async def link(self, user_id: int = HANAKO) -> str:
        """What a staff member gets when they send /desk in Telegram."""
        staff = self.person(user_id, "花子")
        before = len(staff.messages)
        self.sandbox.user_sends(staff.user, "/desk")
        # Staff cards (new reports...) may arrive in the same chat: look for the link itself.
        for count in range(before + 1, before + 20):
            messages = await self.sandbox.wait_for_messages(staff.id, count, timeout=10)
            for message in messages[before:]:
                found = LINK.search(message.text)
                if found:
                    return found.group(1)
        raise AssertionError("no sign-in link arrived")

    async def sign_in(self, page: Page, user_id: int = HANAKO) -> None:
        await page.goto(await self.link(user_id))
        await page.get_by_role("button", name=re.compile("ログインする|Sign in")).click()
        await page.wait_for_url(self.base + "/")

    async def store(self):
        return open_store(self.app.settings)

    @asynccontextmanager
    async def person_in_store(self, telegram_id: int) -> AsyncIterator[tuple[UnitOfWork, Someone]]:
        """A unit of work on Kyodo's store and the person of this Telegram user in it."""
        async with open_store(self.app.settings) as store, store.uow() as uow:
            person = await uow.people.by_telegram_id(telegram_id)
            assert person is not None
            yield uow, person

    async def undo_window_over(self) -> None:
        """The notices held while an action may be undone (bot.domain.undo) go now, as they do
        once its few minutes are over (the app runs on the real clock)."""
        async with await self.store() as store, store.engine.begin() as db:
            await db.execute(
                update(OutboxRow)
                .where(OutboxRow.dedupe_key.startswith(HELD_PREFIX))
                .values(not_before=SystemClock().now())
            )

    async def report(self, telegram_id: int, days_ago: int, minutes: int) -> int:
        """A member's pending hour report, as the Telegram dialog would store it."""
        now = SystemClock().now()
        today = now.astimezone(self.app.settings.tz).date()
        async with self.person_in_store(telegram_id) as (uow, person):
            centre = (await uow.centres.all())[0]
            actor = Actor(person.id, person.roles, "ja")
            report = await report_hours(
                uow,
                actor,
                day=today - timedelta(days=days_ago),
                centre_id=centre.id,
                kind=WorkKind.ELDERLY_CARE,
                minutes=minutes,
                note=None,
                today=today,
                window_days=31,
                now=now,
            )
            await uow.commit()
        return report.id

    async def service_request(
        self, telegram_id: int = RESIDENT, voice_file_ids: tuple[str, ...] = ()
    ) -> int:
        """A resident's new request, as the request dialog stores it after their consent, with
        the voice notes and photos of these Telegram file ids."""
        now = SystemClock().now()
        async with self.person_in_store(telegram_id) as (uow, person):
            view = await submit(
                uow,
                Actor(person.id, person.roles, "ja"),
                RequestForm(
                    kind=ServiceKind.HOME_CLEANING,
                    for_whom=ForWhom.SELF,
                    days=(),
                    time_window=TimeWindow.MORNING,
                    area=DEFAULT_AREAS[0].code,
                    address="中央区日本橋1-2-3",
                    phone="090-1234-5678",
                    details="台所の掃除をお願いしたいです",
                    voice_file_ids=voice_file_ids,
                ),
                consent=True,
                today=self.today(),
                areas=DEFAULT_AREAS,
                now=now,
            )
            await uow.commit()
        return view.request.id

    async def volunteer_application(self, telegram_id: int = RESIDENT) -> int:
        """Someone's application to volunteer, as the sign-up dialog stores it."""
        now = SystemClock().now()
        async with self.person_in_store(telegram_id) as (uow, person):
            application = await apply_to_volunteer(
                uow,
                Actor(person.id, person.roles, "ja"),
                ApplicationForm(
                    name="山本 トメ",
                    phone="090-1234-5678",
                    interests=["elderly_care", "events"],
                    availability=["mon:am", "wed:pm"],
                    languages=["ja"],
                    skills=["cooking"],
                    skills_note="調理師免許",
                    consent=True,
                ),
                now,
            )
            await uow.commit()
        return application.id

    async def scheduled_broadcast(self) -> int:
        """A broadcast to all members, due tomorrow (so nothing is sent during the test)."""
        now = SystemClock().now()
        async with self.person_in_store(HANAKO) as (uow, staff):
            broadcast = await create_broadcast(
                uow,
                Actor(staff.id, staff.roles, "ja"),
                Draft(Audience(AudienceKind.MEMBERS), BroadcastKind.NOTICE, "お知らせ", "Notice"),
                now=now,
                send_at=now + timedelta(days=1),
            )
            await uow.commit()
        return broadcast.id

    async def set_roles(self, telegram_id: int, roles: set[Role]) -> None:
        async with self.person_in_store(telegram_id) as (uow, person):
            for role in person.roles - roles:
                await uow.people.remove_role(person.id, role)
            for role in roles - person.roles:
                await uow.people.add_role(person.id, role)
            await uow.commit()

    def today(self) -> date:
        return SystemClock().now().astimezone(self.app.settings.tz).date()


class _Text(HTMLParser):
    """A page's visible text: all of it, the <main> element's, and each <h1>'s, and the first
    value of each named hidden input (the forms' csrf)."""

    def __init__(self) -> None:
        super().__init__()
        self.all: list[str] = []
        self.main: list[str] = []
        self.h1: list[str] = []
        self.inputs: dict[str, str] = {}
        self._in_main = self._in_h1 = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "main":
            self._in_main += 1
        elif tag == "h1":
            self._in_h1 += 1
            self.h1.append("")
        elif tag in ("script", "style", "title"):
            self._skip += 1
        elif tag == "input" and found.get("name"):
            self.inputs.setdefault(str(found["name"]), found.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main -= 1
        elif tag == "h1":
            self._in_h1 -= 1
        elif tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.all.append(data)
        if self._in_main:
            self.main.append(data)
        if self._in_h1:
            self.h1[-1] += data


@dataclass
class Answer:
    """One response of the desk, read as a person would: status, final URL and the text."""

    status: int
    url: str
    html: str
    content_type: str
    text: _Text = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.text = _Text()
        self.text.feed(self.html)

    @property
    def main(self) -> str:
        return " ".join(" ".join(self.text.main).split())

    @property
    def h1(self) -> str:
        return " ".join(self.text.h1[0].split()) if self.text.h1 else ""

    def input(self, name: str) -> str:
        return self.text.inputs[name]


@dataclass
class DeskClient:
    """The desk over plain HTTP, without a browser: aiohttp's client with its own cookie jar and
    a Japanese browser's Accept-Language, for the tests that only GET/POST pages and read the
    HTML. What needs a browser (JavaScript, axe, the browser's own form checks) uses ``page``."""

    desk: Desk
    http: aiohttp.ClientSession

    def _url(self, path_or_url: str) -> str:
        return path_or_url if path_or_url.startswith("http") else self.desk.base + path_or_url

    async def get(self, path_or_url: str) -> Answer:
        async with self.http.get(self._url(path_or_url)) as response:
            return Answer(
                response.status, str(response.url), await response.text(), response.content_type
            )

    async def post(self, path_or_url: str, data: dict[str, str] | None = None) -> Answer:
        async with self.http.post(self._url(path_or_url), data=data or {}) as response:
            return Answer(
                response.status, str(response.url), await response.text(), response.content_type
            )

    async def sign_in(self, user_id: int = HANAKO) -> Answer:
        """The link from Telegram, opened and its button pressed (a POST to the same link)."""
        link = await self.desk.link(user_id)
        assert (await self.get(link)).status == 200
        home = await self.post(link)
        assert home.status == 200 and home.url == self.desk.base + "/", home.url
        return home

    async def csrf(self, path: str = "/") -> str:
        return (await self.get(path)).input("csrf")

    def forget_cookies(self) -> None:
        self.http.cookie_jar.clear()


@pytest_asyncio.fixture(loop_scope="session")
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    async for server in serve_sandbox(request):
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def desk(sandbox: Any, tmp_path: Path) -> AsyncIterator[Desk]:
    app = KyodoApp(kyodo_settings(sandbox, "aiohttp", tmp_path / "kyodo.db"))
    await app.start()
    async with open_store(app.settings) as store, store.uow() as uow:
        await load_demo(uow, SystemClock().now(), app.settings.tz)
        await uow.commit()
    yield Desk(app, sandbox)
    await app.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def web(desk: Desk) -> AsyncIterator[DeskClient]:
    """The desk through aiohttp's client, no browser: see DeskClient."""
    jar = aiohttp.CookieJar(unsafe=True)  # the desk listens on 127.0.0.1, an IP address
    headers = {"Accept-Language": "ja-JP,ja;q=0.9"}
    async with aiohttp.ClientSession(cookie_jar=jar, headers=headers) as http:
        yield DeskClient(desk, http)


@pytest_asyncio.fixture(loop_scope="session")
async def en_page(new_context: NewContext) -> Page:
    return await (await new_context(locale="en-GB")).new_page()


# Helpers several desk test modules share (test modules never import each other).


async def writes(desk: Desk, telegram_id: int, text: str, **media: object) -> tuple[int, int]:
    """The member's message to the staff, as the dialog stores it after their Yes."""
    async with desk.person_in_store(telegram_id) as (uow, person):
        actor = Actor(person.id, person.roles, person.locale or "en")
        message = await conversations.write(
            uow, actor, telegram_id, person.display_name, text, SystemClock().now(), **media
        )
        await uow.commit()
    return message.conversation_id, message.id


async def statuses(desk: Desk) -> dict[int, tuple[str, str | None]]:
    async with await desk.store() as store, store.engine.connect() as db:
        rows = await db.execute(
            select(HourReportRow.id, HourReportRow.status, HourReportRow.reason)
        )
        return {row.id: (row.status, row.reason) for row in rows}
