"""Transcripts of hours written the way people write them (issue 15): everyday Japanese and
English, a time range with its break, the exact reason of each refusal, hours shown as
`7時間30分`, two kinds of work at one centre on one day, and "worked as planned" on a shift."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.hours import ReportStatus, duration
from bot.domain.hours_parser import parse_hours
from bot.domain.replies import msg
from tests.fixtures.hours import TODAY, reports, tap_report
from tests.fixtures.people import (
    HANAKO,
    MARIA,
    REFUSED_JA,
    TANAKA,
    audited,
    demo,
    person_id,
    plain,
)

YESTERDAY = date(2026, 11, 21)
TOKYO = ZoneInfo("Asia/Tokyo")
LANGUAGES = ["ja", "en", "ja-easy"]


@pytest.fixture
async def demo_chat(chat, memory_store, clock):
    await demo(memory_store, clock)
    return chat


async def send_to_centre(chat, user, typed: str, centre: str = "清掃・港ビル清掃センター"):
    """Types a report that names its day, picks the centre, and sends it."""
    asked = await chat.send(user, typed)
    assert "どこで、どんな仕事をしましたか" in asked.text, asked.text
    confirm = await chat.tap(user, centre)
    sent = await chat.tap(user, "送信する")
    return confirm, sent


# Everyday Japanese ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "day", "minutes"),
    [
        ("きょう ８じかん", TODAY, 480),
        ("昨日は7時間働きました", YESTERDAY, 420),
        ("今日は七時間半", TODAY, 450),
        ("きのう しちじかんはん", YESTERDAY, 450),
        ("11月21日(土) 6時間", YESTERDAY, 360),
        ("今日の勤務は5時間45分でした。", TODAY, 345),
        ("土曜日 4時間", YESTERDAY, 240),
    ],
)
async def test_everyday_japanese_with_a_day_goes_straight_to_the_centre(
    demo_chat, memory_store, typed, day, minutes
):
    await send_to_centre(demo_chat, TANAKA, typed)
    [report] = reports(memory_store, TANAKA.id)
    assert (report.day, report.minutes) == (day, minutes)


@pytest.mark.parametrize("typed", ["7時間半", "七時間", "ななじかん", "７．５時間"])
async def test_everyday_hours_alone_ask_for_the_day(demo_chat, typed):
    turn = await demo_chat.send(TANAKA, typed)
    assert "いつの勤務ですか" in turn.text


async def test_a_time_range_asks_for_the_break_and_takes_it_off(demo_chat, memory_store):
    asked = await demo_chat.send(TANAKA, "8時から17時")
    assert "8:00〜17:00（9時間）" in asked.text
    assert "休憩は何分でしたか？" in asked.text
    labels = [label for label, _ in asked.buttons]
    assert labels[:4] == ["なし", "30分", "45分", "60分"]
    day = await demo_chat.tap(TANAKA, "60分")
    assert "いつの勤務ですか" in day.text
    await demo_chat.tap(TANAKA, "今日 11月22日（日）")
    confirm = await demo_chat.tap(TANAKA, "清掃・港ビル清掃センター")
    assert "⏱ 8時間" in confirm.text
    assert "8:00〜17:00、休憩60分" in confirm.text
    await demo_chat.tap(TANAKA, "送信する")
    [report] = reports(memory_store, TANAKA.id)
    assert (report.day, report.minutes) == (TODAY, 480)


async def test_a_break_may_be_typed_and_a_range_with_its_break_needs_no_question(
    demo_chat, memory_store
):
    await demo_chat.send(MARIA, "9:00-15:30")
    typed = await demo_chat.send(MARIA, "45 min")
    assert "Which day did you work?" in typed.text
    await demo_chat.tap(MARIA, "Today")
    confirm = await demo_chat.tap(MARIA, "Elderly day care · Chuo Care Centre")
    assert "⏱ 5 h 45 min" in confirm.text
    await demo_chat.tap(MARIA, "Send")
    inline = await demo_chat.send(TANAKA, "昨日 8時から17時 休憩1時間")
    assert "どこで、どんな仕事をしましたか" in inline.text
    await demo_chat.tap(TANAKA, "清掃・港ビル清掃センター")
    await demo_chat.tap(TANAKA, "送信する")
    assert [(r.day, r.minutes) for r in reports(memory_store, TANAKA.id)] == [(YESTERDAY, 480)]


async def test_a_range_typed_inside_the_dialog_asks_for_the_break_there(demo_chat, memory_store):
    await demo_chat.press(TANAKA, "hr")
    await demo_chat.tap(TANAKA, "今日 11月22日（日）")
    await demo_chat.tap(TANAKA, "清掃・港ビル清掃センター")
    await demo_chat.tap(TANAKA, "ほかの時間")
    asked = await demo_chat.send(TANAKA, "9時半から12時")
    assert "9:30〜12:00（2時間30分）" in asked.text
    too_long = await demo_chat.send(TANAKA, "3時間")
    assert "休憩（3時間）が、働いた時間（2時間30分）と同じか長くなっています" in too_long.text
    confirm = await demo_chat.tap(TANAKA, "なし")
    assert "⏱ 2時間30分" in confirm.text
    await demo_chat.tap(TANAKA, "送信する")
    assert [r.minutes for r in reports(memory_store, TANAKA.id)] == [150]


EVERY_REFUSAL = [
    ("明日 8時間", "11月23日（月）はまだ来ていません。その日になってから報告してください。"),
    ("あした ８じかん", "11月23日（月）はまだ来ていません。"),
    ("12/8 8", "12月8日（火）はまだ来ていません。"),
    ("10/1 8", "10月22日（木）より前の勤務は報告できません（31日前まで）"),
    ("26時間", "1日は24時間までです。26時間は報告できません。"),
    ("0時間", "0時間は報告できません"),
    ("8時", "8時は時刻のようです"),
    ("9時から5時", "「5時」が午後5時（17時）のことか、翌朝のことか分かりませんでした"),
    ("7〜8時間", "幅ではなく、1つの時間で書いてください"),
    ("昨日7時間、今日8時間", "1回に報告できるのは1日分です"),
    ("11月20日(木) 6時間", "日付と曜日が合いません。11月20日（金）です。"),
    ("7時間75分", "分は59分までで書いてください"),
]


@pytest.mark.parametrize(("typed", "answer"), EVERY_REFUSAL)
async def test_each_refusal_says_exactly_why(demo_chat, memory_store, typed, answer):
    turn = await demo_chat.send(TANAKA, typed)
    assert answer in turn.text, turn.text
    assert reports(memory_store) == []


REFUSED = [typed for typed, _ in EVERY_REFUSAL]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", REFUSED)
async def test_each_refusal_s_reason_in_each_language(
    demo_chat, i18n, memory_store, typed, language
):
    """The reason the parser gives, as the person's language's catalog words it."""
    with pytest.raises(InvalidInput) as refused:
        parse_hours(unicodedata.normalize("NFKC", typed), TODAY, 31)
    code, details = refused.value.code, refused.value.details
    if language != "ja":
        await demo_chat.press(TANAKA, f"lang:{language}")
    turn = await demo_chat.send(TANAKA, typed)
    assert i18n.text(f"hours.error.{code}", language, details) in turn.text, turn.text
    assert reports(memory_store) == []


@pytest.mark.parametrize(
    ("user", "language", "typed", "said"),
    [
        (TANAKA, "ja", "あした ８じかん", "11月23日（月）はまだ来ていません。"),
        (
            MARIA,
            "en",
            "tomorrow 8 hours",
            "Mon, Nov 23 hasn't come yet: you can report it once the day has come.",
        ),
        (TANAKA, "ja-easy", "あした 8じかん", "11月23日（月）は、まだ来ていません。"),
    ],
    ids=LANGUAGES,
)
async def test_a_refusal_for_a_day_not_yet_come_in_each_language(
    demo_chat, i18n, user, language, typed, said
):
    if language != user.language:
        await demo_chat.press(user, f"lang:{language}")
    turn = await demo_chat.send(user, typed)
    assert said in turn.text
    assert i18n.text("hours.error.date_future", language, {"day": date(2026, 11, 23)}) in turn.text


async def test_a_day_total_over_24_hours_names_both_amounts(demo_chat, memory_store):
    await send_to_centre(demo_chat, TANAKA, "今日 16時間")
    await demo_chat.send(TANAKA, "今日 9時間")
    await demo_chat.tap(TANAKA, "保育・子育て支援・中央ケアセンター")
    refused = await demo_chat.tap(TANAKA, "送信する")
    over = "この日はすでに16時間報告しています。9時間を足すと1日の24時間を超えます。"
    assert over in refused.text


# Hours as people say them ---------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
async def test_hours_and_minutes_as_people_say_them_in_each_language(demo_chat, i18n, language):
    """5.75 hours typed: the draft shows 5時間45分 / 5 h 45 min, Easy Japanese as Japanese."""
    if language != "ja":
        await demo_chat.press(TANAKA, f"lang:{language}")
    await demo_chat.send(TANAKA, "今日 5.75")
    centre = "Chuo Care Centre" if language == "en" else "中央ケアセンター"
    place = {"kind": msg("work.childcare"), "centre": centre}
    confirm = await demo_chat.tap(TANAKA, i18n.text("hours.option", language, place))
    shown = i18n.format_value(duration(345), language)
    assert shown == {"ja": "5時間45分", "en": "5 h 45 min", "ja-easy": "5時間45分"}[language]
    assert f"⏱ {shown}" in confirm.text


async def test_hours_are_shown_in_hours_and_minutes_everywhere(demo_chat, memory_store):
    confirm, sent = await send_to_centre(demo_chat, TANAKA, "今日 5.75")
    assert "⏱ 5時間45分" in confirm.text
    assert "✅ 報告しました：11月22日（日） 5時間45分。" in sent.text
    month = await demo_chat.tap(TANAKA, "今月の勤務")
    assert "⏳ 承認待ち：5時間45分" in month.text
    assert "11月22日（日） 5時間45分・港ビル清掃センター（承認待ち）" in month.text
    queue = await demo_chat.press(HANAKO, "hrq")
    assert "⏱ 5時間45分" in queue.text
    [report] = reports(memory_store, TANAKA.id)
    asked = await demo_chat.press(HANAKO, f"hr:a:{report.id}")
    assert "5時間45分" in asked.text  # the confirmation names the hours as people say them
    await demo_chat.tap(HANAKO, "はい、承認します")
    demo_chat.wait(minutes=5)  # told once the approval can no longer be undone
    notice = demo_chat.delivered[TANAKA.id][-1].text
    assert "勤務時間が承認されました：11月22日（日） 5時間45分（港ビル清掃センター）" in notice
    await tap_report(demo_chat, MARIA, hours="hr:h:120")
    en = await demo_chat.tap(MARIA, "My month")
    assert "⏳ Pending: 2 h" in plain(en.text)
    await demo_chat.send(MARIA, "yesterday 30 min")
    await demo_chat.tap(MARIA, "Elderly day care · Chuo Care Centre")
    sent_en = await demo_chat.tap(MARIA, "Send")
    assert "✅ Reported: Sat, Nov 21, 30 min." in sent_en.text


# Two kinds of work at one centre ---------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
async def test_two_kinds_at_one_centre_in_each_language(demo_chat, memory_store, i18n, language):
    """The same as below, read in each language: both kept, the same kind again is asked about."""
    if language != "ja":
        await demo_chat.press(TANAKA, f"lang:{language}")

    def option(kind: str) -> str:
        centre = "Chuo Care Centre" if language == "en" else "中央ケアセンター"
        return i18n.text("hours.option", language, {"kind": msg(f"work.{kind}"), "centre": centre})

    send = i18n.text("button.hours_send", language)
    for typed, kind in (
        ("今日 4時間", "childcare"),
        ("今日 2時間", "elderly_care"),
        ("今日 3時間", "childcare"),
    ):
        await demo_chat.send(TANAKA, typed)
        await demo_chat.tap(TANAKA, option(kind))
        last = await demo_chat.tap(TANAKA, send)
    kept = reports(memory_store, TANAKA.id)
    assert [(r.kind, r.minutes) for r in kept] == [("childcare", 240), ("elderly_care", 120)]
    asked = i18n.text(
        "hours.duplicate",
        language,
        {
            "day": TODAY,
            "centre": "Chuo Care Centre" if language == "en" else "中央ケアセンター",
            "kind": msg("work.childcare"),
            "hours": duration(240),
            "status": msg("hours.status.pending"),
        },
    )
    assert asked in last.text


async def test_two_kinds_of_work_at_one_centre_on_one_day_are_both_kept(demo_chat, memory_store):
    await send_to_centre(demo_chat, TANAKA, "今日 4時間", "保育・子育て支援・中央ケアセンター")
    _, second = await send_to_centre(
        demo_chat, TANAKA, "今日 2時間", "高齢者デイサービス・中央ケアセンター"
    )
    assert "✅ 報告しました" in second.text and "置き換え" not in second.text
    kept = reports(memory_store, TANAKA.id)
    assert [(r.kind, r.minutes, r.status) for r in kept] == [
        ("childcare", 240, ReportStatus.PENDING),
        ("elderly_care", 120, ReportStatus.PENDING),
    ]
    await demo_chat.send(TANAKA, "今日 3時間")
    await demo_chat.tap(TANAKA, "保育・子育て支援・中央ケアセンター")
    same_kind = await demo_chat.tap(TANAKA, "送信する")
    assert "11月22日（日）の中央ケアセンターの保育・子育て支援は、すでに4時間で報告しています" in (
        same_kind.text
    )
    assert any("置き換える" in label for label, _ in same_kind.buttons)


# Worked as planned ---------------------------------------------------------------------------


async def test_worked_as_planned_reports_a_shift_in_two_taps(demo_chat, memory_store, clock):
    before = await demo_chat.press(TANAKA, "shifts")
    assert "予定どおり" not in before.text  # the 8:00-12:00 shift is not over at 9:00
    clock.advance(hours=4)  # 13:00 in Tokyo
    shifts = await demo_chat.press(TANAKA, "shifts")
    assert "<b>報告がまだの勤務</b>" in shifts.text
    confirm = await demo_chat.tap(TANAKA, "✅ 11月22日（日） 8:00 予定どおり働いた")
    assert "シフトの予定どおり：8:00〜12:00" in confirm.text
    assert "📅 11月22日（日）" in confirm.text and "⏱ 4時間" in confirm.text
    assert "🏢 港ビル清掃センター" in confirm.text and "🧰 清掃" in confirm.text
    assert reports(memory_store) == []  # nothing is reported before Send
    await demo_chat.tap(TANAKA, "送信する")
    [report] = reports(memory_store, TANAKA.id)
    assert (report.day, report.minutes, report.kind, report.centre_id) == (
        TODAY,
        240,
        "cleaning",
        2,
    )
    again = await demo_chat.press(TANAKA, "shifts")
    assert "予定どおり" not in again.text


async def test_who_else_on_a_shift_that_is_over_offers_worked_as_planned(demo_chat, clock):
    clock.advance(hours=4)  # 13:00 in Tokyo: the 8:00-12:00 shift is over
    await demo_chat.press(TANAKA, "shifts")
    who = await demo_chat.tap(TANAKA, "👥 11月22日（日） 8:00")
    labels = [label for label, _ in who.buttons]
    assert "✅ 11月22日（日） 8:00 予定どおり働いた" in labels
    assert "🙅 行けなくなりました" not in labels  # a shift that is over cannot be given up


@pytest.mark.parametrize("language", LANGUAGES)
async def test_worked_as_planned_in_each_language(demo_chat, memory_store, clock, i18n, language):
    """Tanaka's 8:00-12:00 shift, reported with one tap and Send in the language he reads."""
    if language != "ja":
        await demo_chat.press(TANAKA, f"lang:{language}")
    clock.advance(hours=4)  # 13:00 in Tokyo: the shift is over
    shifts = await demo_chat.press(TANAKA, "shifts")
    assert i18n.text("shifts.unreported", language) in shifts.text
    start = datetime(2026, 11, 22, 8, 0, tzinfo=TOKYO)
    label = i18n.text("shifts.planned_button", language, {"start": start})
    confirm = await demo_chat.tap(TANAKA, label)
    planned = {"start": start, "end": datetime(2026, 11, 22, 12, 0, tzinfo=TOKYO)}
    assert i18n.text("hours.confirm_planned", language, planned) in confirm.text
    assert f"⏱ {i18n.format_value(duration(240), language)}" in confirm.text  # 4時間 / 4 h
    await demo_chat.tap(TANAKA, i18n.text("button.hours_send", language))
    [report] = reports(memory_store, TANAKA.id)
    assert (report.day, report.minutes, report.kind) == (TODAY, 240, "cleaning")


async def test_worked_as_planned_in_english_and_for_yesterdays_shift(
    demo_chat, memory_store, clock
):
    clock.advance(days=1, hours=8)  # Monday 17:00: Sunday's 9:00-15:00 shift is yesterday's
    shifts = await demo_chat.press(MARIA, "shifts")
    assert "<b>Not reported yet</b>" in shifts.text
    confirm = await demo_chat.tap(MARIA, "Sun, Nov 22, 9:00")
    assert "As planned on the shift: 9:00 AM – 3:00 PM" in plain(confirm.text)
    assert "⏱ 6 h" in confirm.text
    await demo_chat.tap(MARIA, "Send")
    [report] = reports(memory_store, MARIA.id)
    assert (report.day, report.minutes) == (TODAY, 360)


async def test_worked_as_planned_refuses_a_shift_not_over_or_not_ones_own(demo_chat, memory_store):
    state = memory_store.state
    tanaka = person_id(memory_store, TANAKA.id)
    on_it = {sid for sid, who in state.shift_assignments if who == tanaka}
    others = min(sid for sid in state.shifts if sid not in on_it)
    refused = await demo_chat.press(TANAKA, f"hr:plan:{others}")
    assert refused.toast == REFUSED_JA
    assert audited(memory_store)[-1] == ("hours.shift_refused", f"shift:{others}")
    early = await demo_chat.press(TANAKA, f"hr:plan:{min(on_it)}")
    assert "このシフトはまだ終わっていません（11月22日（日） 12:00まで）。" in early.text
    assert reports(memory_store) == []
