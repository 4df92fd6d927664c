"""The hours parser: what members type, what it means, and a clear code for everything else."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.hours_parser import ParsedHours, Span, parse_break, parse_hours

TODAY = date(2026, 11, 22)
WINDOW = 31
# Every reason a text can be refused for; each has its own message in the catalogs.
REFUSALS = {
    "hours_format",
    "hours_granularity",
    "hours_none",
    "hours_over_day",
    "hours_minutes_over",
    "hours_clock_time",
    "hours_one_amount",
    "hours_several_days",
    "hours_range_ambiguous",
    "hours_range_empty",
    "hours_break_without_times",
    "hours_break_too_long",
    "date_future",
    "date_too_old",
    "date_impossible",
    "date_weekday_mismatch",
    "date_ambiguous_weekday",
    "date_ambiguous",
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_refusal_has_its_own_message_in_both_languages(i18n, lang: str):
    for refusal in REFUSALS:
        assert i18n.has(f"hours.error.{refusal}", lang), refusal
    texts = {i18n.gettext(f"hours.error.{refusal}", lang) for refusal in REFUSALS}
    assert len(texts) == len(REFUSALS)  # no two reasons share one answer


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


@pytest.mark.parametrize(
    ("typed", "day", "minutes"),
    [
        ("7時間半", None, 450),
        ("きょう ８じかん", TODAY, 480),
        ("七時間", None, 420),
        ("昨日は7時間働きました", date(2026, 11, 21), 420),
        ("十時間十五分", None, 615),
        ("二十四時間", None, 1440),
        ("しちじかんはん", None, 450),
        ("ななじかん", None, 420),
        ("よじかんさんじゅっぷん", None, 270),
        ("くじかん", None, 540),
        ("よんじゅうごふん", None, 45),
        ("90分", None, 90),
        ("7 hours 30 minutes", None, 450),
        ("seven and a half hours", None, 450),
        ("an hour and a half", None, 90),
        ("half an hour", None, 30),
        ("7½", None, 450),
        ("I worked 8 hours yesterday", date(2026, 11, 21), 480),
        ("yesterday's shift was 6 hours", None, None),
        ("今日の勤務は5時間45分でした。", TODAY, 345),
        ("おとといは約6時間", date(2026, 11, 20), 360),
        ("十一月二十日 六時間", date(2026, 11, 20), 360),
        ("11月20日(金) 6時間", date(2026, 11, 20), 360),
        ("２０日は３時間", date(2026, 11, 20), 180),
        ("金曜日 5時間", date(2026, 11, 20), 300),
        ("last friday 5 hours", date(2026, 11, 20), 300),
        ("nov 20 5h", date(2026, 11, 20), 300),
        ("20th of november 5h", date(2026, 11, 20), 300),
        ("8時から17時 休憩1時間", None, 480),
        ("8:00-17:00 break 45", None, 495),
        ("午前9時から午後5時 休憩なし", None, 480),
        ("22時から翌6時 休憩60分", None, 420),
        ("22時から6時 休憩60分", None, 420),
        ("8時～17時（休憩1時間）", None, 480),
        ("休憩1時間で8時から17時", None, 480),
        ("9時～18時、休憩は1時間", None, 480),
        ("7時間（休憩なし）", None, 420),
        ("Today: 7.5", TODAY, 450),
        ("8時間勤務", None, 480),
        ("7じかん30ぷん", None, 450),
        ("7時間半ぐらい", None, 450),
    ],
)
def test_everyday_ways_of_writing_hours(typed: str, day: date | None, minutes: int | None):
    if minutes is None:
        assert code(typed) == "hours_format"  # a sentence the parser does not know: refused
        return
    parsed = parse(typed)
    assert (parsed.day, parsed.minutes) == (day, minutes)


@pytest.mark.parametrize(
    ("typed", "span"),
    [
        ("8時から17時", Span(480, 1020)),
        ("8:00〜17:00", Span(480, 1020)),
        ("8-17", Span(480, 1020)),
        ("9時半から12時", Span(570, 720)),
        ("午後1時から5時", Span(780, 1020)),
        ("9am-5pm", Span(540, 1020)),
        ("9 a.m. to 5 p.m.", Span(540, 1020)),
        ("22時から翌6時", Span(1320, 1800)),
        ("17時ー24時", Span(1020, 1440)),
        ("朝9時から夕方5時", Span(540, 1020)),
        ("夜9時から12時", Span(1260, 1440)),
        ("朝9時から5時", Span(540, 1020)),
        ("8時頃から17時頃", Span(480, 1020)),
    ],
)
def test_a_time_range_without_its_break_leaves_the_minutes_to_ask(typed: str, span: Span):
    assert parse(typed) == ParsedHours(None, None, span)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("明日 8時間", "date_future"),
        ("あさって 8", "date_future"),
        ("12/8 8", "date_future"),
        ("25日 3時間", "date_future"),
        ("2026-10-21 4", "date_too_old"),
        ("8時", "hours_clock_time"),
        ("午後3時", "hours_clock_time"),
        ("9時から5時", "hours_range_ambiguous"),
        ("21時から12時", "hours_range_ambiguous"),
        ("8時から8時", "hours_range_empty"),
        ("7〜8時間", "hours_one_amount"),
        ("7-8", "hours_one_amount"),
        ("7時間 8時間", "hours_one_amount"),
        ("昨日7時間、今日8時間", "hours_several_days"),
        ("11月20日(木) 6時間", "date_weekday_mismatch"),
        ("先週の日曜日 5時間", "date_ambiguous_weekday"),
        ("先週の金曜日 5時間", "date_ambiguous_weekday"),  # said on a Sunday
        ("20 nov 7", "date_ambiguous"),
        ("7時間75分", "hours_minutes_over"),
        ("7時間 休憩1時間", "hours_break_without_times"),
        ("8時から9時 休憩1時間", "hours_break_too_long"),
        ("8時から17時 休憩10分", "hours_granularity"),
        ("8:10から17時", "hours_granularity"),
        ("8時から翌9時", "hours_over_day"),
        ("7時間休憩", "hours_break_without_times"),
        ("7時間ください", "hours_format"),
    ],
)
def test_every_refusal_has_its_own_reason(typed: str, expected: str):
    assert code(typed) == expected


def test_last_weeks_weekday_is_read_on_a_weekday():
    wednesday = date(2026, 11, 25)
    assert parse_hours("先週の金曜日 5時間", wednesday, WINDOW).day == date(2026, 11, 20)
    assert parse_hours("今週の月曜 5時間", wednesday, WINDOW).day == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("なし", 0),
        ("0", 0),
        ("30", 30),
        ("30分", 30),
        ("1時間", 60),
        ("45 min", 45),
        ("九十分", 90),
    ],
)
def test_a_break_typed_on_its_own(typed: str, minutes: int):
    assert parse_break(unicodedata.normalize("NFKC", typed)) == minutes


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
        ("7:75", "hours_minutes_over"),
        ("today", "hours_format"),
        ("7.1", "hours_granularity"),
        ("7:10", "hours_granularity"),
        ("10分", "hours_granularity"),
        ("0", "hours_none"),
        ("0:00", "hours_none"),
        ("25", "hours_over_day"),
        ("24.25", "hours_over_day"),
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
        assert error.code in REFUSALS
    else:
        if parsed.minutes is None:  # a time range: its break is asked next
            assert parsed.span is not None and 0 < parsed.span.minutes <= 1440
            return
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
