"""Transcripts of need-to-know: staff of one centre get that centre's cards and /queue only.

The demo co-op has two centres (中央 first, 港 second). Keiko is staff of 中央 and reads
Japanese; Sam is staff of 港 and reads English; Hanako (an admin) and Jiro (a coordinator)
see the whole co-op. Tanaka reports hours at each centre, and a resident asks for a service
that no centre has yet.
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.people import NewPerson, Role
from bot.services import hours as hours_service
from bot.services import requests as rq
from tests.fakes.chat import User
from tests.fixtures.cards import (
    JIRO,
    NOW,
    REFUSED_JA,
    TODAY,
    CardHarness,
    _data,
    actor,
    audited,
    report_hours,
    request_of,
    submit_request,
)
from tests.fixtures.people import HANAKO

KEIKO = User(1101, "中村 恵子", "ja")  # staff of 中央 only
SAM = User(1102, "Sam Lee", "en")  # staff of 港 only


async def _centre_staff(harness: CardHarness) -> tuple[int, int]:
    """Keiko belongs to the first centre, Sam to the second; returns their ids."""
    # The demo's two business centres (its head office, over both, is left out).
    chuo, minato = sorted(i for i, c in harness.store.state.centres.items() if not c.is_office)
    async with harness.store.uow() as uow:
        for user, centre in ((KEIKO, chuo), (SAM, minato)):
            person = await uow.people.add(
                NewPerson(user.id, user.name, user.language, NOW, roles=frozenset({Role.STAFF}))
            )
            await uow.memberships.add(person.id, centre)
        await uow.commit()
    return chuo, minato


async def _report(harness: CardHarness, centre: int, days_ago: int) -> int:
    day = TODAY - timedelta(days=days_ago)
    return await report_hours(harness, day=day, centre=centre, minutes=240, note=None)


def _cards(harness: CardHarness, user: User) -> str:
    return "\n".join(m.text for m in harness.cards_in(user.id))


async def test_each_centres_staff_get_only_their_centres_cards_and_queue(cards_chat, clock):
    chuo, minato = await _centre_staff(cards_chat)
    at_chuo = await _report(cards_chat, chuo, 1)
    clock.advance(minutes=1)
    at_minato = await _report(cards_chat, minato, 2)

    # The cards: each centre's staff its own report's; the admin and the coordinator both.
    assert f"勤務時間 #{at_chuo}" in _cards(cards_chat, KEIKO)
    assert f"#{at_minato}" not in _cards(cards_chat, KEIKO)
    assert f"#{at_minato}" in _cards(cards_chat, SAM)
    assert f"#{at_chuo}" not in _cards(cards_chat, SAM)
    for whole in (HANAKO, JIRO):
        assert f"#{at_chuo}" in _cards(cards_chat, whole)
        assert f"#{at_minato}" in _cards(cards_chat, whole)

    _, minato_card = cards_chat.card(HANAKO.id, f"勤務時間 #{at_minato}")
    card_id, chuo_card = cards_chat.card(KEIKO.id, f"勤務時間 #{at_chuo}")

    # /queue: the same split, counts included.
    keiko = await cards_chat.send(KEIKO, "/queue")
    assert "依頼 0件・ボランティアの申し込み 0件・勤務時間 1件" in keiko.text
    assert f"勤務時間 #{at_chuo}" in keiko.text and f"#{at_minato}" not in keiko.text
    sam = await cards_chat.send(SAM, "/queue")
    assert f"#{at_minato}" in sam.text and f"#{at_chuo}" not in sam.text
    hanako = await cards_chat.send(HANAKO, "/queue")
    assert "勤務時間 2件" in hanako.text

    # Keiko presses the approve button of 港's card (taken from Hanako's copy): refused in
    # her language and audited; the report is still waiting.
    refused = await cards_chat.press(KEIKO, _data(minato_card, "承認"))
    assert REFUSED_JA in refused.text
    assert f"hour_report:{at_minato}" in audited(cards_chat.store, hours_service.REVIEW_REFUSED)
    assert cards_chat.store.state.hour_reports[at_minato].status.value == "pending"

    # Her own centre's card approves as before.
    asked = await cards_chat.press(KEIKO, _data(chuo_card, "承認"), message_id=card_id)
    assert "本当にこの勤務時間を承認しますか？" in asked.text  # asked first (test_undo_hours.py)
    approved = await cards_chat.tap(KEIKO, "はい、承認します")
    assert approved.toast == "承認しました。本人に知らせます。"


async def test_a_request_of_no_centre_goes_to_whole_coop_staff_then_to_the_centre_given_it(
    cards_chat,
):
    chuo, _ = await _centre_staff(cards_chat)
    request_id = await submit_request(cards_chat)
    reference = request_of(cards_chat.store, request_id).reference
    # No centre yet: its card (and its phone and address behind it) is the whole co-op's.
    assert reference in _cards(cards_chat, HANAKO) and reference in _cards(cards_chat, JIRO)
    assert reference not in _cards(cards_chat, KEIKO) + _cards(cards_chat, SAM)
    keiko = await cards_chat.send(KEIKO, "/queue")
    assert reference not in keiko.text and "依頼 0件" in keiko.text

    # Hanako hands it to 中央: Keiko gets its card now, Sam still nothing.
    async with cards_chat.store.uow() as uow:
        await rq.assign_centre(uow, actor(cards_chat.store, HANAKO.id), request_id, chuo, NOW)
        await uow.commit()
    cards_chat.deliver()
    assert reference in _cards(cards_chat, KEIKO)
    assert reference not in _cards(cards_chat, SAM)
    keiko = await cards_chat.send(KEIKO, "/queue")
    assert reference in keiko.text and "依頼 1件" in keiko.text
    sam = await cards_chat.send(SAM, "/queue")
    assert reference not in sam.text


async def test_staff_of_no_centre_are_told_why_their_queue_is_empty(cards_chat):
    chuo, _ = await _centre_staff(cards_chat)
    await _report(cards_chat, chuo, 1)
    async with cards_chat.store.uow() as uow:
        await uow.people.add(
            NewPerson(1103, "Nobody Yet", "en", NOW, roles=frozenset({Role.STAFF}))
        )
        await uow.commit()
    queue = await cards_chat.send(User(1103, "Nobody Yet", "en"), "/queue")
    assert "You do not belong to any centre yet" in queue.text
    assert "Ask an administrator to give you your centres." in queue.text
    keiko = await cards_chat.send(KEIKO, "/queue")
    assert "所属していない" not in keiko.text
