"""Late and forged presses on the confirmations and Undo buttons of the actions brought under
the confirm-and-undo mechanism (bot/dialogs/confirm.py): accepting a request, volunteer
decisions, "send now", "approve all shown". Whatever the data, the answer is a sentence in the
presser's language (a button no longer valid, the reason an undo cannot be done, a refusal),
never a crash, and nothing changes in the store."""

from __future__ import annotations

import copy

import pytest

from tests.fixtures.people import HANAKO, TANAKA, demo, person_id

INVALID = {
    "ja": "このボタンは使えなくなりました。",
    "en": "That button is no longer valid.",
    "ja-easy": "このボタンは、もう使えません。",
}
REFUSED = {
    "ja": "その操作は行えません",
    "en": "you are not allowed to do that",
    "ja-easy": "できません",
}
# Data no screen of Kyodo shows: an action done at once is never confirmed, unknown kinds, ids
# out of range, extra fields, garbage.
FORGED = (
    "cf:yes:ra:1",
    "cf:yes:bs:1",
    "cf:yes:zz:1",
    "cf:undo:zz:1",
    "cf:undo:hb:x:y",
    "cf:yes:hb:1:2:3",
    "cf:undo:vd:99999999999999999999999",
)
# Presses of a real kind on nothing there, each answered with its reason: a request or an
# application that is not there is refused (audited) like a forged id, a broadcast is "not
# found", and an "approve all" with nothing pending says so.
NOTHING_THERE = {
    "cf:undo:ra:999": {"ja": "その操作は行えません", "en": "not allowed", "ja-easy": "できません"},
    "cf:undo:vd:999": {"ja": "その操作は行えません", "en": "not allowed", "ja-easy": "できません"},
    "cf:undo:bs:999": {
        "ja": "その一斉連絡は見つかりません",
        "en": "That broadcast was not found",
        "ja-easy": "見つかりません",
    },
    "cf:yes:hb:990:999": {
        "ja": "もう承認待ちではない",
        "en": "no longer pending",
        "ja-easy": "もう承認（しょうにん）を待っていません",
    },
}


@pytest.fixture
async def demo_chat(chat, memory_store, clock):
    await demo(memory_store, clock)
    return chat


async def _in(chat, telegram_id: int, language: str) -> None:
    async with chat.store.uow() as uow:
        await uow.people.set_locale(person_id(chat.store, telegram_id), language)
        await uow.commit()


def _snapshot(store):
    state = store.state
    return copy.deepcopy(
        (
            state.service_requests,
            state.volunteer_applications,
            state.broadcasts,
            {k: v.status for k, v in state.hour_reports.items()},
        )
    )


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_forged_confirmation_and_undo_data_is_an_invalid_button_in_the_staff_language(
    demo_chat, memory_store, language
):
    await _in(demo_chat, HANAKO.id, language)
    before = _snapshot(memory_store)
    for data in FORGED:
        turn = await demo_chat.press(HANAKO, data)
        assert turn.toast is not None and INVALID[language] in turn.toast, data
    assert _snapshot(memory_store) == before


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_presses_on_nothing_there_answer_in_the_staff_language_and_change_nothing(
    demo_chat, memory_store, language
):
    await _in(demo_chat, HANAKO.id, language)
    before = _snapshot(memory_store)
    for data, said in NOTHING_THERE.items():
        turn = await demo_chat.press(HANAKO, data)
        assert said[language] in (turn.text or ""), (data, turn.text)
    assert _snapshot(memory_store) == before


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_a_member_pressing_staff_confirmations_and_undos_is_refused(
    demo_chat, memory_store, language
):
    await _in(demo_chat, TANAKA.id, language)
    before = _snapshot(memory_store)
    for data in ("cf:yes:vd:1", "cf:undo:vd:1", "cf:undo:ra:1", "cf:yes:hb:1:9", "cf:undo:hb:1:9"):
        turn = await demo_chat.press(TANAKA, data)
        said = f"{turn.toast or ''} {turn.text or ''}"
        assert REFUSED[language] in said or INVALID[language] in said, (data, said)
    assert _snapshot(memory_store) == before
