"""Transcripts of "approve all shown" hours under the one confirm-and-undo mechanism
(bot/dialogs/confirm.py): one confirmation with the count of reports and of members told, then
one Undo for the whole batch. Undone within the window, every report of the batch is pending
again and no member is told; a report another staff member acted on since stays as it is;
after the window the members are told and the undo is refused in the staff member's
language."""

from __future__ import annotations

import pytest

from bot.domain.hours import ReportStatus
from bot.domain.people import Actor
from bot.domain.undo import HELD_PREFIX
from bot.services.hours import undo_decision
from tests.fixtures.hours import reports, tap_report
from tests.fixtures.people import HANAKO, MARIA, TANAKA, demo, person_id

WORDS = {
    "ja": {
        "all": "表示中の3件",
        "ask": "表示している勤務時間をまとめて承認しますか？",
        "who": "勤務時間の報告3件を承認し、組合員2人にお知らせします。",
        "yes": "はい、まとめて承認します",
        "no": "いいえ",
        "undo": "元に戻す",
        "undone": "勤務時間の報告3件を、決める前（確認待ち）に戻しました。",
        "nobody": "ほかの方には何も知らせていません。",
        "expired": "元に戻せる時間（3分）を過ぎたため",
    },
    "en": {
        "all": "Approve all 3 shown",
        "ask": "Do you really want to approve all the hours shown?",
        "who": "If you do, we approve 3 hour reports and tell 2 members.",
        "yes": "Yes, approve them all",
        "no": "No",
        "undo": "Undo",
        "undone": "Back to waiting for a decision, as before: 3 hour reports.",
        "nobody": "Nobody else was told anything.",
        "expired": "can no longer be undone: the 3 minutes",
    },
    "ja-easy": {
        "all": "3",
        "ask": "見せている時間を、ぜんぶ承認（しょうにん）しますか？",
        "who": "働いた時間の報告（ほうこく） 3件を承認（しょうにん）します。",
        "yes": "はい、ぜんぶ承認（しょうにん）します",
        "no": "いいえ",
        "undo": "もとにもどす",
        "undone": "働いた時間の報告（ほうこく） 3件を、決める前にもどしました。",
        "nobody": "ほかの人には、何も知らせていません。",
        "expired": "もとにもどすことができる時間（3分）が過ぎました。",
    },
}


@pytest.fixture
async def demo_chat(chat, memory_store, clock):
    await demo(memory_store, clock)
    return chat


async def _three_reports(chat) -> None:
    await tap_report(chat, MARIA, day="hr:d:0")
    await tap_report(chat, MARIA, day="hr:d:1")
    await tap_report(chat, TANAKA)


async def _in(chat, language: str) -> None:
    async with chat.store.uow() as uow:
        await uow.people.set_locale(person_id(chat.store, HANAKO.id), language)
        await uow.commit()


def _told(chat) -> int:
    return len(chat.delivered.get(MARIA.id, [])) + len(chat.delivered.get(TANAKA.id, []))


def _statuses(store) -> set[ReportStatus]:
    return {r.status for r in reports(store)}


async def _approved_all(chat, store, words):
    await _three_reports(chat)
    told = _told(chat)
    queue = await chat.press(HANAKO, "hrq")
    [all_shown] = [d for label, d in queue.buttons if words["all"] in label and "hr:aa" in d]
    asked = await chat.press(HANAKO, all_shown)
    assert words["ask"] in asked.text and words["who"] in asked.text
    assert _statuses(store) == {ReportStatus.PENDING}  # asking changes nothing
    done = await chat.tap(HANAKO, words["yes"])
    label, undo = done.buttons[0]
    assert words["undo"] in label
    assert _statuses(store) == {ReportStatus.APPROVED}
    assert _told(chat) == told  # held for the undo window
    return undo, told


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_approve_all_undone_as_one_leaves_every_report_pending_and_nobody_told(
    demo_chat, memory_store, language
):
    await _in(demo_chat, language)
    words = WORDS[language]
    undo, told = await _approved_all(demo_chat, memory_store, words)
    demo_chat.clock.advance(minutes=2)
    undone = await demo_chat.press(HANAKO, undo)
    assert words["undone"] in undone.text and words["nobody"] in undone.text
    assert _statuses(memory_store) == {ReportStatus.PENDING}
    assert not any(
        (r.dedupe_key or "").startswith(HELD_PREFIX) for r in memory_store.state.outbox.values()
    )
    demo_chat.wait(hours=1)
    assert _told(demo_chat) == told


async def test_no_on_the_batch_confirmation_approves_nothing(demo_chat, memory_store):
    words = WORDS["ja"]
    await _three_reports(demo_chat)
    queue = await demo_chat.press(HANAKO, "hrq")
    await demo_chat.press(HANAKO, queue.data_for(words["all"]))
    await demo_chat.tap(HANAKO, words["no"])
    assert _statuses(memory_store) == {ReportStatus.PENDING}


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_approve_all_is_told_after_the_window_and_then_cannot_be_undone(
    demo_chat, memory_store, language
):
    await _in(demo_chat, language)
    words = WORDS[language]
    undo, told = await _approved_all(demo_chat, memory_store, words)
    demo_chat.wait(minutes=5)
    assert _told(demo_chat) == told + 3  # each report's member told
    refused = await demo_chat.press(HANAKO, undo)
    assert words["expired"] in refused.text
    assert _statuses(memory_store) == {ReportStatus.APPROVED}


async def test_a_report_undone_alone_meanwhile_is_left_and_the_rest_undone(demo_chat, memory_store):
    words = WORDS["ja"]
    undo, _ = await _approved_all(demo_chat, memory_store, words)
    first = min(r.id for r in reports(memory_store))
    hanako = memory_store.state.people[person_id(memory_store, HANAKO.id)]
    async with memory_store.uow() as uow:  # the first is taken back on its own (the desk)
        who = Actor(hanako.id, hanako.roles, "ja")
        await undo_decision(uow, who, first, demo_chat.clock.now())
        await uow.commit()
    undone = await demo_chat.press(HANAKO, undo)
    assert "勤務時間の報告2件を" in undone.text
    assert _statuses(memory_store) == {ReportStatus.PENDING}


async def test_a_forged_batch_undo_is_refused(demo_chat, memory_store):
    undo, _ = await _approved_all(demo_chat, memory_store, WORDS["ja"])
    forged = await demo_chat.press(TANAKA, undo)
    assert forged.toast is not None and "その操作は行えません" in forged.toast
    assert _statuses(memory_store) == {ReportStatus.APPROVED}


async def test_undoing_the_batch_leaves_a_report_approved_alone_before(demo_chat, memory_store):
    # The middle report is approved on its own first; "approve all shown" then takes the other
    # two. The batch's Undo names the first and last id: the middle one is not the batch's.
    await _three_reports(demo_chat)
    first, middle, last = sorted(r.id for r in reports(memory_store))
    await demo_chat.press(HANAKO, f"hr:a:{middle}")
    await demo_chat.tap(HANAKO, "はい")
    demo_chat.clock.advance(seconds=30)
    queue = await demo_chat.press(HANAKO, "hrq")
    [all_shown] = [d for label, d in queue.buttons if "hr:aa" in d]
    await demo_chat.press(HANAKO, all_shown)
    done = await demo_chat.tap(HANAKO, "まとめて承認")
    undone = await demo_chat.press(HANAKO, done.buttons[0][1])
    assert "勤務時間の報告2件を" in undone.text
    status = {r.id: r.status for r in reports(memory_store)}
    assert status == {
        first: ReportStatus.PENDING,
        middle: ReportStatus.APPROVED,
        last: ReportStatus.PENDING,
    }
