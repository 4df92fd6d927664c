"""Transcripts of undoing a declined service request (bot/dialogs/confirm.py): staff decline with a
typed reason, and may undo it for a few minutes while the resident has not read the reason; the
request is then as it was, the reason gone, nobody told. After the window the resident was told
and the undo is refused in the staff member's language."""

from __future__ import annotations

import copy

import pytest

from bot.domain.requests import RequestStatus
from tests.fakes.chat import User
from tests.fixtures.cards import (
    ANN,
    JIRO,
    CardHarness,
    _data,
    _labels,
    audited,
    held_notices,
    request_of,
    staff_speaking,
    submit_request,
)
from tests.fixtures.people import HANAKO

WORDS = {
    "ja": {
        "decline": "お断り",
        "undo": "元に戻す",
        "undone": "お断りする前に戻しました。理由は送っていません。",
        "nobody": "ほかの方には何も知らせていません。",
        "expired": "元に戻せる時間（3分）を過ぎたため",
    },
    "en": {
        "decline": "Decline",
        "undo": "Undo",
        "undone": "is as it was before it was declined; the reason was not sent.",
        "nobody": "Nobody else was told anything.",
        "expired": "can no longer be undone: the 3 minutes",
    },
    "ja-easy": {
        "decline": "ことわる",
        "undo": "もとにもどす",
        "undone": "ことわる前にもどしました。",
        "nobody": "ほかの人には、何も知らせていません。",
        "expired": "もとにもどすことができる時間（3分）が過ぎました。",
    },
}
REASON = "対応できる地域の外のため"


def _told(harness: CardHarness) -> list[str]:
    return [m.text for m in harness.delivered.get(ANN.id, [])]


async def _declined(harness: CardHarness, staff: User, words: dict[str, str]):
    request_id = await submit_request(harness, telegram_id=ANN.id)
    reference = request_of(harness.store, request_id).reference
    before = copy.deepcopy(request_of(harness.store, request_id))
    told_before = _told(harness)
    card_id, card = harness.card(staff.id, reference)
    await harness.press(staff, _data(card, words["decline"]), message_id=card_id)
    declined = await harness.send(staff, REASON)
    assert words["undo"] in declined.buttons[0][0]
    assert request_of(harness.store, request_id).status is RequestStatus.DECLINED
    assert _told(harness) == told_before  # held for the undo window
    return request_id, reference, card_id, before, told_before


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_a_decline_undone_in_the_window_leaves_the_request_as_before_untold(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    request_id, reference, card_id, before, told_before = await _declined(cards_chat, staff, words)
    cards_chat.clock.advance(minutes=2)
    undone = await cards_chat.tap(staff, words["undo"])
    assert reference in undone.text and words["undone"] in undone.text
    assert words["nobody"] in undone.text
    after = request_of(cards_chat.store, request_id)
    assert (after.status, after.decline_reason) == (before.status, None)
    assert f"service_request:{request_id}" in audited(cards_chat.store, "request.undone")
    cards_chat.clock.advance(hours=1)
    cards_chat.deliver()
    assert _told(cards_chat) == told_before
    assert not any(REASON in text for text in _told(cards_chat))
    assert held_notices(cards_chat.store) == []
    card = cards_chat.screens[staff.id][card_id]
    assert words["decline"] in " ".join(_labels(card))


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_a_decline_undone_after_the_window_is_refused_and_the_resident_was_told(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    request_id, *_ = await _declined(cards_chat, staff, words)
    cards_chat.clock.advance(minutes=5)
    cards_chat.deliver()
    assert REASON in _told(cards_chat)[-1]
    refused = await cards_chat.tap(staff, words["undo"])
    assert words["expired"] in refused.text
    assert request_of(cards_chat.store, request_id).status is RequestStatus.DECLINED


async def test_another_staff_members_undo_of_a_decline_is_refused(cards_chat):
    request_id, *_ = await _declined(cards_chat, HANAKO, WORDS["ja"])
    undo = next(d for label, d in cards_chat.shown(HANAKO) if "元に戻す" in label)
    other = await cards_chat.press(JIRO, undo)
    assert "Undone" not in (other.text or "")
    assert request_of(cards_chat.store, request_id).status is RequestStatus.DECLINED
    assert f"service_request:{request_id}" in audited(cards_chat.store, "request.refused")
