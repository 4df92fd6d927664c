"""Transcripts of confirm-then-undo for staff decisions on hours (bot/dialogs/confirm.py): approving
from a staff card or the /queue review list asks first and names who will be told; an approval
or a rejection may be undone for a few minutes, while the member has not been told; after that,
the member was told and the undo is refused in the staff member's language."""

from __future__ import annotations

import copy

import pytest

from bot.domain.hours import ChangeAction, ReportStatus
from tests.fakes.chat import User
from tests.fixtures.cards import (
    JIRO,
    CardHarness,
    _data,
    _labels,
    held_notices,
    report_hours,
    staff_speaking,
)
from tests.fixtures.people import HANAKO, TANAKA

WORDS = {
    "ja": {
        "approve": "承認",
        "reject": "差し戻す",
        "ask": "本当にこの勤務時間を承認しますか？",
        "who": "田中 一郎さんに「",
        "yes": "はい、承認します",
        "undo": "元に戻す",
        "undone": "を、決める前（確認待ち）に戻しました。",
        "nobody": "ほかの方には何も知らせていません。",
        "expired": "元に戻せる時間（3分）を過ぎたため",
        "acted": "ほかのスタッフがもう対応したため",
        "no": "いいえ、やめます",
    },
    "en": {
        "approve": "Approve",
        "reject": "Reject",
        "ask": "Do you really want to approve these hours?",
        "who": "田中 一郎 will be told that 7 h 30 min",
        "yes": "Yes, approve",
        "undo": "Undo",
        "undone": "are waiting for a decision again, as before.",
        "nobody": "Nobody else was told anything.",
        "expired": "can no longer be undone: the 3 minutes",
        "acted": "another staff member has already acted on it",
        "no": "No, keep it as it is",
    },
    "ja-easy": {
        "approve": "承認",
        "reject": "↩️ もどす",
        "ask": "ほんとうに、この時間を承認（しょうにん）しますか？",
        "who": "田中 一郎さんに知らせます。",
        "yes": "はい、承認（しょうにん）します",
        "undo": "もとにもどす",
        "undone": "を、決める前にもどしました。",
        "nobody": "ほかの人には、何も知らせていません。",
        "expired": "もとにもどすことができる時間（3分）が過ぎました。",
        "acted": "ほかのスタッフが、もうしました。",
        "no": "いいえ、やめます",
    },
}


def _card(harness: CardHarness, staff: User, report_id: int):
    needle = f"Hours #{report_id}" if staff.language == "en" else f"#{report_id}"
    return harness.card(staff.id, needle)


def _changes(harness: CardHarness, report_id: int) -> list[ChangeAction]:
    return [c.action for c in harness.store.state.hour_changes.values() if c.report_id == report_id]


def _told(harness: CardHarness) -> list[str]:
    return [m.text for m in harness.delivered.get(TANAKA.id, [])]


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_approve_asks_first_and_an_undo_in_the_window_leaves_it_pending_untold(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    report_id = await report_hours(cards_chat)
    before = copy.deepcopy(cards_chat.store.state.hour_reports[report_id])
    told_before = _told(cards_chat)
    card_id, card = _card(cards_chat, staff, report_id)
    asked = await cards_chat.press(staff, _data(card, words["approve"]), message_id=card_id)
    assert words["ask"] in asked.text and words["who"] in asked.text
    assert cards_chat.store.state.hour_reports[report_id] == before  # asking changes nothing
    await cards_chat.tap(staff, words["yes"])
    assert cards_chat.store.state.hour_reports[report_id].status is ReportStatus.APPROVED
    assert _told(cards_chat) == told_before  # held for the undo window
    cards_chat.clock.advance(minutes=2)
    undone = await cards_chat.tap(staff, words["undo"])
    assert words["undone"] in undone.text and words["nobody"] in undone.text
    after = cards_chat.store.state.hour_reports[report_id]
    assert (after.status, after.decided_by, after.decided_at) == (
        before.status,
        before.decided_by,
        before.decided_at,
    )
    assert _changes(cards_chat, report_id)[-2:] == [ChangeAction.APPROVED, ChangeAction.UNDONE]
    cards_chat.clock.advance(hours=1)
    cards_chat.deliver()
    assert _told(cards_chat) == told_before  # never told
    assert held_notices(cards_chat.store) == []
    reopened = cards_chat.screens[staff.id][card_id]
    assert words["approve"] in " ".join(_labels(reopened))


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_an_approval_undone_after_the_window_is_refused_and_the_member_was_told(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    report_id = await report_hours(cards_chat)
    card_id, card = _card(cards_chat, staff, report_id)
    await cards_chat.press(staff, _data(card, words["approve"]), message_id=card_id)
    await cards_chat.tap(staff, words["yes"])
    cards_chat.clock.advance(minutes=5)
    cards_chat.deliver()
    assert "承認" in _told(cards_chat)[-1]
    refused = await cards_chat.tap(staff, words["undo"])
    assert words["expired"] in refused.text
    assert cards_chat.store.state.hour_reports[report_id].status is ReportStatus.APPROVED
    assert ChangeAction.UNDONE not in _changes(cards_chat, report_id)


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_no_approves_nothing_and_nobody_is_told(cards_chat, language):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    report_id = await report_hours(cards_chat)
    told_before = _told(cards_chat)
    card_id, card = _card(cards_chat, staff, report_id)
    await cards_chat.press(staff, _data(card, words["approve"]), message_id=card_id)
    await cards_chat.tap(staff, words["no"])
    cards_chat.clock.advance(hours=1)
    cards_chat.deliver()
    assert cards_chat.store.state.hour_reports[report_id].status is ReportStatus.PENDING
    assert _told(cards_chat) == told_before


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_a_rejection_undone_in_the_window_is_pending_again_and_the_reason_never_sent(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    report_id = await report_hours(cards_chat)
    told_before = _told(cards_chat)
    card_id, card = _card(cards_chat, staff, report_id)
    await cards_chat.press(staff, _data(card, words["reject"]), message_id=card_id)
    rejected = await cards_chat.send(staff, "シフトがありません")
    assert words["undo"] in rejected.buttons[0][0]
    assert cards_chat.store.state.hour_reports[report_id].status is ReportStatus.REJECTED
    cards_chat.clock.advance(minutes=1)
    undone = await cards_chat.tap(staff, words["undo"])
    assert words["undone"] in undone.text
    report = cards_chat.store.state.hour_reports[report_id]
    assert (report.status, report.reason) == (ReportStatus.PENDING, None)
    cards_chat.clock.advance(hours=1)
    cards_chat.deliver()
    assert _told(cards_chat) == told_before
    assert not any("シフトがありません" in text for text in _told(cards_chat))


async def test_an_undo_after_another_staff_member_decided_again_is_refused(cards_chat):
    report_id = await report_hours(cards_chat)
    card_id, card = _card(cards_chat, HANAKO, report_id)
    await cards_chat.press(HANAKO, _data(card, "差し戻す"), message_id=card_id)
    await cards_chat.send(HANAKO, "日付が違います")
    undo = next(d for label, d in cards_chat.shown(HANAKO) if "元に戻す" in label)
    by_jiro = await cards_chat.press(JIRO, undo)  # not his decision: refused, audited
    assert "Undone" not in (by_jiro.text or "")
    assert cards_chat.store.state.hour_reports[report_id].status is ReportStatus.REJECTED
    assert any(a.action == "hours.review_refused" for a in cards_chat.store.state.audit)
    # Hanako undoes it, Jiro approves it; Hanako's old Undo now finds Jiro's decision.
    await cards_chat.press(HANAKO, undo)
    jiro_card_id, jiro_card = _card(cards_chat, JIRO, report_id)
    await cards_chat.press(JIRO, _data(jiro_card, "Approve"), message_id=jiro_card_id)
    await cards_chat.tap(JIRO, "Yes, approve")
    late = await cards_chat.press(HANAKO, undo)
    assert "ほかのスタッフがもう対応したため" in late.text
    assert cards_chat.store.state.hour_reports[report_id].status is ReportStatus.APPROVED


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_the_queue_review_list_asks_before_approving_and_undoes_too(cards_chat, language):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    report_id = await report_hours(cards_chat)
    asked = await cards_chat.press(staff, f"hr:a:{report_id}")
    assert words["ask"] in asked.text
    assert cards_chat.store.state.hour_reports[report_id].status is ReportStatus.PENDING
    await cards_chat.tap(staff, words["yes"])
    assert cards_chat.store.state.hour_reports[report_id].status is ReportStatus.APPROVED
    undone = await cards_chat.tap(staff, words["undo"])
    assert words["undone"] in undone.text
    assert cards_chat.store.state.hour_reports[report_id].status is ReportStatus.PENDING
