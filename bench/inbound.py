"""Inbound throughput and latency: Kyodo's full stack against a bare python-telegram-bot echo bot.

Every bot runs as its own process against one sandbox (in this process, rate limits off so that
the bots, not the sandbox's flood limits, are measured), and every update causes one reply.

- throughput: N updates from N different people are put in the sandbox at once; updates/s is
  N divided by the time until the last reply arrived.
- latency: updates arrive at a steady rate well below capacity; latency is the time from the
  update entering the sandbox to the reply arriving there (p50 and p99).
- peak RSS: the bot process's resident memory, sampled every 0.1 s through both runs.
- LINE rows: the same with LINE's events, sent by people of the sandbox's LINE stand-in and
  posted, signed, to Kyodo's webhook as LINE does (one POST at a time, up to 5 events each);
  Kyodo answers with the event's reply token (aiohttp transport, LINE on).

Usage: python bench/inbound.py [--updates 2000] [--rate 50] [--seconds 10] [--no-postgres]
[--no-line] [--line-updates 500]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from sandbox.line.ratelimit import LineRateLimits  # noqa: E402
from sandbox.line.standin import LineStandIn  # noqa: E402
from sandbox.ratelimit import RateLimits  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402
from tests.pgserver import PostgresUnavailable, running_postgres  # noqa: E402


@dataclass
class Result:
    name: str
    rate: float
    cpu_ms: float  # the bot process's CPU time per update in the throughput run
    p50_ms: float
    p99_ms: float
    rss_mb: float  # the bot process's peak resident memory over both runs


class Bot:
    """One bot process pointed at the sandbox."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Bot:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, env={**os.environ, **self.env}, stdout=out, stderr=out, cwd=ROOT
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Driver:
    """Puts updates into the sandbox and times the replies.

    Every update comes from a person never used before in this run, so a reply is unambiguous
    and Telegram's one-message-per-second-per-chat limit never comes into play. With `line`,
    the people are LINE users of the stand-in and each update is a LINE message event.
    """

    next_user = 1_000_000

    def __init__(self, sandbox: SandboxServer, line: bool = False) -> None:
        self.sandbox = sandbox
        self.line = line
        self.arrived: dict[object, float] = {}
        self._changed = asyncio.Event()
        if line:
            channel = sandbox.line.channel
            deliver = channel.deliver

            def delivered(user_id: str, messages: list[dict[str, object]], via: str) -> object:
                self._arrived(user_id)
                return deliver(user_id, messages, via)

            channel.deliver = delivered  # type: ignore[method-assign,assignment]
        else:
            sandbox.bot().listeners.append(self._on_reply)

    def close(self) -> None:
        if self.line:
            del self.sandbox.line.channel.deliver  # the class's own again
        else:
            self.sandbox.bot().listeners.remove(self._on_reply)

    def _on_reply(self, message: object) -> None:
        self._arrived(int(message.chat_id))  # type: ignore[attr-defined]

    def _arrived(self, key: object) -> None:
        self.arrived.setdefault(key, time.perf_counter())
        self._changed.set()

    def users(self, count: int) -> list[object]:
        if self.line:
            return [self.sandbox.line.add_person(f"Bench {i}", "en").user_id for i in range(count)]
        first = Driver.next_user
        Driver.next_user += count
        return list(range(first, first + count))

    def send(self, user: object) -> None:
        if self.line:
            self.sandbox.line.sends_text(str(user), "hello")
            return
        person = {"id": user, "is_bot": False, "first_name": "Bench", "language_code": "en"}
        self.sandbox.user_sends(person, "hello")

    async def watch(
        self, sent: dict[object, float], expected: int, timeout: float
    ) -> dict[object, float]:
        """Waits for a reply to each of `expected` updates, while `sent` is still being filled."""
        deadline = time.perf_counter() + timeout
        while True:
            done = {u: self.arrived[u] for u in sent if u in self.arrived}
            if len(done) >= expected:
                return done
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"{expected - len(done)} updates got no reply")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    async def ready(self, timeout: float = 90) -> None:
        """Waits until the bot answers a first message (it has started polling, or listens)."""
        [user] = self.users(1)
        self.send(user)
        await self.watch({user: time.perf_counter()}, 1, timeout)

    async def throughput(self, count: int) -> float:
        users = self.users(count)
        start = time.perf_counter()
        sent: dict[object, float] = {}
        for user in users:
            self.send(user)
            sent[user] = start
        arrived = await self.watch(sent, count, timeout=300)
        return count / (max(arrived.values()) - start)

    async def latency(self, rate: float, seconds: float) -> tuple[float, float]:
        users = self.users(int(rate * seconds))
        sent: dict[object, float] = {}
        watcher = asyncio.create_task(self.watch(sent, len(users), timeout=seconds + 120))
        start = time.perf_counter()
        for i, user in enumerate(users):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            self.send(user)
            sent[user] = time.perf_counter()
        arrived = await watcher
        latencies = sorted((arrived[u] - sent[u]) * 1000 for u in sent)
        return statistics.median(latencies), latencies[max(0, int(len(latencies) * 0.99) - 1)]


async def peak_rss(process: psutil.Process, peak: list[float]) -> None:
    """Keeps the highest resident memory seen in `peak[0]` (MB) until cancelled."""
    while True:
        with contextlib.suppress(psutil.Error):
            peak[0] = max(peak[0], process.memory_info().rss / 2**20)
        await asyncio.sleep(0.1)


async def measure(
    sandbox: SandboxServer, bot: Bot, args: argparse.Namespace, updates: int, line: bool = False
) -> Result:
    driver = Driver(sandbox, line)
    peak = [0.0]
    try:
        with bot:
            process = psutil.Process(bot.process.pid)  # type: ignore[union-attr]
            await driver.ready()
            sampler = asyncio.create_task(peak_rss(process, peak))
            try:
                cpu_before = sum(process.cpu_times()[:2])
                rate = await driver.throughput(updates)
                cpu_ms = (sum(process.cpu_times()[:2]) - cpu_before) * 1000 / updates
                p50, p99 = await driver.latency(args.rate, args.seconds)
            finally:
                sampler.cancel()
    finally:
        driver.close()
    return Result(bot.name, rate, cpu_ms, p50, p99, peak[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def kyodo_env(
    transport: str, url: str, sandbox: SandboxServer, line: bool = False
) -> dict[str, str]:
    """The environment Kyodo runs with against the sandbox (bench/inbound_profile.py too); with
    LINE, the stand-in's webhook is pointed at the web port it gives Kyodo."""
    env = {
        "TELEGRAM_BOT_TOKEN": sandbox.token,
        "TELEGRAM_API_BASE_URL": sandbox.api_base_url,
        "KYODO_TRANSPORT": transport,
        "DATABASE_URL": url,
        "KYODO_GLOBAL_RATE": "1000",
        "KYODO_LOG_LEVEL": "WARNING",
    }
    if line:
        # LINE on: its stand-in posts the events to Kyodo's web server, on a port of its own.
        port = free_port()
        env |= {
            "KYODO_WEB_PORT": str(port),
            "LINE_CHANNEL_SECRET": sandbox.line.channel_secret,
            "LINE_CHANNEL_ACCESS_TOKEN": sandbox.line.access_token,
            "LINE_API_BASE_URL": sandbox.line.api_base_url,
        }
        sandbox.line.webhook_url = f"http://127.0.0.1:{port}/line/webhook"
    return env


def kyodo(
    name: str, transport: str, url: str, sandbox: SandboxServer, log: Path, line: bool = False
) -> Bot:
    env = kyodo_env(transport, url, sandbox, line)
    return Bot(name, [sys.executable, "-m", "kyodo.cli", "run"], env, log)


@contextlib.contextmanager
def maybe_postgres(enabled: bool) -> Iterator[object | None]:
    if not enabled:
        yield None
        return
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as missing:
        print(f"PostgreSQL rows skipped: {missing}", file=sys.stderr)
        yield None


async def postgres_database(server: object) -> str:
    name = f"kyodo_bench_{uuid4().hex[:8]}"
    admin = await server.admin()  # type: ignore[attr-defined]
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return str(server.url(name))  # type: ignore[attr-defined]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000, help="updates for throughput")
    parser.add_argument("--rate", type=float, default=50, help="updates/s for the latency run")
    parser.add_argument("--seconds", type=float, default=10, help="length of the latency run")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-line", action="store_true", help="leave out the LINE rows")
    parser.add_argument(
        "--line-updates",
        type=int,
        default=500,
        help="LINE events for throughput (LINE posts one webhook at a time: slower to feed)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kyodo-bench-"))
    log = work / "bots.log"
    results: list[Result] = []
    load_before = os.getloadavg()
    began = time.perf_counter()
    with maybe_postgres(not args.no_postgres) as pg:
        line = LineStandIn(quota=None, rate_limits=LineRateLimits.disabled())
        sandbox = SandboxServer(rate_limits=RateLimits.disabled(), reference=False, line=line)
        await sandbox.start()
        try:
            echo_env = {
                "TELEGRAM_BOT_TOKEN": sandbox.token,
                "TELEGRAM_API_BASE_URL": sandbox.api_base_url,
            }
            echo = Bot(
                "bare ptb echo bot (baseline)",
                [sys.executable, str(ROOT / "bench" / "echo_ptb.py")],
                echo_env,
                log,
            )
            results.append(await measure(sandbox, echo, args, args.updates))
            stores = ["SQLite"] if pg is None else ["SQLite", "PostgreSQL"]
            runs = [(transport, False) for transport in ("ptb", "aiohttp")]
            if not args.no_line:
                runs.append(("aiohttp", True))
            for transport, on_line in runs:
                for store in stores:
                    if store == "SQLite":
                        db = f"sqlite+aiosqlite:///{work / f'{transport}-{on_line}.db'}"
                    else:
                        db = await postgres_database(pg)
                    name = f"Kyodo {transport} + {store}" + (", LINE events" if on_line else "")
                    bot = kyodo(name, transport, db, sandbox, log, line=on_line)
                    updates = args.line_updates if on_line else args.updates
                    results.append(await measure(sandbox, bot, args, updates, line=on_line))
        finally:
            await sandbox.stop()

    baseline = results[0].rate
    load_after = os.getloadavg()
    print(
        f"\nInbound: {args.updates} updates at once for throughput "
        f"({args.line_updates} LINE events); "
        f"{args.rate:g}/s for {args.seconds:g}s for latency (one reply each, "
        f"{os.cpu_count()} cores); load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after; {time.perf_counter() - began:.0f} s in all\n"
    )
    print(
        f"| {'bot':<44} | {'updates/s':>9} | {'vs echo':>7} | {'CPU ms/upd':>10} "
        f"| {'p50 ms':>7} | {'p99 ms':>7} | {'peak RSS MB':>11} |"
    )
    widths = (46, 11, 9, 12, 9, 9, 13)
    print("|" + "|".join("-" * w for w in widths) + "|")
    for r in results:
        print(
            f"| {r.name:<44} | {r.rate:>9.0f} | {r.rate / baseline:>6.2f}x "
            f"| {r.cpu_ms:>10.2f} | {r.p50_ms:>7.1f} | {r.p99_ms:>7.1f} | {r.rss_mb:>11.0f} |"
        )
    print(f"\nlogs: {log}")


if __name__ == "__main__":
    asyncio.run(main())
