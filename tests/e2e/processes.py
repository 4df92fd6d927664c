"""Real `kyodo run` processes for the tests that kill one: start one against the sandbox with
its own settings, and wait for what the sandbox sees without a fixed sleep."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def start_kyodo(sandbox, log: Path, api_base_url: str | None = None, **settings: str):
    """`kyodo run` on the sandbox (or a proxy in front of it), its output appended to `log`.

    `settings` are environment variables (DATABASE_URL, KYODO_GLOBAL_RATE...); the web app takes
    a free port and logs stay quiet unless a test asks otherwise."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": sandbox.token,
        "TELEGRAM_API_BASE_URL": api_base_url or sandbox.api_base_url,
        "KYODO_WEB_PORT": "0",
        "KYODO_LOG_LEVEL": "WARNING",
        **settings,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "kyodo.cli", "run"], env=env, stdout=out, stderr=out
        )


async def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
