"""The evening-after reminder (issue 15, "worked as planned"): at 19:00 everyone whose shift
ended since the evening before, and who has not reported it, is asked with one button per shift;
one tap and Send report it. Runs the scheduler's runner over the demo co-op in the memory store
and taps what arrived, as the member would."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.coop import NewShift, WorkKind
from bot.domain.reminders import ReminderPrefs, SendStatus
from bot.services.reminders import ReminderRunner, ReminderSettings
from tests.fixtures.hours import TODAY, reports
from tests.fixtures.people import HANAKO, MARIA, TANAKA, demo, person_id, plain

TOKYO = ZoneInfo("Asia/Tokyo")
SUNDAY_EVENING = datetime(2026, 11, 22, 19, 0, tzinfo=TOKYO)


@pytest.fixture
async def evening(chat, clock):
    """The demo co-op on Sunday morning, its recurring sends planned; nothing delivered yet."""
    await demo(chat.store, clock)
    runner = ReminderRunner(chat.store.uow, ReminderSettings(TOKYO))
    await runner.plan_recurring(clock.now())
    chat._drain()
    return chat, runner


async def run_at(chat, runner, when: datetime) -> dict[int, list]:
    """What the evening-after reminders due by `when` brought, by chat (shift reminders for
    the coming day, due an hour earlier, are left out)."""
    chat.clock.advance(seconds=(when - chat.clock.now()).total_seconds())
    await runner.run_due(when)
    got: dict[int, list] = {}
    for chat_id, messages in chat._drain().items():
        asked = [m for m in messages if "🌙" in m.text]
        if asked:
            got[chat_id] = asked
    return got


async def test_the_evening_after_a_shift_one_tap_and_send_report_it(evening, clock):
    chat, runner = evening
    got = await run_at(chat, runner, SUNDAY_EVENING)
    [asked] = got[TANAKA.id]
    assert "お疲れさまでした" in asked.text
    assert "8:00〜12:00" in asked.text and "港ビル清掃センター" in asked.text
    labels = [label for row in asked.buttons for label, _ in row]
    assert labels[0] == "✅ 11月22日（日） 8:00 予定どおり働いた"
    assert "⏱ 勤務時間を報告" in labels  # other hours: the usual way
    confirm = await chat.tap(TANAKA, "予定どおり働いた")
    assert "⏱ 4時間" in confirm.text
    await chat.tap(TANAKA, "送信する")
    [report] = reports(chat.store, TANAKA.id)
    assert (report.day, report.minutes, report.kind) == (TODAY, 240, "cleaning")
    assert HANAKO.id not in got  # staff do not report hours


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_the_evening_question_and_its_one_tap_in_each_language(evening, i18n, language):
    """Tanaka reads Kyodo in `language`: the question, its button and the report that follows."""
    chat, runner = evening
    async with chat.store.uow() as uow:
        await uow.people.set_locale(person_id(chat.store, TANAKA.id), language)
        await uow.commit()
    got = await run_at(chat, runner, SUNDAY_EVENING)
    [asked] = got[TANAKA.id]
    assert i18n.text("rem.worked.head", language).split("\n")[0] in asked.text
    start = datetime(2026, 11, 22, 8, 0, tzinfo=TOKYO)
    label = i18n.text("shifts.planned_button", language, {"start": start})
    assert asked.buttons[0][0][0] == label  # the first button of the question
    await chat.tap(TANAKA, label)
    await chat.tap(TANAKA, i18n.text("button.hours_send", language))
    [report] = reports(chat.store, TANAKA.id)
    assert (report.day, report.minutes) == (TODAY, 240)


async def test_english_members_are_asked_in_english(evening):
    chat, runner = evening
    got = await run_at(chat, runner, SUNDAY_EVENING)
    [asked] = got[MARIA.id]
    assert "Thank you for your work" in asked.text
    assert "9:00 AM – 3:00 PM" in plain(asked.text)
    labels = [plain(label) for row in asked.buttons for label, _ in row]
    assert "✅ Worked as planned: Sun, Nov 22, 9:00 AM" in labels


async def test_a_reported_shift_is_not_asked_about_and_a_rerun_sends_nothing(evening, clock):
    chat, runner = evening
    clock.advance(hours=4)  # 13:00: Tanaka's 8:00-12:00 shift is over; he reports it himself
    await chat.press(TANAKA, "shifts")
    await chat.tap(TANAKA, "予定どおり働いた")
    await chat.tap(TANAKA, "送信する")
    chat._drain()
    got = await run_at(chat, runner, SUNDAY_EVENING)
    assert TANAKA.id not in got
    assert MARIA.id in got
    # Run again (a second replica, a retry): nobody is asked twice.
    assert await run_at(chat, runner, SUNDAY_EVENING + timedelta(minutes=1)) == {}
    sends = [s for s in chat.store.state.scheduled_sends.values() if s.key == "worked:2026-11-22"]
    assert [s.status for s in sends] == [SendStatus.SENT]


async def test_who_turned_shift_reminders_off_is_not_asked(evening):
    chat, runner = evening
    tanaka = person_id(chat.store, TANAKA.id)
    async with chat.store.uow() as uow:
        await uow.reminders.put_prefs(ReminderPrefs(tanaka, True, frozenset()), chat.clock.now())
        await uow.commit()
    got = await run_at(chat, runner, SUNDAY_EVENING)
    assert TANAKA.id not in got and MARIA.id in got


async def test_a_shift_ending_after_the_evening_is_asked_about_the_next_evening(evening, clock):
    chat, runner = evening
    tanaka = person_id(chat.store, TANAKA.id)
    late = datetime(2026, 11, 22, 18, 0, tzinfo=TOKYO)  # Sunday 18:00-22:00, after the ask
    async with chat.store.uow() as uow:
        minato = next(c for c in await uow.centres.all() if c.name_en.startswith("Minato"))
        shift = await uow.shifts.add(
            NewShift(minato.id, late, late + timedelta(hours=4), WorkKind.CLEANING, 2)
        )
        await uow.shifts.assign(shift.id, tanaka)
        await uow.commit()
    sunday = await run_at(chat, runner, SUNDAY_EVENING)
    assert "18:00" not in sunday[TANAKA.id][0].text  # not over yet at 19:00
    await runner.plan_recurring(chat.clock.now())
    monday = await run_at(chat, runner, SUNDAY_EVENING + timedelta(days=1))
    [asked] = monday[TANAKA.id]
    assert "11月22日（日） 18:00〜22:00" in asked.text  # Sunday's late shift, by its own date
    assert "11月22日（日） 8:00" not in asked.text  # asked about on Sunday already
