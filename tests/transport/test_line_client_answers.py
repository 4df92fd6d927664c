"""`LineClient`'s reading of LINE's answer to a reply or a push: a 200 means LINE took the
messages, whatever its body. An answer whose body cannot be read (not JSON, not UTF-8, a
charset nobody knows) is delivered without message ids, never an error: the gateway would take
an error for a refusal, free the row's claim, and its retry would push the same message again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from handlers.line.client import LineClient

TEXT = [{"type": "text", "text": "受け付けました"}]


class Answers:
    """A Messaging API stand-in that answers every reply and push 200 with `body`."""

    def __init__(self) -> None:
        self.body = b""
        self.content_type = "application/json"
        self.posted: list[str] = []
        self.url = ""
        app = web.Application()
        app.router.add_post("/v2/bot/message/{kind}", self._answer)
        self._runner = web.AppRunner(app)

    async def _answer(self, request: web.Request) -> web.Response:
        self.posted.append(request.match_info["kind"])
        return web.Response(status=200, body=self.body, headers={"Content-Type": self.content_type})

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        await self._runner.cleanup()


@pytest.fixture
async def answers() -> AsyncIterator[Answers]:
    server = Answers()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def client(answers: Answers) -> AsyncIterator[LineClient]:
    client = LineClient("token", answers.url)
    try:
        yield client
    finally:
        await client.close()


async def test_a_200_with_message_ids_gives_them(answers: Answers, client: LineClient):
    answers.body = b'{"sentMessages": [{"id": "461230966842064897", "quoteToken": "q"}]}'
    assert await client.reply("r1", TEXT, 5.0) == ["461230966842064897"]
    assert await client.push("U1", TEXT, "key", 5.0) == ["461230966842064897"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html>OK</html>", "text/html"),  # not JSON
        (b"[1, 2]", "application/json"),  # JSON, not an object
        (b'{"sentMessages": "\xff\xfe"}', "application/json"),  # not UTF-8
        (b'{"sentMessages": []}', "application/json; charset=klingon"),  # no such charset
    ],
)
async def test_a_200_whose_body_cannot_be_read_is_delivered_without_ids(
    answers: Answers, client: LineClient, body: bytes, content_type: str
):
    answers.body, answers.content_type = body, content_type
    assert await client.reply("r1", TEXT, 5.0) == []
    assert await client.push("U1", TEXT, "key", 5.0) == []
    assert answers.posted == ["reply", "push"]
