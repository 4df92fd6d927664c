"""Two Kyodo replicas on one PostgreSQL database share the sending and elect one scheduler.

Two real `kyodo run` processes in webhook mode (the sandbox delivers updates to the one that
registered last; both send from the shared outbox) run against a real PostgreSQL server and the
sandbox. Each process talks to the sandbox through its own counting proxy, so the test sees who
sent what. A notice is published to 150 members with a reminder due 20 seconds later:

- exactly one process leads (runs the scheduler); the leader fans the notice out;
- both processes deliver notices (outbox rows claimed with FOR UPDATE SKIP LOCKED);
- the leader is SIGKILLed midway; the other takes over leadership within seconds, sends the
  reminder when it comes due and the rows the dead one had claimed once their lease runs out;
- every member got the notice and the reminder; the outbox holds exactly one row of each per
  member; a copy may repeat only if it was on the wire at the kill, and the test counts those.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.config import load_settings
from bot.domain.coop import NewAssembly
from bot.domain.people import Actor, NewPerson, Role
from bot.services import assemblies
from kyodo.app import open_store
from sandbox.ratelimit import RateLimits
from storage.migrate import upgrade
from storage.models import OutboxRow, ScheduledSendRow
from tests.e2e.processes import start_kyodo, wait_until
from tests.net import free_port

MEMBERS = 150
RATE = 30  # messages per second each replica allows itself
LEASE = 6  # seconds before a dead replica's claimed rows go out again
REMINDER_IN = 12  # seconds from publishing the notice to its reminder
LEADS = re.compile(r"scheduler: this process \(pid (\d+)\) leads")

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


class CountingProxy:
    """Forwards Bot API calls to the sandbox and counts the messages one replica sent."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.sent: Counter[int] = Counter()  # chat id -> sendMessage calls that succeeded
        self.texts: list[str] = []  # what those messages said
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.port = free_port()

    async def start(self) -> None:
        self._http = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
        async with self._http.request(
            request.method, self.target + request.path_qs, data=body, headers=headers
        ) as answer:
            payload = await answer.read()
            if request.path.endswith("/sendMessage") and answer.status == 200:
                reply = await answer.json()
                self.sent[int(reply["result"]["chat"]["id"])] += 1
                self.texts.append(str(reply["result"].get("text", "")))
            return web.Response(
                status=answer.status, body=payload, content_type=answer.content_type
            )


def start_replica(sandbox, proxy: CountingProxy, url: str, log: Path):
    port = free_port()
    return start_kyodo(
        sandbox,
        log,
        api_base_url=f"http://127.0.0.1:{proxy.port}/bot",
        KYODO_TRANSPORT="aiohttp",
        DATABASE_URL=url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_SECRET="replicas-secret_0123456789abcdefghij",
        WEBHOOK_LISTEN_PORT=str(port),
        KYODO_GLOBAL_RATE=str(RATE),
        KYODO_SCHEDULER_TICK="0.5",
        KYODO_OUTBOX_LEASE=str(LEASE),
        KYODO_LOG_LEVEL="INFO",
    )


def leads(log: Path) -> list[int]:
    """The pids that logged taking the lead in one replica's log."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return [int(pid) for pid in LEADS.findall(text)]


def leaders(*logs: Path) -> list[int]:
    return [pid for log in logs for pid in leads(log)]


async def members(url: str) -> list[int]:
    settings = load_settings({"DATABASE_URL": url})
    ids = [70_000 + i for i in range(MEMBERS)]
    async with open_store(settings) as store, store.uow() as uow:
        now = datetime.now(UTC)
        for tg in ids:
            language = "en" if tg % 2 else "ja"
            roles = frozenset({Role.MEMBER})
            await uow.people.add(NewPerson(tg, f"M{tg}", language, now, None, roles))
        await uow.commit()
    return ids


async def publish(url: str, reminder_in: timedelta) -> int:
    """A notice published now for an assembly 2 hours and `reminder_in` from now, reminded
    2 hours before: the notice is due at once, the reminder in `reminder_in`."""
    settings = load_settings({"DATABASE_URL": url})
    now = datetime.now(UTC)
    starts = now + timedelta(hours=2) + reminder_in
    admin = Actor(None, frozenset({Role.ADMIN}), "ja")
    draft = NewAssembly("臨時総会", "Extraordinary Assembly", starts, "本部", "HQ", starts)
    async with open_store(settings) as store, store.uow() as uow:
        assembly = await assemblies.publish(uow, admin, draft, now, (timedelta(hours=2),))
        await uow.commit()
    return assembly.id


@pytest.mark.sandbox_options(rate_limits=RateLimits(global_rate=100, global_burst=100))
async def test_two_replicas_share_the_sending_and_one_takes_over_the_scheduler(
    sandbox, postgres_url, tmp_path
):
    await upgrade(postgres_url)  # once, before the replicas start (they would race to create)
    ids = await members(postgres_url)
    proxies = [CountingProxy(sandbox.api_base_url.removesuffix("/bot")) for _ in range(2)]
    logs = [tmp_path / "replica-a.log", tmp_path / "replica-b.log"]
    for proxy in proxies:
        await proxy.start()
    replicas: list[subprocess.Popen[bytes]] = []
    try:
        for proxy, log in zip(proxies, logs, strict=True):
            replicas.append(start_replica(sandbox, proxy, postgres_url, log))
        await wait_until(lambda: len(leaders(*logs)) >= 1, 30, "a leader")
        await wait_until(
            lambda: all("Kyodo is running" in log.read_text() for log in logs), 30, "both up"
        )
        await asyncio.sleep(1)  # long enough for a second leader to show itself, were there one
        assert len(leaders(*logs)) == 1, "exactly one replica runs the scheduler"
        first_leader = leaders(*logs)[0]
        leader = next(i for i, r in enumerate(replicas) if r.pid == first_leader)
        survivor = 1 - leader

        t0 = asyncio.get_running_loop().time()
        mark = lambda what: print(f"{asyncio.get_running_loop().time() - t0:6.1f}s {what}")  # noqa: E731
        await publish(postgres_url, reminder_in=timedelta(seconds=REMINDER_IN))

        def got(n: int) -> int:
            return sum(1 for i in ids if len(sandbox.messages_to(i)) >= n)

        await wait_until(
            lambda: got(1) >= MEMBERS // 3 and sum(proxies[survivor].sent.values()) > 0,
            30,
            "a third of the notices, some of them sent by the follower",
        )
        replicas[leader].send_signal(signal.SIGKILL)
        replicas[leader].wait(timeout=10)
        at_kill = got(1)
        mark("killed")
        await wait_until(lambda: len(leaders(*logs)) == 2, 15, "the survivor to take the lead")
        assert leads(logs[survivor]) == [replicas[survivor].pid]
        mark("took over")
        await wait_until(lambda: got(1) == MEMBERS, 60, "the notice to all")
        mark("all notices")
        await wait_until(lambda: got(2) == MEMBERS, 60, "the notice and the reminder to all")
        mark("all reminders")
        await asyncio.sleep(1)  # anything sent twice would arrive now
    finally:
        for replica in replicas:
            if replica.poll() is None:
                replica.send_signal(signal.SIGTERM)
        for replica in replicas:
            try:
                replica.wait(timeout=20)
            except subprocess.TimeoutExpired:
                replica.kill()
        for proxy in proxies:
            await proxy.stop()

    assert replicas[survivor].returncode == 0, logs[survivor].read_text()
    assert at_kill > 0
    texts = {i: [m.text for m in sandbox.messages_to(i)] for i in ids}
    notices = Counter(
        {
            i: sum("A new assembly notice" in t or "総会のお知らせです" in t for t in texts[i])
            for i in ids
        }
    )
    reminders = Counter(
        {i: sum("Please answer by" in t or "ご回答がまだ" in t for t in texts[i]) for i in ids}
    )
    assert min(notices.values()) == 1
    assert min(reminders.values()) == 1
    # Only a message on the wire when its sender was killed can arrive twice.
    twice = [i for i in ids if notices[i] > 1 or reminders[i] > 1]
    print(f"notices before the kill: {at_kill}; delivered twice: {len(twice)}")
    assert len(twice) <= RATE
    assert sum(proxies[0].sent.values()) + sum(proxies[1].sent.values()) >= 2 * MEMBERS
    # The reminder came due after the kill: the survivor, now leading, sent every copy of it.
    asked = [t for t in proxies[survivor].texts if "Please answer by" in t or "ご回答がまだ" in t]
    assert len(asked) >= MEMBERS
    assert not any("Please answer by" in t or "ご回答がまだ" in t for t in proxies[leader].texts)
    settings = load_settings({"DATABASE_URL": postgres_url})
    async with open_store(settings) as store, store.engine.connect() as db:
        rows = Counter((await db.scalars(select(OutboxRow.chat_id))).all())
        statuses = (
            await db.scalars(
                select(ScheduledSendRow.status).where(ScheduledSendRow.key.like("asm:%"))
            )
        ).all()
        unsent = await db.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status != "sent")
        )
    assert all(rows[i] == 2 for i in ids), "one notice and one reminder queued per member"
    assert sorted(statuses) == ["sent", "sent"]
    assert unsent == 0
