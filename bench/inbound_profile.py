"""Where an inbound update's wall time goes: SQL round trips, units of work and their waits.

Runs the same throughput measurement as bench/inbound.py (N updates from N people at once
against the sandbox, one reply each), with Kyodo in a child process of this script that counts,
by the code that opened the unit of work (the inbox worker, the intake, the sender...):

- units of work, the time each waited for SQLite's writer lock and the time each was open;
- SQL statements by kind and table, with the time each took to come back (a round trip through
  SQLAlchemy's asyncio layer to the driver and back, queueing included);
- commits and their round trips.

The table is per update (divided by N). `open ms` summed over units of the SQLite writer is
the share of the wall time during which the single writer was busy.

Usage: python bench/inbound_profile.py [--updates 1000] [--store sqlite|postgres]
[--transport aiohttp|ptb] [--rate 50] [--cpu] [--line]

With `--line` the updates are LINE message events: the sandbox's LINE stand-in posts them,
signed, to Kyodo's webhook (as bench/inbound.py's LINE rows), and Kyodo replies with the
event's reply token. `--cpu` profiles Kyodo's process only, not the stand-in's.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import re
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

_TABLE = re.compile(r"\b(?:INTO|UPDATE|FROM)\s+\"?(\w+)", re.IGNORECASE)


def _kind(statement: str) -> str:
    words = statement.lstrip("( ").split(None, 1)
    verb = words[0].upper() if words else "?"
    if verb in ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE"):
        return verb
    table = _TABLE.search(statement)
    return f"{verb} {table.group(1) if table else '?'}"


def child(out: Path) -> None:
    """Kyodo's `run`, instrumented; writes the counters to `out` on SIGUSR1."""
    from sqlalchemy import event

    import kyodo.app as app_module
    import storage.uow as uow_module
    from bot.config import load_settings

    # label -> [units, writer wait s, open s, statements, statement s, commits, commit s]
    units: dict[str, list[float]] = defaultdict(lambda: [0.0] * 7)
    statements: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # kind -> n, s

    make_engine = app_module.create_engine

    def create_engine(url: Any, **kwargs: Any) -> Any:
        engine = make_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _before(conn: Any, _c: Any, _s: str, _p: Any, context: Any, _m: bool) -> None:
            conn.info["kyodo_t0"] = time.perf_counter()

        @event.listens_for(engine.sync_engine, "after_cursor_execute")
        def _after(conn: Any, _c: Any, statement: str, _p: Any, _x: Any, _m: bool) -> None:
            took = time.perf_counter() - conn.info.pop("kyodo_t0", time.perf_counter())
            label = conn.info.get("kyodo_label", "?")
            units[label][3] += 1
            units[label][4] += took
            kind = statements[_kind(statement)]
            kind[0] += 1
            kind[1] += took

        return engine

    app_module.create_engine = create_engine  # type: ignore[assignment]

    unit = uow_module.SqlUnitOfWork
    enter, leave, commit = unit.__aenter__, unit.__aexit__, unit.commit

    async def __aenter__(self: Any) -> Any:
        caller = sys._getframe(1)
        label = f"{Path(caller.f_code.co_filename).stem}.{caller.f_code.co_name}"
        start = time.perf_counter()
        writer = self._writer
        if writer is not None:
            # The wait for the writer lock, apart from the rest of entering.
            await writer.acquire(self._ahead)
            waited = time.perf_counter() - start
            self._writer = None
            try:
                result = await enter(self)
            finally:
                self._writer = writer
        else:
            waited = 0.0
            result = await enter(self)
        self._kyodo_label, self._kyodo_open = label, time.perf_counter()
        self._connection.sync_connection.info["kyodo_label"] = label
        row = units[label]
        row[0] += 1
        row[1] += waited
        return result

    async def __aexit__(self: Any, *exc: Any) -> None:
        try:
            await leave(self, *exc)
        finally:
            units[self._kyodo_label][2] += time.perf_counter() - self._kyodo_open

    async def do_commit(self: Any) -> None:
        start = time.perf_counter()
        await commit(self)
        row = units[self._kyodo_label]
        row[5] += 1
        row[6] += time.perf_counter() - start

    unit.__aenter__ = __aenter__  # type: ignore[method-assign]
    unit.__aexit__ = __aexit__  # type: ignore[method-assign]
    unit.commit = do_commit  # type: ignore[method-assign]

    # Time in the garbage collector, by generation: [collections, seconds] each.
    collected = [[0.0, 0.0] for _ in range(3)]
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            generation = collected[info["generation"]]
            generation[0] += 1
            generation[1] += time.perf_counter() - gc_started[0]

    gc.callbacks.append(on_gc)

    profiler: list[cProfile.Profile] = []

    def dump(*_: object) -> None:
        if profiler:  # what ran since the last dump: the throughput run
            profiler[0].disable()
            pstats.Stats(profiler[0]).dump_stats(str(out.with_suffix(".prof")))
            profiler.clear()
        if os.environ.get("KYODO_PROFILE_CPU"):
            profiler.append(cProfile.Profile())
            profiler[0].enable()
        out.write_text(
            json.dumps(
                {
                    "cpu": time.process_time(),  # this process's CPU s (user + system)
                    "thread_cpu": time.thread_time(),  # the event loop's thread alone
                    "gc": collected,
                    "units": {k: list(v) for k, v in list(units.items())},
                    "statements": {k: list(v) for k, v in list(statements.items())},
                }
            )
        )

    signal.signal(signal.SIGUSR1, dump)
    asyncio.run(app_module.run(load_settings()))


def _diff(after: dict[str, list[float]], before: dict[str, list[float]]) -> dict[str, list[float]]:
    return {
        k: [a - b for a, b in zip(v, before.get(k, [0.0] * len(v)), strict=True)]
        for k, v in after.items()
    }


async def parent(args: argparse.Namespace) -> None:
    from inbound import Bot, Driver, kyodo_env, maybe_postgres, postgres_database

    from sandbox.line.ratelimit import LineRateLimits
    from sandbox.line.standin import LineStandIn
    from sandbox.ratelimit import RateLimits
    from sandbox.server import SandboxServer

    work = Path(tempfile.mkdtemp(prefix="kyodo-profile-"))
    out = work / "counters.json"
    with maybe_postgres(args.store == "postgres") as pg:
        line = LineStandIn(quota=None, rate_limits=LineRateLimits.disabled()) if args.line else None
        sandbox = SandboxServer(rate_limits=RateLimits.disabled(), reference=False, line=line)
        await sandbox.start()
        try:
            if args.store == "postgres":
                if pg is None:
                    raise SystemExit("no PostgreSQL here")
                url = await postgres_database(pg)
            else:
                url = f"sqlite+aiosqlite:///{work / 'kyodo.db'}"
            env = kyodo_env(args.transport, url, sandbox, args.line)
            if args.cpu:
                env["KYODO_PROFILE_CPU"] = "1"
            command = [sys.executable, __file__, "--child", str(out)]
            bot = Bot("profiled", command, env, work / "bot.log")
            driver = Driver(sandbox, args.line)
            with bot:
                pid = bot.process.pid  # type: ignore[union-attr]
                await driver.ready()
                await asyncio.sleep(1)  # the first reply's sent mark

                async def snapshot() -> dict[str, Any]:
                    out.unlink(missing_ok=True)
                    os.kill(pid, signal.SIGUSR1)
                    # written by the child's signal handler: no event to wait on
                    while not out.exists():  # noqa: ASYNC110
                        await asyncio.sleep(0.05)
                    await asyncio.sleep(0.05)
                    return dict(json.loads(out.read_text()))

                before = await snapshot()
                start = time.perf_counter()
                if args.rate:
                    p50, p99 = await driver.latency(args.rate, args.updates / args.rate)
                    print(f"latency at {args.rate:g}/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
                    rate = args.rate
                else:
                    rate = await driver.throughput(args.updates)
                wall = time.perf_counter() - start
                await asyncio.sleep(1.5)  # the last sent marks
                after = await snapshot()
        finally:
            await sandbox.stop()

    if args.cpu:
        stats = pstats.Stats(str(out.with_suffix(".prof")))
        print(f"\nCPU profile of the bot during the run ({out.with_suffix('.prof')}):")
        stats.sort_stats("tottime").print_stats(25)
    n = args.updates
    units = _diff(after["units"], before["units"])
    statements = _diff(after["statements"], before["statements"])
    print(
        f"\n{args.transport} + {args.store}: {n} updates at once, {rate:.0f} updates/s, "
        f"wall {wall * 1000 / n:.2f} ms per update, "
        f"bot CPU {(after['cpu'] - before['cpu']) * 1000 / n:.2f} ms per update"
        f"{' (under cProfile)' if args.cpu else ''}; "
        f"of which the event loop's thread "
        f"{(after['thread_cpu'] - before['thread_cpu']) * 1000 / n:.2f}"
    )
    gcs = [
        (a[0] - b[0], (a[1] - b[1]) * 1000 / n)
        for a, b in zip(after["gc"], before["gc"], strict=True)
    ]
    print(
        "garbage collector: "
        + ", ".join(f"gen {g}: {c:.0f} runs, {ms:.3f} ms/upd" for g, (c, ms) in enumerate(gcs))
        + "\n"
    )
    print(
        "| opened by                         | units/upd | wait ms/upd | open ms/upd "
        "| stmts/upd | stmt ms/upd | commits/upd | commit ms/upd |"
    )
    widths = (35, 11, 13, 13, 11, 13, 13, 15)
    print("|" + "|".join("-" * w for w in widths) + "|")
    for label, v in sorted(units.items(), key=lambda kv: -kv[1][2]):
        if v[0] == 0 and v[3] == 0:
            continue
        print(
            f"| {label:<33} | {v[0] / n:>9.3f} | {v[1] * 1000 / n:>11.2f} "
            f"| {v[2] * 1000 / n:>11.2f} | {v[3] / n:>9.2f} | {v[4] * 1000 / n:>11.2f} "
            f"| {v[5] / n:>11.3f} | {v[6] * 1000 / n:>13.2f} |"
        )
    print("\n| statement                         | per update | ms each |")
    print(f"|{'-' * 35}|{'-' * 12}|{'-' * 9}|")
    for kind, (count, took) in sorted(statements.items(), key=lambda kv: -kv[1][0]):
        if count:
            print(f"| {kind:<33} | {count / n:>10.3f} | {took * 1000 / count:>7.2f} |")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--transport", choices=("aiohttp", "ptb"), default="aiohttp")
    parser.add_argument(
        "--rate", type=float, default=0, help="updates/s at a steady rate (latency), not at once"
    )
    parser.add_argument(
        "--line", action="store_true", help="LINE message events through the webhook"
    )
    parser.add_argument(
        "--cpu", action="store_true", help="also cProfile the bot; prints the top functions"
    )
    asyncio.run(parent(parser.parse_args()))


if __name__ == "__main__":
    main()
