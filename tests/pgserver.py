"""A throwaway PostgreSQL server on 127.0.0.1, for the test suite and the benchmarks.

`running_postgres()` initialises a cluster in a temporary directory (as the `postgres` user when
run as root, since initdb refuses root), starts it on a free port with durability off, and stops
and deletes it afterwards, even if the Python process dies (a watchdog process sees to that).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tests.net import free_port

POSTGRES_USER = "kyodo"


class PostgresUnavailable(Exception):
    """No PostgreSQL server binaries on this machine."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    # pg_ctl's command line and its `-o` options: `stop()` and `start()` take the server down
    # and bring it back on the same port (tests of reconnection).
    pg_ctl: tuple[str, ...] = ()
    options: str = ""
    log: str = ""

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"

    def stop(self) -> None:
        """Stops the server at once, as a crash would (connections are cut)."""
        subprocess.run(
            [*self.pg_ctl, "-m", "immediate", "-w", "stop"], check=True, capture_output=True
        )

    def start(self) -> None:
        subprocess.run(
            [*self.pg_ctl, "-o", self.options, "-l", self.log, "-w", "start"],
            check=True,
            capture_output=True,
        )

    async def admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            host=self.host, port=self.port, user=self.user, database="postgres"
        )


def _postgres_bindir() -> Path | None:
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    # Debian installs the server binaries outside PATH, one directory per major version.
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


# Stops the server should pytest die without tearing down (killed by a timeout, say): pg_ctl
# detaches the server, which would otherwise outlive the run and keep its port and files.
_WATCHDOG = """
import os, shutil, subprocess, sys, time
parent, base, *stop = sys.argv[1:]
while True:
    try:
        os.kill(int(parent), 0)
    except ProcessLookupError:
        break
    time.sleep(1)
subprocess.run(stop, check=False, capture_output=True)
shutil.rmtree(base, ignore_errors=True)
"""


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    bindir = _postgres_bindir()
    if bindir is None:
        raise PostgresUnavailable(
            "no `initdb` on PATH or in /usr/lib/postgresql/*/bin "
            "(install it with `apt-get install postgresql`)"
        )
    base = Path(tempfile.mkdtemp(prefix="kyodo-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root: the cluster belongs to the `postgres` user.
        shutil.chown(base, user="postgres", group="postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", free_port()
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            POSTGRES_USER,
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    # Durability settings off: a test cluster that dies with the run need not survive a crash.
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    pg_ctl = [*as_user, str(bindir / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*pg_ctl, "-o", options, "-l", str(base / "server.log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    stop = [*pg_ctl, "-m", "immediate", "-w", "stop"]
    watchdog = subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(base), *stop],
        start_new_session=True,  # out of reach of signals sent to pytest's process group
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield PostgresServer(
            host="127.0.0.1",
            port=port,
            user=POSTGRES_USER,
            pg_ctl=tuple(pg_ctl),
            options=options,
            log=str(base / "server.log"),
        )
    finally:
        subprocess.run(stop, check=False, capture_output=True)
        watchdog.kill()
        watchdog.wait()
        shutil.rmtree(base, ignore_errors=True)
