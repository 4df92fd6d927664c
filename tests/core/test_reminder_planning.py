"""Planning reminders: offsets, keys, times in the co-op's zone (and in one with DST), opt-outs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.reminders import (
    DEFAULT_OFFSETS,
    Audience,
    ReminderPrefs,
    ScheduledSend,
    SendKind,
    SendStatus,
    audience_of,
    local_at,
    offset_code,
    parse_offsets,
    plan_assembly,
    plan_digest,
    plan_recurring,
    plan_shift_reminder,
    plan_worked_reminder,
    recipient_key,
    superseded,
    worked_window,
)

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")  # springs forward 2027-03-14, falls back 2026-11-01
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
STARTS = datetime(2026, 12, 12, 5, 0, tzinfo=UTC)  # 14:00 in Tokyo
ANSWER_BY = datetime(2026, 12, 5, 14, 59, tzinfo=UTC)


def test_offsets_are_read_longest_first_with_days_hours_and_minutes():
    assert parse_offsets("7d,1d,2h") == DEFAULT_OFFSETS
    assert parse_offsets(" 2h , 30m,3D ") == (
        timedelta(days=3),
        timedelta(hours=2),
        timedelta(minutes=30),
    )
    assert parse_offsets("1d,24h") == (timedelta(days=1),)  # the same moment once
    assert parse_offsets("") == ()


@pytest.mark.parametrize(
    "text", ["7", "7w", "-1d", "0h", "91d", "1.5d", "1d,,x", "nan", "1d,2d,3d,4d,5d,6d,7d"]
)
def test_offsets_that_make_no_sense_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_offsets(text)


@given(st.text(max_size=40))
def test_parsing_offsets_raises_only_its_own_error(text):
    try:
        offsets = parse_offsets(text)
    except InvalidInput:
        return
    assert all(timedelta(0) < o <= timedelta(days=90) for o in offsets)
    assert list(offsets) == sorted(offsets, reverse=True)


def test_offset_codes_are_short_and_stable():
    assert [offset_code(o) for o in DEFAULT_OFFSETS] == ["7d", "1d", "2h"]
    assert offset_code(timedelta(minutes=90)) == "90m"


def test_first_reminder_asks_for_answers_last_reminds_those_coming_middle_does_both():
    assert [audience_of(i, 3) for i in range(3)] == [
        Audience.NOT_ANSWERED,
        Audience.BOTH,
        Audience.ATTENDING,
    ]
    assert audience_of(0, 1) is Audience.BOTH
    assert [audience_of(i, 2) for i in range(2)] == [Audience.NOT_ANSWERED, Audience.ATTENDING]


def test_a_published_notice_plans_the_notice_now_and_one_reminder_per_offset():
    planned = plan_assembly(12, STARTS, ANSWER_BY, DEFAULT_OFFSETS, NOW)
    assert [(p.key, p.kind, p.due_at) for p in planned] == [
        ("asm:12:notice", SendKind.ASSEMBLY_NOTICE, NOW),
        ("asm:12:7d", SendKind.ASSEMBLY, STARTS - timedelta(days=7)),
        ("asm:12:1d", SendKind.ASSEMBLY, STARTS - timedelta(days=1)),
        ("asm:12:2h", SendKind.ASSEMBLY, STARTS - timedelta(hours=2)),
    ]
    audiences = [p.payload.get("audience") for p in planned[1:]]
    assert audiences == ["not_answered", "both", "attending"]
    # Asking for answers is useful until answers close; reminding those coming, until it starts.
    assert [p.useful_until for p in planned] == [STARTS, ANSWER_BY, STARTS, STARTS]


def test_offsets_already_past_at_publishing_are_not_planned():
    soon = NOW + timedelta(days=2)
    planned = plan_assembly(3, soon, soon - timedelta(hours=3), DEFAULT_OFFSETS, NOW)
    assert [p.key for p in planned] == ["asm:3:notice", "asm:3:1d", "asm:3:2h"]


def test_a_first_reminder_due_after_answers_close_is_not_planned():
    answer_by = STARTS - timedelta(days=8)
    planned = plan_assembly(4, STARTS, answer_by, DEFAULT_OFFSETS, NOW)
    assert "asm:4:7d" not in [p.key for p in planned]


def test_shift_reminders_go_the_evening_before_in_tokyo():
    send = plan_shift_reminder(date(2026, 11, 24), 18, TOKYO)
    assert send.key == "shifts:2026-11-24"
    assert send.due_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 18:00 JST
    assert send.useful_until == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # midnight JST
    assert send.payload == {"day": "2026-11-24"}


def test_the_evening_before_keeps_its_wall_clock_hour_across_daylight_saving():
    # In New York, 18:00 is 23:00 UTC in winter and 22:00 UTC in summer.
    winter = plan_shift_reminder(date(2027, 3, 13), 18, NEW_YORK)
    summer = plan_shift_reminder(date(2027, 3, 15), 18, NEW_YORK)
    assert winter.due_at == datetime(2027, 3, 12, 23, 0, tzinfo=UTC)
    assert summer.due_at == datetime(2027, 3, 14, 22, 0, tzinfo=UTC)
    assert summer.due_at.astimezone(NEW_YORK).hour == 18
    # 02:00 does not exist on the day clocks spring forward: it is reckoned as 03:00 EDT.
    assert local_at(date(2027, 3, 14), 2, NEW_YORK) == datetime(2027, 3, 14, 7, 0, tzinfo=UTC)


def test_the_evening_after_reminder_asks_about_shifts_ended_since_the_evening_before():
    send = plan_worked_reminder(date(2026, 11, 23), 19, TOKYO)
    assert send.key == "worked:2026-11-23"
    assert send.due_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 19:00 in Tokyo
    assert send.useful_until == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 9:00 the next day
    start, end = worked_window(date(2026, 11, 23), 19, TOKYO)
    assert (start, end) == (datetime(2026, 11, 22, 10, 0, tzinfo=UTC), send.due_at)
    # Consecutive evenings' windows meet: a shift ending at 22:00 is asked about once, the
    # next evening.
    assert worked_window(date(2026, 11, 24), 19, TOKYO)[0] == end


def test_the_digest_goes_at_its_hour_and_is_useful_until_the_day_ends():
    send = plan_digest(date(2026, 11, 23), 8, TOKYO)
    assert send.key == "digest:2026-11-23"
    assert send.due_at == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert send.useful_until == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_recurring_sends_cover_today_and_tomorrow_in_the_coop_zone():
    late_evening = datetime(2026, 11, 22, 14, 30, tzinfo=UTC)  # 23:30 in Tokyo
    keys = [p.key for p in plan_recurring(late_evening, TOKYO, 18, 8)]
    assert keys == [
        "digest:2026-11-22",
        "digest:2026-11-23",
        "shifts:2026-11-23",
        "shifts:2026-11-24",
        "worked:2026-11-22",
        "worked:2026-11-23",
    ]
    # Half an hour later Tokyo is in the next day, and so is the plan.
    keys = [p.key for p in plan_recurring(late_evening + timedelta(hours=1), TOKYO, 18, 8)]
    assert keys[0] == "digest:2026-11-23"
    assert plan_recurring(late_evening, NEW_YORK, 18, 8)[0].key == "digest:2026-11-22"


def _send(id_: int, kind: SendKind, subject: int | None, due: datetime) -> ScheduledSend:
    return ScheduledSend(
        id_, f"k{id_}", kind, due, due + timedelta(days=9), subject, {}, SendStatus.PENDING, NOW
    )


def test_after_downtime_only_the_latest_due_reminder_of_an_assembly_goes():
    due = [
        _send(1, SendKind.ASSEMBLY, 7, NOW - timedelta(days=6)),
        _send(2, SendKind.ASSEMBLY, 7, NOW - timedelta(hours=1)),
        _send(3, SendKind.ASSEMBLY, 8, NOW - timedelta(days=6)),
        _send(5, SendKind.DIGEST, None, NOW - timedelta(days=2)),
        _send(6, SendKind.DIGEST, None, NOW - timedelta(days=1)),
    ]
    assert superseded(due) == {1}


def test_a_reminder_due_with_its_notice_is_left_to_the_notice():
    due = [
        _send(1, SendKind.ASSEMBLY_NOTICE, 7, NOW - timedelta(days=1)),
        _send(2, SendKind.ASSEMBLY, 7, NOW - timedelta(hours=1)),
        _send(3, SendKind.ASSEMBLY, 8, NOW - timedelta(hours=1)),
    ]
    assert superseded(due) == {2}


def test_opting_out_of_a_weekday_or_entirely():
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    assert ReminderPrefs(1).wants_shift_reminder(monday)
    some = ReminderPrefs(1, weekdays_off=frozenset({0}))
    assert not some.wants_shift_reminder(monday)
    assert some.wants_shift_reminder(tuesday)
    assert not ReminderPrefs(1, all_off=True).wants_shift_reminder(tuesday)


def test_each_recipient_of_a_send_has_one_dedupe_key():
    assert recipient_key("asm:12:7d", 5) == "rem:asm:12:7d:5"
    assert recipient_key("asm:12:7d", 5) != recipient_key("asm:12:1d", 5)
