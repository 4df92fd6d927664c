"""Transcripts of confirm-then-undo (bot/dialogs/confirm.py): an action that tells other people
asks first, names what it will do and who will hear of it, and may be undone for a few minutes
while nobody else has acted on it; an undo leaves the store as it was and nobody is told."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.people import NewPerson, Role
from bot.domain.requests import RequestStatus
from tests.fakes.chat import User
from tests.fixtures.cards import (
    ANN,
    JIRO,
    CardHarness,
    _data,
    _first_centre,
    _setup,
    make_harness,
    request_of,
    staff_speaking,
    submit_request,
)
from tests.fixtures.cards import audited as triage_audited
from tests.fixtures.people import HANAKO as HANAKO_STAFF
from tests.fixtures.people import demo, person_id
from tests.fixtures.shift_swaps import (
    HANAKO,
    KEN,
    MARIA,
    TANAKA,
    YUKI,
    assigned,
    audited,
    coop,
    take,
)

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
        "shift": "11月23日（月） 10:00〜14:00",
    },
    "en": {
        "ask": "Do you really want to give up this shift?",
        "yes": "Yes, give up the shift",
        "no": "No, keep it as it is",
        "undo": "Undo",
        "undone": "Undone.",
        "nobody": "Nobody else was told anything.",
        "taken": "someone else has already taken the shift",
        "expired": "the 3 minutes to undo it are over",
        "who": "tell the coordinators (1) and offer the place to the centre's free members (2)",
        "shift": "Mon, Nov 23, 10:00\u202fAM",
    },
    "ja-easy": {
        "ask": "ほんとうに、このシフトから外れますか？",
        "yes": "はい、外れます",
        "no": "いいえ、やめます",
        "undo": "もとにもどす",
        "undone": "もとにもどしました。",
        "nobody": "ほかの人には、何も知らせていません。",
        "taken": "ほかの人が、もうこのシフトに入りました。",
        "expired": "もとにもどすことができる時間（3分）が過ぎました。",
        "who": "担当（たんとう）の人1人に知らせます。\nセンターの組合員（くみあいいん）2人に",
        "shift": "11月23日（月） 10:00〜14:00",
    },
}
LANGUAGES = ["ja", "en", "ja-easy"]  # every transcript of giving up a shift, in each


def releaser(language: str) -> User:
    """Tanaka, reading Kyodo in `language`."""
    return User(TANAKA.id, TANAKA.name, language)


async def _coop_in(memory_store, clock, language: str) -> dict[str, int]:
    ids = await coop(memory_store, clock)
    async with memory_store.uow() as uow:
        await uow.people.set_locale(ids[TANAKA.name], language)
        await uow.commit()
    return ids


@pytest.mark.parametrize("language", LANGUAGES)
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
    undone = await chat.tap(me, words["undo"])  # still on the latest screen
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


@pytest.mark.parametrize("language", LANGUAGES)
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


@pytest.mark.parametrize("language", LANGUAGES)
async def test_undo_after_someone_took_the_place_is_refused_with_the_reason(
    chat, memory_store, clock, language
):
    ids = await _coop_in(memory_store, clock, language)
    me, words = releaser(language), WORDS[language]
    await chat.press(me, f"shift:cant:{ids['tomorrow']}")
    await chat.tap(me, words["yes"])
    # Maria takes the place from the open list before Tanaka thinks again.
    await take(chat, MARIA, ids["tomorrow"])
    refused = await chat.tap(me, words["undo"])
    assert words["taken"] in refused.text and refused.toast is not None
    assert assigned(memory_store, ids["tomorrow"]) == {ids[MARIA.name]}
    [release] = memory_store.state.shift_releases.values()
    assert release.taken_by == ids[MARIA.name]


@pytest.mark.parametrize("language", LANGUAGES)
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
    assert "11月23日（月） 10:00〜14:00" in asked.text
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


# --- Staff "Done" on a request card -----------------------------------------------------------

DONE_WORDS = {
    "ja": {
        "done": "完了",
        "ask": "本当に完了にしますか？",
        "yes": "はい、完了にします",
        "undo": "元に戻す",
        "undone": "を完了にする前に戻しました。",
        "acted": "ほかのスタッフがもう対応したため、元に戻せません。",
        "expired": "元に戻せる時間（3分）を過ぎたため",
    },
    "en": {
        "done": "Done",
        "ask": "Do you really want to mark this request done?",
        "yes": "Yes, mark it done",
        "undo": "Undo",
        "undone": "is open again, as it was before.",
        "acted": "another staff member has already acted on it",
        "expired": "the 3 minutes to undo it are over",
    },
    "ja-easy": {
        "done": "終わった",
        "ask": "ほんとうに「終わった」にしますか？",
        "yes": "はい、「終わった」にします",
        "undo": "もとにもどす",
        "undone": "を、「終わった」にする前にもどしました。",
        "acted": "ほかのスタッフが",
        "expired": "もとにもどすことができる時間（3分）が過ぎました。",
    },
}
ACCEPT = {"ja": "受け入れる", "en": "Accept", "ja-easy": "👍 受ける"}


@pytest.fixture
async def cards_chat(memory_store, i18n, clock) -> CardHarness:
    """Staff with their own copy of each card (as in tests/core/test_triage_cards.py)."""
    await _setup(memory_store, clock)
    return make_harness(memory_store, i18n, clock, None)


async def _accepted(cards_chat: CardHarness, staff: User) -> tuple[int, str, int]:
    """Ann's request, accepted at a centre by `staff`: its id, reference and card message id."""
    request_id = await submit_request(cards_chat, telegram_id=ANN.id)
    reference = request_of(cards_chat.store, request_id).reference
    card_id, card = cards_chat.card(staff.id, reference)
    accept = ACCEPT[staff.language]
    centres = await cards_chat.press(staff, _data(card, accept), message_id=card_id)
    await cards_chat.press(staff, _first_centre(centres))
    await cards_chat.send(staff, "11/23 10:00")
    cards_chat.clock.advance(minutes=5)  # the accept's own undo window: the resident is told
    cards_chat.deliver()
    return request_id, reference, card_id


@pytest.mark.parametrize("language", LANGUAGES)
async def test_done_then_undo_leaves_the_request_as_before_and_the_resident_is_not_told(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), DONE_WORDS[language]
    request_id, reference, card_id = await _accepted(cards_chat, staff)
    before = copy.deepcopy(request_of(cards_chat.store, request_id))
    told_before = list(cards_chat.delivered.get(ANN.id, []))
    card = cards_chat.screens[staff.id][card_id]
    asked = await cards_chat.press(staff, _data(card, words["done"]), message_id=card_id)
    assert words["ask"] in asked.text and reference in asked.text
    assert request_of(cards_chat.store, request_id) == before  # asking changes nothing
    await cards_chat.tap(staff, words["yes"])
    assert request_of(cards_chat.store, request_id).status is RequestStatus.DONE
    assert cards_chat.delivered.get(ANN.id, []) == told_before  # held
    cards_chat.clock.advance(minutes=2)
    undone = await cards_chat.tap(staff, words["undo"])
    assert reference in undone.text and words["undone"] in undone.text
    after = request_of(cards_chat.store, request_id)
    assert (after.status, after.scheduled_for, after.taken_by) == (
        before.status,
        before.scheduled_for,
        before.taken_by,
    )
    assert f"service_request:{request_id}" in triage_audited(cards_chat.store, "request.undone")
    cards_chat.clock.advance(hours=1)
    cards_chat.deliver()
    assert cards_chat.delivered.get(ANN.id, []) == told_before  # never told it was done
    reopened = cards_chat.screens[staff.id][card_id]
    assert words["done"] in " ".join(label for row in reopened.buttons for label, _ in row)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_undo_of_done_after_the_window_is_refused_and_the_resident_was_told(
    cards_chat, language
):
    staff, words = await staff_speaking(cards_chat, language), DONE_WORDS[language]
    request_id, _, card_id = await _accepted(cards_chat, staff)
    card = cards_chat.screens[staff.id][card_id]
    await cards_chat.press(staff, _data(card, words["done"]), message_id=card_id)
    await cards_chat.tap(staff, words["yes"])
    cards_chat.clock.advance(minutes=5)
    cards_chat.deliver()
    assert "complete" in cards_chat.last_to(ANN.id).text
    refused = await cards_chat.tap(staff, words["undo"])
    assert words["expired"] in refused.text
    assert request_of(cards_chat.store, request_id).status is RequestStatus.DONE


async def test_undo_of_done_is_the_doers_alone(cards_chat):
    request_id, _, card_id = await _accepted(cards_chat, HANAKO_STAFF)
    card = cards_chat.screens[HANAKO_STAFF.id][card_id]
    await cards_chat.press(HANAKO_STAFF, _data(card, "完了"), message_id=card_id)
    await cards_chat.tap(HANAKO_STAFF, "はい、完了にします")
    undo = next(d for label, d in cards_chat.shown(HANAKO_STAFF) if "元に戻す" in label)
    other = await cards_chat.press(JIRO, undo)
    assert "Undone" not in other.text
    assert request_of(cards_chat.store, request_id).status is RequestStatus.DONE
    mine = await cards_chat.press(HANAKO_STAFF, undo)
    assert "完了にする前に戻しました" in mine.text
    again = await cards_chat.press(HANAKO_STAFF, undo)
    assert "これはもう元に戻してあります。" in again.text


# --- A check-in at an assembly ----------------------------------------------------------------

JANE = User(1009, "Jane Staff", "en")  # staff reading English
KEIKO = User(1010, "Keiko Staff", "ja")  # staff who chose Easy Japanese
CHECK_IN_WORDS = {
    "ja": {
        "undo": "元に戻す",
        "undone": "田中 一郎さんの受付を取り消しました。",
        "late": "3分",
        "already": "これはもう元に戻してあります。",
    },
    "en": {
        "undo": "Undo",
        "undone": "田中 一郎 is no longer checked in.",
        "late": "3 minutes",
        "already": "This has already been undone.",
    },
    "ja-easy": {
        "undo": "もとにもどす",
        "undone": "田中 一郎さんの受付（うけつけ）を取り消しました。",
        "late": "3分",
        "already": "これは、もうもとにもどしてあります。",
    },
}
CHECKERS = {"ja": HANAKO_STAFF, "en": JANE, "ja-easy": KEIKO}


async def _assembly_day(memory_store, clock) -> int:
    await demo(memory_store, clock)
    async with memory_store.uow() as uow:
        await uow.people.add(
            NewPerson(
                JANE.id,
                JANE.name,
                "en",
                clock.now(),
                None,
                frozenset({Role.STAFF, Role.COORDINATOR}),
            )
        )
        await uow.people.add(
            NewPerson(
                KEIKO.id,
                KEIKO.name,
                "ja",
                clock.now(),
                "ja-easy",
                frozenset({Role.STAFF, Role.COORDINATOR}),
            )
        )
        await uow.commit()
    clock.current = datetime(2026, 12, 9, 13, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    return next(iter(memory_store.state.assemblies))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_wrong_check_in_is_undone_and_the_count_is_as_before(
    chat, memory_store, clock, language
):
    aid = await _assembly_day(memory_store, clock)
    staff, words = CHECKERS[language], CHECK_IN_WORDS[language]
    listing = await chat.press(staff, f"asm:c:{aid}")
    before = dict(memory_store.state.assembly_checkins)
    checked = await chat.press(staff, listing.data_for("田中 一郎"))
    assert (aid, person_id(memory_store, TANAKA.id)) in memory_store.state.assembly_checkins
    assert words["undo"] in checked.buttons[0][0]
    clock.advance(minutes=1)
    undone = await chat.tap(staff, words["undo"])
    assert words["undone"] in undone.text
    assert memory_store.state.assembly_checkins == before
    assert any(a.action == "assembly.check_in_undone" for a in memory_store.state.audit)
    twice = await chat.press(staff, undone_data(chat, staff))
    assert words["already"] in twice.text
    again = await chat.press(staff, f"asm:c:{aid}")
    assert "☑️ 田中 一郎" in [label for label, _ in again.buttons]  # may be checked in again


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_check_in_undo_after_the_window_or_by_someone_else_is_refused(
    chat, memory_store, clock, language
):
    aid = await _assembly_day(memory_store, clock)
    staff, words = CHECKERS[language], CHECK_IN_WORDS[language]
    other = JANE if staff is HANAKO_STAFF else HANAKO_STAFF
    listing = await chat.press(staff, f"asm:c:{aid}")
    await chat.press(staff, listing.data_for("田中 一郎"))
    undo = next(d for label, d in chat.shown(staff) if words["undo"] in label)
    by_other = await chat.press(other, undo)
    assert by_other.toast is not None
    assert (aid, person_id(memory_store, TANAKA.id)) in memory_store.state.assembly_checkins
    clock.advance(minutes=4)
    late = await chat.press(staff, undo)
    assert words["late"] in late.text
    assert (aid, person_id(memory_store, TANAKA.id)) in memory_store.state.assembly_checkins
