"""Transcripts of taking a free place on a shift under confirm-then-undo (bot/dialogs/confirm.py):
the take button asks first and says who will be told; Yes takes the place; Undo within the few
minutes takes the member off again, opens the release's place again and nobody is told; after
that the coordinators were told and the undo is refused in the member's language."""

from __future__ import annotations

import copy

import pytest

from tests.fakes.chat import User
from tests.fixtures.shift_swaps import HANAKO, MARIA, TANAKA, YUKI, assigned, audited, coop

WORDS = {
    "ja": {
        "ask": "このシフトに入りますか？",
        "who": "コーディネーター1人にお知らせします。",
        "yes": "はい、シフトに入ります",
        "undo": "元に戻す",
        "undone": "このシフトから外れました。空きは元どおり募集中です。",
        "nobody": "ほかの方には何も知らせていません。",
        "expired": "元に戻せる時間（3分）を過ぎたため",
        "already": "これはもう元に戻してあります。",
    },
    "en": {
        "ask": "Do you want to take this shift?",
        "who": "we will tell the coordinators (1)",
        "yes": "Yes, take the shift",
        "undo": "Undo",
        "undone": "You are no longer on this shift; the place is open again.",
        "nobody": "Nobody else was told anything.",
        "expired": "can no longer be undone: the 3 minutes",
        "already": "This has already been undone.",
    },
    "ja-easy": {
        "ask": "このシフトに入りますか？",
        "who": "担当（たんとう）の人1人に知らせます。",
        "yes": "はい、入ります",
        "undo": "もとにもどす",
        "undone": "このシフトから外れました。",
        "nobody": "ほかの人には、何も知らせていません。",
        "expired": "もとにもどすことができる時間（3分）が過ぎました。",
        "already": "これは、もうもとにもどしてあります。",
    },
}


async def _released(chat, memory_store, clock, language: str) -> tuple[dict[str, int], User]:
    """Tanaka gave up tomorrow's shift and the others were told; Yuki reads `language`."""
    ids = await coop(memory_store, clock)
    async with memory_store.uow() as uow:
        await uow.people.set_locale(ids[YUKI.name], language)
        await uow.commit()
    await chat.press(TANAKA, f"shift:cant:{ids['tomorrow']}")
    await chat.tap(TANAKA, "はい、シフトを外れます")
    chat.wait(minutes=5)
    chat.delivered.clear()
    return ids, User(YUKI.id, YUKI.name, language)


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_take_asks_first_and_an_undo_in_the_window_opens_the_place_again_untold(
    chat, memory_store, clock, language
):
    ids, yuki = await _released(chat, memory_store, clock, language)
    words = WORDS[language]
    before = copy.deepcopy(
        (memory_store.state.shift_assignments, memory_store.state.shift_releases)
    )
    asked = await chat.press(yuki, f"shift:take:{ids['tomorrow']}")
    assert words["ask"] in asked.text and words["who"] in asked.text
    assert assigned(memory_store, ids["tomorrow"]) == set()  # asking takes nothing
    await chat.tap(yuki, words["yes"])
    assert assigned(memory_store, ids["tomorrow"]) == {ids[YUKI.name]}
    clock.advance(minutes=2)
    undone = await chat.tap(yuki, words["undo"])
    assert words["undone"] in undone.text and words["nobody"] in undone.text
    after = (memory_store.state.shift_assignments, memory_store.state.shift_releases)
    assert after == before  # the release is open again, nobody on the shift
    assert (ids[YUKI.name], "shift.take_undone", f"shift:{ids['tomorrow']}") in audited(
        memory_store
    )
    chat.wait(hours=1)
    assert HANAKO.id not in chat.delivered  # the coordinator never heard of the take
    # The place is open again for anyone.
    await chat.press(MARIA, f"shift:take:{ids['tomorrow']}")
    await chat.tap(MARIA, "Yes, take the shift")
    assert assigned(memory_store, ids["tomorrow"]) == {ids[MARIA.name]}


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_a_take_undone_after_the_window_is_refused_and_the_coordinator_was_told(
    chat, memory_store, clock, language
):
    ids, yuki = await _released(chat, memory_store, clock, language)
    words = WORDS[language]
    await chat.press(yuki, f"shift:take:{ids['tomorrow']}")
    await chat.tap(yuki, words["yes"])
    chat.wait(minutes=5)
    assert "Yuki" in chat.delivered[HANAKO.id][-1].text
    refused = await chat.tap(yuki, words["undo"])
    assert words["expired"] in refused.text
    assert assigned(memory_store, ids["tomorrow"]) == {ids[YUKI.name]}


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_a_take_undone_twice_says_so(chat, memory_store, clock, language):
    ids, yuki = await _released(chat, memory_store, clock, language)
    words = WORDS[language]
    await chat.press(yuki, f"shift:take:{ids['tomorrow']}")
    await chat.tap(yuki, words["yes"])
    undo = next(d for label, d in chat.shown(yuki) if words["undo"] in label)
    await chat.press(yuki, undo)
    twice = await chat.press(yuki, undo)
    assert words["already"] in twice.text
    assert assigned(memory_store, ids["tomorrow"]) == set()


async def test_someone_elses_take_undo_is_refused(chat, memory_store, clock):
    ids, yuki = await _released(chat, memory_store, clock, "ja")
    await chat.press(yuki, f"shift:take:{ids['tomorrow']}")
    await chat.tap(yuki, WORDS["ja"]["yes"])
    undo = next(d for label, d in chat.shown(yuki) if "元に戻す" in label)
    by_maria = await chat.press(MARIA, undo)
    assert by_maria.toast is not None and "Undone" not in (by_maria.text or "")
    assert assigned(memory_store, ids["tomorrow"]) == {ids[YUKI.name]}
