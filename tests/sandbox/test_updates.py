"""Update delivery: long polling, conflicts, webhooks with their secret, duplicate delivery."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web

from sandbox.server import SandboxServer
from tests.sandbox.conftest import HANA, TOM, RawCall


async def test_a_long_poll_wakes_when_a_person_writes(
    sandbox: SandboxServer, call: RawCall
) -> None:
    poll = asyncio.create_task(call("getUpdates", timeout=10))
    await asyncio.sleep(0.1)
    sandbox.user_sends(HANA, "おはよう")

    status, body = await asyncio.wait_for(poll, 5)

    assert status == 200
    assert body["result"][0]["message"]["text"] == "おはよう"


async def test_a_second_concurrent_poll_causes_a_409_conflict(
    sandbox: SandboxServer, call: RawCall
) -> None:
    first = asyncio.create_task(call("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(call("getUpdates", timeout=1))

    statuses = sorted([(await first)[0], (await second)[0]])

    assert statuses == [200, 409]
    assert sandbox.stats["conflicts"] == 1


async def test_get_updates_while_a_webhook_is_set_is_a_conflict(call: RawCall) -> None:
    await call("setWebhook", url="http://127.0.0.1:9/hook")
    status, body = await call("getUpdates")
    assert status == 409
    assert "webhook is active" in body["description"]


async def test_limit_and_allowed_updates_are_honoured(
    sandbox: SandboxServer, call: RawCall
) -> None:
    sandbox.user_sends(HANA, "one")
    sandbox.user_sends(TOM, "two")
    _, body = await call("getUpdates", limit=1)
    assert [u["message"]["text"] for u in body["result"]] == ["one"]

    _, body = await call(
        "getUpdates", offset=body["result"][0]["update_id"] + 1, allowed_updates=["callback_query"]
    )
    assert [u["message"]["text"] for u in body["result"]] == ["two"]  # queued before: still sent

    sandbox.user_sends(HANA, "three")
    _, body = await call("getUpdates", offset=body["result"][0]["update_id"] + 1)
    assert body["result"] == []  # created after: never queued


async def test_negative_offset_keeps_only_the_latest(sandbox: SandboxServer, call: RawCall) -> None:
    for text in ("a", "b", "c"):
        sandbox.user_sends(HANA, text)
    _, body = await call("getUpdates", offset=-1)
    assert [u["message"]["text"] for u in body["result"]] == ["c"]


async def test_group_messages_come_from_the_group(sandbox: SandboxServer, call: RawCall) -> None:
    sandbox.user_sends(TOM, "/help@kyodo_coop_bot", chat={"id": -100200, "title": "班"})
    _, body = await call("getUpdates")
    message = body["result"][0]["message"]
    assert message["chat"] == {"id": -100200, "type": "group", "title": "班"}
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 20}]


async def test_stickers_and_photos_arrive_as_telegram_shapes_them(
    sandbox: SandboxServer, call: RawCall
) -> None:
    sandbox.user_sends_sticker(HANA)
    sandbox.user_sends_photo(HANA, caption="領収書")
    _, body = await call("getUpdates")
    sticker, photo = (u["message"] for u in body["result"])
    assert sticker["sticker"]["emoji"] == "👍"
    assert photo["caption"] == "領収書"
    assert len(photo["photo"]) == 3


async def test_a_redelivered_update_arrives_twice_with_the_same_id(
    sandbox: SandboxServer, call: RawCall
) -> None:
    update = sandbox.user_sends(HANA, "一度だけ処理してね")
    _, first = await call("getUpdates")
    sandbox.deliver_twice(update)

    _, second = await call("getUpdates", offset=update["update_id"] + 1)
    _, third = await call("getUpdates", offset=update["update_id"] + 1)

    assert first["result"] == second["result"] == [update]
    assert third["result"] == []


class WebhookReceiver:
    """A tiny web server standing in for the bot's webhook endpoint."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        self.arrived = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=502)
        self.received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        self.arrived.set()
        return web.Response(text="ok")

    async def __aenter__(self) -> WebhookReceiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(5):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()


async def test_a_webhook_receives_updates_with_the_secret_header(
    sandbox: SandboxServer, call: RawCall
) -> None:
    async with WebhookReceiver() as receiver:
        status, _ = await call("setWebhook", url=receiver.url, secret_token="s3cret_-X")
        assert status == 200
        update = sandbox.user_sends(HANA, "webhook")

        await receiver.wait_for(1)

        assert receiver.received == [("s3cret_-X", update)]
        _, info = await call("getWebhookInfo")
        assert info["result"]["url"] == receiver.url
        assert info["result"]["pending_update_count"] == 0
        assert sandbox.stats["webhook_deliveries"] == 1


async def test_a_failing_webhook_is_retried_with_backoff(
    sandbox: SandboxServer, call: RawCall
) -> None:
    async with WebhookReceiver(failures=2) as receiver:
        await call("setWebhook", url=receiver.url)
        sandbox.user_sends(HANA, "retry me")

        await receiver.wait_for(1)

        assert sandbox.stats["webhook_failures"] == 2
        assert sandbox.stats["webhook_retries"] == 2
        _, info = await call("getWebhookInfo")
        assert "502" in info["result"]["last_error_message"]


async def test_a_webhook_gets_a_redelivered_update_again(
    sandbox: SandboxServer, call: RawCall
) -> None:
    async with WebhookReceiver() as receiver:
        await call("setWebhook", url=receiver.url)
        update = sandbox.user_sends(HANA, "twice")
        await receiver.wait_for(1)
        sandbox.redeliver(update["update_id"])
        await receiver.wait_for(2)
        assert [body for _, body in receiver.received] == [update, update]


@pytest.mark.sandbox_violations_expected
async def test_a_secret_token_with_unallowed_characters_is_refused(call: RawCall) -> None:
    status, body = await call("setWebhook", url="https://example.org/h", secret_token="a b")
    assert status == 400
    assert "secret token" in body["description"]


async def test_drop_pending_updates_forgets_them(sandbox: SandboxServer, call: RawCall) -> None:
    sandbox.user_sends(HANA, "forget me")
    await call("deleteWebhook", drop_pending_updates=True)
    _, body = await call("getUpdates")
    assert body["result"] == []
