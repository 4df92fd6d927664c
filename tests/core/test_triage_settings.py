"""Triage's settings (where cards go, whether they are sent) and the typed date-time parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import ConfigError, load_settings
from bot.domain.cards import parse_when
from bot.domain.errors import InvalidInput

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 9:00 on Sunday in Tokyo


def test_cards_go_to_private_chats_unless_a_staff_group_is_set():
    assert load_settings({}).staff_chat_id is None
    assert load_settings({"KYODO_STAFF_CHAT_ID": "-1001234567890"}).staff_chat_id == (
        -1001234567890
    )


@pytest.mark.parametrize("value", ["1001", "staff", "-", "-12ab", "--5", "-" + "9" * 20])
def test_a_staff_chat_that_is_not_a_group_id_stops_kyodo_naming_the_key(value):
    with pytest.raises(ConfigError, match="KYODO_STAFF_CHAT_ID"):
        load_settings({"KYODO_STAFF_CHAT_ID": value})


def test_cards_are_on_by_default_and_can_be_turned_off():
    assert load_settings({}).staff_cards
    assert not load_settings({"KYODO_STAFF_CARDS": "off"}).staff_cards
    assert load_settings({"KYODO_STAFF_CARDS": "1"}).staff_cards
    with pytest.raises(ConfigError, match="KYODO_STAFF_CARDS"):
        load_settings({"KYODO_STAFF_CARDS": "maybe"})


@pytest.mark.parametrize(
    ("typed", "local"),
    [
        ("11/25 14:30", datetime(2026, 11, 25, 14, 30)),
        ("１１／２５　１４：３０", datetime(2026, 11, 25, 14, 30)),
        ("2026-11-25 9:05", datetime(2026, 11, 25, 9, 5)),
        ("11月25日 14時", datetime(2026, 11, 25, 14, 0)),
        ("11月25日(水) 14時半", datetime(2026, 11, 25, 14, 30)),
        ("11月25日14時15分", datetime(2026, 11, 25, 14, 15)),
        ("11/22 18:00", datetime(2026, 11, 22, 18, 0)),  # later today
        ("1/5 10:00", datetime(2027, 1, 5, 10, 0)),  # past in the year: next year's
    ],
)
def test_typed_dates_and_times_are_read_in_the_co_ops_zone(typed, local):
    assert parse_when(typed, NOW, TOKYO) == local.replace(tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2/30 10:00", "when_impossible"),
        ("11/25 25:00", "when_impossible"),
        ("11/22 8:00", "when_past"),  # earlier today
        ("2026-11-21 10:00", "when_past"),
        ("2028-01-01 10:00", "when_far"),
        ("あした", "when_format"),
        ("", "when_format"),
        ("11/25", "when_format"),
        ("1" * 100, "when_format"),
    ],
)
def test_nonsense_past_and_far_dates_are_refused_with_a_code(typed, code):
    with pytest.raises(InvalidInput) as refused:
        parse_when(typed, NOW, TOKYO)
    assert refused.value.code == code


@given(st.text(max_size=60))
def test_the_parser_only_ever_raises_its_own_error(text):
    try:
        when = parse_when(text, NOW, TOKYO)
    except InvalidInput:
        return
    assert NOW < when <= NOW + timedelta(days=367)
