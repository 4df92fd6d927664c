"""The ``line`` fixture (and the ``sandbox`` fixture's stand-in) fail a test whose bot broke
LINE's Messaging API, at teardown, unless the test says it meant to."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BODY = """
    import aiohttp
    import pytest

    async def bad_push(line):
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{line.api_base_url}/v2/bot/message/push",
                json={"to": "U" + "0" * 32, "messages": []},
                headers={"Authorization": f"Bearer {line.access_token}"},
            ) as answer:
                assert answer.status == 400

    async def test_unmarked(line):
        await bad_push(line)

    @pytest.mark.line_violations_expected
    async def test_marked(line):
        await bad_push(line)

    async def test_through_the_telegram_sandbox(sandbox):
        await bad_push(sandbox.line)
"""


def test_the_fixtures_fail_a_test_whose_bot_broke_lines_api(tmp_path: Path) -> None:
    test_file = tmp_path / "test_violating_line_bot.py"
    test_file.write_text(textwrap.dedent(BODY), encoding="utf-8")
    plugins = ["-p", "tests.fixtures.line", "-p", "tests.fixtures.sandbox"]
    options = ["-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function"]
    isolated = ["-p", "no:cacheprovider", "--rootdir", str(tmp_path), "-c", os.devnull]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(test_file),
            "-q",
            *plugins,
            "-W",
            "error",
            *options,
            *isolated,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )

    # Every body passes; the two unmarked tests error at their fixture's teardown.
    assert "3 passed, 2 errors" in result.stdout, result.stdout + result.stderr
    assert "ERROR at teardown of test_unmarked" in result.stdout
    assert "ERROR at teardown of test_through_the_telegram_sandbox" in result.stdout
    assert "the bot broke the LINE Messaging API" in result.stdout
    assert "messages: Size must be between 1 and 5" in result.stdout
