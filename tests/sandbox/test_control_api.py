"""The /_sandbox control API the chat page and shell use, and its Python twin."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from sandbox.server import SandboxServer
from tests.sandbox.conftest import HANA, RawCall


async def _get(http: aiohttp.ClientSession, url: str) -> Any:
    async with http.get(url) as response:
        assert response.status == 200
        return await response.json()


async def _post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> Any:
    async with http.post(url, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_personas_and_strangers(sandbox: SandboxServer, http: aiohttp.ClientSession) -> None:
    sandbox.add_persona(2001, "佐藤", "ja", label="佐藤さん（職員）")
    stranger = await _post(http, f"{sandbox.base_url}/_sandbox/strangers", {"language_code": "en"})
    info = await _get(http, f"{sandbox.base_url}/_sandbox/info")

    assert info["personas"][0]["label"] == "佐藤さん（職員）"
    assert stranger["language_code"] == "en"
    assert stranger["id"] != 2001
    assert info["bot"]["username"] == "kyodo_coop_bot"


async def test_a_person_writes_and_presses_over_http(
    sandbox: SandboxServer, call: RawCall, http: aiohttp.ClientSession
) -> None:
    sandbox.add_persona(HANA["id"], HANA["first_name"], "ja")
    await _post(
        http, f"{sandbox.base_url}/_sandbox/send", {"user_id": HANA["id"], "text": "予約したい"}
    )
    _, sent = await call(
        "sendMessage",
        chat_id=HANA["id"],
        text="どれ？",
        reply_markup={"inline_keyboard": [[{"text": "介護", "callback_data": "svc:care"}]]},
    )
    await _post(
        http,
        f"{sandbox.base_url}/_sandbox/press",
        {
            "user_id": HANA["id"],
            "message_id": sent["result"]["message_id"],
            "callback_data": "svc:forged",
        },
    )

    _, updates = await call("getUpdates")

    kinds = [next(k for k in u if k != "update_id") for u in updates["result"]]
    assert kinds == ["message", "callback_query"]
    assert updates["result"][1]["callback_query"]["data"] == "svc:forged"
    chat = await _get(http, f"{sandbox.base_url}/_sandbox/chats/{HANA['id']}")
    assert [m["text"] for m in chat["messages"]] == ["予約したい", "どれ？"]


async def test_a_chat_can_be_long_polled_for_changes(
    sandbox: SandboxServer, http: aiohttp.ClientSession
) -> None:
    first = await _get(http, f"{sandbox.base_url}/_sandbox/chats/{HANA['id']}")
    waiting = asyncio.create_task(
        _get(
            http, f"{sandbox.base_url}/_sandbox/chats/{HANA['id']}?since={first['version']}&wait=5"
        )
    )
    await asyncio.sleep(0.1)
    sandbox.user_sends(HANA, "hello")
    later = await asyncio.wait_for(waiting, 5)
    assert later["version"] > first["version"]
    assert later["messages"][0]["text"] == "hello"


async def test_wait_for_messages_returns_once_the_bot_has_answered(
    sandbox: SandboxServer, call: RawCall
) -> None:
    async def answer_later() -> None:
        await asyncio.sleep(0.1)
        await call("sendMessage", chat_id=HANA["id"], text="はい")

    task = asyncio.create_task(answer_later())
    [message] = await sandbox.wait_for_messages(HANA["id"], 1, timeout=5)
    await task
    assert message.text == "はい"
    with pytest.raises(TimeoutError, match="expected 2 bot messages"):
        await sandbox.wait_for_messages(HANA["id"], 2, timeout=0.1)


async def test_pressing_a_missing_message_is_a_client_error(
    sandbox: SandboxServer, http: aiohttp.ClientSession
) -> None:
    async with http.post(
        f"{sandbox.base_url}/_sandbox/press",
        json={"user_id": 5, "message_id": 99, "callback_data": "x"},
    ) as response:
        assert response.status == 400


async def test_stats_and_violations_are_readable(
    sandbox: SandboxServer, call: RawCall, http: aiohttp.ClientSession
) -> None:
    await call("getMe")
    stats = await _get(http, f"{sandbox.base_url}/_sandbox/stats")
    assert stats["requests"] == 1
    assert await _get(http, f"{sandbox.base_url}/_sandbox/violations") == []


async def test_the_chat_page_is_served(sandbox: SandboxServer, http: aiohttp.ClientSession) -> None:
    async with http.get(sandbox.page_url) as response:
        page = await response.text()
    assert 'id="persona"' in page
    assert 'role="log"' in page
    async with http.get(f"{sandbox.base_url}/static/app.js") as response:
        assert response.status == 200
