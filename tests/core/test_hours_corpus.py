"""A corpus of how people really write their hours, composed by Hypothesis.

Each sample is built from parts whose meaning is known: a day (今日, きのう, 一昨日, 明日, 11/20,
十一月二十日(金), 2026-11-20, 20日, 金曜日, yesterday, Nov 20...), a particle (は, の, も...),
an amount (7.5, 7時間30分, 七時間半, しちじかんはん, 7h30, 450分, seven and a half hours...) or
a time range with or without its break (8時から17時 休憩1時間, 9:00-15:30), a trailing verb
(働きました, でした, worked...), each maybe in full-width digits. The parser must read every
sample as exactly the day and minutes it was built from, or refuse it with the one specific
reason the parts call for: never a crash, never another number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.hours_parser import MAX_INPUT, ParsedHours, Span, parse_hours

TODAY = date(2026, 11, 22)  # a Sunday
WINDOW = 31
WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS_EN = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Written:
    """Text and what it means."""

    text: str
    day: date | None = None
    minutes: int | None = None  # the minutes worked as written (maybe 0, maybe over a day)
    span: Span | None = None
    break_minutes: int | None = None
    refusal: str | None = None  # a refusal the parts themselves call for


# Numbers in words -------------------------------------------------------------------------------

KANJI_DIGITS = "〇一二三四五六七八九"
KANA_HOUR_ONES = {
    1: ["いち"],
    2: ["に"],
    3: ["さん"],
    4: ["よ"],
    5: ["ご"],
    6: ["ろく"],
    7: ["しち", "なな"],
    8: ["はち"],
    9: ["く", "きゅう"],
}
KANA_TENS = {1: "", 2: "に", 3: "さん", 4: "よん", 5: "ご"}
KANA_MINUTE_ONES = {
    1: "いっぷん",
    2: "にふん",
    3: "さんぷん",
    4: "よんぷん",
    5: "ごふん",
    6: "ろっぷん",
    7: "ななふん",
    8: "はっぷん",
    9: "きゅうふん",
}


def kanji(n: int) -> str:
    if n < 10:
        return KANJI_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (KANJI_DIGITS[tens] if tens > 1 else "") + "十" + (KANJI_DIGITS[ones] if ones else "")


@st.composite
def kana_hours(draw: st.DrawFn, n: int) -> str:
    """1 to 59 as read before じかん or じ: よじかん, くじかん, にじゅうよじかん."""
    tens, ones = divmod(n, 10)
    text = (KANA_TENS[tens] + "じゅう") if tens else ""
    if ones:
        text += draw(st.sampled_from(KANA_HOUR_ONES[ones]))
    return text


@st.composite
def kana_minutes(draw: st.DrawFn, n: int) -> str:
    """1 to 59 minutes with its 分: さんじゅっぷん, じゅうごふん, よんじゅうごふん."""
    tens, ones = divmod(n, 10)
    if not ones:
        return KANA_TENS[tens] + draw(st.sampled_from(["じゅっぷん", "じっぷん"]))
    return (KANA_TENS[tens] + "じゅう" if tens else "") + KANA_MINUTE_ONES[ones]


def full_width(text: str) -> str:
    """Digits, Latin letters and the ASCII signs as a Japanese keyboard types them."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


# Amounts ---------------------------------------------------------------------------------------


@st.composite
def minutes_worked(draw: st.DrawFn) -> int:
    return draw(
        st.one_of(
            st.integers(1, 96).map(lambda q: q * 15),  # a day in quarter hours
            st.integers(0, 59 * 60 + 59),  # anything, even 0, over a day, off the quarter
        )
    )


@st.composite
def amount(draw: st.DrawFn, minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    forms: list[str] = [f"{minutes}分", f"{minutes} min", f"{minutes}ふん", f"{minutes} minutes"]
    if (minutes * 100) % 60 == 0:  # hours with at most two decimals
        decimal = format(minutes / 60, "g")
        forms += [decimal + unit for unit in ("", "時間", "じかん", "h", " hours", " hrs")]
    if hours < 100:
        forms += [
            f"{hours}時間{rest}分",
            f"{hours}時間 {rest}分",
            f"{hours}時間と{rest}分",
            f"{hours}h{rest}",
            f"{hours}h {rest}m",
            f"{hours} hours {rest} minutes",
            f"{hours}じかん{rest}ふん",
            f"{hours}:{rest:02d}",
            f"{kanji(hours)}時間{kanji(rest)}分",
        ]
    if rest == 0 and hours < 100:
        forms += [f"{hours}時間", f"{kanji(hours)}時間", f"{hours} hours"]
    if rest == 30 and hours < 100:
        forms += [f"{hours}時間半", f"{kanji(hours)}時間半", f"{hours} and a half hours"]
    if 0 < hours < 60:
        kana = draw(kana_hours(hours)) + "じかん"
        if rest == 0:
            forms.append(kana)
        elif rest == 30:
            forms.append(kana + "はん")
        else:
            forms.append(kana + draw(kana_minutes(rest)))
    if hours == 0 and rest:
        forms.append(draw(kana_minutes(rest)))
    return draw(st.sampled_from(forms))


@st.composite
def clock(draw: st.DrawFn, minutes: int, *, next_day: bool) -> str:
    hour, minute = divmod(minutes % 1440 if minutes != 1440 else 1440, 60)
    forms = [f"{hour}:{minute:02d}"]
    if minute == 0:
        forms += [f"{hour}時", f"{kanji(hour)}時"]
    elif minute == 30:
        forms += [f"{hour}時半", f"{hour}時30分"]
    else:
        forms += [f"{hour}時{minute}分"]
    text = draw(st.sampled_from(forms))
    return "翌" + text if next_day else text


@st.composite
def time_range(draw: st.DrawFn) -> Written:
    start = draw(st.integers(0, 95)) * 15
    length = draw(st.integers(1, 96)) * 15
    end = start + length
    overnight = end > 1440
    start_text = draw(clock(start, next_day=False))
    end_text = draw(clock(end, next_day=overnight))
    join = draw(st.sampled_from(["から", "~", "〜", "-", " - ", " to "]))
    if join == "-" and not any(m in start_text + end_text for m in ":時"):
        join = "から"  # a bare 8-17 is only read as times when it cannot be amounts
    text = start_text + join + end_text
    span = Span(start, end)
    pause = draw(st.none() | st.sampled_from([0, 15, 30, 45, 60, 90]))
    if pause is None:
        return Written(text, span=span)
    words = {0: ["休憩なし", "break none"], 60: ["休憩1時間", "休憩60分", "break 60"]}
    said = draw(st.sampled_from(words.get(pause, [f"休憩{pause}分", f"break {pause} min"])))
    written = Written(f"{text} {said}", span=span, break_minutes=pause)
    if pause >= length:
        return Written(written.text, refusal="hours_break_too_long")
    return Written(written.text, minutes=length - pause, span=span, break_minutes=pause)


# Days --------------------------------------------------------------------------------------------

RELATIVE = {
    0: ["今日", "きょう", "本日", "today"],
    1: ["昨日", "きのう", "yesterday"],
    2: ["一昨日", "おととい", "the day before yesterday"],
    -1: ["明日", "あした", "tomorrow"],
    -2: ["明後日", "あさって"],
}


@st.composite
def day_written(draw: st.DrawFn) -> Written:
    kind = draw(st.sampled_from(["relative", "month_day", "full", "day_of_month", "weekday"]))
    if kind == "relative":
        ago = draw(st.sampled_from(sorted(RELATIVE)))
        return Written(draw(st.sampled_from(RELATIVE[ago])), day=TODAY - timedelta(days=ago))
    if kind == "weekday":
        ago = draw(st.integers(0, 6))
        day = TODAY - timedelta(days=ago)
        ja = WEEKDAYS_JA[day.weekday()]
        return Written(
            draw(st.sampled_from([ja + "曜日", ja + "曜", WEEKDAYS_EN[day.weekday()]])), day=day
        )
    if kind == "day_of_month":
        day = TODAY - timedelta(days=draw(st.integers(-14, 14)))
        return Written(draw(st.sampled_from([f"{day.day}日", f"{kanji(day.day)}日"])), day=day)
    span = 150 if kind == "month_day" else 500
    day = TODAY - timedelta(days=draw(st.integers(-span, span)))
    if kind == "full":
        forms = [
            day.isoformat(),
            f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日",
        ]
    else:
        forms = [
            f"{day.month}/{day.day}",
            f"{day.month}月{day.day}日",
            f"{kanji(day.month)}月{kanji(day.day)}日",
            f"{MONTHS_EN[day.month - 1]} {day.day}",
            f"{day.day} {MONTHS_EN[day.month - 1]}",
        ]
    text = draw(st.sampled_from(forms))
    if draw(st.booleans()) and not text[0].isalpha():
        text += f"({WEEKDAYS_JA[day.weekday()]})"
    return Written(text, day=day)


# Samples ---------------------------------------------------------------------------------------

PARTICLES = ["", " ", "は", "は ", "の", "も", "、", "に", "　"]
VERBS = ["", "働きました", "働いた", "です", "でした", "勤務しました", "。", " worked", "くらい"]


@st.composite
def sample(draw: st.DrawFn) -> Written:
    """A day (maybe none), a particle, an amount or a range, a verb; maybe in full width."""
    if draw(st.booleans()):
        what = draw(time_range())
    else:
        minutes = draw(minutes_worked())
        what = Written(draw(amount(minutes)), minutes=minutes)
    day = draw(st.none() | day_written())
    body = what.text + draw(st.sampled_from(VERBS))
    text = body
    if day is not None:
        particle = draw(st.sampled_from(PARTICLES))
        if particle == "に" and body.startswith("じ"):
            # 昨日にじゅうじかん is read 昨日 20時間 by people too: に joins the number.
            particle = "は"
        if not particle.strip() and day.text[-1].isascii() and day.text[-1].isalnum():
            particle = " "  # 11/20 7時間 typed together would be one number, friday7 one word
        # "Nov 20" goes before the hours and "20 Nov" after them: "20 nov 7.5" has a number on
        # each side of the month, and is refused as ambiguous (test_hours_parser).
        if day.text[:3] in MONTHS_EN:
            before = True
        elif day.text.split(" ")[-1] in MONTHS_EN:
            before = False
        else:
            before = draw(st.booleans())
        text = day.text + particle + body if before else body + " " + day.text
    if draw(st.booleans()):
        text = full_width(text)
    return Written(
        text,
        day=day.day if day else None,
        minutes=what.minutes,
        span=what.span,
        break_minutes=what.break_minutes,
        refusal=what.refusal,
    )


def expected(written: Written) -> ParsedHours | str:
    """What the parser must answer: the day and minutes built, or the reason to refuse, in the
    order a person fixes things: the text, then the day, then the amount."""
    if len(written.text) > MAX_INPUT:
        return "hours_format"
    day = written.day
    if day is not None and day > TODAY:
        return "date_future"
    if day is not None and day < TODAY - timedelta(days=WINDOW):
        return "date_too_old"
    if written.refusal:
        return written.refusal
    if written.span is not None and written.minutes is None:
        return ParsedHours(None, day, written.span)
    minutes = written.minutes
    assert minutes is not None
    if minutes % 15:
        return "hours_granularity"
    if minutes == 0:
        return "hours_none"
    if minutes > 1440:
        return "hours_over_day"
    return ParsedHours(minutes, day, written.span, written.break_minutes)


def answer(text: str) -> ParsedHours | str:
    try:
        return parse_hours(text, TODAY, WINDOW)
    except InvalidInput as error:
        return error.code


@settings(max_examples=2000)
@given(sample())
@example(Written("昨日は7時間働きました", day=TODAY - timedelta(days=1), minutes=420))
@example(Written("きょう ８じかん", day=TODAY, minutes=480))
@example(Written("七時間", minutes=420))
@example(Written("7時間半", minutes=450))
@example(Written("12/8 8", day=date(2026, 12, 8), minutes=480))
@example(Written("明日 8時間", day=TODAY + timedelta(days=1), minutes=480))
@example(Written("8時から17時", span=Span(480, 1020)))
def test_every_way_of_writing_hours_reads_as_written_or_is_refused_for_its_reason(
    written: Written,
):
    assert answer(written.text) == expected(written), written.text


WORDS_NOT_ABOUT_HOURS = ["ありがとう", "シフト", "abc", "電話", "help", "わかりません", "🙂"]


@settings(max_examples=500)
@given(sample(), st.sampled_from(WORDS_NOT_ABOUT_HOURS), st.booleans())
def test_a_word_the_parser_does_not_know_never_yields_a_number(
    written: Written, word: str, before: bool
):
    text = f"{word} {written.text}" if before else f"{written.text} {word}"
    assert answer(text) == "hours_format", text


@settings(max_examples=300)
@given(day_written(), minutes_worked(), st.sampled_from(WEEKDAYS_JA))
def test_a_date_with_the_wrong_weekday_is_refused_for_it(day: Written, minutes: int, weekday: str):
    date_forms = ("/" in day.text or "月" in day.text) and not {"(", "曜"} & set(day.text)
    if not date_forms or day.day is None or WEEKDAYS_JA[day.day.weekday()] == weekday:
        return
    got = answer(f"{day.text}({weekday}) {minutes // 60}時間")
    assert got == "date_weekday_mismatch", day.text


@given(st.lists(day_written(), min_size=2, max_size=3), minutes_worked())
def test_two_different_days_in_one_message_are_refused_for_it(days: list[Written], minutes: int):
    named = {d.day for d in days}
    if any(d.text[:3] in MONTHS_EN or d.text.split(" ")[-1] in MONTHS_EN for d in days):
        return  # "22 nov 1時間" has a number on each side of the month: refused as ambiguous
    texts = " ".join(f"{d.text} {max(minutes // 60, 1)}時間" for d in days)
    got = answer(texts)
    if len(named) > 1 and len(texts) <= MAX_INPUT:
        assert got == "hours_several_days", texts
