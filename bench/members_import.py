"""Importing a co-op's roster at scale: 6,000 members over 324 centres on SQLite, with seconds
and peak memory.

Each measurement runs in a fresh Python process on a fresh SQLite database (migrated, the
centres already there), so its peak resident memory (ru_maxrss) is its own; "over start" is the
peak minus the resident memory just before the import (Python, SQLAlchemy, the schema). The
baseline, in the same run: importing the 324 centres themselves through `import_centres` (the
same CSV path, all or nothing, one transaction). Then the members, without letters (people,
memberships, roster entries) and with letters (one bound invite each: its code hashed with
scrypt, ~50 ms and 16 MiB each, in threads while the people are written). The floor of the
last: the same number of codes hashed alone (`member_import.new_codes`, no database).
Rendering the letters' PDF is bench/letters.py.

Usage: python bench/members_import.py [--members 6000] [--centres 324] [--letters 6000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LANGUAGES = ("ja", "en", "ja-easy")
ROLES = ("member",) * 8 + ("volunteer", "staff")


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def centres_csv(count: int) -> bytes:
    rows = ["名称,英語名,電話番号"]
    rows += [f"第{i}事業所,Centre {i},03-1234-{i:04d}" for i in range(1, count + 1)]
    return ("\r\n".join(rows) + "\r\n").encode("cp932")


def _kana(number: int) -> str:
    return "".join("アイウエオカキクケコ"[int(digit)] for digit in str(number))


def members_csv(count: int, centres: int) -> bytes:
    rows = ["氏名,フリガナ,所属,言語,役割,電話番号,組合員番号"]
    for i in range(count):
        home = i % centres + 1
        second = f";第{(i * 7) % centres + 1}事業所" if i % 10 == 0 else ""
        phone = f"090-{1000 + i // 10000:04d}-{i % 10000:04d}" if i % 3 == 0 else ""
        rows.append(
            f"組合員 {i},クミアイイン {_kana(i)},第{home}事業所{second},"
            f"{LANGUAGES[i % 3]},{ROLES[i % 10]},{phone},M{i:05d}"
        )
    return ("\r\n".join(rows) + "\r\n").encode("cp932")


async def _child(kind: str, members: int, centres: int, letters: bool) -> dict[str, float]:
    from bot.domain.people import Actor, Role
    from bot.services.centres import import_centres
    from bot.services.member_import import import_members, new_codes
    from storage.database import create_engine
    from storage.migrate import upgrade
    from storage.uow import make_uow_factory

    admin = Actor(None, frozenset({Role.ADMIN}), "ja")
    if kind == "hashes":
        start_rss = rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        hashed = len(await new_codes(members))
        seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        return {
            "rows": hashed,
            "seconds": seconds,
            "cpu": cpu_s,
            "peak": peak_mb(),
            "over": peak_mb() - start_rss,
        }
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'kyodo.db'}"
        await upgrade(url)
        engine = create_engine(url)
        factory = make_uow_factory(engine)
        if kind == "members":
            async with factory() as uow:
                await import_centres(uow, admin, centres_csv(centres), NOW)
                await uow.commit()
        data = centres_csv(centres) if kind == "centres" else members_csv(members, centres)
        start_rss = rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        async with factory() as uow:
            if kind == "centres":
                report = await import_centres(uow, admin, data, NOW)
                count = report.imported
            else:
                done = await import_members(uow, admin, data, NOW, letters=letters)
                if done.errors:
                    raise SystemExit(f"the generated roster does not import: {done.errors[:3]}")
                count = done.imported
            await uow.commit()
        seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        await engine.dispose()
    return {
        "rows": count,
        "seconds": seconds,
        "cpu": cpu_s,
        "peak": peak_mb(),
        "over": peak_mb() - start_rss,
    }


def measure(kind: str, members: int, centres: int, letters: bool) -> dict[str, float]:
    """One measurement in a fresh process (its own peak memory)."""
    argv = [sys.executable, __file__, "--child", kind, "--members", str(members)]
    argv += ["--centres", str(centres)] + (["--with-letters"] if letters else [])
    done = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=6000)
    parser.add_argument("--centres", type=int, default=324)
    parser.add_argument("--letters", type=int, default=6000, help="members imported with letters")
    parser.add_argument("--child", choices=("centres", "members", "hashes"))
    parser.add_argument("--with-letters", action="store_true")
    args = parser.parse_args()
    if args.child:
        result = asyncio.run(_child(args.child, args.members, args.centres, args.with_letters))
        print(json.dumps(result))
        return
    runs = [
        (f"baseline: {args.centres} centres (import_centres)", "centres", 0, False),
        (f"{args.members:,} members, no letters", "members", args.members, False),
    ]
    if args.letters:
        runs.append(
            (f"{args.letters:,} members with letters (scrypt)", "members", args.letters, True)
        )
        runs.append((f"floor: {args.letters:,} codes hashed alone", "hashes", args.letters, False))
    print(f"SQLite, {args.centres} centres, {os.cpu_count()} CPUs")
    print("| import | rows | seconds | CPU s | rows/s | peak MB | over start MB |")
    print("|---|---|---|---|---|---|---|")
    for label, kind, members, letters in runs:
        r = measure(kind, members, args.centres, letters)
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0.0
        print(
            f"| {label} | {int(r['rows']):,} | {r['seconds']:.1f} | {r['cpu']:.1f} | {rate:,.0f} "
            f"| {r['peak']:.0f} | {r['over']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
