"""End to end, over both transports: a resident asks for a service by tapping and typing through
the sandbox and gets a reference number; staff take it on from the card and the resident is told.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.ports.clock import SystemClock
from kyodo.app import KyodoApp, open_store
from storage.models import ServiceRequestRow
from tests.fixtures.kyodo import kyodo_settings, labels, load

ADDRESS = "東京都中央区日本橋1-2-3"


async def step(who, sandbox, label_part: str):
    """Taps a button on the latest message; the dialog edits that message or sends a new one."""
    last = who.messages[-1]
    count, edits = len(who.messages), len(last.history)
    matches = [b["callback_data"] for b in last.buttons if label_part in b["text"]]
    assert len(matches) == 1, (label_part, labels(last))
    sandbox.user_presses(who.user, last.message_id, matches[0])

    def answered() -> bool:
        return len(who.messages) > count or len(who.messages[-1].history) > edits

    assert await sandbox.notifier.wait_until(answered, 10), label_part
    return who.messages[-1]


async def requests(kyodo) -> list[tuple[str, str, str | None, str | None]]:
    """This month's requests (the demo resident's past ones have last month's numbers)."""
    month = SystemClock().now().astimezone(kyodo.settings.tz).strftime("%y%m")
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        rows = await db.execute(
            select(
                ServiceRequestRow.reference,
                ServiceRequestRow.status,
                ServiceRequestRow.phone,
                ServiceRequestRow.address,
            )
            .where(ServiceRequestRow.reference.startswith(f"K-{month}-"))
            .order_by(ServiceRequestRow.id)
        )
        return [tuple(row) for row in rows]


@pytest.fixture
async def kyodo_cards(sandbox: Any, transport: str, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    """Kyodo with staff cards on (the shared fixture turns them off)."""
    app = KyodoApp(kyodo_settings(sandbox, transport, kyodo_db, KYODO_STAFF_CARDS="on"))
    await app.start()
    yield app
    await app.stop()


async def test_a_resident_asks_for_a_service_and_hears_when_staff_take_it(
    kyodo_cards, person, sandbox
):
    kyodo = kyodo_cards
    today = await load(kyodo)
    tome, hanako = person(4001, "トメ", "ja"), person(1001, "花子", "ja")
    await hanako.says("/start")
    await tome.says("/start")
    asked = await tome.presses_key("🤝 依頼")  # a resident's key under the chat
    assert "どのサービスをご希望ですか" in asked.text
    await step(tome, sandbox, "高齢者の介護")
    await step(tome, sandbox, "配食サービス")
    days = await step(tome, sandbox, "自分")
    assert "ご希望の日を押してください" in days.text
    day = today + timedelta(days=2)
    label = f"{day.month}月{day.day}日"
    chosen = await step(tome, sandbox, label)
    assert any(b["text"].startswith("✅") for b in chosen.buttons)
    await step(tome, sandbox, "次へ")
    await step(tome, sandbox, "午前")
    consent = await step(tome, sandbox, "中央区")
    assert "個人情報の取り扱い" in consent.text
    address = await step(tome, sandbox, "同意する")
    assert "ご住所を入力してください" in address.text
    await tome.says(ADDRESS)
    details = await tome.says("０９０－１２３４－５６７８")
    assert "ご要望" in details.text
    summary = await tome.says("昼食を週3回")
    assert "090-1234-5678" in summary.text and "配食サービス" in summary.text
    before_staff = len(hanako.messages)
    sent = await step(tome, sandbox, "この内容で送る")
    month = today.strftime("%y%m")
    assert f"K-{month}-0001" in sent.text
    assert await requests(kyodo) == [(f"K-{month}-0001", "received", "090-1234-5678", ADDRESS)]

    # The staff card arrives in the coordinator's chat; taking it on tells the resident.
    cards = await sandbox.wait_for_messages(hanako.id, before_staff + 1, timeout=10)
    card = next(
        m for m in cards if any(b["callback_data"].startswith("tc:r:take:") for b in m.buttons)
    )
    [take] = [
        b["callback_data"] for b in card.buttons if b["callback_data"].startswith("tc:r:take:")
    ]
    before = len(tome.messages)
    sandbox.user_presses(hanako.user, card.message_id, take)
    notices = await sandbox.wait_for_messages(tome.id, before + 1, timeout=10)
    assert f"ご依頼 K-{month}-0001 の内容を、担当者が確認しています" in notices[-1].text
    assert (await requests(kyodo))[0][1] == "under_review"

    mine = await tome.says("/requests")
    assert f"K-{month}-0001 配食サービス" in mine.text and "確認中" in mine.text


async def test_an_english_resident_sends_a_photo_for_the_address_and_cancels(
    kyodo, person, sandbox
):
    await load(kyodo)
    ann = person(7301, "Ann", "en")
    await ann.says("/start")
    await step(ann, sandbox, "I'd like a service")
    await step(ann, sandbox, "Cleaning")
    await step(ann, sandbox, "Home cleaning")
    await step(ann, sandbox, "Myself")
    await step(ann, sandbox, "Any day")
    await step(ann, sandbox, "Any time")
    await step(ann, sandbox, "Minato")
    await step(ann, sandbox, "I agree")
    # Someone who cannot type the address sends a photo of it: kept for staff to look at.
    before = len(ann.messages)
    sandbox.user_sends_photo(ann.user)
    heard, asked = (await sandbox.wait_for_messages(ann.id, before + 2, timeout=10))[-2:]
    assert "Received. Our staff will listen to it." in heard.text
    assert "Please type your phone number." in asked.text
    await ann.says("03-1234-5678")
    await step(ann, sandbox, "Nothing to add")
    sent = await step(ann, sandbox, "Send")
    assert "Your reference number is" in sent.text
    mine = await ann.says("/requests")
    assert "Home cleaning" in mine.text and "Status: Received" in mine.text
    confirm = await step(ann, sandbox, "Cancel K-")
    assert "Cancel your request" in confirm.text
    done = await step(ann, sandbox, "Yes, cancel it")
    assert "has been cancelled" in done.text
    [(_, status, phone, address)] = await requests(kyodo)
    assert (status, phone, address) == ("cancelled", "03-1234-5678", "")
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        files = (
            await db.scalars(
                select(ServiceRequestRow.voice_file_ids).order_by(ServiceRequestRow.id.desc())
            )
        ).first()
    assert len(files) == 1 and files[0]
