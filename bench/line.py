"""LINE beside Telegram, in one run of one Kyodo: inbound events/s and pushed messages/s.

One sandbox (in this process) serves both the stand-in Telegram and the LINE stand-in, with rate
limits and LINE's monthly quota off, so that Kyodo is what is measured. One `kyodo run` process
(aiohttp transport, SQLite, LINE on, KYODO_GLOBAL_RATE 1000) takes both doors at once:

- inbound: N messages from N people never seen before, put in at once; each asks for one reply.
  Telegram: updates fetched by long polling. LINE: signed webhook events, which the stand-in
  posts as LINE does (one POST at a time, up to 5 events a POST) and Kyodo stores before its
  200; the reply goes with the event's reply token. Rate = N / time until the last reply.
- pushed: N messages queued at once in the outbox (bulk, as a broadcast's copies are) for the
  same N Telegram chats, then for the N LINE users: on LINE every one is a push with its
  X-Line-Retry-Key (no reply token lives). Rate = (N - 1) / (last arrival - first arrival): the
  sender finds rows queued by another process at its next poll, up to a second later.
- broadcast: one broadcast to N Telegram members and N LINE members, started by Kyodo's pump
  as staff's would be: Telegram's copies go one request each at the global rate, LINE's as
  multicasts of up to 500 people (one retry key a request). Rate per door = N / (the door's last
  arrival - the broadcast's start): both doors from the same start, in the same run.

Usage: python bench/line.py [--people 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.domain.broadcasts import (  # noqa: E402
    Audience,
    AudienceKind,
    BroadcastKind,
    BroadcastStatus,
    Draft,
)
from bot.domain.outbound import OutboundMessage  # noqa: E402
from bot.domain.people import NewPerson, Role  # noqa: E402
from kyodo.app import open_store  # noqa: E402
from sandbox.line.ratelimit import LineRateLimits  # noqa: E402
from sandbox.line.standin import LineStandIn  # noqa: E402
from sandbox.ratelimit import RateLimits  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402

GLOBAL_RATE = 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_kyodo(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "kyodo.cli", "run"], env=env, stdout=out, stderr=out, cwd=ROOT
        )


async def until(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)  # the stand-ins share this process's loop: poll lightly


class Run:
    def __init__(self, sandbox: SandboxServer, people: int) -> None:
        self.sandbox = sandbox
        self.line = sandbox.line
        self.count = people
        self.tg_arrived: dict[int, list[float]] = {}
        sandbox.bot().listeners.append(self._on_telegram)
        self.tg_users = [
            {"id": 3_000_000 + i, "is_bot": False, "first_name": "Bench", "language_code": "en"}
            for i in range(people + 1)
        ]
        self.line_users = [self.line.add_person(f"B{i}", "en").user_id for i in range(people + 1)]

    def _on_telegram(self, message: object) -> None:
        chat_id = int(message.chat_id)  # type: ignore[attr-defined]
        self.tg_arrived.setdefault(chat_id, []).append(time.time())

    def tg_got(self) -> list[int]:
        """How many messages each Telegram person has received."""
        return [len(self.tg_arrived.get(int(str(u["id"])), [])) for u in self.tg_users[1:]]

    def line_got(self) -> list[int]:
        return [len(self.line.received(u)) for u in self.line_users[1:]]

    def tg_count(self, at_least: int) -> int:
        return sum(1 for n in self.tg_got() if n >= at_least)

    def line_count(self, at_least: int) -> int:
        return sum(1 for n in self.line_got() if n >= at_least)

    async def ready(self) -> None:
        """The first person of each door gets an answer: Kyodo polls and its webhook listens."""
        self.sandbox.user_sends(self.tg_users[0], "hello")
        self.line.sends_text(self.line_users[0], "hello")
        await until(lambda: int(str(self.tg_users[0]["id"])) in self.tg_arrived, 90, "Telegram")
        await until(lambda: bool(self.line.received(self.line_users[0])), 90, "LINE")

    async def telegram_inbound(self) -> float:
        start = time.time()
        for user in self.tg_users[1:]:
            self.sandbox.user_sends(user, "hello")
        await until(lambda: self.tg_count(1) == self.count, 600, "Telegram replies")
        last = max(self.tg_arrived[int(str(u["id"]))][0] for u in self.tg_users[1:])
        return self.count / (last - start)

    async def line_inbound(self) -> float:
        start = time.time()
        for user_id in self.line_users[1:]:
            self.line.sends_text(user_id, "hello")
        await until(lambda: self.line_count(1) == self.count, 600, "LINE replies")
        last = max(self.line.received(u)[0].at for u in self.line_users[1:]) / 1000
        return self.count / (last - start)

    async def queue(self, db: str, chat_ids: list[int]) -> None:
        settings = load_settings({"DATABASE_URL": db})
        async with open_store(settings) as store, store.uow() as uow:
            now = datetime.now(UTC)
            for chat_id in chat_ids:
                message = OutboundMessage(chat_id, "Bench: a broadcast copy", parse_mode=None)
                await uow.outbox.add(message, now, bulk=True)
            await uow.commit()

    async def line_chats(self, db: str) -> list[int]:
        settings = load_settings({"DATABASE_URL": db})
        async with open_store(settings) as store, store.uow() as uow:
            return [await uow.line.chat_for(u) for u in self.line_users[1:]]

    async def telegram_pushed(self, db: str) -> float:
        before = self.tg_got()  # an answer may be more than one message
        await self.queue(db, [int(str(u["id"])) for u in self.tg_users[1:]])
        done = lambda: all(n > b for n, b in zip(self.tg_got(), before, strict=True))  # noqa: E731
        await until(done, 600, "Telegram copies")
        users = self.tg_users[1:]
        times = [self.tg_arrived[int(str(u["id"]))][b] for u, b in zip(users, before, strict=True)]
        return (self.count - 1) / (max(times) - min(times))

    async def line_pushed(self, db: str) -> float:
        before = self.line_got()
        await self.queue(db, await self.line_chats(db))
        done = lambda: all(n > b for n, b in zip(self.line_got(), before, strict=True))  # noqa: E731
        await until(done, 600, "LINE pushes")
        users = self.line_users[1:]
        times = [self.line.received(u)[b].at / 1000 for u, b in zip(users, before, strict=True)]
        return (self.count - 1) / (max(times) - min(times))

    async def broadcast(self, db: str) -> tuple[float, float]:
        """(Telegram, LINE) messages a second of one broadcast to N members on each door."""
        telegram = [5_000_000 + i for i in range(self.count)]
        on_line = [self.line.add_person(f"M{i}", "en").user_id for i in range(self.count)]
        settings = load_settings({"DATABASE_URL": db})
        async with open_store(settings) as store, store.uow() as uow:
            now = datetime.now(UTC)
            chats = telegram + [await uow.line.chat_for(u) for u in on_line]
            for chat_id in chats:
                await uow.people.add(
                    NewPerson(chat_id, "Bench", "en", now, "en", frozenset({Role.MEMBER}))
                )
            await uow.broadcasts.add(
                Draft(Audience(AudienceKind.MEMBERS), BroadcastKind.NOTICE, "ベンチ", "Bench"),
                status=BroadcastStatus.SCHEDULED,
                created_by=None,
                created_at=now,
                send_at=now,
                coordinator_chat_id=None,
                coordinator_locale="en",
            )
            start = time.time()
            await uow.commit()
        got_tg = lambda: all(self.tg_arrived.get(c) for c in telegram)  # noqa: E731
        got_line = lambda: all(self.line.received(u) for u in on_line)  # noqa: E731
        await until(lambda: got_tg() and got_line(), 600, "the broadcast's copies")
        tg_last = max(self.tg_arrived[c][0] for c in telegram)
        line_last = max(self.line.received(u)[0].at for u in on_line) / 1000
        return self.count / (tg_last - start), self.count / (line_last - start)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000, help="people per door and phase")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kyodo-bench-line-"))
    log, db = work / "kyodo.log", f"sqlite+aiosqlite:///{work / 'kyodo.db'}"
    line = LineStandIn(quota=None, rate_limits=LineRateLimits.disabled())
    sandbox = SandboxServer(rate_limits=RateLimits.disabled(), reference=False, line=line)
    await sandbox.start()
    port = free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": sandbox.token,
        "TELEGRAM_API_BASE_URL": sandbox.api_base_url,
        "KYODO_TRANSPORT": "aiohttp",
        "DATABASE_URL": db,
        "KYODO_GLOBAL_RATE": str(GLOBAL_RATE),
        "KYODO_LOG_LEVEL": "WARNING",
        "KYODO_WEB_PORT": str(port),
        "LINE_CHANNEL_SECRET": line.channel_secret,
        "LINE_CHANNEL_ACCESS_TOKEN": line.access_token,
        "LINE_API_BASE_URL": line.api_base_url,
    }
    kyodo = start_kyodo(env, log)
    line.webhook_url = f"http://127.0.0.1:{port}/line/webhook"
    try:
        run = Run(sandbox, args.people)
        await run.ready()
        rows = [
            ("inbound: one reply each", await run.telegram_inbound(), await run.line_inbound()),
            (
                "pushed: a broadcast's copies",
                await run.telegram_pushed(db),
                await run.line_pushed(db),
            ),
            ("broadcast: LINE by multicast", *await run.broadcast(db)),
        ]
        multicasts = line.calls_of("multicast")
        pushes = line.calls_of("pushMessage")
        replies = line.calls_of("replyMessage")
    finally:
        kyodo.send_signal(signal.SIGTERM)
        try:
            kyodo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kyodo.kill()
        await sandbox.stop()

    print(
        f"\nLINE beside Telegram: one kyodo run (aiohttp + SQLite, KYODO_GLOBAL_RATE "
        f"{GLOBAL_RATE}), {args.people} people per door and phase, 2 cores\n"
    )
    print(f"| {'what':<30} | {'Telegram /s':>11} | {'LINE /s':>9} | {'LINE/Telegram':>13} |")
    print(f"|{'-' * 32}|{'-' * 13}|{'-' * 11}|{'-' * 15}|")
    for what, telegram, over_line in rows:
        print(
            f"| {what:<30} | {telegram:>11.0f} | {over_line:>9.0f} "
            f"| {over_line / telegram:>12.2f}x |"
        )
    print(
        f"\nLINE calls: {len(replies)} replies, {len(pushes)} pushes "
        f"({sum(1 for c in pushes if c.retry_key)} with a retry key), "
        f"{len(multicasts)} multicasts to {sum(len(c.body['to']) for c in multicasts)} people "
        f"({sum(1 for c in multicasts if c.retry_key)} with a retry key); "
        f"webhook POSTs: {line.stats.get('webhook_posts', 0)}; logs: {log}"
    )


if __name__ == "__main__":
    asyncio.run(main())
