"""Dates, times and numbers are formatted by Babel in the person's locale and the co-op's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.replies import msg
from bot.i18n import I18n, resolve_locale


def test_a_morning_in_tokyo_reads_naturally_in_both_languages(i18n: I18n):
    at = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 9:00 in Tokyo
    assert i18n.datetime(at, "ja") == "11月22日（日） 9:00"
    assert i18n.datetime(at, "en").replace("\u202f", " ") == "Sun, Nov 22, 9:00 AM"


def test_dates_follow_the_locale(i18n: I18n):
    assert i18n.date(date(2026, 1, 1), "ja") == "1月1日（木）"
    assert i18n.date(date(2026, 1, 1), "en") == "Thu, Jan 1"


def test_numbers_are_grouped_by_locale(i18n: I18n):
    assert i18n.number(60000, "ja") == "60,000"
    assert i18n.number(7.5, "en") == "7.5"


def test_what_a_person_typed_is_escaped_for_telegram_html(i18n: I18n):
    text = i18n.text("welcome", "en", {"name": "<b>Eve</b> & co"})
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; co" in text


def test_nested_messages_are_translated_in_the_same_locale(i18n: I18n):
    at = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)
    text = i18n.text(
        "invite.issued",
        "ja",
        {"role": msg("role.member"), "code": "ABCD-EFGH", "link": "https://t.me/x", "expires": at},
    )
    assert "新しい組合員の招待コード" in text
    assert "11月25日（水） 12:30" in text


def test_locale_is_the_persons_choice_then_telegrams_then_japanese():
    assert resolve_locale("en", "ja", "ja") == "en"
    assert resolve_locale(None, "en-GB", "ja") == "en"
    assert resolve_locale(None, "fr", "ja") == "ja"
    assert resolve_locale(None, None, "ja") == "ja"
