"""The full reference is optional, and the fixture fails tests whose bot broke the API."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sandbox import reference
from sandbox.reference import load_reference, parse_reference
from sandbox.schema import Method
from sandbox.server import SandboxServer
from sandbox.validation import ValidationError, validate
from tests.sandbox.conftest import RawCall

REPO = Path(__file__).resolve().parents[2]


def test_an_absent_reference_is_reported_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(reference, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="sandbox.reference"):
        assert load_reference(tmp_path / "missing.json") is None
        assert load_reference(tmp_path / "missing.json") is None
    assert len(caplog.records) == 1
    assert "not found" in caplog.records[0].getMessage()


def test_the_env_var_names_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reference.ENV_VAR, "/elsewhere/api.json")
    assert reference.default_path() == Path("/elsewhere/api.json")


def test_limits_and_discriminators_are_read_from_the_prose() -> None:
    spec = parse_reference(
        {
            "methods": {
                "setThing": {
                    "fields": [
                        {
                            "name": "title",
                            "types": ["String"],
                            "required": True,
                            "description": "Title, 1-8 characters",
                        },
                        {
                            "name": "scope",
                            "types": ["Scope"],
                            "required": False,
                            "description": "Scope",
                        },
                    ]
                },
                "getThing": {},
            },
            "types": {
                "Scope": {"subtypes": ["ScopeA"]},
                "ScopeA": {
                    "fields": [
                        {
                            "name": "type",
                            "types": ["String"],
                            "required": True,
                            "description": "Scope type, must be a",
                        }
                    ]
                },
            },
        }
    )
    assert spec.methods["getThing"] == Method("getThing")
    assert validate(spec, "setThing", {"title": "ok", "scope": '{"type": "a"}'}) == {
        "title": "ok",
        "scope": {"type": "a"},
    }
    with pytest.raises(ValidationError, match="1-8 characters"):
        validate(spec, "setThing", {"title": "much too long"})
    with pytest.raises(ValidationError, match='must be "a"'):
        validate(spec, "setThing", {"title": "ok", "scope": {"type": "b"}})


@pytest.mark.sandbox_violations_expected
async def test_a_real_method_the_sandbox_lacks_is_a_violation(
    sandbox: SandboxServer, call: RawCall
) -> None:
    if sandbox.reference_spec is None:
        pytest.skip("needs the full reference to know sendPoll exists")
    status, body = await call("sendPoll", chat_id=1, question="?", options=["a", "b"])
    assert status == 400
    assert "not implemented by the sandbox" in body["description"]
    assert sandbox.violations[0].method == "sendPoll"


def _run_pytest(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / "test_violating_bot.py"
    test_file.write_text(textwrap.dedent(body), encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(test_file),
            "-q",
            "-p",
            "tests.fixtures.sandbox",
            "-W",
            "error",
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
        check=False,
    )


def test_the_fixture_fails_a_test_whose_bot_broke_the_api(tmp_path: Path) -> None:
    result = _run_pytest(
        tmp_path,
        """
        import aiohttp
        import pytest

        async def _bad_call(sandbox):
            async with aiohttp.ClientSession() as http:
                url = f"{sandbox.api_base_url}{sandbox.token}/sendMessage"
                async with http.post(url, json={"chat_id": 1}) as answer:
                    assert answer.status == 400

        async def test_unmarked(sandbox):
            await _bad_call(sandbox)

        @pytest.mark.sandbox_violations_expected
        async def test_marked(sandbox):
            await _bad_call(sandbox)
    """,
    )
    # Both bodies pass; only the unmarked test errors, at the fixture's teardown.
    assert "2 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "ERROR at teardown of test_unmarked" in result.stdout
    assert "the bot broke the Telegram Bot API" in result.stdout
    assert "message text is empty" in result.stdout
