"""Transcripts of confirming and undoing a decision on a volunteer application
(bot/dialogs/confirm.py): staff approve only after a confirmation that names the applicant and
what they will be told; a decline follows its typed reason. For a few minutes either may be
undone: the application waits again, an approval's volunteer role goes, and the applicant was
never told (neither the decision nor the volunteers' short menu). After the window the
applicant is told and the undo is refused in the staff member's language."""

from __future__ import annotations

import pytest

from bot.domain.people import Role
from bot.domain.undo import HELD_PREFIX
from bot.domain.volunteers import ApplicationStatus
from bot.services import volunteers as vol
from tests.fakes.chat import User
from tests.fixtures.cards import (
    ANN,
    JIRO,
    CardHarness,
    _data,
    actor,
    apply_as_volunteer,
    audited,
    staff_speaking,
)
from tests.fixtures.people import HANAKO, person_id

WORDS = {
    "ja": {
        "approve": "承認",
        "ask": "本当にこのボランティアの申し込みを承認しますか？",
        "who": "Ann Smithさんに「ボランティアとして登録された」とお知らせし",
        "yes": "はい、承認します",
        "no": "いいえ",
        "kept": "何も変えていません。",
        "later": "ご本人へのお知らせは、少しあとに送ります。",
        "decline": "お断り",
        "declined": "お断りしました。",
        "undo": "元に戻す",
        "undone": "を、決める前（確認待ち）に戻しました。",
        "nobody": "ほかの方には何も知らせていません。",
        "expired": "元に戻せる時間（3分）を過ぎたため",
    },
    "en": {
        "approve": "Approve",
        "ask": "Do you really want to approve this volunteer application?",
        "who": "Ann Smith will be told that they are registered as a volunteer",
        "yes": "Yes, approve",
        "no": "No",
        "kept": "Nothing was changed.",
        "later": "The volunteer will be told in a few minutes.",
        "decline": "Decline",
        "declined": "Declined.",
        "undo": "Undo",
        "undone": "is waiting for a decision again, as before.",
        "nobody": "Nobody else was told anything.",
        "expired": "can no longer be undone: the 3 minutes",
    },
    "ja-easy": {
        "approve": "承認",
        "ask": "ほんとうに、このボランティアの申しこみを承認（しょうにん）しますか？",
        "who": "Ann Smithさんに知らせます。",
        "yes": "はい、承認（しょうにん）します",
        "no": "いいえ",
        "kept": "何も",
        "later": "本人には、少しあとで知らせます。",
        "decline": "ことわる",
        "declined": "ことわりました。",
        "undo": "もとにもどす",
        "undone": "を、決める前にもどしました。",
        "nobody": "ほかの人には、何も知らせていません。",
        "expired": "もとにもどすことができる時間（3分）が過ぎました。",
    },
}
REASON = "今月は定員に達しました"


def _told(harness: CardHarness) -> list[str]:
    return [m.text for m in harness.delivered.get(ANN.id, [])]


def _ann(harness: CardHarness):
    return harness.store.state.people[person_id(harness.store, ANN.id)]


def _application(harness: CardHarness, application_id: int):
    return harness.store.state.volunteer_applications[application_id]


def _undo_of(turn, words) -> str:
    label, data = turn.buttons[0]
    assert words["undo"] in label
    return data


def _held(harness: CardHarness) -> list[str]:
    return [
        r.dedupe_key or ""
        for r in harness.store.state.outbox.values()
        if (r.dedupe_key or "").startswith(HELD_PREFIX)
    ]


async def _approved(harness: CardHarness, staff: User, words: dict[str, str]):
    application_id = await apply_as_volunteer(harness)
    told_before = _told(harness)
    card_id, card = harness.card(staff.id, f"#{application_id}")
    asked = await harness.press(staff, _data(card, words["approve"]), message_id=card_id)
    assert words["ask"] in asked.text and words["who"] in asked.text
    assert _application(harness, application_id).status is ApplicationStatus.PENDING
    done = await harness.tap(staff, words["yes"])
    assert words["later"] in done.text
    assert _application(harness, application_id).status is ApplicationStatus.APPROVED
    assert Role.VOLUNTEER in _ann(harness).roles
    assert _told(harness) == told_before  # neither the notice nor the short menu yet
    return application_id, card_id, told_before, _undo_of(done, words)


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_an_approval_undone_in_the_window_waits_again_and_the_applicant_is_never_told(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    application_id, card_id, told_before, undo = await _approved(cards_chat, staff, words)
    cards_chat.clock.advance(minutes=2)
    undone = await cards_chat.press(staff, undo)
    assert f"#{application_id}" in undone.text and words["undone"] in undone.text
    assert words["nobody"] in undone.text
    after = _application(cards_chat, application_id)
    assert (after.status, after.decided_by, after.decided_at) == (
        ApplicationStatus.PENDING,
        None,
        None,
    )
    assert Role.VOLUNTEER not in _ann(cards_chat).roles
    assert f"volunteer_application:{application_id}" in audited(
        cards_chat.store, "volunteer.undone"
    )
    assert _held(cards_chat) == []
    cards_chat.clock.advance(hours=1)
    cards_chat.deliver()
    assert _told(cards_chat) == told_before
    card = cards_chat.screens[staff.id][card_id]
    assert words["approve"] in " ".join(label for row in card.buttons for label, _ in row)


async def test_no_on_the_confirmation_changes_nothing(cards_chat):
    words = WORDS["en"]
    application_id = await apply_as_volunteer(cards_chat)
    card_id, card = cards_chat.card(JIRO.id, f"#{application_id}")
    await cards_chat.press(JIRO, _data(card, words["approve"]), message_id=card_id)
    kept = await cards_chat.tap(JIRO, words["no"])
    assert words["kept"] in kept.text
    assert _application(cards_chat, application_id).status is ApplicationStatus.PENDING
    assert Role.VOLUNTEER not in _ann(cards_chat).roles
    assert audited(cards_chat.store, "volunteer.approved") == []


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_an_approval_is_told_with_the_menu_after_the_window_and_a_late_undo_is_refused(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    application_id, _, told_before, undo = await _approved(cards_chat, staff, words)
    cards_chat.clock.advance(minutes=5)
    cards_chat.deliver()
    new = _told(cards_chat)[len(told_before) :]
    assert "approved" in new[-1]  # Ann reads English
    refused = await cards_chat.press(staff, undo)
    assert words["expired"] in refused.text
    assert _application(cards_chat, application_id).status is ApplicationStatus.APPROVED
    assert Role.VOLUNTEER in _ann(cards_chat).roles


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_a_decline_from_the_review_list_is_undone_before_the_reason_is_read(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), WORDS[language]
    application_id = await apply_as_volunteer(cards_chat)
    told_before = _told(cards_chat)
    await cards_chat.press(staff, f"vol:no:{application_id}")
    declined = await cards_chat.send(staff, REASON)
    assert words["declined"] in declined.text
    undo = _undo_of(declined, words)
    assert _application(cards_chat, application_id).status is ApplicationStatus.DECLINED
    assert _told(cards_chat) == told_before
    undone = await cards_chat.press(staff, undo)
    assert words["undone"] in undone.text
    after = _application(cards_chat, application_id)
    assert (after.status, after.reason) == (ApplicationStatus.PENDING, None)
    cards_chat.clock.advance(hours=1)
    cards_chat.deliver()
    assert not any(REASON in text for text in _told(cards_chat))


async def test_a_decline_is_read_after_the_window_and_then_cannot_be_undone(cards_chat):
    words = WORDS["ja"]
    application_id = await apply_as_volunteer(cards_chat)
    card_id, card = cards_chat.card(HANAKO.id, f"#{application_id}")
    await cards_chat.press(HANAKO, _data(card, words["decline"]), message_id=card_id)
    declined = await cards_chat.send(HANAKO, REASON)
    undo = _undo_of(declined, words)
    cards_chat.clock.advance(minutes=5)
    cards_chat.deliver()
    assert REASON in _told(cards_chat)[-1]
    refused = await cards_chat.press(HANAKO, undo)
    assert words["expired"] in refused.text
    assert _application(cards_chat, application_id).status is ApplicationStatus.DECLINED


async def test_another_staff_members_or_a_forged_undo_is_refused_and_audited(cards_chat):
    application_id, _, _, undo = await _approved(cards_chat, HANAKO, WORDS["ja"])
    for presser in (JIRO, ANN):
        other = await cards_chat.press(presser, undo)
        assert "Undone" not in (other.text or "")
    assert _application(cards_chat, application_id).status is ApplicationStatus.APPROVED
    refused = [
        a.actor_person_id for a in cards_chat.store.state.audit if a.action == "volunteer.refused"
    ]
    assert {person_id(cards_chat.store, u.id) for u in (JIRO, ANN)} <= set(refused)


async def test_a_late_yes_after_another_decided_says_so(cards_chat):
    application_id = await apply_as_volunteer(cards_chat)
    card_id, card = cards_chat.card(JIRO.id, f"#{application_id}")
    await cards_chat.press(JIRO, _data(card, "Approve"), message_id=card_id)
    yes = next(d for label, d in cards_chat.shown(JIRO) if "Yes, approve" in label)
    async with cards_chat.store.uow() as uow:
        await vol.decline(
            uow, actor(cards_chat.store, HANAKO.id), application_id, REASON, cards_chat.clock.now()
        )
        await uow.commit()
    late = await cards_chat.press(JIRO, yes)
    assert "already been decided" in late.text
    assert _application(cards_chat, application_id).status is ApplicationStatus.DECLINED
