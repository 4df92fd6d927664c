"""Transcripts of the member's work views: my shifts, who else is on a shift, assembly notices."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.coop import NewShift, WorkKind
from bot.domain.people import NewPerson, Role
from kyodo.demo import DEMO_SHIFTS
from tests.fakes.chat import User
from tests.fixtures.people import (
    HANAKO,
    MARIA,
    REFUSED_JA,
    TANAKA,
    TOME,
    demo,
    person_id,
    plain,
)

TOKYO = ZoneInfo("Asia/Tokyo")


def shifts_of(store, telegram_id: int) -> list[int]:
    me = person_id(store, telegram_id)
    return sorted(sid for sid, who in store.state.shift_assignments if who == me)


def solo_shift(store, telegram_id: int) -> int:
    """A shift of this person that nobody else works."""
    return next(
        sid
        for sid in shifts_of(store, telegram_id)
        if [who for s, who in store.state.shift_assignments if s == sid]
        == [person_id(store, telegram_id)]
    )


async def test_a_members_menu_has_big_shift_and_assembly_buttons(chat, memory_store, clock):
    await demo(memory_store, clock)
    # On Telegram they are keys under the chat (tests/core/test_short_menu.py).
    await chat.send(TANAKA, "/start")
    assert {"📅 シフト", "📣 総会"} <= set(chat.keyboard(TANAKA))
    await chat.send(MARIA, "/menu")
    assert {"📅 Shifts", "📣 Assembly"} <= set(chat.keyboard(MARIA))


async def test_residents_and_strangers_have_no_shift_buttons(chat, memory_store, clock):
    await demo(memory_store, clock)
    for user in (TOME, User(9, "X", "ja")):
        turn = await chat.send(user, "/start")
        assert not {"shifts", "asm"} & {data for _, data in turn.buttons}


async def test_a_member_sees_today_and_the_coming_week_in_japanese(chat, memory_store, clock):
    await demo(memory_store, clock)
    await chat.send(TANAKA, "/start")
    turn = await chat.key(TANAKA, "📅 シフト")
    text = turn.text
    assert "📅 <b>あなたのシフト</b>" in text
    today, week = text.split("<b>これから1週間</b>")
    assert "<b>今日</b>" in today
    assert "<b>11月22日（日） 8:00〜12:00</b>\n清掃・港ビル清掃センター" in today
    assert (
        "<b>11月23日（月） 13:00〜17:00</b>\n保育・子育て支援・中央ケアセンター\n"
        "🎌 祝日：勤労感謝の日" in week
    )
    assert "<b>11月28日（土） 18:00〜21:00</b>" in week
    # Maria's elderly-care shift today is hers, not Tanaka's.
    assert "11月22日（日） 9:00" not in text
    assert text.count("<b>11月") == len(shifts_of(memory_store, TANAKA.id))
    assert text.count("🎌") == 1


async def test_a_member_sees_their_shifts_in_english(chat, memory_store, clock):
    await demo(memory_store, clock)
    turn = await chat.press(MARIA, "shifts")
    text = plain(turn.text)
    assert "📅 <b>Your shifts</b>" in text
    assert "<b>Sun, Nov 22, 9:00 AM – 3:00 PM</b>\nElderly day care · Chuo Care Centre" in text
    assert "Childcare · Chuo Care Centre\n🎌 Public holiday: Labor Thanksgiving Day" in text
    assert "8:00 AM" not in text  # Tanaka's cleaning
    labels = [plain(label) for label, _ in turn.buttons]
    assert "👥 Who else: Mon, Nov 23, 1:00 PM" in labels
    assert labels[-1] == "🏠 Menu"


async def test_a_shift_on_a_public_holiday_is_marked_with_its_name(chat, memory_store):
    async with memory_store.uow() as uow:
        me = await uow.people.add(
            NewPerson(700, "Ken", "en", datetime(2026, 11, 1, tzinfo=TOKYO), "ja", {Role.MEMBER})
        )
        centre = await uow.centres.add("港ビル清掃センター", "Minato Building Cleaning Centre")
        for day in (23, 24):
            start = datetime(2026, 11, day, 10, 0, tzinfo=TOKYO)
            shift = await uow.shifts.add(
                NewShift(centre.id, start, start + timedelta(hours=2), WorkKind.CLEANING, 1)
            )
            await uow.shifts.assign(shift.id, me.id)
        await uow.commit()
    turn = await chat.press(User(700, "Ken", "en"), "shifts")
    assert "今日のシフトはありません。" in turn.text
    holiday, ordinary = turn.text.split("11月24日（火）")
    assert (
        "<b>11月23日（月） 10:00〜12:00</b>\n清掃・港ビル清掃センター\n🎌 祝日：勤労感謝の日"
        in holiday
    )
    assert "🎌" not in ordinary


async def test_a_member_sees_who_else_is_on_their_shift(chat, memory_store, clock):
    await demo(memory_store, clock)
    listing = await chat.press(TANAKA, "shifts")
    data = listing.data_for("11月23日（月） 13:00")
    assert data.startswith("shift:who:") and len(data.encode()) <= 64
    turn = await chat.press(TANAKA, data)
    assert "11月23日（月） 13:00〜17:00" in turn.text
    assert "一緒に働く人：</b>\nMaria Santos" in turn.text
    assert "田中 一郎" not in turn.text
    assert ("📅 わたしのシフト", "shifts") in turn.buttons


async def test_alone_on_a_shift_says_so(chat, memory_store, clock):
    await demo(memory_store, clock)
    turn = await chat.press(MARIA, f"shift:who:{solo_shift(memory_store, MARIA.id)}")
    assert "No one else is on this shift yet." in turn.text


async def test_staff_may_see_who_works_any_shift(chat, memory_store, clock):
    await demo(memory_store, clock)
    turn = await chat.press(HANAKO, f"shift:who:{solo_shift(memory_store, MARIA.id)}")
    assert "Maria Santos" in turn.text


async def test_a_forged_shift_id_is_refused_and_audited(chat, memory_store, clock):
    await demo(memory_store, clock)
    others = solo_shift(memory_store, MARIA.id)
    for forged in (others, 999_999):
        turn = await chat.press(TANAKA, f"shift:who:{forged}")
        assert turn.toast == REFUSED_JA
        assert REFUSED_JA in turn.text
        assert "Maria" not in turn.text
        assert (person_id(memory_store, TANAKA.id), "shift.refused", f"shift:{forged}") in [
            (a.actor_person_id, a.action, a.subject) for a in memory_store.state.audit
        ]


async def test_malformed_shift_button_data_is_treated_as_unknown(chat, memory_store, clock):
    await demo(memory_store, clock)
    for forged in ("shift:who:abc", "shift:who:-1", "shift:who:１", "shift:drop:1"):
        turn = await chat.press(TANAKA, forged)
        assert turn.toast == "このボタンは使えなくなりました。メニューを表示します。", forged
    assert [a.action for a in memory_store.state.audit].count("callback.unknown") == 4


async def test_a_resident_is_refused_shifts_and_assembly_notices(chat, memory_store, clock):
    await demo(memory_store, clock)
    for data in ("shifts", "asm", "shift:who:1"):
        turn = await chat.press(TOME, data)
        assert turn.toast == REFUSED_JA
        assert "シフト" not in turn.text and "総会" not in turn.text
    actions = [a.action for a in memory_store.state.audit]
    assert actions.count("shifts.refused") == 2
    assert actions.count("assemblies.refused") == 1


async def test_a_member_without_shifts_is_told_so(chat, memory_store, clock):
    async with memory_store.uow() as uow:
        await uow.people.add(NewPerson(700, "Ken", "en", clock.now(), None, {Role.MEMBER}))
        await uow.commit()
    turn = await chat.press(User(700, "Ken", "en"), "shifts")
    assert "You have no shifts today or in the coming week." in turn.text
    assert turn.buttons == [("🙋 Open shifts", "shifts:open"), ("🏠 Menu", "menu")]


async def test_assembly_notices_show_date_place_and_answer_by_date(chat, memory_store, clock):
    await demo(memory_store, clock)
    ja = await chat.press(TANAKA, "asm")
    assert "<b>第12回 通常総会</b>" in ja.text
    assert "日時：12月9日（水） 14:00" in ja.text
    assert "場所：中央ケアセンター 2階ホール" in ja.text
    assert "出欠は 12月2日（水） 17:00 までに" in ja.text
    en = await chat.press(MARIA, "asm")
    text = plain(en.text)
    assert "<b>12th Annual General Assembly</b>\n🗓 Wed, Dec 9, 2:00 PM" in text
    assert "📍 Chuo Care Centre, 2nd-floor hall" in text
    assert "by Wed, Dec 2, 5:00 PM." in text


async def test_no_upcoming_assembly_is_a_clear_empty_state(chat, memory_store, clock):
    await demo(memory_store, clock)
    clock.advance(days=30)
    turn = await chat.press(MARIA, "asm")
    assert "No general assembly is planned at the moment." in turn.text


async def test_the_demo_loads_once_and_later_adds_the_days_that_came_into_view(memory_store, clock):
    for _ in range(2):
        await demo(memory_store, clock)
    # The two demo centres once each, and once their head office 東京本部, added after them.
    centres = sorted(memory_store.state.centres.values(), key=lambda c: c.id)
    assert [c.name_ja for c in centres] == ["中央ケアセンター", "港ビル清掃センター", "東京本部"]
    office = centres[-1]
    assert office.is_office
    assert [c.office_id for c in centres[:2]] == [office.id, office.id]
    assert len(memory_store.state.shifts) == len(DEMO_SHIFTS)
    assert len(memory_store.state.assemblies) == 1
    assert len(memory_store.state.people) == 5
    clock.advance(days=1)
    await demo(memory_store, clock)
    starts = sorted(s.starts_at for s in memory_store.state.shifts.values())
    assert starts[-1].astimezone(TOKYO).date().isoformat() == "2026-11-29"
    assert len(memory_store.state.assemblies) == 1
