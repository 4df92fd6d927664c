"""End to end, over both transports: staff cards arrive in the staff chat, staff press their
buttons, the card is edited in place (the sandbox sees editMessageText) and the requester hears.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.people import Actor
from bot.domain.requests import DEFAULT_AREAS
from bot.domain.undo import UndoKind
from bot.ports.clock import SystemClock
from bot.services import requests as rq
from kyodo.app import KyodoApp, open_store
from tests.fixtures.forms import form
from tests.fixtures.held import undo_window_over
from tests.fixtures.kyodo import kyodo_settings, load


@pytest.fixture
async def kyodo_cards(sandbox: Any, transport: str, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    """Kyodo with staff cards on, sent to each staff member's private chat."""
    app = KyodoApp(kyodo_settings(sandbox, transport, kyodo_db, KYODO_STAFF_CARDS="on"))
    await app.start()
    yield app
    await app.stop()


def card_with(person: Any, needle: str) -> Any:
    found = [m for m in person.messages if needle in m.text and m.buttons]
    return found[-1] if found else None


async def wait_for_card(sandbox: Any, person: Any, needle: str) -> Any:
    assert await sandbox.notifier.wait_until(lambda: card_with(person, needle) is not None, 15), [
        m.text for m in person.messages
    ]
    return card_with(person, needle)


def message(person: Any, message_id: int) -> Any:
    return next(m for m in person.messages if m.message_id == message_id)


async def press(sandbox: Any, person: Any, card: Any, label_part: str) -> None:
    [data] = [b["callback_data"] for b in card.buttons if label_part in b["text"]]
    sandbox.user_presses(person.user, card.message_id, data)


async def wait_edited(sandbox: Any, person: Any, message_id: int, needle: str) -> Any:
    edited = await sandbox.notifier.wait_until(
        lambda: needle in message(person, message_id).text, 15
    )
    assert edited, message(person, message_id).text
    return message(person, message_id)


async def test_an_hour_report_card_is_approved_from_the_staff_chat(kyodo_cards, person, sandbox):
    await load(kyodo_cards)
    maria, hanako = person(2002, "Maria", "en"), person(1001, "花子", "ja")
    await hanako.says("/start")
    await maria.says("/start")
    await maria.presses_key("⏱ Hours")
    await maria.taps("Today")
    await maria.taps("Elderly day care")
    await maria.taps("8 h")
    await maria.taps("Send")
    card = await wait_for_card(sandbox, hanako, "Maria Santos")
    assert "8時間" in card.text and "承認待ち" in card.text
    before = len(maria.messages)
    asked_before = len(hanako.messages)
    await press(sandbox, hanako, card, "承認")
    await sandbox.wait_for_messages(hanako.id, asked_before + 1, timeout=10)  # asked first
    await hanako.taps("はい、承認します")
    edited = await wait_edited(sandbox, hanako, card.message_id, "承認済み")
    assert edited.history and edited.buttons == []  # edited in place, its buttons gone
    assert "最新：承認（佐藤 花子" in edited.text
    await undo_window_over(kyodo_cards.settings, UndoKind.HOURS_DECISION)
    notice = (await sandbox.wait_for_messages(maria.id, before + 1, timeout=10))[-1]
    assert "Your hours were approved" in notice.text


async def test_a_request_card_is_taken_then_declined_with_a_reason_the_resident_reads(
    kyodo_cards, person, sandbox
):
    await load(kyodo_cards)
    tome, hanako = person(4001, "トメ", "ja"), person(1001, "花子", "ja")
    await tome.says("/start")
    await hanako.says("/start")
    reference = await _submit(kyodo_cards, tome.id)
    card = await wait_for_card(sandbox, hanako, reference)
    assert "訪問介護" in card.text and "090" not in card.text

    before = len(tome.messages)
    await press(sandbox, hanako, card, "担当する")
    taken = await wait_edited(sandbox, hanako, card.message_id, "担当：佐藤 花子")
    assert taken.history
    under_review = (await sandbox.wait_for_messages(tome.id, before + 1, timeout=10))[-1]
    assert reference in under_review.text

    asked_before = len(hanako.messages)
    await press(sandbox, hanako, taken, "お断り")
    prompt = (await sandbox.wait_for_messages(hanako.id, asked_before + 1, timeout=10))[-1]
    assert "お断りする理由を入力してください" in prompt.text
    before = len(tome.messages)
    await hanako.says("対応できる地域の外のため")
    declined = await wait_edited(sandbox, hanako, card.message_id, "理由：対応できる地域の外のため")
    assert declined.buttons == []
    await undo_window_over(kyodo_cards.settings, UndoKind.REQUEST_DECLINE)
    notice = (await sandbox.wait_for_messages(tome.id, before + 1, timeout=10))[-1]
    assert "対応できる地域の外のため" in notice.text


async def test_a_resident_replaying_a_card_button_is_refused(kyodo_cards, person, sandbox):
    await load(kyodo_cards)
    tome = person(4001, "トメ", "ja")
    await tome.says("/start")
    before = len(sandbox.callback_answers)
    sandbox.user_presses(tome.user, tome.messages[-1].message_id, "tc:r:take:1")
    answers = await sandbox.wait_for_callback_answers(before + 1)
    assert answers[-1].get("text") == "申し訳ありませんが、その操作は行えません。"


GROUP = -1005550001


@pytest.fixture
async def kyodo_group(sandbox: Any, transport: str, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    """Kyodo with staff cards sent to one staff group."""
    app = KyodoApp(
        kyodo_settings(
            sandbox, transport, kyodo_db, KYODO_STAFF_CARDS="on", KYODO_STAFF_CHAT_ID=str(GROUP)
        )
    )
    await app.start()
    yield app
    await app.stop()


async def test_in_a_staff_group_the_card_is_pressed_there_and_the_reason_typed_in_private(
    kyodo_group, person, sandbox
):
    await load(kyodo_group)
    tome, hanako = person(4001, "トメ", "ja"), person(1001, "花子", "ja")
    await tome.says("/start")
    await hanako.says("/start")
    reference = await _submit(kyodo_group, tome.id)

    def group_card() -> Any:
        found = [m for m in sandbox.messages_to(GROUP) if reference in m.text and m.buttons]
        return found[-1] if found else None

    assert await sandbox.notifier.wait_until(lambda: group_card() is not None, 15)
    card = group_card()
    assert not any(reference in m.text for m in hanako.messages)  # not in private chats
    [data] = [b["callback_data"] for b in card.buttons if "お断り" in b["text"]]
    before = len(hanako.messages)
    sandbox.user_presses(hanako.user, card.message_id, data, chat_id=GROUP)
    prompt = (await sandbox.wait_for_messages(hanako.id, before + 1, timeout=10))[-1]
    assert "お断りする理由を入力してください" in prompt.text
    before = len(tome.messages)
    await hanako.says("定員に達しています")

    def edited() -> bool:
        current = next(m for m in sandbox.messages_to(GROUP) if m.message_id == card.message_id)
        return "理由：定員に達しています" in current.text

    assert await sandbox.notifier.wait_until(edited, 15)
    await undo_window_over(kyodo_group.settings, UndoKind.REQUEST_DECLINE)
    notice = (await sandbox.wait_for_messages(tome.id, before + 1, timeout=10))[-1]
    assert "定員に達しています" in notice.text


async def _submit(kyodo: KyodoApp, telegram_id: int) -> str:
    now = SystemClock().now()
    today = now.astimezone(kyodo.settings.tz).date()
    async with open_store(kyodo.settings) as store, store.uow() as uow:
        resident = await uow.people.by_telegram_id(telegram_id)
        assert resident is not None
        view = await rq.submit(
            uow,
            Actor(resident.id, resident.roles, "ja"),
            form(days=(today + timedelta(days=2),)),
            consent=True,
            today=today,
            areas=DEFAULT_AREAS,
            now=now,
        )
        await uow.commit()
    return view.request.reference
