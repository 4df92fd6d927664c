"""The desk's Deliveries page over plain HTTP, against Kyodo running for real: a reply whose
send timed out (Telegram never answered: by design not resent) is listed under the person and
reaches them when staff send it again; an update Kyodo parked is handled again from the page
and the person gets their answer. Both looks and both actions are audited."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.domain.deliveries import AMBIGUOUS_TIMEOUT
from kyodo.app import open_store
from storage.models import AuditRow, OutboxRow
from tests.desk.conftest import MARIA, TANAKA, Desk, DeskClient
from tests.fixtures.browser import needs_chromium, on_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]


async def actions(desk: Desk) -> list[tuple[str, str]]:
    async with await desk.store() as store, store.engine.connect() as db:
        rows = await db.execute(select(AuditRow.action, AuditRow.subject).order_by(AuditRow.id))
        return [(row.action, row.subject) for row in rows]


async def until_failed(desk: Desk, chat_id: int) -> str:
    """Waits for the sender to settle a message to `chat_id` as failed; returns its error."""
    for _ in range(150):  # the transport's read timeout is 10 s
        async with await desk.store() as store, store.engine.connect() as db:
            error = (
                await db.execute(
                    select(OutboxRow.last_error).where(
                        OutboxRow.chat_id == chat_id, OutboxRow.status == "failed"
                    )
                )
            ).scalar_one_or_none()
        if error is not None:
            return str(error)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no failed message to {chat_id}")


async def test_a_reply_lost_to_a_timeout_is_listed_and_sent_again(desk: Desk, web: DeskClient):
    """3 of 20 replies were lost to read timeouts, and nobody could see it."""
    await web.sign_in()
    maria = desk.person(MARIA, "Maria", "en")
    desk.sandbox.faults.inject("timeout", method="sendMessage")  # accepted, never answered
    desk.sandbox.user_sends(maria.user, "/help")

    assert await until_failed(desk, MARIA) == AMBIGUOUS_TIMEOUT
    assert maria.messages == []
    page = await web.get("/deliveries")
    assert page.status == 200
    assert "Maria Santos" in page.main
    assert "Telegramから応答なし" in page.main and "Help" in page.main

    sent = await web.post(f"/deliveries/chats/{MARIA}/send-again", {"csrf": page.input("csrf")})

    assert sent.status == 200 and sent.url.endswith("/desk/deliveries?done=dl_sent_again&n=1")
    assert "もう一度送ります：1件。" in sent.main
    assert "過去7日間のメッセージはすべて届いています" in sent.main
    [arrived] = await desk.sandbox.wait_for_messages(MARIA, 1, timeout=10)
    assert "Help" in arrived.text
    assert {("deliveries.viewed", "deliveries"), ("deliveries.sent_again", f"chat:{MARIA}")} <= set(
        await actions(desk)
    )
    again = await web.post(f"/deliveries/chats/{MARIA}/send-again", {"csrf": page.input("csrf")})
    assert again.status == 400 and "もう一度送るものはありません" in again.main


async def test_an_update_kyodo_could_not_handle_is_handled_again_from_the_page(
    desk: Desk, web: DeskClient
):
    await web.sign_in()
    tanaka = desk.person(TANAKA, "一郎")
    update = {
        "update_id": 987_654,
        "message": {
            "message_id": 9,
            "date": 1_700_000_000,
            "chat": {"id": TANAKA, "type": "private"},
            "from": tanaka.user,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    now = desk.app.clock.now()
    async with open_store(desk.app.settings) as store, store.uow() as uow:
        # As the inbox worker leaves an update that failed all its attempts.
        await uow.inbox.add_fresh([(987_654, update)], now, now)
        await uow.inbox.park(987_654, now, "OperationalError")
        await uow.commit()

    page = await web.get("/deliveries")
    assert "#987654" in page.main and "田中 一郎" in page.main and "OperationalError" in page.main
    done = await web.post("/deliveries/updates/987654/handle-again", {"csrf": page.input("csrf")})

    assert "もう一度処理しています" in done.main and "保留中のものはありません" in done.main
    [answer] = await desk.sandbox.wait_for_messages(TANAKA, 1, timeout=10)
    assert "ヘルプ" in answer.text
    assert ("inbox.handled_again", "update:987654") in await actions(desk)
    late = await web.post("/deliveries/updates/987654/handle-again", {"csrf": page.input("csrf")})
    assert late.status == 400 and "#987654 はもう待っていません" in late.main
