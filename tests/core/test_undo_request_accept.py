"""Transcripts of undoing an accepted service request (bot/dialogs/confirm.py): staff accept it
by picking a centre, a day and an hour, and may undo it for a few minutes; the resident is told
only once they are over. Undone, the request waits again as before (no centre, no taker, no
time to contact), nobody told; after the window the undo is refused in the staff member's
language and the resident has read which centre calls when."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from bot.domain.requests import RequestStatus
from bot.domain.undo import HELD_PREFIX
from bot.services import requests as rq
from tests.fakes.chat import User
from tests.fixtures.cards import (
    ANN,
    JIRO,
    CardHarness,
    _data,
    _first_centre,
    actor,
    audited,
    request_of,
    staff_speaking,
    submit_request,
)
from tests.fixtures.people import HANAKO

WORDS = {
    "ja": {
        "accept": "受け入れる",
        "tomorrow": "11月23日",
        "undo": "元に戻す",
        "later": "依頼した方へのお知らせは、少しあとに送ります。",
        "undone": "受け入れる前に戻しました。",
        "nobody": "ほかの方には何も知らせていません。",
        "expired": "元に戻せる時間（3分）を過ぎたため",
        "other": "ほかのスタッフがもう対応したため",
    },
    "en": {
        "accept": "Accept",
        "tomorrow": "23",
        "undo": "Undo",
        "later": "The person who asked will be told in a few minutes.",
        "undone": "is waiting again, as it was before it was accepted.",
        "nobody": "Nobody else was told anything.",
        "expired": "can no longer be undone: the 3 minutes",
        "other": "another staff member has already acted on it",
    },
    "ja-easy": {
        "accept": "👍 受ける",
        "tomorrow": "11月23日",
        "undo": "もとにもどす",
        "later": "お願いした人には、少しあとで知らせます。",
        "undone": "受ける前にもどしました。",
        "nobody": "ほかの人には、何も知らせていません。",
        "expired": "もとにもどすことができる時間（3分）が過ぎました。",
        "other": "ほかのスタッフが",
    },
}


def _told(harness: CardHarness) -> list[str]:
    return [m.text for m in harness.delivered.get(ANN.id, [])]


async def _accepted(harness: CardHarness, staff: User, words: dict[str, str]):
    request_id = await submit_request(harness, telegram_id=ANN.id)
    reference = request_of(harness.store, request_id).reference
    before = copy.deepcopy(request_of(harness.store, request_id))
    told_before = _told(harness)
    card_id, card = harness.card(staff.id, reference)
    centres = await harness.press(staff, _data(card, words["accept"]), message_id=card_id)
    days = await harness.press(staff, _first_centre(centres))
    day = next(d for label, d in days.buttons if words["tomorrow"] in label)
    hours = await harness.press(staff, day)
    accepted = await harness.press(staff, next(d for label, d in hours.buttons if label == "10:00"))
    label, undo = accepted.buttons[0]
    assert words["undo"] in label
    assert words["later"] in accepted.text
    assert request_of(harness.store, request_id).status is RequestStatus.ACCEPTED
    assert _told(harness) == told_before  # held for the undo window
    return request_id, reference, card_id, before, told_before, undo


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_an_accept_undone_in_the_window_leaves_the_request_as_before_untold(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    request_id, reference, card_id, before, told_before, undo = await _accepted(
        cards_chat, staff, words
    )
    cards_chat.clock.advance(minutes=2)
    undone = await cards_chat.press(staff, undo)
    assert reference in undone.text and words["undone"] in undone.text
    assert words["nobody"] in undone.text
    after = request_of(cards_chat.store, request_id)
    assert (after.status, after.centre_id, after.taken_by, after.contact_when) == (
        before.status,
        before.centre_id,
        before.taken_by,
        None,
    )
    assert f"service_request:{request_id}" in audited(cards_chat.store, "request.undone")
    cards_chat.clock.advance(hours=1)
    cards_chat.deliver()
    assert _told(cards_chat) == told_before
    assert not any(
        (r.dedupe_key or "").startswith(HELD_PREFIX) for r in cards_chat.store.state.outbox.values()
    )
    card = cards_chat.screens[staff.id][card_id]
    assert words["accept"] in " ".join(label for row in card.buttons for label, _ in row)


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_an_accept_is_told_after_the_window_and_a_late_undo_is_refused(cards_chat, language):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    request_id, *_, undo = await _accepted(cards_chat, staff, words)
    cards_chat.clock.advance(minutes=5)
    cards_chat.deliver()
    assert "23" in _told(cards_chat)[-1]  # which centre calls, and when
    refused = await cards_chat.press(staff, undo)
    assert words["expired"] in refused.text
    assert request_of(cards_chat.store, request_id).status is RequestStatus.ACCEPTED


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_an_undo_after_another_staff_member_acted_is_refused(cards_chat, language):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    request_id, *_, undo = await _accepted(cards_chat, staff, words)
    other = JIRO if staff is not JIRO else HANAKO
    async with cards_chat.store.uow() as uow:  # the other one books the service (the desk)
        when = cards_chat.clock.now() + timedelta(days=3)
        now = cards_chat.clock.now()
        await rq.schedule(uow, actor(cards_chat.store, other.id), request_id, when, now)
        await uow.commit()
    refused = await cards_chat.press(staff, undo)
    assert words["other"] in refused.text
    assert request_of(cards_chat.store, request_id).status is RequestStatus.SCHEDULED


async def test_a_forged_undo_of_an_accept_from_a_resident_is_refused(cards_chat):
    request_id, *_, undo = await _accepted(cards_chat, HANAKO, WORDS["ja"])
    forged = await cards_chat.press(ANN, undo)
    assert "Undone" not in (forged.text or "")
    assert request_of(cards_chat.store, request_id).status is RequestStatus.ACCEPTED
    assert f"service_request:{request_id}" in audited(cards_chat.store, "request.refused")
