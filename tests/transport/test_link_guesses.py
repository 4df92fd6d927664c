"""Guessing at links costs a guesser a minute and Kyodo one audit row: desk sign-in links and
calendar links alike. Ten refused guesses from one address in a minute, and the next are refused
(429) before anything is looked up; the guesses of each minute are one audit row naming the
address, written when the minute is over."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.domain.people import Actor, NewPerson, Role
from bot.services.shift_swaps import new_calendar_token
from handlers.desk import DeskConfig, setup_desk
from handlers.web import setup_ical
from tests.fakes.memory_store import MemoryStore
from tests.fixtures.core import FakeClock

T0 = datetime(2026, 11, 22, 0, 0, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


async def serve(app: web.Application):
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


def rows(store: MemoryStore, action: str) -> list[dict]:
    return [a.details or {} for a in store.state.audit if a.action == action]


async def test_desk_link_guesses_are_throttled_and_written_once_a_minute(i18n, clock):
    store = MemoryStore()
    config = DeskConfig(store.uow, i18n, clock, ZoneInfo("Asia/Tokyo"), "ja", secure_cookie=False)
    app = web.Application()
    setup_desk(app, config)
    client = await serve(app)
    try:
        statuses = []
        for n in range(12):
            guess = f"/desk/login/{'g' * 40}{n:03d}"
            method = client.get if n % 2 else client.post
            statuses.append((await method(guess)).status)
        assert statuses == [403] * 10 + [429, 429]
        assert rows(store, "desk.sign_in_refused") == []  # nothing written per guess
        clock.advance(minutes=1)
        await client.get(
            "/desk/login/" + "h" * 43
        )  # the next request writes the minute that is over
        [row] = rows(store, "desk.sign_in_refused")
        assert row["client"] == "127.0.0.1" and row["count"] == 12
        assert row["why"] == {"desk_link_unknown": 10, "throttled": 2}
    finally:
        await client.close()


async def test_calendar_guesses_too_and_a_link_dies_with_its_owners_role(i18n, clock):
    store = MemoryStore()
    async with store.uow() as uow:
        member = await uow.people.add(
            NewPerson(5005, "田中", "ja", clock.now(), roles=frozenset({Role.MEMBER}))
        )
        token = await new_calendar_token(uow, Actor(member.id, member.roles, "ja"), clock.now())
        await uow.commit()
    app = web.Application()
    setup_ical(app, store.uow, i18n, clock)
    client = await serve(app)
    try:
        assert (await client.get(f"/calendar/{token}.ics")).status == 200
        async with store.uow() as uow:
            await uow.people.remove_role(member.id, Role.MEMBER)
            await uow.commit()
        assert (await client.get(f"/calendar/{token}.ics")).status == 404  # the role went
        for n in range(10):
            await client.get(f"/calendar/{'x' * 30}{n:02d}.ics")
        assert (await client.get(f"/calendar/{token}.ics")).status == 429
        clock.advance(minutes=1)
        await client.get("/calendar/short.ics")
        [row] = rows(store, "calendar.refused")[-1:]
        assert row["client"] == "127.0.0.1" and row["count"] == 12
        assert [r["why"] for r in rows(store, "calendar.refused") if "client" not in r] == ["role"]
    finally:
        await client.close()
