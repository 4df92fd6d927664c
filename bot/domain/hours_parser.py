"""Reading the hours a member typed, the way people write them.

`7.5`, `7:30 yesterday`, `今日 7時間30分`, `昨日は7時間半働きました`, `きょう ８じかん`, `七時間`,
`しちじかんはん`, `8時から17時 休憩1時間`, `I worked 7 and a half hours yesterday`.

The reading goes in stages, each of which only ever removes or rewrites what it recognises:

1. the text is folded (NFKC: full-width digits and letters become ASCII; lower case; dashes and
   waves become `-` and `~`; `½` becomes `.5`);
2. the day words that contain number kanji (一昨日) and every other relative day (今日, きのう,
   明日, yesterday) are taken out;
3. numbers written in kanji (七, 二十四, 十一月二十日), in kana before a unit (はちじかん,
   さんじゅっぷん) and in English words (seven) become digits, and kana units (じかん, ふん)
   become kanji;
4. dates (11/20, 11月20日(金), 2026-11-20, 20日, Nov 20) and weekdays (金曜日, 先週の金曜,
   last friday) are taken out;
5. the words people put around the hours (は, の, 勤務, 働きました, です, about, worked) go;
6. what is left must be exactly one amount (`7時間30分`, `7.5`, `7:30`, `45分`) or one time
   range (`8時から17時`, `9:00-15:30`), with an optional break after a range.

Anything left over makes the text unreadable (`hours_format`), so a word the parser does not
know never changes a number: it refuses. Every failure is an `InvalidInput` whose code says
exactly what was wrong (a day not yet come, a range whose end may be afternoon or next morning,
two days at once...); nothing else is ever raised.

A range without its break is returned with `minutes=None`: the dialog asks for the break.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from bot.domain.errors import InvalidInput
from bot.domain.hours import DAY_MINUTES, STEP_MINUTES, check_day, check_minutes, duration

MAX_INPUT = 80  # nothing anyone types about a day's hours is longer
# Word edges for English words: ASCII only, so that `nov 22は` and `friday 7時間` still have them
# (to `\b`, kana and kanji are letters too).
_A = r"(?<![a-z0-9])"
_Z = r"(?![a-z0-9])"
HALF_DAY = DAY_MINUTES // 2


@dataclass(frozen=True)
class Span:
    """A time range on the day worked, in minutes after its midnight (past 1440: overnight)."""

    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class ParsedHours:
    minutes: int | None  # None: a time range whose break is still to be asked
    day: date | None  # None: the person named no day
    span: Span | None = None  # the time range typed, if any
    break_minutes: int | None = None  # the break typed with the range, if any


def parse_hours(text: str, today: date, window_days: int) -> ParsedHours:
    """Minutes worked and the day named, if any; the day is checked against today and the window.

    The checks come in the order a person would fix things: first whether the text can be read
    at all, then the day, then the amount.
    """
    if len(text) > MAX_INPUT:
        raise InvalidInput("hours_format")
    text = _fold(text)
    days, text = _take_relative_days(text, today)
    text = _digits(text)
    more, text = _take_dates(text, today)
    days += more
    text = _without_fillers(text)
    if len({d for d in days if isinstance(d, date)}) > 1 and re.search(r"\d", text):
        raise InvalidInput("hours_several_days")  # 昨日7時間、今日8時間
    amount = _amount_or_range(text)
    day = _one_day(days)
    if day is not None:
        check_day(day, today, window_days)
    return amount.checked(day)


def parse_break(text: str) -> int:
    """A break typed on its own: `なし`, `0`, `30`, `30分`, `1時間`, `45 min` (bare numbers are
    minutes here); in steps of 15 minutes."""
    if len(text) > MAX_INPUT:
        raise InvalidInput("hours_format")
    minutes = _break(_without_fillers(_digits(_fold(text))))
    return _break_checked(minutes)


# 1. Folding -----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(rf"{_A}([ap])\.\s?m{_Z}\.?", r"\1m", text)  # a.m. -> am, before dots go
    text = re.sub(r"[‐‑‒–—―−]", "-", text).replace("〜", "~").replace("∼", "~")
    # ー (the long vowel mark) is typed for a dash between times: 8時ー17時.
    text = re.sub(r"(?<=[\d時分半])ー(?=\s*\d)", "-", text)
    # ½ folds to 1⁄2: 7½ is 71⁄2.
    text = re.sub(r"(\d*)1⁄2", lambda m: (m.group(1) or "0") + ".5", text)
    text = re.sub(r"[、。!?「」『』…・]", " ", text)
    text = re.sub(r"(?<!\d):|:(?!\d)", " ", text)  # "today: 7.5"; 7:30 keeps its colon
    # A comma or a dot that is not inside a number is punctuation; 7,5 stays and is refused.
    text = re.sub(r"(?<!\d),|,(?!\d)", " ", text)
    text = re.sub(r"(?<!\d)\.(?!\d)|(?<=\d)\.(?!\d)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# 2. and 4. Days ---------------------------------------------------------------------------------

# A day named, or why it cannot be one (raised only once the rest of the text has been read).
_Named = date | InvalidInput

# Longest first: 一昨日 contains 昨日, "day before yesterday" contains "yesterday".
_RELATIVE: tuple[tuple[str, int], ...] = (
    (r"the day after tomorrow|day after tomorrow|明後日|あさって", -2),
    (r"the day before yesterday|day before yesterday|一昨日|おととい|おとつい", 2),
    (r"yesterday|昨日|きのう|さくじつ|昨夜|昨晩|ゆうべ", 1),
    (r"tomorrow|明日|あした|あす|みょうにち", -1),
    (r"today|今日|きょう|本日|ほんじつ|今朝|けさ|今夜|今晩|こんや", 0),
)

_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAYS_EN = (
    ("monday", "mon"),
    ("tuesday", "tues", "tue"),
    ("wednesday", "wed"),
    ("thursday", "thurs", "thur", "thu"),
    ("friday", "fri"),
    ("saturday", "sat"),
    ("sunday", "sun"),
)
_EN_WEEKDAY = "|".join(name for names in _WEEKDAYS_EN for name in names)
_MONTHS = (
    "january|jan",
    "february|feb",
    "march|mar",
    "april|apr",
    "may",
    "june|jun",
    "july|jul",
    "august|aug",
    "september|sept|sep",
    "october|oct",
    "november|nov",
    "december|dec",
)
_EN_MONTH = "|".join(_MONTHS)
# A weekday in brackets after a date, as Kyodo shows dates: 11月20日（金）, (金) after NFKC.
_PAREN_WEEKDAY = rf"(?:\s*\((?P<wd>[{_WEEKDAYS_JA}](?:曜日?)?|{_EN_WEEKDAY})\))?"

_FULL_DATE = re.compile(
    rf"(?<!\d)(?P<y>\d{{4}})(?:(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?!\d)"
    rf"|年(?P<m2>\d{{1,2}})月(?P<d2>\d{{1,2}})日){_PAREN_WEEKDAY}"
)
_MONTH_DAY = re.compile(
    rf"(?<![\d.:])(?:(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})(?![\d/:.])"
    rf"|(?P<m2>\d{{1,2}})月(?P<d2>\d{{1,2}})日){_PAREN_WEEKDAY}"
)
_EN_MONTH_FIRST = re.compile(
    rf"{_A}(?P<mon>{_EN_MONTH})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?{_Z}{_PAREN_WEEKDAY}"
)
_EN_DAY_FIRST = re.compile(
    rf"{_A}(?<![:.])(?P<d>\d{{1,2}})(?P<said>st|nd|rd|th| of)? ?(?:of )?(?P<mon>{_EN_MONTH}){_Z}"
    + _PAREN_WEEKDAY
)
# A month's name with a plain number on each side (20 nov 7, 7.5 nov 20): which is the day?
_EN_AMBIGUOUS = re.compile(rf"\d (?:{_EN_MONTH})\.? \d")
_DAY_OF_MONTH = re.compile(rf"(?<![\d月/.:])(?P<d>\d{{1,2}})日(?!間){_PAREN_WEEKDAY}")
_WEEKDAY = re.compile(
    rf"(?P<week>先週|今週)?(?:の)?(?P<wd>[{_WEEKDAYS_JA}])曜日?"
    rf"|{_A}(?:(?P<en_week>last|this|on) )?(?P<en_wd>{_EN_WEEKDAY}){_Z}"
)


def _take(pattern: re.Pattern[str], text: str) -> tuple[list[re.Match[str]], str]:
    """Every match of `pattern`, and the text with each replaced by a space."""
    found = list(pattern.finditer(text))
    return found, pattern.sub(" ", text)


def _take_relative_days(text: str, today: date) -> tuple[list[_Named], str]:
    named: list[_Named] = []
    for words, days_ago in _RELATIVE:
        found, text = _take(re.compile(words), text)
        named += [today - timedelta(days=days_ago) for _ in found]
    return named, text


def _take_dates(text: str, today: date) -> tuple[list[_Named], str]:
    named: list[_Named] = []
    found, text = _take(_FULL_DATE, text)
    for m in found:
        month, day = int(m.group("m") or m.group("m2")), int(m.group("d") or m.group("d2"))
        named.append(_weekday_agrees(_exact(int(m.group("y")), month, day), m))
    found, text = _take(_MONTH_DAY, text)
    for m in found:
        month, day = int(m.group("m") or m.group("m2")), int(m.group("d") or m.group("d2"))
        named.append(_weekday_agrees(_nearest_month_day(today, month, day), m))
    ambiguous = _EN_AMBIGUOUS.search(text) is not None
    # "20th of nov" says which number is the day; so does "nov 20" with no number before it.
    said = [m for m in _EN_DAY_FIRST.finditer(text) if m.group("said")]
    for m in said:
        text = text.replace(m.group(0), " ", 1)
    found, text = _take(_EN_MONTH_FIRST, text)
    more, text = _take(_EN_DAY_FIRST, text)
    for m in said + found + more:
        if ambiguous:
            named.append(InvalidInput("date_ambiguous"))
            continue
        month = _month_number(m.group("mon"))
        named.append(_weekday_agrees(_nearest_month_day(today, month, int(m.group("d"))), m))
    found, text = _take(_DAY_OF_MONTH, text)
    for m in found:
        named.append(_weekday_agrees(_nearest_day_of_month(today, int(m.group("d"))), m))
    found, text = _take(_WEEKDAY, text)
    named += [_weekday(today, m) for m in found]
    return named, text


def _month_number(name: str) -> int:
    return next(i for i, names in enumerate(_MONTHS, 1) if name in names.split("|"))


def _weekday_number(name: str) -> int:
    if name[0] in _WEEKDAYS_JA:
        return _WEEKDAYS_JA.index(name[0])
    return next(i for i, names in enumerate(_WEEKDAYS_EN) if name in names)


def _weekday_agrees(named: _Named, match: re.Match[str]) -> _Named:
    """A date followed by its weekday in brackets: both must name the same day."""
    given = match.group("wd")
    if isinstance(named, date) and given and _weekday_number(given) != named.weekday():
        return InvalidInput("date_weekday_mismatch", day=named)
    return named


def _exact(year: int, month: int, day: int) -> _Named:
    try:
        return date(year, month, day)
    except ValueError:
        return InvalidInput("date_impossible")


def _closest(today: date, candidates: list[date]) -> date:
    """Of the days a date without a year (or month) may mean, the one nearest today: 12/30 typed
    on 5 January is last December's, 12/8 typed in November is this December's (not yet come)."""
    return min(candidates, key=lambda d: (abs((d - today).days), d > today))


def _nearest_month_day(today: date, month: int, day: int) -> _Named:
    candidates = [
        d for y in (today.year - 1, today.year, today.year + 1) if (d := _real(y, month, day))
    ]
    if not candidates:
        if (month, day) == (2, 29):
            # 29 February in none of three years: the last leap year's (long past).
            leap = next(y for y in range(today.year - 1, 0, -1) if _real(y, 2, 29))
            return date(leap, 2, 29)
        return InvalidInput("date_impossible")
    return _closest(today, candidates)


def _nearest_day_of_month(today: date, day: int) -> _Named:
    first = today.replace(day=1)
    months = [
        (first - timedelta(days=1)).replace(day=1),
        first,
        (first + timedelta(days=32)).replace(day=1),
    ]
    candidates = [d for m in months if (d := _real(m.year, m.month, day))]
    return _closest(today, candidates) if candidates else InvalidInput("date_impossible")


def _real(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _weekday(today: date, match: re.Match[str]) -> _Named:
    wanted = _weekday_number(match.group("wd") or match.group("en_wd"))
    week = match.group("week") or match.group("en_week")
    monday = today - timedelta(days=today.weekday())
    if week in ("先週", "今週", "this"):
        if 6 in (wanted, today.weekday()):
            # Some calendars start the week on Sunday, some on Monday: around a Sunday, "last
            # week's Friday" is either of two days, so it is asked as a date, never guessed.
            return InvalidInput("date_ambiguous_weekday")
        return monday + timedelta(days=wanted - (7 if week == "先週" else 0))
    back = (today.weekday() - wanted) % 7
    if week == "last" and back == 0:
        back = 7  # "last friday" said on a Friday is a week ago
    return today - timedelta(days=back)


def _one_day(days: list[_Named]) -> date | None:
    """The day named (several naming the same day are one), or why a date cannot be read."""
    found: list[date] = []
    for named in days:
        if isinstance(named, InvalidInput):
            raise named
        found.append(named)
    return found[0] if found else None


# 3. Numbers -------------------------------------------------------------------------------------

_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_NUMBER = re.compile(r"[〇零一二三四五六七八九十百]+")
_KANJI_STRUCTURED = re.compile(
    r"(?:([一二三四五六七八九])?百)?(?:([一二三四五六七八九])?十)?([一二三四五六七八九])?"
)

# Readings of the digits in kana, longest first, with the sound changes before 分 (いっぷん).
_KANA_DIGITS = (
    ("きゅう", 9),
    ("なな", 7),
    ("しち", 7),
    ("はち", 8),
    ("はっ", 8),
    ("いち", 1),
    ("いっ", 1),
    ("さん", 3),
    ("よん", 4),
    ("ろく", 6),
    ("ろっ", 6),
    ("よ", 4),
    ("く", 9),
    ("に", 2),
    ("ご", 5),
)
_KANA_DIGIT = "|".join(reading for reading, _ in _KANA_DIGITS)
_KANA_TEN = "じゅう|じゅっ|じっ"
_KANA_UNIT = r"じかん|じ|ふん|ぷん"
_KANA_NUMBER = re.compile(
    rf"(?:(?P<tens>{_KANA_DIGIT})?(?P<ten>{_KANA_TEN})(?P<ones>{_KANA_DIGIT})?"
    rf"|(?P<digit>{_KANA_DIGIT}))(?={_KANA_UNIT})"
)
_EN_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50,
}  # fmt: skip


def _digits(text: str) -> str:
    """Numbers in kanji, in kana before a unit and in English words, as digits; kana units as
    kanji (はちじかん -> 8時間, さんじゅっぷん -> 30分)."""
    text = _KANJI_NUMBER.sub(_kanji, text)
    text = _KANA_NUMBER.sub(_kana, text)
    text = re.sub(r"(?<=\d)\s?じかん", "時間", text)
    text = re.sub(r"(?<=\d)\s?(?:ふん|ぷん)", "分", text)
    text = re.sub(r"(?<=\d)\s?じ", "時", text)
    text = re.sub(r"(?<=時間|\d時)\s?はん", "半", text)
    return _english_numbers(text)


def _kanji(match: re.Match[str]) -> str:
    run = match.group(0)
    if "十" not in run and "百" not in run:
        return "".join(str(_KANJI_DIGITS[c]) for c in run)  # positional: 二〇二六
    parts = _KANJI_STRUCTURED.fullmatch(run)
    if parts is None:
        return run  # 十十: left as it is, and so unreadable
    hundreds, tens, ones = parts.groups()
    value = 0
    if "百" in run:
        value += 100 * (_KANJI_DIGITS[hundreds] if hundreds else 1)
    if "十" in run:
        value += 10 * (_KANJI_DIGITS[tens] if tens else 1)
    value += _KANJI_DIGITS[ones] if ones else 0
    return str(value)


def _kana_value(reading: str | None) -> int:
    return next(value for r, value in _KANA_DIGITS if r == reading)


def _kana(match: re.Match[str]) -> str:
    if match.group("digit"):
        return str(_kana_value(match.group("digit")))
    tens = _kana_value(match.group("tens")) if match.group("tens") else 1
    ones = _kana_value(match.group("ones")) if match.group("ones") else 0
    return str(tens * 10 + ones)


def _english_numbers(text: str) -> str:
    def number(match: re.Match[str]) -> str:
        words = match.group(0).replace(" ", "-")
        if words in _EN_NUMBERS:
            return str(_EN_NUMBERS[words])
        tens, _, ones = words.partition("-")
        return str(_EN_NUMBERS[tens] + _EN_NUMBERS[ones])

    names = sorted(_EN_NUMBERS, key=len, reverse=True)
    compound = r"(?:twenty|thirty|forty)[- ](?:one|two|three|four|five|six|seven|eight|nine)"
    text = re.sub(rf"{_A}(?:{compound}|{'|'.join(names)}){_Z}", number, text)
    text = re.sub(rf"{_A}(?:half an hour|a half hour|half hour){_Z}", "30 min", text)
    text = re.sub(rf"{_A}(?:an hour|a hour){_Z}", "1 hour", text)
    # 7 and a half (hours), an hour and a half
    text = re.sub(
        r"(\d+)(?: (?:hours?|hrs?|h))? and (?:a )?half(?: (?:an? )?(?:hours?|hrs?|h))?",
        r"\1.5 hours",
        text,
    )
    return text


# 5. Fillers -------------------------------------------------------------------------------------

# Words around the hours that say nothing about them, longest first; replaced by a space, so two
# numbers a filler stood between never run together.
_FILLERS_JA = (
    "働いていました", "働いてました", "働きました", "働いた", "働きます", "働いて",
    "はたらきました", "はたらいた", "勤務しました", "勤務した", "勤務します", "勤務時間",
    "勤務", "仕事しました", "仕事", "しごとしました", "しごと", "労働", "実働", "作業",
    "合計", "トータル", "だいたい", "大体", "ちょうど", "丁度", "およそ", "約",
    "くらい", "ぐらい", "ほど", "程度", "でした", "です", "だった", "ました", "した",
    "まで", "頃", "ごろ", "よろしくお願いします", "お願いします", "おねがいします",
    "報告します", "報告",
    "は", "も", "の", "に", "を", "で", "ね", "よ", "だ",
)  # fmt: skip
_FILLERS_EN = (
    "i've", "i have", "i", "ive", "worked", "working", "work", "did", "have", "had", "for",
    "about", "around", "approximately", "approx", "roughly", "in total", "total", "from",
    "of", "the", "was", "it", "my", "shift", "please",
)  # fmt: skip
_FILLER = re.compile(
    "|".join(re.escape(w) for w in sorted(_FILLERS_JA, key=len, reverse=True))
    + "|"
    + "|".join(rf"{_A}{re.escape(w)}{_Z}" for w in sorted(_FILLERS_EN, key=len, reverse=True))
)


def _without_fillers(text: str) -> str:
    return re.sub(r"\s+", " ", _FILLER.sub(" ", text)).strip()


# 6. The amount, or the range and its break -------------------------------------------------------

_H = r"(?:時間|hours?|hrs?|h)"
_M = r"(?:分|minutes?|mins?|m)"
_NUMBER = r"\d+(?:\.\d+)?|\.\d+"
_COLON = re.compile(r"(\d{1,2}):(\d{2})(?:\s?" + _H + r")?")
_HOURS_MINUTES = re.compile(rf"(\d+)\s?{_H}\s?(?:と|and|&)?\s?(\d+)\s?(?:{_M})?")
_HOURS_HALF = re.compile(rf"(\d+)\s?{_H}\s?半")
_MINUTES = re.compile(rf"(\d+)\s?{_M}")
_DECIMAL = re.compile(rf"({_NUMBER})\s?(?:{_H})?")

_AMPM = r"午前|午後|朝|夕方|夜|am|pm"
_CLOCK = (
    r"(?P<{p}pre>午前|午後|朝|夕方|夜)?\s?(?P<{p}next>翌)?\s?(?P<{p}h>\d{{1,2}})"
    r"(?:\s?:(?P<{p}m>\d{{2}})|時(?:(?P<{p}mm>\d{{1,2}})分|(?P<{p}half>半))?)?"
    r"(?:\s?(?P<{p}post>am|pm))?"
)
_TO = r"\s?(?P<to>から|~|-|to|until|till)\s?"
_RANGE = re.compile(_CLOCK.format(p="a") + _TO + _CLOCK.format(p="b"))
_ONE_CLOCK = re.compile(_CLOCK.format(p="a"))
_BREAK_WORDS = re.compile(r"昼休憩|休憩時間|休憩|昼休み|休み|breaks?|lunch")
_NO_BREAK = re.compile(r"なし|無し|ない|none|no|nothing|0")
# 7〜8時間, 7か8時間, 7時間 8時間: a span of amounts, or two, where one is wanted.
_TWO_AMOUNTS = re.compile(
    rf"(?:{_NUMBER})\s?(?:{_H}|{_M})?(?:\s?(?:~|-|か|or|to|/)\s?|\s)(?:{_NUMBER})\s?(?:{_H}|{_M})"
)


@dataclass(frozen=True)
class _Amount:
    """What the text says before any rule is applied: minutes (maybe a fraction, `7.1`), or a
    range and maybe its break."""

    minutes: Decimal | None
    span: Span | None = None
    break_minutes: int | None = None

    def checked(self, day: date | None) -> ParsedHours:
        if self.span is not None and self.break_minutes is not None:
            return ParsedHours(
                worked(self.span, self.break_minutes), day, self.span, self.break_minutes
            )
        if self.span is not None:
            check_minutes(self.span.minutes)
            return ParsedHours(None, day, self.span)
        assert self.minutes is not None  # noqa: S101 -- built with its minutes or its span
        return ParsedHours(check_minutes(_whole(self.minutes)), day)


def _whole(minutes: Decimal) -> int:
    if minutes != minutes.to_integral_value():
        raise InvalidInput("hours_granularity")  # 7.1 hours is 426 minutes... and 7.33 is not
    return int(minutes)


def worked(span: Span, break_minutes: int) -> int:
    """The minutes of a range less its break; a break as long as the range is refused."""
    _break_checked(break_minutes)
    if break_minutes >= span.minutes:
        raise InvalidInput(
            "hours_break_too_long", pause=duration(break_minutes), span=duration(span.minutes)
        )
    return check_minutes(span.minutes - break_minutes)


def _break_checked(minutes: int) -> int:
    if minutes % STEP_MINUTES:
        raise InvalidInput("hours_granularity")
    if minutes >= DAY_MINUTES:
        raise InvalidInput("hours_over_day", hours=duration(minutes), limit=duration(DAY_MINUTES))
    return minutes


def _amount_or_range(text: str) -> _Amount:
    if not text:
        raise InvalidInput("hours_format")
    head, pause = _split_break(text)
    span = _range(head)
    if pause == "":
        if span is None:
            raise InvalidInput("hours_break_without_times")  # 7時間休憩
        return _Amount(None, span)  # 8時から17時 休憩: how long is asked next
    if pause is not None:
        if span is None:
            minutes = _amount(head)
            if _break(pause) == 0:
                return _Amount(minutes)  # 7時間（休憩なし）: nothing to take off
            # 7時間 休憩1時間: worked 7 with the break, or 6? Asked, never guessed.
            raise InvalidInput("hours_break_without_times")
        return _Amount(None, span, _break(pause))
    if span is not None:
        return _Amount(None, span)
    return _Amount(_amount(head))


def _split_break(text: str) -> tuple[str, str | None]:
    """The range and its break: `8時から17時 休憩1時間`, `8時～17時（休憩1時間）`, or the break
    first, `休憩1時間で8時から17時`."""
    found = _BREAK_WORDS.search(text)
    if found is None:
        return text, None
    head, tail = text[: found.start()].strip(" ("), text[found.end() :].strip(" ()")
    if not head:
        pause, _, head = tail.partition(" ")
        tail = pause
    if not head:
        raise InvalidInput("hours_format")
    return head, tail


def _break(text: str) -> int:
    """A break's length as typed (bare numbers are minutes: 休憩 45); not yet checked."""
    text = re.sub(r"^[:=]\s?", "", text.strip())
    if _NO_BREAK.fullmatch(text):
        return 0
    if re.fullmatch(r"\d{1,4}", text):
        return int(text)
    minutes = _amount(text)
    if minutes != minutes.to_integral_value():
        raise InvalidInput("hours_granularity")
    return int(minutes)


def _amount(text: str) -> Decimal:
    """One amount of time in minutes: `7.5`, `7:30`, `7時間30分`, `7時間半`, `45分`, `7h 30m`."""
    text = text.strip()
    if match := _COLON.fullmatch(text):
        return Decimal(_hm(match.group(1), match.group(2)))
    if match := _HOURS_MINUTES.fullmatch(text):
        return Decimal(_hm(match.group(1), match.group(2)))
    if match := _HOURS_HALF.fullmatch(text):
        return Decimal(int(match.group(1)) * 60 + 30)
    if match := _MINUTES.fullmatch(text):
        return Decimal(match.group(1))
    if match := _DECIMAL.fullmatch(text):
        try:
            return Decimal(match.group(1)) * 60
        except InvalidOperation:  # the pattern admits only plain decimals; kept for safety
            raise InvalidInput("hours_format") from None
    if _ONE_CLOCK.fullmatch(text) and re.search(rf"時|{_AMPM}", text):
        raise InvalidInput("hours_clock_time", time=text)
    if _TWO_AMOUNTS.fullmatch(text):
        raise InvalidInput("hours_one_amount")
    raise InvalidInput("hours_format")


def _hm(hours: str, minutes: str) -> int:
    if int(minutes) >= 60:
        raise InvalidInput("hours_minutes_over")
    return int(hours) * 60 + int(minutes)


def _range(text: str) -> Span | None:
    """`8時から17時`, `9:00-15:30`, `午後1時から5時`, `22時から翌6時`; None when not a range."""
    match = _RANGE.fullmatch(text)
    if match is None:
        return None
    marked = any(match.group(f"{p}{g}") for p in "ab" for g in ("m", "mm", "half", "pre", "post"))
    marked = marked or "時" in text
    bare_b = int(match.group("bh"))
    # 8-17 can only be times; 7-8 may be "seven or eight hours".
    plausible = bare_b > int(match.group("ah")) and bare_b > 12
    if not marked and match.group("to") in ("-", "~") and not plausible:
        raise InvalidInput("hours_one_amount")
    start, start_pm = _clock(match, "a")
    end, end_pm = _clock(match, "b")
    if match.group("bnext"):
        end += DAY_MINUTES
    elif end <= start:
        end = _end_after(start, end, start_pm=start_pm, end_marked=end_pm is not None)
    return Span(start, end)


def _end_after(start: int, end: int, *, start_pm: bool | None, end_marked: bool) -> int:
    """An end at or before the start: the same end on the 12-hour clock (5 after 午後1時 is
    17:00, 12 after 夜9時 is midnight), or the next morning (22時から6時)."""
    if end == start:
        raise InvalidInput("hours_range_empty")
    twelve_hour = end + HALF_DAY if end < HALF_DAY else DAY_MINUTES if end == HALF_DAY else None
    if not end_marked and twelve_hour is not None and twelve_hour > start:
        if start_pm is not None:
            return twelve_hour  # the start said 午前/午後/朝/夜: the end speaks the same clock
        # 9時から5時: 17時, or 5 the next morning (20 hours)? Asked, never guessed.
        raise InvalidInput("hours_range_ambiguous", end=end // 60, pm=end // 60 + 12)
    return end + DAY_MINUTES  # 22時から6時: overnight


def _clock(match: re.Match[str], p: str) -> tuple[int, bool | None]:
    """Minutes after midnight of one end of a range, and whether it was marked pm (None: not
    marked at all)."""
    hour = int(match.group(f"{p}h"))
    minute = int(match.group(f"{p}m") or match.group(f"{p}mm") or 0)
    if match.group(f"{p}half"):
        minute = 30
    marks = [m for m in (match.group(f"{p}pre"), match.group(f"{p}post")) if m]
    pm: bool | None = None
    if marks:
        pm = marks[0].startswith(("午後", "夕方", "夜", "p"))
        if (hour > 12 and not pm) or hour > 23:
            raise InvalidInput("hours_format")  # 午前15時
        if hour < 12 and pm:
            hour += 12
        elif hour == 12 and not pm:
            hour = 0  # 12 a.m. is midnight
    if minute >= 60:
        raise InvalidInput("hours_minutes_over")
    if hour > 24 or (hour == 24 and minute):
        raise InvalidInput("hours_format")
    return hour * 60 + minute, pm
