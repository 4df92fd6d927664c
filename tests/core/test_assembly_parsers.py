"""The typed fields of an assembly notice: dates, quorum fractions, texts; and the quorum rule."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.assemblies import (
    MAX_PROXIES_HELD,
    Answer,
    Quorum,
    Rsvp,
    Unusable,
    agenda_in,
    check_dates,
    parse_quorum,
    parse_text,
    parse_when,
    split_bilingual,
    tally,
)
from bot.domain.errors import InvalidInput

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


@pytest.mark.parametrize(
    "typed",
    [
        "2026-12-12 14:00",
        "2026-12-12T14:00",
        "2026/12/12 14:00",
        "2026年12月12日 14時",
        "2026年12月12日(土) 14時00分",
        "２０２６－１２－１２　１４：００",
    ],
)
def test_the_ways_people_write_a_date_and_time(typed):
    assert parse_when(nfkc(typed), TOKYO) == datetime(2026, 12, 12, 14, 0, tzinfo=TOKYO)


def test_a_date_alone_is_the_end_of_that_day_for_a_deadline():
    assert parse_when("2026-12-05", TOKYO, end_of_day=True) == datetime(
        2026, 12, 5, 23, 59, tzinfo=TOKYO
    )
    assert parse_when("2026-12-05", TOKYO) == datetime(2026, 12, 5, 0, 0, tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2026-02-30 10:00", "when_impossible"),
        ("2026-12-12 24:00", "when_impossible"),
        ("2026-12-12 14:61", "when_impossible"),
        ("2026-13-01", "when_impossible"),
        ("tomorrow", "when_malformed"),
        ("12/12", "when_malformed"),
        ("", "when_malformed"),
        ("nan", "when_malformed"),
        ("-2026-12-12", "when_malformed"),
    ],
)
def test_impossible_or_unreadable_dates_are_refused_with_a_code(typed, code):
    with pytest.raises(InvalidInput) as refused:
        parse_when(typed, TOKYO)
    assert refused.value.code == code


@given(st.text(max_size=40))
def test_the_date_parser_raises_only_its_own_error(text):
    try:
        when = parse_when(nfkc(text), TOKYO, end_of_day=True)
    except InvalidInput as error:
        assert error.code in {"when_malformed", "when_impossible"}
    else:
        assert when.tzinfo is TOKYO and when.year >= 1


@given(st.dates(min_value=date(2000, 1, 1)), st.times())
def test_every_real_date_and_minute_is_read_back(day, clock):
    typed = f"{day.isoformat()} {clock.hour}:{clock.minute:02d}"
    expected = datetime.combine(day, time(clock.hour, clock.minute), tzinfo=TOKYO)
    assert parse_when(typed, TOKYO) == expected


@pytest.mark.parametrize(
    ("typed", "quorum"),
    [
        ("1/2", Quorum(1, 2)),
        ("2 / 3", Quorum(2, 3)),
        ("3分の2", Quorum(2, 3)),
        ("1/1", Quorum(1, 1)),
    ],
)
def test_a_quorum_is_a_fraction(typed, quorum):
    assert parse_quorum(typed) == quorum


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("0/2", "quorum_impossible"),
        ("3/2", "quorum_impossible"),
        ("1/0", "quorum_impossible"),
        ("1/101", "quorum_impossible"),
        ("-1/2", "quorum_malformed"),
        ("nan", "quorum_malformed"),
        ("inf/2", "quorum_malformed"),
        ("0.5", "quorum_malformed"),
        ("half", "quorum_malformed"),
    ],
)
def test_impossible_quorums_are_refused(typed, code):
    with pytest.raises(InvalidInput) as refused:
        parse_quorum(typed)
    assert refused.value.code == code


@given(st.text(max_size=20))
def test_the_quorum_parser_raises_only_its_own_error(text):
    try:
        quorum = parse_quorum(nfkc(text))
    except InvalidInput as error:
        assert error.code in {"quorum_malformed", "quorum_impossible"}
    else:
        assert 0 < quorum.numerator <= quorum.denominator <= 100


@given(st.integers(0, 10_000), st.integers(1, 100), st.integers(1, 100))
def test_the_quorum_needed_is_the_fraction_rounded_up(entitled, a, b):
    quorum = Quorum(min(a, b), max(a, b))
    needed = quorum.required(entitled)
    assert needed * quorum.denominator >= entitled * quorum.numerator
    assert (needed - 1) * quorum.denominator < entitled * quorum.numerator or needed == 0


def test_overlong_text_is_refused_with_the_limit_not_cut():
    with pytest.raises(InvalidInput) as refused:
        parse_text("あ" * 201, 200)
    assert (refused.value.code, refused.value.details) == (
        "text_too_long",
        {"limit": 200, "length": 201},
    )
    with pytest.raises(InvalidInput):
        parse_text("   ", 200)


def test_a_title_may_carry_its_english_after_a_slash():
    assert split_bilingual("臨時総会 / Extraordinary assembly") == (
        "臨時総会",
        "Extraordinary assembly",
    )
    assert split_bilingual("総会 2026/12") == ("総会 2026/12", "総会 2026/12")


def test_the_deadline_comes_before_the_assembly_which_lies_ahead():
    start = NOW + timedelta(days=10)
    check_dates(start, start - timedelta(days=3), NOW)
    for starts_at, answer_by, code in (
        (NOW - timedelta(hours=1), NOW - timedelta(days=1), "when_past"),
        (NOW + timedelta(days=800), NOW + timedelta(days=1), "when_too_far"),
        (start, start + timedelta(minutes=1), "answer_by_after_start"),
        (start, NOW, "answer_by_past"),
    ):
        with pytest.raises(InvalidInput) as refused:
            check_dates(starts_at, answer_by, NOW)
        assert refused.value.code == code


def test_the_forecast_counts_a_proxy_only_when_its_holder_attends():
    answers = [
        Answer(1, 1, Rsvp.ATTENDING, None, NOW),
        Answer(1, 2, Rsvp.PROXY, 1, NOW),  # to member 1, who attends
        Answer(1, 3, Rsvp.PROXY, 4, NOW),  # to member 4, who said absent
        Answer(1, 4, Rsvp.ABSENT, None, NOW),
        Answer(1, 5, Rsvp.PROXY, 6, NOW),  # a chain: 5 to 6, 6 to 7
        Answer(1, 6, Rsvp.PROXY, 7, NOW),
        Answer(1, 7, Rsvp.ATTENDING, None, NOW),
        Answer(1, 8, Rsvp.PROXY, None, NOW),  # to the chair
        Answer(1, 9, Rsvp.PROXY, 99, NOW),  # to someone who left the co-op
    ]
    result = tally(Quorum(1, 2), set(range(1, 11)), answers, set())
    assert result.unusable == (
        (3, Unusable.HOLDER_ABSENT),
        (5, Unusable.HOLDER_ABSENT),
        (9, Unusable.HOLDER_NOT_ENTITLED),
    )
    assert (result.attending, result.proxies, result.proxies_usable) == (2, 6, 3)
    assert result.expected == 5 and result.quorum_expected  # 10 entitled need 5


def test_a_holder_represents_at_most_the_maximum_the_earliest_proxies_first():
    later = NOW + timedelta(minutes=5)
    answers = [
        Answer(1, 1, Rsvp.ATTENDING, None, NOW),
        Answer(1, 4, Rsvp.PROXY, 1, later),  # the third to member 1, given last
        Answer(1, 2, Rsvp.PROXY, 1, NOW),
        Answer(1, 3, Rsvp.PROXY, 1, NOW),
        Answer(1, 5, Rsvp.PROXY, 6, NOW),  # another holder is not affected
        Answer(1, 6, Rsvp.ATTENDING, None, NOW),
    ]
    result = tally(Quorum(1, 2), set(range(1, 7)), answers, set(), max_held=2)
    assert result.unusable == ((4, Unusable.HOLDER_FULL),)
    assert result.expected == 5
    on_the_day = tally(Quorum(1, 2), set(range(1, 7)), answers, {1, 6}, max_held=2)
    assert (on_the_day.present, on_the_day.proxies_valid) == (2, 3)
    assert MAX_PROXIES_HELD == 9  # 10人以上の組合員を代理することができない


def test_an_english_agenda_falls_back_to_the_japanese_one_marked_as_such():
    assert agenda_in("ja", "定款変更", "") == ("定款変更", False)
    assert agenda_in("en", "定款変更", "Articles") == ("Articles", False)
    assert agenda_in("en", "定款変更", " ") == ("定款変更", True)
    assert agenda_in("en", "", "") == ("", False)


def test_on_the_day_a_proxy_counts_when_its_holder_is_there_or_the_chair_holds_it():
    answers = [
        Answer(1, 1, Rsvp.ATTENDING, None, NOW),
        Answer(1, 2, Rsvp.PROXY, 1, NOW),  # to member 1, who came
        Answer(1, 3, Rsvp.PROXY, 4, NOW),  # to member 4, who did not
        Answer(1, 5, Rsvp.PROXY, None, NOW),  # to the chair
        Answer(1, 6, Rsvp.PROXY, None, NOW),  # but came in person after all
        Answer(1, 99, Rsvp.ATTENDING, None, NOW),  # no longer a member
    ]
    result = tally(Quorum(1, 2), {1, 2, 3, 4, 5, 6, 7, 8}, answers, {1, 6})
    assert (result.attending, result.proxies, result.absent, result.no_answer) == (1, 4, 0, 3)
    # Before the day the proxy to member 4, who has not answered, is not expected to count.
    assert result.unusable == ((3, Unusable.HOLDER_NO_ANSWER),)
    assert result.expected == 4 and result.quorum_expected
    assert (result.present, result.proxies_valid, result.counted) == (2, 2, 4)
    assert result.required == 4 and result.quorum_met
