"""The staff desk's pages at scale: every page timed through aiohttp's test client, signed in.

Used by bench/export.py once its store holds 1,000,000 hour reports (and 100,000 service
requests): a staff member signs in with a one-time link as `/desk` would give them, then every
GET page of the desk without a path parameter is requested, plus the queues' deep pages (keyset
cursors far into the table) and the audit log's searches. The slowest page is the figure to watch:
pages read one page of rows through indexes, so it should not grow with the store.
"""

# ruff: noqa: S608 -- the generated SQL is built from this script's own integers and names only

from __future__ import annotations

import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.people import Actor, NewPerson, Role
from bot.i18n import I18n
from bot.ports.clock import SystemClock
from bot.services.desk_auth import issue_link, sign_in
from handlers.desk import DeskConfig, make_desk_app
from handlers.desk.context import COOKIE
from storage.uow import SqlStore

AUDIT_ROWS = 200_000


@dataclass
class PageTime:
    path: str
    seconds: float
    status: int
    size: int


async def _fill_audit(engine: AsyncEngine, people: int) -> None:
    """Audit rows about the bench's members, so that the audit search has a table to search."""
    d = engine.dialect.name
    series = (
        f"a(n) AS (SELECT generate_series(0, {AUDIT_ROWS - 1}))"
        if d == "postgresql"
        else f"a(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM a WHERE n + 1 < {AUDIT_ROWS})"
    )
    recursive = "" if d == "postgresql" else "RECURSIVE "
    stamp = (
        "TIMESTAMPTZ '2026-11-01 00:00:00+00' + a.n * INTERVAL '10 seconds'"
        if d == "postgresql"
        else "strftime('%Y-%m-%d %H:%M:%f', '2026-11-01', (a.n * 10) || ' seconds')"
    )
    async with engine.begin() as conn:
        first = (await conn.execute(text("SELECT min(id) FROM people"))).scalar_one()
        await conn.execute(
            text(
                f"WITH {recursive}{series} "
                "INSERT INTO audit_log (at, actor_person_id, action, subject, details) "
                f"SELECT {stamp}, {first} + a.n % {people}, "
                "CASE WHEN a.n % 3 = 0 THEN 'hours.approved' ELSE 'hours.reported' END, "
                f"'person:' || ({first} + a.n % {people}), NULL FROM a"
            )
        )


async def _staff_session(store: SqlStore) -> str:
    now = SystemClock().now()
    async with store.uow() as uow:
        person = await uow.people.add(
            NewPerson(
                99_999_999,
                "ベンチ 担当",
                "ja",
                now,
                roles=frozenset({Role.STAFF, Role.COORDINATOR}),
            )
        )
        token = await issue_link(uow, Actor(person.id, person.roles, "ja"), now)
        signed = await sign_in(uow, token, now)
        await uow.commit()
    return signed.session_id


def _pages(app: web.Application, first_person: int, last_report: int) -> list[str]:
    """Every GET page without a path parameter, and the deep pages and searches."""
    plain = []
    for resource in app.router.resources():
        info = resource.get_info()
        path = info.get("path")
        if not path or "/static" in path:
            continue
        if any(route.method == "GET" for route in resource):
            plain.append(path)  # mounted: the path already starts with /desk
    return [
        *sorted(plain),
        "/desk/hours?centre=2",
        f"/desk/hours?after={last_report - 500}",
        "/desk/people?role=member",
        f"/desk/people?role=member&after={first_person + 5900}",
        f"/desk/audit?person={first_person + 17}",
        f"/desk/audit?actor={first_person + 17}",
        "/desk/audit?action=hours.",
        "/desk/audit?since=2026-11-10&until=2026-11-11",
    ]


Line = tuple[str, float, str]  # what, seconds, detail: a line of bench/export.py's table


async def time_desk_pages(engine: AsyncEngine, repeat: int) -> list[Line]:
    lines: list[Line] = []
    async with engine.connect() as conn:
        people = (await conn.execute(text("SELECT count(*) FROM people"))).scalar_one()
        first = (await conn.execute(text("SELECT min(id) FROM people"))).scalar_one()
        last = (await conn.execute(text("SELECT max(id) FROM hour_reports"))).scalar_one()
        await conn.rollback()
    started = time.perf_counter()
    await _fill_audit(engine, int(people))
    lines.append((f"fill: {AUDIT_ROWS:,} audit rows", time.perf_counter() - started, ""))
    store = SqlStore(engine)
    session = await _staff_session(store)
    tz = ZoneInfo("Asia/Tokyo")
    config = DeskConfig(
        uow=store.uow,
        i18n=I18n(tz, "ja"),
        clock=SystemClock(),
        tz=tz,
        default_locale="ja",
        secure_cookie=False,
    )
    desk = make_desk_app(config)
    root = web.Application()
    root.add_subapp("/desk", desk)
    times: list[PageTime] = []
    async with TestClient(TestServer(root)) as client:
        for path in _pages(desk, int(first), int(last)):
            best = float("inf")
            status = size = 0
            for _ in range(repeat + 1):  # the first is a warm-up
                begun = time.perf_counter()
                response = await client.get(path, headers={"Cookie": f"{COOKIE}={session}"})
                body = await response.read()
                elapsed = time.perf_counter() - begun
                best = min(best, elapsed)
                status, size = response.status, len(body)
            times.append(PageTime(path, best, status, size))
    times.sort(key=lambda p: p.seconds, reverse=True)
    broken = [p for p in times if p.status != 200]
    slowest = times[0]
    detail = f"{slowest.path} ({slowest.size / 1000:.0f} kB)"
    if broken:
        detail += f"; NOT 200: {[(p.path, p.status) for p in broken]}"
    lines.append((f"desk: slowest of {len(times)} pages", slowest.seconds, detail))
    lines.extend(("desk: next slowest", page.seconds, page.path) for page in times[1:4])
    median = sorted(p.seconds for p in times)[len(times) // 2]
    lines.append(("desk: median page", median, f"{len(times)} pages, all 200: {not broken}"))
    return lines
