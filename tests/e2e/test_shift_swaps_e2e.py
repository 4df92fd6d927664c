"""End to end, over both transports: a member gives up a shift (asked first, with an Undo),
another takes the free place, the coordinator is told; a member's calendar link serves their
shifts from Kyodo's web server."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import aiohttp
from sqlalchemy import update

from bot.domain.coop import NewShift, WorkKind
from bot.domain.undo import HELD_PREFIX, UndoKind
from bot.ports.clock import SystemClock
from kyodo.app import open_store
from kyodo.demo import load_demo
from storage.models import OutboxRow


async def undo_window_over(kyodo, kind: UndoKind) -> None:
    """The notices an action of `kind` holds go now, as at the end of its undo window (the app
    runs on the real clock)."""
    async with open_store(kyodo.settings) as store, store.engine.begin() as db:
        await db.execute(
            update(OutboxRow)
            .where(OutboxRow.dedupe_key.startswith(f"{HELD_PREFIX}{kind.value}:"))
            .values(not_before=SystemClock().now())
        )


def ja_day(day: date) -> str:
    return f"{day.month}月{day.day}日（{'月火水木金土日'[day.weekday()]}）"


async def evening_shift(kyodo) -> date:
    """The demo, plus Tanaka alone on an evening shift at Chuo in two days (Maria works there
    too, and is free that evening). Returns that day."""
    tz = kyodo.settings.tz
    now = SystemClock().now()
    day = now.astimezone(tz).date() + timedelta(days=2)
    async with open_store(kyodo.settings) as store, store.uow() as uow:
        await load_demo(uow, now, tz)
        chuo = next(c for c in await uow.centres.all() if c.name_ja == "中央ケアセンター")
        start = datetime.combine(day, time(18), tzinfo=tz)
        shift = await uow.shifts.add(
            NewShift(chuo.id, start, start + timedelta(hours=2), WorkKind.ELDERLY_CARE, 1)
        )
        tanaka = await uow.people.by_telegram_id(2001)
        assert tanaka is not None
        await uow.shifts.assign(shift.id, tanaka.id)
        await uow.commit()
    return day


async def test_a_member_gives_up_a_shift_another_takes_it_and_the_coordinator_is_told(
    kyodo, person, sandbox
):
    day = await evening_shift(kyodo)
    hanako = person(1001, "花子", "ja")
    maria = person(2002, "Maria", "en")
    tanaka = person(2001, "一郎", "ja")
    await hanako.says("/start")
    await maria.says("/start")
    await tanaka.says("/start")
    await tanaka.presses_key("📅 シフト")
    await tanaka.taps(f"{ja_day(day)} 18:00")
    asked = await tanaka.taps("行けなくなりました")
    assert "本当にこのシフトを外れますか？" in asked.text
    assert f"{ja_day(day)} 18:00〜20:00" in asked.text
    released = await tanaka.taps("はい、シフトを外れます")
    assert "このシフトを外れました" in released.text
    assert "元に戻す" in released.buttons[0]["text"]

    # The release is told after the undo window; the free place is open at once.
    await maria.taps("Open shifts")
    asked = await maria.taps(f"Take it: {day:%a, %b} {day.day}, 6:00")
    assert "Do you want to take this shift?" in asked.text  # asked first
    taken = await maria.taps("Yes, take the shift")
    assert "The shift is yours." in taken.text
    await undo_window_over(kyodo, UndoKind.SHIFT_TAKE)  # the take is told once it is final
    told = await sandbox.wait_for_text(
        hanako.id, "Maria Santosさんがこのシフトの空きに入りました", timeout=10
    )
    assert f"{ja_day(day)} 18:00〜20:00" in told.text
    assert not any("行けなくなりました" in m.text for m in hanako.messages)  # still held

    too_late = await tanaka.presses_data(released.buttons[0]["callback_data"])
    assert "ほかの方がもうこのシフトに入ったため、元に戻せません。" in too_late.text


async def test_the_second_taker_hears_the_place_is_gone(kyodo, person, sandbox):
    day = await evening_shift(kyodo)
    tanaka = person(2001, "一郎", "ja")
    await tanaka.says("/start")
    await tanaka.presses_key("📅 シフト")
    who = await tanaka.taps(f"{ja_day(day)} 18:00")
    cant = next(b["callback_data"] for b in who.buttons if "行けなく" in b["text"])
    await tanaka.taps("行けなくなりました")
    await tanaka.taps("はい、シフトを外れます")
    take = "shift:take:" + cant.rsplit(":", 1)[1]
    maria = person(2002, "Maria", "en")
    await maria.says("/start")
    await maria.presses_data(take)
    assert "The shift is yours." in (await maria.taps("Yes, take the shift")).text
    back = await tanaka.presses_data(take)
    assert "ほかの方が先に入りました" in back.text


async def test_a_members_calendar_link_serves_their_shifts(kyodo, person):
    await evening_shift(kyodo)
    maria = person(2002, "Maria", "en")
    await maria.says("/start")
    await maria.presses_key("📅 Shifts")
    link = await maria.taps("calendar")
    url = next(line for line in link.text.splitlines() if line.startswith("http"))
    assert url.startswith(f"http://127.0.0.1:{kyodo.web_port}/calendar/")
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            assert response.status == 200
            assert response.content_type == "text/calendar"
            feed = await response.text()
        async with session.get(url.replace(".ics", "x.ics")) as wrong:
            assert wrong.status == 404
    assert feed.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:Elderly day care" in feed
    assert "LOCATION:Chuo Care Centre" in feed
