"""The hours parser: what members type, what it means, and a clear code for everything else."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.hours_parser import ParsedHours, parse_hours

TODAY = date(2026, 11, 22)
WINDOW = 31


def parse(text: str) -> ParsedHours:
    return parse_hours(unicodedata.normalize("NFKC", text), TODAY, WINDOW)


def code(text: str) -> str:
    with pytest.raises(InvalidInput) as raised:
        parse(text)
    return raised.value.code


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("7.5", 450),
        ("7:30", 450),
        ("7h30", 450),
        ("7h30m", 450),
        ("7時間30分", 450),
        ("７．５", 450),
        ("７時間３０分", 450),
        ("7時間", 420),
        ("30分", 30),
        ("8", 480),
        ("8h", 480),
        ("7.25", 435),
        ("0:15", 15),
        ("24", 1440),
        ("7.5 hours", 450),
    ],
)
def test_the_ways_people_write_hours(typed: str, minutes: int):
    assert parse(typed) == ParsedHours(minutes, None)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("今日 7時間30分", TODAY),
        ("今日7時間30分", TODAY),
        ("7:30 yesterday", date(2026, 11, 21)),
        ("昨日 6", date(2026, 11, 21)),
        ("おととい 4", date(2026, 11, 20)),
        ("一昨日 4", date(2026, 11, 20)),
        ("11/20 6", date(2026, 11, 20)),
        ("6 11/20", date(2026, 11, 20)),
        ("11月20日 6時間", date(2026, 11, 20)),
        ("2026-11-20 6", date(2026, 11, 20)),
        ("２０２６／１１／２０ ６", date(2026, 11, 20)),
        ("Today 8", TODAY),
    ],
)
def test_a_day_may_come_before_or_after_the_hours(typed: str, day: date):
    assert parse(typed).day == day


def test_a_month_and_day_after_today_means_last_year():
    assert parse_hours("12/30 4", date(2027, 1, 5), WINDOW).day == date(2026, 12, 30)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", "hours_format"),
        ("abc", "hours_format"),
        ("-3", "hours_format"),
        ("nan", "hours_format"),
        ("inf", "hours_format"),
        ("1e1", "hours_format"),
        ("7:75", "hours_format"),
        ("today", "hours_format"),
        ("7.1", "hours_granularity"),
        ("7:10", "hours_granularity"),
        ("10分", "hours_granularity"),
        ("0", "hours_range"),
        ("0:00", "hours_range"),
        ("25", "hours_range"),
        ("24.25", "hours_range"),
        ("2/30 4", "date_impossible"),
        ("13/1 4", "date_impossible"),
        ("2026-11-23 4", "date_future"),
        ("2026-10-21 4", "date_too_old"),
    ],
)
def test_what_is_refused_and_why(typed: str, expected: str):
    assert code(typed) == expected


def test_the_oldest_day_in_the_window_is_accepted():
    assert parse("2026-10-22 4").day == TODAY - timedelta(days=WINDOW)


@given(st.text(max_size=60))
def test_any_text_is_parsed_or_refused_with_invalid_input(text: str):
    try:
        parsed = parse(text)
    except InvalidInput as error:
        assert error.code in {
            "hours_format",
            "hours_granularity",
            "hours_range",
            "date_future",
            "date_too_old",
            "date_impossible",
        }
    else:
        assert 0 < parsed.minutes <= 1440 and parsed.minutes % 15 == 0
        assert parsed.day is None or TODAY - timedelta(days=WINDOW) <= parsed.day <= TODAY


@given(st.integers(1, 96), st.sampled_from(["{h}:{m:02d}", "{h}h{m}", "{h}時間{m}分"]))
def test_every_quarter_hour_of_a_day_reads_back_in_every_notation(quarters: int, pattern: str):
    hours, minutes = divmod(quarters * 15, 60)
    assert parse(pattern.format(h=hours, m=minutes)).minutes == quarters * 15


@given(st.integers(1, 96))
def test_decimal_hours_read_back(quarters: int):
    text = format(quarters * 15 / 60, "g")
    assert parse(text).minutes == quarters * 15


@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.integers(max_value=-1).map(str),
        st.sampled_from(["NaN", "-inf", "Infinity", "-0.5", "+7", "7,5", "0x10"]),
    )
)
def test_nan_inf_and_negatives_are_never_accepted(text: str):
    try:
        parsed = parse(text)
    except InvalidInput:
        return
    # Only plain positive numbers of quarter hours may pass (a float's str can be "7.5").
    assert text.replace(".", "", 1).isdigit() and parsed.minutes > 0


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_a_full_date_is_accepted_exactly_within_the_window(day: date):
    try:
        parsed = parse(f"{day.isoformat()} 4")
    except InvalidInput as error:
        expected = "date_future" if day > TODAY else "date_too_old"
        assert error.code == expected
        assert not TODAY - timedelta(days=WINDOW) <= day <= TODAY
    else:
        assert parsed.day == day
