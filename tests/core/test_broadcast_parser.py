"""When to send a broadcast, as coordinators type it: readable forms accepted, nonsense refused."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.broadcasts import check_send_at, parse_send_at
from bot.domain.errors import InvalidInput

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01 10:00", datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)),
        ("2026/12/1 10:00", datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)),
        ("12/1 10:00", datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)),
        ("12/1(火) 9:30", datetime(2026, 12, 1, 9, 30, tzinfo=TOKYO)),
        ("12月1日 10時", datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)),
        ("2026年12月1日 10時30分", datetime(2026, 12, 1, 10, 30, tzinfo=TOKYO)),
        ("明日 9:00", datetime(2026, 11, 23, 9, 0, tzinfo=TOKYO)),
        ("Tomorrow 9:00", datetime(2026, 11, 23, 9, 0, tzinfo=TOKYO)),
        ("今日 18:00", datetime(2026, 11, 22, 18, 0, tzinfo=TOKYO)),
        ("1/5 8:00", datetime(2027, 1, 5, 8, 0, tzinfo=TOKYO)),  # January next year
        (
            unicodedata.normalize("NFKC", "１２／１ １０：００"),
            datetime(2026, 12, 1, 10, tzinfo=TOKYO),
        ),
    ],
)
def test_readable_times_are_understood(typed, expected):
    assert parse_send_at(typed, NOW, TOKYO) == expected


@pytest.mark.parametrize(
    "typed", ["", "soon", "2/30 10:00", "12/1", "12/1 25:00", "12/1 10:61", "2026-13-01 10:00"]
)
def test_nonsense_and_impossible_times_are_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        parse_send_at(typed, NOW, TOKYO)
    assert refused.value.code == "broadcast_when"


def test_past_and_far_times_are_refused():
    with pytest.raises(InvalidInput, match="broadcast_past"):
        check_send_at(parse_send_at("今日 9:00", NOW, TOKYO), NOW)
    with pytest.raises(InvalidInput, match="broadcast_too_far"):
        check_send_at(parse_send_at("2028-01-01 9:00", NOW, TOKYO), NOW)


@given(st.text(max_size=40))
def test_any_text_gives_a_time_or_the_one_error(text):
    try:
        when = parse_send_at(text, NOW, TOKYO)
    except InvalidInput as error:
        assert error.code == "broadcast_when"
    else:
        assert when.tzinfo is TOKYO


@given(st.integers(-5, 40), st.integers(-5, 40), st.integers(-5, 30), st.integers(-5, 70))
def test_numbers_out_of_range_are_refused_never_wrapped(month, day, hour, minute):
    text = f"{month}/{day} {hour}:{minute:02d}" if minute >= 0 else f"{month}/{day} {hour}:{minute}"
    try:
        when = parse_send_at(text, NOW, TOKYO)
    except InvalidInput:
        return
    assert (when.month, when.day, when.hour, when.minute) == (month, day, hour, minute)
