"""Transcripts of giving up a shift, taking an open place, open shifts and the calendar link."""

from __future__ import annotations

import hashlib
from datetime import date

from bot.domain.coop import NewShift, WorkKind
from bot.domain.events import ShiftReminderDue
from bot.domain.people import NewPerson, Role
from tests.fakes.chat import User
from tests.fixtures.shift_swaps import (
    HANAKO,
    JIRO,
    KEN,
    MARIA,
    REFUSED_JA,
    TANAKA,
    TOME,
    YUKI,
    assigned,
    at,
    audited,
    coop,
    take,
)


async def give_up(chat, user: User, shift_id: int):
    """ "I can't make it", then Yes on the confirmation: what the member sees after it."""
    asked = await chat.press(user, f"shift:cant:{shift_id}")
    assert "本当に" in asked.text or "really" in asked.text, asked.text
    return await chat.tap(user, "はい" if user.language == "ja" else "Yes")


async def test_i_cant_make_it_is_one_tap_from_the_shift(chat, memory_store, clock):
    ids = await coop(memory_store, clock)
    shift = await chat.press(TANAKA, f"shift:who:{ids['tomorrow']}")
    assert ("🙅 行けなくなりました", f"shift:cant:{ids['tomorrow']}") in shift.buttons
    turn = await give_up(chat, TANAKA, ids["tomorrow"])
    assert turn.toast == "シフトを外れました。"
    assert "<b>このシフトを外れました。</b>" in turn.text
    assert "<b>11月23日（月） 10:00〜14:00</b>\n清掃・港ビル清掃センター" in turn.text
    assert "200文字まで" in turn.text
    assert assigned(memory_store, ids["tomorrow"]) == set()
    [release] = memory_store.state.shift_releases.values()
    assert (release.shift_id, release.person_id, release.taken_by) == (
        ids["tomorrow"],
        ids[TANAKA.name],
        None,
    )


async def test_the_coordinator_is_told_and_the_centres_free_members_are_offered_the_place(
    chat, memory_store, clock
):
    ids = await coop(memory_store, clock)
    await give_up(chat, TANAKA, ids["tomorrow"])
    assert HANAKO.id not in chat.delivered  # held while Tanaka may still undo
    chat.wait(minutes=5)
    [staff] = chat.delivered[HANAKO.id]
    assert "<b>田中 一郎さんがこのシフトに行けなくなりました。</b>" in staff.text
    assert "組合員2人に空きをお知らせしました" in staff.text
    assert "11月23日（月） 10:00〜14:00" in staff.text
    [offer] = chat.delivered[MARIA.id]
    assert "A place is open on this shift." in offer.text
    assert "Minato Building Cleaning Centre" in offer.text
    label, data = offer.buttons[0][0]
    assert label.startswith("🙋 Take it: Mon, Nov 23") and data == f"shift:take:{ids['tomorrow']}"
    assert "このシフトに空きが出ました" in chat.delivered[YUKI.id][0].text
    assert KEN.id not in chat.delivered  # busy at that time
    assert JIRO.id not in chat.delivered and TOME.id not in chat.delivered


async def test_first_come_first_served_the_second_taker_is_told_it_is_gone(
    chat, memory_store, clock
):
    ids = await coop(memory_store, clock)
    await give_up(chat, TANAKA, ids["tomorrow"])
    chat.wait(minutes=5)
    chat.delivered.clear()
    first = await take(chat, MARIA, ids["tomorrow"])
    taken_at = clock.now()
    assert first.toast == "The shift is yours."
    assert "<b>The shift is yours.</b>" in first.text
    chat.wait(minutes=5)  # the take is told once it can no longer be undone
    [told] = chat.delivered[HANAKO.id]
    assert "<b>Maria Santosさんがこのシフトの空きに入りました。</b>" in told.text
    assert "11月23日（月） 10:00〜14:00" in told.text
    second = await take(chat, YUKI, ids["tomorrow"])
    assert second.toast == "申し訳ありません。このシフトは、ほかの方が先に入りました。"
    assert assigned(memory_store, ids["tomorrow"]) == {ids[MARIA.name]}
    [release] = memory_store.state.shift_releases.values()
    assert release.taken_by == ids[MARIA.name] and release.taken_at == taken_at


async def test_a_reason_typed_after_the_tap_reaches_the_coordinator(chat, memory_store, clock):
    ids = await coop(memory_store, clock)
    await give_up(chat, TANAKA, ids["tomorrow"])
    too_long = await chat.send(TANAKA, "熱" * 201)
    assert "200文字以内で入力してください" in too_long.text
    turn = await chat.send(TANAKA, "熱が出ました <b>")
    assert "理由をコーディネーターに伝えました" in turn.text
    chat.wait(minutes=5)
    reason = chat.delivered[HANAKO.id][-1].text
    assert "田中 一郎さんの理由：</b>熱が出ました &lt;b&gt;" in reason
    [release] = memory_store.state.shift_releases.values()
    assert release.reason == "熱が出ました <b>"
    after = await chat.send(TANAKA, "もう一度")
    assert "理由" not in after.text  # the dialog ended with the reason


async def test_a_started_shift_cannot_be_given_up_here(chat, memory_store, clock):
    ids = await coop(memory_store, clock)
    shift = await chat.press(TANAKA, f"shift:who:{ids['started']}")
    assert not [d for _, d in shift.buttons if d.startswith("shift:cant")]
    turn = await chat.press(TANAKA, f"shift:cant:{ids['started']}")
    assert "もう始まっているため" in turn.text
    assert "本当に" not in turn.text
    assert ids[TANAKA.name] in assigned(memory_store, ids["started"])


async def test_forged_shift_ids_are_refused_and_audited(chat, memory_store, clock):
    ids = await coop(memory_store, clock)
    me = ids[TANAKA.name]
    for data, subject in (
        (f"shift:cant:{ids['open']}", f"shift:{ids['open']}"),  # Maria's shift
        ("shift:cant:999999", "shift:999999"),
        ("shift:take:999999", "shift:999999"),
    ):
        turn = await chat.press(TANAKA, data)
        assert turn.toast == REFUSED_JA, data
        assert (me, "shift.refused", subject) in audited(memory_store)
    assert ids[MARIA.name] in assigned(memory_store, ids["open"])
    # Volunteers may take only shifts marked for volunteers.
    turn = await take(chat, JIRO, ids["open"])
    assert turn.toast == REFUSED_JA
    assert (ids[JIRO.name], "shift.refused", f"shift:{ids['open']}") in audited(memory_store)
    for data in ("shift:take:1x", "shift:cant:", "shift:take:-3"):
        turn = await chat.press(TANAKA, data)
        assert turn.toast == "このボタンは使えなくなりました。メニューを表示します。", data


async def test_open_shifts_list_free_places_with_take_buttons(chat, memory_store, clock):
    ids = await coop(memory_store, clock)
    menu = await chat.send(TANAKA, "/menu")
    assert ("🙋 空きシフト", "shifts:open") in menu.buttons
    turn = await chat.tap(TANAKA, "🙋 空きシフト")
    assert "🙋 <b>空きシフト</b>" in turn.text
    assert "11月25日（水） 9:00〜12:00</b>\n清掃・中央ケアセンター\n空き：1人" in turn.text
    assert "11月26日（木） 9:00〜12:00</b>\n清掃・中央ケアセンター\n空き：2人" in turn.text
    assert "11月27日（金）" not in turn.text  # full
    assert "11月21日" not in turn.text and "11月22日" not in turn.text  # past or started
    data = turn.data_for("11月25日（水） 9:00")
    assert data == f"shift:take:{ids['open']}"
    asked = await chat.press(TANAKA, data)
    assert "🙋 <b>このシフトに入りますか？</b>" in asked.text  # asked first
    taken = await chat.tap(TANAKA, "はい")
    assert "このシフトに入りました" in taken.text
    assert assigned(memory_store, ids["open"]) == {ids[MARIA.name], ids[TANAKA.name]}
    again = await chat.press(TANAKA, data)
    assert "すでに入っています" in again.text


async def test_taking_a_shift_that_overlaps_ones_own_is_refused(chat, memory_store, clock):
    ids = await coop(memory_store, clock)
    await give_up(chat, TANAKA, ids["tomorrow"])
    turn = await take(chat, KEN, ids["tomorrow"])
    assert "You already have a shift at that time." in turn.text
    assert assigned(memory_store, ids["tomorrow"]) == set()


async def test_volunteers_see_and_take_only_volunteers_shifts(chat, memory_store, clock):
    ids = await coop(memory_store, clock)
    await chat.send(JIRO, "/start")
    turn = await chat.key(JIRO, "🙋 空きシフト")  # a volunteer's key under the chat
    assert [d for _, d in turn.buttons if d.startswith("shift:take")] == [
        f"shift:take:{ids['volunteers']}"
    ]
    await take(chat, JIRO, ids["volunteers"])
    assert assigned(memory_store, ids["volunteers"]) == {ids[JIRO.name]}


async def test_residents_and_strangers_are_refused_open_shifts(chat, memory_store, clock):
    ids = await coop(memory_store, clock)
    for user in (TOME, User(9, "X", "ja")):
        turn = await chat.press(user, "shifts:open")
        assert turn.toast == REFUSED_JA
        turn = await take(chat, user, ids["open"])
        assert turn.toast == REFUSED_JA
    assert [a[1] for a in audited(memory_store)].count("shifts.refused") == 4


async def test_my_shifts_offers_a_calendar_link_stored_only_as_a_hash(chat, memory_store, clock):
    ids = await coop(memory_store, clock)
    mine = await chat.press(MARIA, "shifts")
    assert ("📆 Link for my phone's calendar", "shifts:ical") in mine.buttons
    assert ("🙋 Open shifts", "shifts:open") in mine.buttons
    first = await chat.tap(MARIA, "📆 Link for my phone's calendar")
    url = first.text.split("\n")[2]
    assert url.startswith("http://127.0.0.1:8090/calendar/") and url.endswith(".ics")
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = memory_store.state.calendar_tokens[ids[MARIA.name]]
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    second = await chat.press(MARIA, "shifts:ical")
    assert second.text.split("\n")[2] != url
    assert memory_store.state.calendar_tokens[ids[MARIA.name]] != stored


async def test_a_shift_reminder_lists_the_days_shifts_with_a_button_each(chat, memory_store, clock):
    """`ShiftReminderDue` renders the reminder the scheduler has always sent (same text, same
    buttons, one copy per send and person); someone who cannot be reached is left out."""
    ids = await coop(memory_store, clock)
    async with memory_store.uow() as uow:
        care = await uow.shifts.add(
            NewShift(2, at(1, 16), at(1, 19), WorkKind.ELDERLY_CARE, 2)  # Chuo, tomorrow
        )
        await uow.shifts.assign(care.id, ids[TANAKA.name])
        await uow.people.mark_unreachable(YUKI.id, True)  # she blocked the bot
        await uow.commit()
    day, due = date(2026, 11, 23), at(0, 18)
    for _ in range(2):  # a send run twice queues each copy once
        async with memory_store.uow() as uow:
            for person, first, also in (
                (TANAKA.name, care.id, (ids["tomorrow"],)),  # shown by start, whatever the order
                (KEN.name, ids["ken_busy"], ()),
                (YUKI.name, ids["full"], ()),
            ):
                uow.record(
                    ShiftReminderDue(due, first, ids[person], day, "shifts:2026-11-23", also)
                )
            await uow.commit()
    sent = {r.message.chat_id: r for r in memory_store.state.outbox.values()}
    assert set(sent) == {TANAKA.id, KEN.id}
    tanaka, ken = sent[TANAKA.id], sent[KEN.id]
    assert tanaka.dedupe_key == f"rem:shifts:2026-11-23:{ids[TANAKA.name]}"
    assert tanaka.message.text == (
        "🔔 <b>明日 11月23日（月） のシフトのお知らせです</b>\n\n"
        "<b>11月23日（月） 10:00〜14:00</b>\n清掃・港ビル清掃センター\n\n"
        "<b>11月23日（月） 16:00〜19:00</b>\n高齢者デイサービス・中央ケアセンター\n\n"
        "お知らせが不要な曜日は、下のボタンから止められます。"
    )
    assert tanaka.message.buttons == (
        (("🙅 行けません：11月23日（月） 10:00", f"shift:cant:{ids['tomorrow']}"),),
        (("🙅 行けません：11月23日（月） 16:00", f"shift:cant:{care.id}"),),
        (("🔔 シフトのお知らせの設定", "rem:prefs"),),
    )
    assert ken.message.text == (
        "🔔 <b>Your shifts tomorrow, Mon, Nov 23</b>\n\n"
        "<b>Mon, Nov 23, 12:00\u202fPM – 4:00\u202fPM</b>\nCleaning · Chuo Care Centre\n\n"
        "You can stop these reminders for some weekdays with the button below."
    )
    assert ken.message.buttons == (
        (("🙅 I can't make it: Mon, Nov 23, 12:00\u202fPM", f"shift:cant:{ids['ken_busy']}"),),
        (("🔔 Shift reminder settings", "rem:prefs"),),
    )
    asked = await chat.press(TANAKA, tanaka.message.buttons[1][0][1])
    assert "本当にこのシフトを外れますか？" in asked.text
    turn = await chat.tap(TANAKA, "はい、シフトを外れます")
    assert turn.toast == "シフトを外れました。"


async def test_every_coordinator_hears_of_a_release_its_reason_and_the_take(
    chat, memory_store, clock
):
    ids = await coop(memory_store, clock)
    second = User(1002, "Second Coordinator", "en")
    async with memory_store.uow() as uow:
        await uow.people.add(
            NewPerson(
                second.id,
                second.name,
                "en",
                clock.now(),
                None,
                frozenset({Role.STAFF, Role.COORDINATOR}),
            )
        )
        await uow.commit()
    await give_up(chat, TANAKA, ids["tomorrow"])
    await chat.send(TANAKA, "熱が出ました")
    chat.wait(minutes=5)
    await take(chat, MARIA, ids["tomorrow"])
    chat.wait(minutes=5)  # the take is told once it can no longer be undone
    for staff in (HANAKO, second):
        told = [m.text for m in chat.delivered[staff.id]]
        assert len(told) == 3, (staff, told)
    english = [m.text for m in chat.delivered[second.id]]
    assert "Mon, Nov 23" in english[0] and "Maria Santos" in english[2]
