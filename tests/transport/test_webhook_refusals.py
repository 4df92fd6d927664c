"""Refusals at the webhook are cheap: any malformed secret header is a 403 (never a 500), and a
flood of refused requests is counted and logged once a minute, not line by line."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime.inbox import InboxIntake
from handlers.webhook import SECRET_HEADER, setup_webhook
from tests.transport.samples import message

SECRET = "a" * 20 + "_-0123456789XYZ"
PATH = "/telegram/webhook"


@pytest.fixture
async def client(store, vtime):
    app = web.Application()
    setup_webhook(app, PATH, SECRET, InboxIntake(store.uow, vtime))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


async def raw_post(client: TestClient, header: bytes) -> int:
    """A request whose secret header carries bytes no well-behaved client would send."""
    body = json.dumps(message(1, text="hi")).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(
        b"POST "
        + PATH.encode()
        + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + SECRET_HEADER.encode()
        + b": "
        + header
        + b"\r\n"
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + body
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


@pytest.mark.parametrize(
    "header",
    [
        "é".encode(),  # UTF-8, not ASCII
        b"\xff\xfe\xfd",  # not even UTF-8
        ("é" * 40).encode(),
        SECRET.encode() + "é".encode(),
        b"",
    ],
)
async def test_a_malformed_secret_header_is_a_403_not_a_500(client, store, header):
    assert await raw_post(client, header) == 403
    async with store.uow() as uow:
        assert await uow.inbox.pending(10) == []


async def test_a_flood_of_refusals_is_counted_and_logged_once(client, caplog):
    caplog.set_level(logging.WARNING, logger="handlers.webhook")
    body = json.dumps(message(1, text="hi"))
    for n in range(300):
        response = await client.post(PATH, data=body, headers={SECRET_HEADER: f"wrong{n}"})
        assert response.status == 403
    lines = [r for r in caplog.records if r.name == "handlers.webhook"]
    assert len(lines) == 1  # the first; the rest are counted for the next note, a minute on
    ok = await client.post(PATH, data=body, headers={SECRET_HEADER: SECRET})
    assert ok.status == 200
