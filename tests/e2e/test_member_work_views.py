"""End to end, over both transports: a demo member opens their shifts and the assembly notices."""

from __future__ import annotations

from datetime import date, timedelta

from tests.fixtures.kyodo import load


def ja_day(day: date) -> str:
    return f"{day.month}月{day.day}日（{'月火水木金土日'[day.weekday()]}）"


async def test_a_member_taps_my_shifts_and_sees_who_else_works_one(kyodo, person):
    today = await load(kyodo)
    tanaka = person(2001, "一郎", "ja")
    await tanaka.says("/start")
    shifts = await tanaka.presses_key("📅 シフト")
    assert "あなたのシフト" in shifts.text
    assert f"{ja_day(today)} 8:00〜12:00\n清掃・港ビル清掃センター" in shifts.text
    tomorrow = ja_day(today + timedelta(days=1))
    assert f"{tomorrow} 13:00〜17:00\n保育・子育て支援・中央ケアセンター" in shifts.text
    who = await tanaka.taps(f"{tomorrow} 13:00")
    assert "このシフトで一緒に働く人：\nMaria Santos" in who.text


async def test_a_member_reads_the_assembly_notice_in_english(kyodo, person):
    await load(kyodo)
    maria = person(2002, "Maria", "en")
    await maria.says("/start")
    notices = await maria.presses_key("📣 Assembly")
    assert "12th Annual General Assembly" in notices.text
    assert "Chuo Care Centre, 2nd-floor hall" in notices.text
    assert "Please say whether you will attend by" in notices.text


async def test_a_forged_shift_button_is_refused(kyodo, person):
    await load(kyodo)
    tome = person(4001, "トメ", "ja")
    await tome.says("/start")
    answer = await tome.presses_data("shift:who:1")
    assert "その操作は行えません" in answer.text
