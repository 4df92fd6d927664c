"""The webhook: the secret is checked, and 200 means the update is committed."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime.inbox import InboxIntake
from handlers.webhook import SECRET_HEADER, setup_webhook
from tests.transport.samples import message

SECRET = "s3cr3t-token_value"
PATH = "/telegram/webhook"


class BrokenIntake(InboxIntake):
    def __init__(self) -> None:
        pass

    async def accept(self, updates):
        raise OSError("database is down")


@pytest.fixture
async def client_for():
    clients: list[TestClient] = []

    async def make(intake: InboxIntake) -> TestClient:
        app = web.Application()
        setup_webhook(app, PATH, SECRET, intake)
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def post(client: TestClient, body, secret: str | None = SECRET):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await client.post(PATH, data=data, headers=headers)


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
async def test_a_missing_or_wrong_secret_is_refused_and_nothing_stored(
    client_for, store, vtime, secret
):
    client = await client_for(InboxIntake(store.uow, vtime))

    response = await post(client, message(1, text="hi"), secret=secret)

    assert response.status == 403
    assert store.state.inbox == {}


async def test_an_update_is_committed_before_the_200(client_for, store, vtime):
    commits_seen: list[int] = []

    class Watching(InboxIntake):
        async def accept(self, updates):
            added = await super().accept(updates)
            commits_seen.append(store.commits)
            return added

    client = await client_for(Watching(store.uow, vtime))

    response = await post(client, message(1, text="hi"))

    assert response.status == 200
    assert commits_seen == [1]
    assert list(store.state.inbox) == [1]


async def test_the_same_update_delivered_twice_is_stored_once(client_for, store, vtime):
    client = await client_for(InboxIntake(store.uow, vtime))

    first = await post(client, message(1, text="hi"))
    second = await post(client, message(1, text="hi"))

    assert (first.status, second.status) == (200, 200)
    assert list(store.state.inbox) == [1]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe"])
async def test_a_body_that_is_not_an_update_is_a_400(client_for, store, vtime, body):
    client = await client_for(InboxIntake(store.uow, vtime))

    response = await post(client, body)

    assert response.status == 400


async def test_a_store_failure_answers_500_so_telegram_retries(client_for):
    client = await client_for(BrokenIntake())

    response = await post(client, message(1, text="hi"))

    assert response.status == 500


def test_a_webhook_without_a_secret_is_refused(store, vtime):
    with pytest.raises(ValueError, match="secret"):
        setup_webhook(web.Application(), PATH, "", InboxIntake(store.uow, vtime))
