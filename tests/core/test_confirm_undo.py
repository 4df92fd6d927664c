"""Transcripts of confirm-then-undo (bot/dialogs/confirm.py): an action that tells other people
asks first, names what it will do and who will hear of it, and may be undone for a few minutes
while nobody else has acted on it; an undo leaves the store as it was and nobody is told."""

from __future__ import annotations

import copy

import pytest

from tests.core.test_shift_swaps import HANAKO, KEN, MARIA, TANAKA, YUKI, assigned, audited, coop
from tests.fakes.chat import User

WORDS = {
    "ja": {
        "ask": "本当にこのシフトを外れますか？",
        "yes": "はい、シフトを外れます",
        "no": "いいえ、やめます",
        "undo": "元に戻す",
        "undone": "元に戻しました。",
        "nobody": "ほかの方には何も知らせていません。",
        "taken": "ほかの方がもうこのシフトに入ったため、元に戻せません。",
        "expired": "元に戻せる時間（3分）を過ぎたため、取り消せません。",
        "who": "コーディネーター1人に知らせ、センターの組合員2人に空きをお知らせします。",
        "shift": "11月23日(月) 10:00〜14:00",
    },
    "en": {
        "ask": "Do you really want to give up this shift?",
        "yes": "Yes, give up the shift",
        "no": "No, keep it as it is",
        "undo": "Undo",
        "undone": "Undone.",
        "nobody": "Nobody else was told anything.",
        "taken": "someone else has already taken the shift",
        "expired": "the 3 minutes are over",
        "who": "tell the coordinators (1) and offer the place to the centre's free members (2)",
        "shift": "Mon, Nov 23, 10:00\u202fAM",
    },
}


def releaser(language: str) -> User:
    """Tanaka, reading Kyodo in `language`."""
    return User(TANAKA.id, TANAKA.name, language)


async def _coop_in(memory_store, clock, language: str) -> dict[str, int]:
    ids = await coop(memory_store, clock)
    async with memory_store.uow() as uow:
        await uow.people.set_locale(ids[TANAKA.name], language)
        await uow.commit()
    return ids


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_confirm_then_undo_leaves_the_store_as_before_and_nobody_is_told(
    chat, memory_store, clock, language
):
    ids = await _coop_in(memory_store, clock, language)
    me, words = releaser(language), WORDS[language]
    await chat.press(me, f"shift:who:{ids['tomorrow']}")
    before = copy.deepcopy(
        (memory_store.state.shift_assignments, memory_store.state.shift_releases)
    )
    asked = await chat.press(me, f"shift:cant:{ids['tomorrow']}")
    assert words["ask"] in asked.text and words["shift"] in asked.text
    assert words["who"] in asked.text
    assert assigned(memory_store, ids["tomorrow"]) == {ids[TANAKA.name]}  # nothing done yet
    done = await chat.tap(me, words["yes"])
    assert assigned(memory_store, ids["tomorrow"]) == set()
    assert words["undo"] in done.buttons[0][0]
    await chat.send(me, "熱が出ました")  # a reason, held with the release
    clock.advance(minutes=2)
    undone = await chat.press(me, undone_data(chat, me))  # the Undo on the message above
    assert words["undone"] in undone.text and words["nobody"] in undone.text
    assert words["shift"] in undone.text
    after = (memory_store.state.shift_assignments, memory_store.state.shift_releases)
    assert after == before
    assert (ids[TANAKA.name], "shift.release_undone", f"shift:{ids['tomorrow']}") in audited(
        memory_store
    )
    chat.wait(hours=1)
    for other in (HANAKO, MARIA, KEN, YUKI):
        assert other.id not in chat.delivered, other
    assert not memory_store.state.outbox or all(
        r.message.chat_id == TANAKA.id for r in memory_store.state.outbox.values()
    )
    again = await chat.press(me, undone_data(chat, me))
    assert words["taken"] not in again.text and words["undone"] not in again.text


def undone_data(chat, user: User) -> str:
    """The Undo button Tanaka was shown (pressed again after the undo)."""
    for message in reversed(chat.delivered[user.id]):
        for row in message.buttons:
            for _, data in row:
                if data.startswith("cf:undo:"):
                    return data
    raise AssertionError("no Undo was shown")


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_no_leaves_everything_as_it_was(chat, memory_store, clock, language):
    ids = await _coop_in(memory_store, clock, language)
    me, words = releaser(language), WORDS[language]
    await chat.press(me, f"shift:cant:{ids['tomorrow']}")
    turn = await chat.tap(me, words["no"])
    assert assigned(memory_store, ids["tomorrow"]) == {ids[TANAKA.name]}
    assert not memory_store.state.shift_releases
    assert turn.text
    chat.wait(hours=1)
    assert set(chat.delivered) == {TANAKA.id}


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_undo_after_someone_took_the_place_is_refused_with_the_reason(
    chat, memory_store, clock, language
):
    ids = await _coop_in(memory_store, clock, language)
    me, words = releaser(language), WORDS[language]
    await chat.press(me, f"shift:cant:{ids['tomorrow']}")
    await chat.tap(me, words["yes"])
    # Maria takes the place from the open list before Tanaka thinks again.
    await chat.press(MARIA, f"shift:take:{ids['tomorrow']}")
    refused = await chat.tap(me, words["undo"])
    assert words["taken"] in refused.text and refused.toast is not None
    assert assigned(memory_store, ids["tomorrow"]) == {ids[MARIA.name]}
    [release] = memory_store.state.shift_releases.values()
    assert release.taken_by == ids[MARIA.name]


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_undo_after_the_window_is_refused_and_the_others_were_told(
    chat, memory_store, clock, language
):
    ids = await _coop_in(memory_store, clock, language)
    me, words = releaser(language), WORDS[language]
    await chat.press(me, f"shift:cant:{ids['tomorrow']}")
    await chat.tap(me, words["yes"])
    chat.wait(minutes=5)
    assert HANAKO.id in chat.delivered and MARIA.id in chat.delivered
    refused = await chat.tap(me, words["undo"])
    assert words["expired"] in refused.text
    assert assigned(memory_store, ids["tomorrow"]) == set()


async def test_a_ten_minute_old_reminder_button_asks_first_naming_the_shift(
    chat, memory_store, clock
):
    ids = await coop(memory_store, clock)
    clock.advance(minutes=10)
    asked = await chat.press(TANAKA, f"shift:cant:{ids['tomorrow']}")
    assert "本当にこのシフトを外れますか？" in asked.text
    assert "11月23日(月) 10:00〜14:00" in asked.text
    assert assigned(memory_store, ids["tomorrow"]) == {ids[TANAKA.name]}
    assert not memory_store.state.shift_releases


async def test_someone_elses_undo_button_is_refused_and_audited(chat, memory_store, clock):
    ids = await coop(memory_store, clock)
    await chat.press(TANAKA, f"shift:cant:{ids['tomorrow']}")
    await chat.tap(TANAKA, "はい、シフトを外れます")
    data = undone_data(chat, TANAKA)
    turn = await chat.press(MARIA, data)
    assert turn.toast is not None and "Undone" not in (turn.text or "")
    assert assigned(memory_store, ids["tomorrow"]) == set()
    assert any(action == "shift.refused" for _, action, _ in audited(memory_store))
