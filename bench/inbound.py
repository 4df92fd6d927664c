"""Inbound throughput and latency: Kyodo's full stack against a bare python-telegram-bot echo bot.

Every bot runs as its own process against one sandbox (in this process, rate limits off so that
the bots, not the sandbox's flood limits, are measured), and every update causes one reply.

- throughput: N updates from N different people are put in the sandbox at once; updates/s is
  N divided by the time until the last reply arrived.
- latency: updates arrive at a steady rate well below capacity; latency is the time from the
  update entering the sandbox to the reply arriving there (p50 and p99).

Usage: python bench/inbound.py [--updates 2000] [--rate 50] [--seconds 10] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
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
    and Telegram's one-message-per-second-per-chat limit never comes into play.
    """

    next_user = 1_000_000

    def __init__(self, sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        self.arrived: dict[int, float] = {}
        self._changed = asyncio.Event()
        sandbox.bot().listeners.append(self._on_reply)

    def _on_reply(self, message: object) -> None:
        chat_id = int(message.chat_id)  # type: ignore[attr-defined]
        self.arrived.setdefault(chat_id, time.perf_counter())
        self._changed.set()

    def users(self, count: int) -> list[dict[str, object]]:
        first = Driver.next_user
        Driver.next_user += count
        return [
            {"id": uid, "is_bot": False, "first_name": "Bench", "language_code": "en"}
            for uid in range(first, first + count)
        ]

    async def watch(
        self, sent: dict[int, float], expected: int, timeout: float
    ) -> dict[int, float]:
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

    async def ready(self, timeout: float = 60) -> None:
        """Waits until the bot answers a first message (it has started polling)."""
        [user] = self.users(1)
        self.sandbox.user_sends(user, "hello")
        await self.watch({int(str(user["id"])): time.perf_counter()}, 1, timeout)

    async def throughput(self, count: int) -> float:
        users = self.users(count)
        start = time.perf_counter()
        sent = {}
        for user in users:
            self.sandbox.user_sends(user, "hello")
            sent[int(str(user["id"]))] = start
        arrived = await self.watch(sent, count, timeout=300)
        return count / (max(arrived.values()) - start)

    async def latency(self, rate: float, seconds: float) -> tuple[float, float]:
        users = self.users(int(rate * seconds))
        sent: dict[int, float] = {}
        watcher = asyncio.create_task(self.watch(sent, len(users), timeout=seconds + 120))
        start = time.perf_counter()
        for i, user in enumerate(users):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            self.sandbox.user_sends(user, "hello")
            sent[int(str(user["id"]))] = time.perf_counter()
        arrived = await watcher
        latencies = sorted((arrived[u] - sent[u]) * 1000 for u in sent)
        return statistics.median(latencies), latencies[max(0, int(len(latencies) * 0.99) - 1)]


async def measure(sandbox: SandboxServer, bot: Bot, args: argparse.Namespace) -> Result:
    driver = Driver(sandbox)
    try:
        with bot:
            process = psutil.Process(bot.process.pid)  # type: ignore[union-attr]
            await driver.ready()
            cpu_before = sum(process.cpu_times()[:2])
            rate = await driver.throughput(args.updates)
            cpu_ms = (sum(process.cpu_times()[:2]) - cpu_before) * 1000 / args.updates
            p50, p99 = await driver.latency(args.rate, args.seconds)
    finally:
        sandbox.bot().listeners.remove(driver._on_reply)
    return Result(bot.name, rate, cpu_ms, p50, p99)


def kyodo(name: str, transport: str, url: str, sandbox: SandboxServer, log: Path) -> Bot:
    env = {
        "TELEGRAM_BOT_TOKEN": sandbox.token,
        "TELEGRAM_API_BASE_URL": sandbox.api_base_url,
        "KYODO_TRANSPORT": transport,
        "DATABASE_URL": url,
        "KYODO_GLOBAL_RATE": "1000",
        "KYODO_LOG_LEVEL": "WARNING",
    }
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
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kyodo-bench-"))
    log = work / "bots.log"
    results: list[Result] = []
    with maybe_postgres(not args.no_postgres) as pg:
        sandbox = SandboxServer(rate_limits=RateLimits.disabled(), reference=False)
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
            results.append(await measure(sandbox, echo, args))
            for transport in ("ptb", "aiohttp"):
                db = f"sqlite+aiosqlite:///{work / f'{transport}.db'}"
                results.append(
                    await measure(
                        sandbox,
                        kyodo(f"Kyodo {transport} + SQLite", transport, db, sandbox, log),
                        args,
                    )
                )
                if pg is not None:
                    url = await postgres_database(pg)
                    results.append(
                        await measure(
                            sandbox,
                            kyodo(f"Kyodo {transport} + PostgreSQL", transport, url, sandbox, log),
                            args,
                        )
                    )
        finally:
            await sandbox.stop()

    baseline = results[0].rate
    print(
        f"\nInbound: {args.updates} updates at once for throughput; "
        f"{args.rate:g}/s for {args.seconds:g}s for latency (one reply each, 2 cores)\n"
    )
    print(
        f"| {'bot':<34} | {'updates/s':>9} | {'vs echo':>7} | {'CPU ms/upd':>10} "
        f"| {'p50 ms':>7} | {'p99 ms':>7} |"
    )
    print(f"|{'-' * 36}|{'-' * 11}|{'-' * 9}|{'-' * 12}|{'-' * 9}|{'-' * 9}|")
    for r in results:
        print(
            f"| {r.name:<34} | {r.rate:>9.0f} | {r.rate / baseline:>6.2f}x "
            f"| {r.cpu_ms:>10.2f} | {r.p50_ms:>7.1f} | {r.p99_ms:>7.1f} |"
        )
    print(f"\nlogs: {log}")


if __name__ == "__main__":
    asyncio.run(main())
