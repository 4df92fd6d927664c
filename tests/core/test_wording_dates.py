"""Japanese dates use full-width brackets, as every other Japanese sentence does (the glossary's
punctuation rule): 11月22日（日）, never 11月22日(日). The pattern is Kyodo's own
(`bot.i18n.I18n.date`), not Babel's, so it follows the rule; English keeps its own form. What a
person copies from Kyodo back into a message (a date with its weekday) is read either way."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.assemblies import parse_when
from bot.domain.broadcasts import parse_send_at
from bot.domain.hours_parser import parse_hours
from bot.i18n import I18n

SUNDAY = date(2026, 11, 22)
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [
        ("ja", "11月22日（日）", "11月22日（日） 9:00"),
        ("ja-easy", "11月22日（日）", "11月22日（日） 9:00"),
        ("en", "Sun, Nov 22", "Sun, Nov 22, 9:00 AM"),
    ],
)
def test_a_date_and_its_weekday_read_with_the_languages_own_punctuation(
    i18n: I18n, lang, day, moment
):
    assert i18n.date(SUNDAY, lang) == day
    at = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 9:00 in Tokyo
    assert i18n.datetime(at, lang).replace("\u202f", " ") == moment


@pytest.mark.parametrize("lang", ["ja", "ja-easy"])
def test_no_japanese_date_has_an_ascii_bracket(i18n: I18n, lang):
    """A year of days, each weekday name included."""
    for offset in range(366):
        shown = i18n.date(date.fromordinal(SUNDAY.toordinal() + offset), lang)
        assert "(" not in shown and ")" not in shown, shown
        assert shown.endswith("）"), shown


@pytest.mark.parametrize("typed", ["11月20日（金） 6時間", "11月20日(金) 6時間"])
def test_a_date_copied_from_kyodo_is_read_back(typed):
    parsed = parse_hours(typed, SUNDAY, 31)
    assert (parsed.day, parsed.minutes) == (date(2026, 11, 20), 360)


@pytest.mark.parametrize("bracket", ["（土）", "(土)"])
def test_an_assembly_or_broadcast_time_copied_from_kyodo_is_read_back(i18n: I18n, bracket):
    """As the dialogs read them: NFKC first, so 12月12日（土） is 12月12日(土)."""
    shown = i18n.date(date(2026, 12, 12), "ja").replace("（土）", bracket)
    typed = unicodedata.normalize("NFKC", f"{shown} 14:00")
    expected = datetime(2026, 12, 12, 14, 0, tzinfo=TOKYO)
    assert parse_when(f"2026年{typed}", TOKYO) == expected  # an assembly's date has its year
    now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    assert parse_send_at(typed, now, TOKYO) == expected
