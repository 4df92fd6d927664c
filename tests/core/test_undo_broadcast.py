"""Transcripts of "send now" on a broadcast under the one confirm-and-undo mechanism
(bot/dialogs/confirm.py): the preview asks, saying how many people will receive it and that
sending starts only a few minutes later; the answer carries Undo. Until the window is over
the pump starts nothing, and an undo cancels it for good (nobody received anything,
audited); after it the broadcast runs and the undo is refused in the coordinator's
language."""

from __future__ import annotations

import pytest

from bot.domain.broadcasts import BroadcastStatus
from bot.notices.broadcasts import BroadcastCopies
from bot.rendering import Renderer
from bot.runtime.broadcast_pump import BroadcastPump
from tests.fixtures.people import HANAKO, MARIA, TANAKA, demo, person_id

WORDS = {
    "ja": {
        "ask": "この内容で 2 人に送りますか？",
        "hint": "送信が始まるのは3分後です。",
        "held": "一斉連絡 #1 を 2 人に送ります。",
        "undo": "元に戻す",
        "undone": "一斉連絡 #1 を取りやめました。だれにも送っていません。",
        "nobody": "ほかの方には何も知らせていません。",
        "expired": "元に戻せる時間（3分）を過ぎたため",
        "already": "これはもう元に戻してあります。",
    },
    "en": {
        "ask": "Send this to 2 people?",
        "hint": "sending starts in 3 minutes",
        "held": "Broadcast #1 will go to 2 people.",
        "undo": "Undo",
        "undone": "Broadcast #1 is cancelled; nobody received it.",
        "nobody": "Nobody else was told anything.",
        "expired": "can no longer be undone: the 3 minutes",
        "already": "This has already been undone.",
    },
    "ja-easy": {
        "ask": "これを2人に送りますか？",
        "hint": "送りはじめるのは3分あとです。",
        "held": "一斉連絡（いっせいれんらく） #1 を、2人に送ります。",
        "undo": "もとにもどす",
        "undone": "一斉連絡（いっせいれんらく） #1 を、やめました。だれにも送っていません。",
        "nobody": "ほかの人には、何も知らせていません。",
        "expired": "もとにもどすことができる時間（3分）が過ぎました。",
        "already": "これは、もうもとにもどしてあります。",
    },
}


@pytest.fixture
async def demo_chat(chat, memory_store, clock):
    await demo(memory_store, clock)
    return chat


@pytest.fixture
def pump(chat, memory_store, i18n, clock):
    copies = BroadcastCopies(Renderer(i18n), chat.conversation.settings)
    return BroadcastPump(memory_store.uow, copies, clock, rate=30.0, chunk=1)


async def _in(chat, language: str) -> None:
    async with chat.store.uow() as uow:
        await uow.people.set_locale(person_id(chat.store, HANAKO.id), language)
        await uow.commit()


async def _composed(chat, words):
    await chat.send(HANAKO, "/broadcast")
    await chat.press(HANAKO, "bc:a:members")
    await chat.press(HANAKO, "bc:k:notice")
    await chat.send(HANAKO, "総会のお知らせです")
    preview = await chat.send(HANAKO, "The general assembly is on Sunday")
    assert words["ask"] in preview.text and words["hint"] in preview.text
    return preview


def _received(store) -> set[int]:
    """Who of the members has a copy of a broadcast queued or sent."""
    people = store.state.people
    return {
        people[pid].telegram_user_id
        for (_, pid), oid in store.state.broadcast_deliveries.items()
        if oid in store.state.outbox
    }


async def _pump(pump, times: int = 5) -> None:
    for _ in range(times):
        await pump.step()


async def _sent_now(chat, memory_store, pump, words) -> str:
    await _composed(chat, words)
    held = await chat.press(HANAKO, "bc:now")
    assert words["held"] in held.text
    label, undo = held.buttons[0]
    assert words["undo"] in label
    await _pump(pump)
    assert _received(memory_store) == set()  # nobody before the window is over
    (broadcast,) = memory_store.state.broadcasts.values()
    assert broadcast.status is BroadcastStatus.SCHEDULED and broadcast.started_at is None
    return undo


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_send_now_undone_in_the_window_reaches_nobody(
    demo_chat, memory_store, pump, clock, language
):
    await _in(demo_chat, language)
    words = WORDS[language]
    undo = await _sent_now(demo_chat, memory_store, pump, words)
    clock.advance(minutes=2)
    undone = await demo_chat.press(HANAKO, undo)
    assert words["undone"] in undone.text and words["nobody"] in undone.text
    (broadcast,) = memory_store.state.broadcasts.values()
    assert broadcast.status is BroadcastStatus.CANCELLED
    actions = [a.action for a in memory_store.state.audit if a.subject == "broadcast:1"]
    assert "broadcast.undone" in actions and "broadcast.cancelled" in actions
    clock.advance(minutes=30)
    await _pump(pump)
    assert _received(memory_store) == set()
    again = await demo_chat.press(HANAKO, undo)
    assert words["already"] in again.text


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_send_now_starts_after_the_window_and_a_late_undo_is_refused(
    demo_chat, memory_store, pump, clock, language
):
    await _in(demo_chat, language)
    words = WORDS[language]
    undo = await _sent_now(demo_chat, memory_store, pump, words)
    clock.advance(minutes=3)
    await _pump(pump)
    assert _received(memory_store) == {TANAKA.id, MARIA.id}
    refused = await demo_chat.press(HANAKO, undo)
    assert words["expired"] in refused.text
    (broadcast,) = memory_store.state.broadcasts.values()
    assert broadcast.status is BroadcastStatus.RUNNING


async def test_a_forged_undo_of_a_broadcast_is_refused_and_audited(demo_chat, memory_store, pump):
    undo = await _sent_now(demo_chat, memory_store, pump, WORDS["ja"])
    forged = await demo_chat.press(TANAKA, undo)
    assert "その操作は行えません" in forged.text
    (broadcast,) = memory_store.state.broadcasts.values()
    assert broadcast.status is BroadcastStatus.SCHEDULED
    refused = [
        a.actor_person_id for a in memory_store.state.audit if a.action == "broadcast.refused"
    ]
    assert refused == [person_id(memory_store, TANAKA.id)]
