"""Webhook mode over both transports: Kyodo's own aiohttp listener, the secret header checked."""

from __future__ import annotations

import aiohttp
from sqlalchemy import func, select

from kyodo.app import open_store
from storage.models import InboxRow
from tests.fixtures.kyodo import labels


async def inbox_rows(settings) -> int:
    async with open_store(settings) as store, store.engine.connect() as db:
        return int(await db.scalar(select(func.count()).select_from(InboxRow)) or 0)


async def test_kyodo_registers_its_webhook_with_the_secret(kyodo_webhook, sandbox):
    [call] = sandbox.calls_of("setWebhook")
    assert call.params["url"] == kyodo_webhook.settings.webhook_url
    assert call.params["secret_token"] == "test-secret_0123456789abcdefghijklmnop"


async def test_a_stranger_is_welcomed_through_the_webhook(kyodo_webhook, person):
    answer = await person(601, "John", "en").says("/start")
    assert "Hello, John!" in answer.text
    # No language chosen yet: the three choices stand in for the Language button.
    assert [
        label for label in labels(answer) if label in ("日本語", "やさしい にほんご", "English")
    ] == ["日本語", "やさしい にほんご", "English"]


async def test_a_button_press_through_the_webhook(kyodo_webhook, person):
    hanako = person(602, "花子", "ja")
    await hanako.says("/start")
    answer = await hanako.taps("やさしい にほんご")
    assert "これから、やさしい日本語で書きます。" in answer.text
    answer = await hanako.taps("ことば")
    assert "ことばを選んでください" in answer.text


async def test_an_update_delivered_twice_by_webhook_is_handled_once(kyodo_webhook, sandbox, person):
    john = person(603, "John", "en")
    update = sandbox.user_sends(john.user, "/help")
    await sandbox.wait_for_messages(john.id, 1, timeout=10)
    sandbox.deliver_twice(update)
    await john.says("/menu")
    assert len(john.messages) == 2
    assert await inbox_rows(kyodo_webhook.settings) == 2


async def test_a_post_without_the_right_secret_is_refused_and_not_stored(kyodo_webhook):
    url = kyodo_webhook.settings.webhook_url
    update = {
        "update_id": 999_001,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 604, "type": "private"},
            "from": {"id": 604, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
        },
    }
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "test-secret_0124"}):
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 403
    assert await inbox_rows(kyodo_webhook.settings) == 0
