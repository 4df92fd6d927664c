"""Faults injected on demand, from Python and over HTTP."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import telegram

from sandbox.server import SandboxServer
from tests.sandbox.conftest import HANA, RawCall


async def test_the_next_calls_of_a_method_get_429(sandbox: SandboxServer, call: RawCall) -> None:
    sandbox.inject_fault("429", method="sendMessage", count=2, retry_after=7)

    answers = [await call("sendMessage", chat_id=-1 - i, text="hi") for i in range(3)]

    assert [status for status, _ in answers] == [429, 429, 200]
    assert answers[0][1]["parameters"] == {"retry_after": 7}
    assert sandbox.stats["faults_injected"] == 2


async def test_a_retry_inside_an_injected_retry_after_is_too_early(
    sandbox: SandboxServer, call: RawCall
) -> None:
    sandbox.inject_fault("429", method="sendMessage", retry_after=30)
    await call("sendMessage", chat_id=HANA["id"], text="hi")

    status, body = await call("sendMessage", chat_id=HANA["id"], text="hi again")

    assert status == 429
    assert 29 <= body["parameters"]["retry_after"] <= 30
    assert sandbox.stats["sent_too_early"] == 1


async def test_faults_only_hit_their_method(sandbox: SandboxServer, call: RawCall) -> None:
    sandbox.inject_fault("500", method="sendMessage")
    assert (await call("getMe"))[0] == 200
    status, body = await call("sendMessage", chat_id=HANA["id"], text="hi")
    assert (status, body["description"]) == (500, "Internal Server Error")


async def test_a_fault_for_any_method(sandbox: SandboxServer, call: RawCall) -> None:
    sandbox.inject_fault("403")
    status, body = await call("getMe")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    assert (await call("getMe"))[0] == 200


async def test_a_person_who_blocked_the_bot_cannot_be_written_to(
    sandbox: SandboxServer, ptb: telegram.Bot
) -> None:
    sandbox.block_user(HANA["id"])
    with pytest.raises(telegram.error.Forbidden, match="blocked by the user"):
        await ptb.send_message(HANA["id"], "hello?")
    sandbox.block_user(HANA["id"], blocked=False)
    assert await ptb.send_message(HANA["id"], "hello again")


async def test_a_hanging_call_never_answers(sandbox: SandboxServer, call: RawCall) -> None:
    sandbox.inject_fault("timeout", method="sendMessage")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(call("sendMessage", chat_id=HANA["id"], text="lost?"), 0.5)
    assert sandbox.messages_to(HANA["id"]) == []


async def test_a_delayed_call_answers_late(sandbox: SandboxServer, call: RawCall) -> None:
    sandbox.inject_fault("timeout", method="getMe", delay=0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    status, _ = await call("getMe")
    assert status == 200
    assert loop.time() - started >= 0.3


async def test_python_telegram_bot_times_out_on_a_hang(
    sandbox: SandboxServer, ptb: telegram.Bot
) -> None:
    sandbox.inject_fault("timeout", method="sendMessage")
    with pytest.raises(telegram.error.TimedOut):
        await ptb.send_message(HANA["id"], "x", read_timeout=0.3)


async def test_faults_can_be_injected_and_cleared_over_http(
    sandbox: SandboxServer, http: aiohttp.ClientSession, call: RawCall
) -> None:
    url = f"{sandbox.base_url}/_sandbox/faults"
    async with http.post(url, json={"kind": "429", "method": "getMe", "retry_after": 3}) as r:
        assert r.status == 200
    async with http.get(url) as r:
        assert (await r.json())["faults"][0]["retry_after"] == 3
    status, body = await call("getMe")
    assert (status, body["parameters"]["retry_after"]) == (429, 3)

    async with http.post(url, json={"kind": "500", "count": 5}) as r:
        assert r.status == 200
    async with http.delete(url) as r:
        assert r.status == 200
    assert (await call("getMe"))[0] == 200
    async with http.post(url, json={"kind": "explode"}) as r:
        assert r.status == 400
