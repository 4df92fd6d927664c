"""`LineClient` where the environment names an HTTP proxy: LINE's requests go through it, as
the SDK's own session sends them (without one, the client's session does not look the
environment up before every request: handlers/line/client.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from handlers.line.client import LineClient
from sandbox.line.standin import LineStandIn

_HOP_BY_HOP = {"host", "content-length", "connection", "proxy-connection", "keep-alive"}


class ForwardingProxy:
    """A plain HTTP forward proxy on 127.0.0.1 that remembers each request it carried."""

    def __init__(self) -> None:
        self.carried: list[str] = []
        self._runner = web.ServerRunner(web.Server(self._forward))
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(trust_env=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.BaseRequest) -> web.Response:
        assert self._session is not None
        self.carried.append(f"{request.method} {request.url}")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        async with self._session.request(
            request.method, request.url, data=await request.read(), headers=headers
        ) as answer:
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
            return web.Response(status=answer.status, body=await answer.read(), headers=kept)


@pytest.fixture
async def proxy(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ForwardingProxy]:
    proxy = ForwardingProxy()
    await proxy.start()
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield proxy
    finally:
        await proxy.stop()


async def test_with_a_proxy_in_the_environment_lines_requests_go_through_it(
    line: LineStandIn, proxy: ForwardingProxy
):
    line.webhook_url = None  # the event waits at the stand-in: this test plays Kyodo
    person = line.add_person("花子")
    token = str(line.sends_text(person.user_id, "こんにちは").event["replyToken"])
    client = LineClient(line.access_token, line.api_base_url)
    try:
        await client.reply(token, [{"type": "text", "text": "受け付けました"}], 5.0)
        name, _ = await client.profile(person.user_id, 5.0)
    finally:
        await client.close()
    assert [(entry.via, entry.message.get("text")) for entry in line.received(person.user_id)] == [
        ("reply", "受け付けました")
    ]
    assert name == "花子"
    base = line.api_base_url.rstrip("/")
    assert proxy.carried == [
        f"POST {base}/v2/bot/message/reply",
        f"GET {base}/v2/bot/profile/{person.user_id}",
    ]
