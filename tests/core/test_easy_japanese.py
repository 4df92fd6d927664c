"""Easy Japanese (やさしい日本語, `ja-easy`): offered at the first /start and in /language,
only ever a person's choice, its own catalogs, Japanese dates and numbers, and the Japanese of
what staff write for its readers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.domain.broadcasts import Audience, AudienceKind, BroadcastKind, Draft
from bot.domain.coop import pick
from bot.domain.people import NewPerson, Person, Role
from bot.i18n import SUPPORTED, I18n, resolve_locale
from handlers.line.richmenus import menu_for
from kyodo.app import register_commands
from tests.fakes.chat import User
from tests.fakes.gateway import FakeGateway
from tests.fixtures.people import TANAKA, demo

HANAKO = User(201, "花子", "ja")
JOHN = User(202, "John", "en")
AHMED = User(203, "Ahmed", None)


async def test_the_first_start_offers_three_languages_and_easy_japanese_is_then_spoken(
    chat, memory_store
):
    turn = await chat.send(AHMED, "/start")
    labels = [label for label, _ in turn.buttons]
    assert [label for label in labels if label in ("日本語", "やさしい にほんご", "English")] == [
        "日本語",
        "やさしい にほんご",
        "English",
    ]
    assert "🌐 言語 / Language" not in labels  # the three stand in its place
    assert len(turn.messages) == 1  # its menu is still the latest screen

    turn = await chat.tap(AHMED, "やさしい にほんご")
    assert "これから、やさしい日本語で書きます。" in turn.text
    assert "🤝 サービスを使いたい" in [label for label, _ in turn.buttons]
    [person] = memory_store.state.people.values()
    assert person.locale == "ja-easy"

    turn = await chat.send(AHMED, "/help")
    assert "ボタンを押すだけで使えます。" in turn.text
    turn = await chat.send(AHMED, "/mydata")
    assert "ことば：やさしい にほんご" in turn.text  # its name, not the code ja-easy
    turn = await chat.send(AHMED, "/cancel")
    assert "やめることは、ありません。" in turn.text
    # Chosen: a later /start is the plain welcome, its menu with one Language button.
    turn = await chat.send(AHMED, "/start")
    assert "🌐 ことば / Language" in [label for label, _ in turn.buttons]
    assert "やさしい にほんご" not in [label for label, _ in turn.buttons]


async def test_language_offers_three_choices_and_switches_between_them(chat, memory_store):
    turn = await chat.send(HANAKO, "/language")
    assert [label for label, _ in turn.buttons] == ["日本語", "やさしい にほんご", "English"]
    turn = await chat.press(HANAKO, turn.data_for("やさしい"))
    assert "やさしい日本語" in turn.text
    turn = await chat.send(HANAKO, "/language")
    assert "ことばを選んでください。" in turn.text
    turn = await chat.press(HANAKO, turn.data_for("日本語"))
    assert "これから日本語でご案内します。" in turn.text
    [person] = memory_store.state.people.values()
    assert person.locale == "ja"


async def test_a_forged_language_is_refused(chat, memory_store):
    turn = await chat.press(HANAKO, "lang:ja-kids")
    assert memory_store.state.people == {} or all(
        p.locale is None for p in memory_store.state.people.values()
    )
    assert "やさしい" not in turn.text


async def test_staff_reading_easy_japanese_see_dates_formatted_in_japanese(
    chat, memory_store, clock
):
    async with memory_store.uow() as uow:
        staff = NewPerson(
            telegram_user_id=JOHN.id,
            display_name="John",
            telegram_language="en",
            created_at=clock.now(),
            roles=frozenset({Role.STAFF}),
        )
        await uow.people.add(staff)
        await uow.commit()
    turn = await chat.send(JOHN, "/language")
    turn = await chat.press(JOHN, turn.data_for("やさしい"))
    assert "<b>スタッフのメニュー</b>" in turn.text
    turn = await chat.tap(JOHN, "組合員（くみあいいん）をよぶ")
    assert "招待（しょうたい）コードです。" in turn.text
    assert "11月25日（水） 9:00まで使えます。" in turn.text


def test_dates_numbers_and_months_are_japanese(i18n: I18n):
    day = date(2026, 11, 22)
    assert i18n.date(day, "ja-easy") == i18n.date(day, "ja") == "11月22日（日）"
    at = datetime(2026, 11, 22, 5, 30, tzinfo=UTC)
    assert i18n.datetime(at, "ja-easy") == "11月22日（日） 14:30"
    assert i18n.number(1234.5, "ja-easy") == "1,234.5"
    assert i18n.text("hours.month_title", "ja-easy", {"month": day}) == "📊 <b>2026年11月の仕事</b>"


def test_easy_japanese_is_only_ever_chosen():
    assert "ja-easy" in SUPPORTED
    assert resolve_locale("ja-easy", "en", "en") == "ja-easy"
    for telegram in ("ja", "ja-JP", "ja-easy", "JA"):
        assert resolve_locale(None, telegram, "en") == "ja"


def test_its_readers_get_what_staff_wrote_in_japanese():
    draft = Draft(
        Audience(AudienceKind.MEMBERS), BroadcastKind.NEWS, "台風のため休みます", "Closed: typhoon"
    )
    assert draft.text_for("ja-easy") == "台風のため休みます"
    assert pick("ja-easy", "第5回総会", "5th assembly") == "第5回総会"


def test_a_key_its_catalogs_lack_reads_as_japanese_not_as_the_key(tmp_path):
    for lang, entries in (("ja", ("a", "b")), ("en", ("a", "b")), ("ja-easy", ("a",))):
        base = tmp_path / lang / "LC_MESSAGES"
        base.mkdir(parents=True)
        text = 'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n'
        for key in entries:
            text += f'\nmsgid "{key}"\nmsgstr "{key}-{lang}"\n'
        (base / "kyodo.po").write_text(text, encoding="utf-8")
    i18n = I18n(ZoneInfo("Asia/Tokyo"), directory=tmp_path)
    assert i18n.text("a", "ja-easy") == "a-ja-easy"
    assert i18n.text("b", "ja-easy") == "b-ja"


async def test_telegram_is_given_command_menus_for_two_letter_codes_only(i18n: I18n):
    """setMyCommands takes ISO 639-1 codes: Easy Japanese readers see the Japanese menu."""
    gateway = FakeGateway()
    await register_commands(gateway, i18n, "ja")
    assert set(gateway.commands) == {None, "ja", "en"}
    assert ("language", "日本語 / やさしい にほんご / English") in gateway.commands["ja"]


def test_its_readers_get_the_japanese_line_menu():
    reader = Person(
        id=1,
        telegram_user_id=None,
        display_name="Ahmed",
        locale="ja-easy",
        telegram_language="en",
        roles=frozenset({Role.MEMBER}),
        created_at=datetime(2026, 12, 7, tzinfo=UTC),
    )
    assert menu_for(reader, "en") == menu_for(replace(reader, locale="ja"), "en")
    assert menu_for(reader, "en") == "kyodo-member-ja"


async def tap_through(chat, user: User, steps: tuple[tuple[str | None, str, str | None], ...]):
    """(label to tap or None, what the screen then says, or text typed when the label is None)."""
    for label, expect, typed in steps:
        turn = await (chat.tap(user, label) if label else chat.send(user, typed or ""))
        assert expect in turn.text, (label or typed, turn.text)
    return turn


async def test_a_member_does_the_five_common_tasks_in_easy_japanese(chat, memory_store, clock):
    """The README's five tasks (tests/core/test_taps_table.py) as Tanaka does them once he has
    chosen やさしい にほんご: every screen is in Easy Japanese, and each task did its work."""
    await demo(memory_store, clock)
    clock.advance(hours=4)  # 13:00 on Sunday: the morning's shift is over, a day to report
    turn = await chat.send(TANAKA, "/language")
    await chat.press(TANAKA, turn.data_for("やさしい"))
    state = memory_store.state

    clock.advance(minutes=2)  # a person's pace: not a flood of messages
    await chat.send(TANAKA, "/menu")
    # The first tap is a key of the short menu under the chat (tests/core/test_short_menu.py).
    assert "いつ働きましたか？" in (await chat.key(TANAKA, "じかん")).text
    await tap_through(
        chat,
        TANAKA,
        (
            ("今日", "どこで、どんな仕事をしましたか？", None),
            ("そうじ・港ビル清掃センター", "何時間働きましたか？", None),
            ("4時間", "これを送りますか？", None),
            ("送る", "スタッフが見て、承認（しょうにん）します。", None),
        ),
    )
    assert [r.minutes for r in state.hour_reports.values()] == [240]

    clock.advance(minutes=2)  # a person's pace: not a flood of messages
    await chat.send(TANAKA, "/menu")
    assert "あなたのシフト" in (await chat.key(TANAKA, "シフト")).text

    before = len(state.shift_assignments)
    clock.advance(minutes=2)
    await tap_through(
        chat,
        TANAKA,
        (
            ("11月24日（火） 8:00 にいっしょに働く人", "11月24日（火） 8:00〜12:00", None),
            ("行けなくなった", "ほんとうに、このシフトから外れますか？", None),
            ("はい、外れます", "このシフトから外れました。", None),
        ),
    )
    assert len(state.shift_assignments) == before - 1

    clock.advance(minutes=2)  # a person's pace: not a flood of messages
    await chat.send(TANAKA, "/menu")
    assert "総会（そうかい）のお知らせ" in (await chat.key(TANAKA, "そうかい")).text
    await tap_through(
        chat,
        TANAKA,
        (
            ("第12回 通常総会", "定足数（ていそくすう）", None),
            ("出ます", "答えを受け取りました。", None),
        ),
    )
    assert [a.rsvp.value for a in state.assembly_answers.values()] == ["attending"]

    clock.advance(minutes=2)  # a person's pace: not a flood of messages
    await chat.send(TANAKA, "/menu")
    await tap_through(
        chat,
        TANAKA,
        (
            ("困", "スタッフが手伝", None),
            ("スタッフに書", "スタッフへのメッセージを書", None),
            (None, "スタッフに送", "電話で相談したいです"),
        ),
    )
