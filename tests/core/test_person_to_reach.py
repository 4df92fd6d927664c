"""Transcripts of "a person to reach" (issue 15): the co-op's phone and office hours in /help, on
every error and refusal of the core, after a refused consent and with a reference number; the
"困ったとき / I need help" button of every menu. In Japanese, English and Easy Japanese."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.config import ConfigError, load_settings
from bot.dialogs.engine import DialogSettings
from bot.domain.contact import Contact, parse_office_hours
from bot.domain.people import Actor
from bot.rendering import Renderer
from bot.services import requests as request_service
from tests.fakes.chat import ChatHarness, User
from tests.fixtures.core import conversation_on
from tests.fixtures.people import HANAKO, MARIA, TANAKA, TOME, demo

ANN = User(5001, "Ann Smith", "en")  # a stranger whose Telegram is in English
PHONE = "03-1234-5678"
HOURS = parse_office_hours("mon-fri 09:00-17:00; sat 09:00-12:00")
HOURS_JA = "月〜金 9:00〜17:00、土 9:00〜12:00"
HOURS_EN = "Mon–Fri 9:00–17:00; Sat 9:00–12:00"
# What each language says of the phone, and its help button's label.
CALL = {
    "ja": f"📞 お電話でもご相談いただけます：{PHONE}（受付：{HOURS_JA}）",
    "en": f"📞 You can also call us: {PHONE} ({HOURS_EN})",
    "ja-easy": f"📞 電話（でんわ）でも話（はな）せます。{PHONE}",
}
HELP_BUTTON = {"ja": "🆘 困ったとき", "en": "🆘 I need help", "ja-easy": "🆘 困（こま）ったとき"}


def settings_with(contact: Contact | None) -> DialogSettings:
    return DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
        contact=contact,
    )


@pytest.fixture
async def reach(memory_store, i18n, clock):
    """The demo co-op, whose phone and office hours are set."""
    await demo(memory_store, clock)
    settings = settings_with(Contact(PHONE, HOURS))
    return ChatHarness(
        memory_store, conversation_on(memory_store, Renderer(i18n), settings, clock), clock
    )


# --- The settings ---------------------------------------------------------------------------


def test_the_phone_and_office_hours_are_settings():
    settings = load_settings(
        {
            "KYODO_COOP_PHONE": " 03-1234-5678 ",
            "KYODO_OFFICE_HOURS": "Mon-Fri 9:00-17:00;sat 09:00-12:00",
        }
    )
    assert settings.coop_phone == PHONE
    assert settings.office_hours == HOURS
    unset = load_settings({})
    assert (unset.coop_phone, unset.office_hours) == (None, None)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("KYODO_COOP_PHONE", "call us"),
        ("KYODO_COOP_PHONE", "12"),
        ("KYODO_OFFICE_HOURS", "weekdays 9-5"),
        ("KYODO_OFFICE_HOURS", "fri-mon 09:00-17:00"),
        ("KYODO_OFFICE_HOURS", "mon 17:00-09:00"),
        ("KYODO_OFFICE_HOURS", "mon 25:00-26:00"),
    ],
)
def test_a_bad_phone_or_office_hours_stops_kyodo_naming_the_key(key, value):
    with pytest.raises(ConfigError, match=key):
        load_settings({key: value})


# --- /help and the I need help button -----------------------------------------------------


async def test_help_gives_the_phone_and_office_hours_in_japanese(reach):
    answer = await reach.send(TANAKA, "/help")
    assert f"📞 お電話でもご相談いただけます：{PHONE}（受付：{HOURS_JA}）" in answer.text
    assert "🆘 困ったとき" in [label for label, _ in answer.buttons]


async def test_help_gives_the_phone_and_office_hours_in_english(reach):
    answer = await reach.send(MARIA, "/help")
    assert f"📞 You can also call us: {PHONE} ({HOURS_EN})" in answer.text


async def reading(chat, user: User, language: str) -> None:
    """The user reads Kyodo in `language`: Easy Japanese is only ever chosen (/language)."""
    if language != user.language:
        await chat.press(user, f"lang:{language}")


@pytest.mark.parametrize(
    ("user", "language"),
    [
        (TANAKA, "ja"),
        (MARIA, "en"),
        (HANAKO, "ja"),
        (TOME, "ja"),
        (ANN, "en"),
        (TANAKA, "ja-easy"),
        (HANAKO, "ja-easy"),
        (TOME, "ja-easy"),
    ],
)
async def test_every_role_s_menu_has_the_i_need_help_button(reach, user, language):
    await reading(reach, user, language)
    menu = await reach.send(user, "/menu")
    labels = [label for label, _ in menu.buttons]
    assert HELP_BUTTON[language] in labels
    pressed = await reach.tap(user, "🆘")
    assert PHONE in pressed.text
    assert HELP_BUTTON[language].removeprefix("🆘 ") in pressed.text


async def test_without_a_phone_set_help_says_no_number(memory_store, i18n, clock):
    await demo(memory_store, clock)
    conversation = conversation_on(memory_store, Renderer(i18n), settings_with(None), clock)
    chat = ChatHarness(memory_store, conversation, clock)
    answer = await chat.send(TANAKA, "/help")
    assert "📞" not in answer.text
    pressed = await chat.tap(TANAKA, "🆘")
    assert "📞" not in pressed.text and "困ったとき" in pressed.text


# --- Errors and refusals --------------------------------------------------------------------


async def test_a_refusal_gives_the_phone(reach):
    refused = await reach.press(TANAKA, "hrq")  # staff's review list, pressed by a member
    assert "申し訳ありませんが、その操作は行えません。" in refused.text
    assert f"{PHONE}（受付：{HOURS_JA}）" in refused.text
    refused = await reach.press(MARIA, "hrq")
    assert f"{PHONE} ({HOURS_EN})" in refused.text


async def test_an_unknown_command_and_a_forged_button_give_the_phone(reach):
    unknown = await reach.send(TANAKA, "/denwa")
    assert "/denwa" in unknown.text and PHONE in unknown.text
    forged = await reach.press(MARIA, "zz:forged")
    assert PHONE in forged.text and "🆘 I need help" in [label for label, _ in forged.buttons]


async def test_text_too_long_gives_the_phone(reach):
    answer = await reach.send(MARIA, "a" * 1001)
    assert "1,001" in answer.text and PHONE in answer.text


# --- Consent refused, a reference number ------------------------------------------------------


async def _to_consent(chat, user: User):
    await chat.press(user, "svc")
    await chat.press(user, "rq:cat:elderly_care")
    await chat.press(user, "rq:k:home_help")
    await chat.press(user, "rq:w:self")
    await chat.press(user, "rq:d:20261124")
    await chat.press(user, "rq:d:ok")
    await chat.press(user, "rq:t:morning")
    return await chat.press(user, "rq:a:chuo")


@pytest.mark.parametrize(
    ("user", "language"),
    [(TOME, "ja"), (ANN, "en"), (TOME, "ja-easy")],
    ids=["ja", "en", "ja-easy"],
)
async def test_refusing_consent_says_whom_to_ask(reach, i18n, user, language):
    await reading(reach, user, language)
    await _to_consent(reach, user)
    refused = await reach.press(user, "rq:ok:no")
    assert i18n.text("help.after_refusal", language) in refused.text
    assert CALL[language] in refused.text
    assert HELP_BUTTON[language] in [label for label, _ in refused.buttons]


async def _send_request(chat, user: User):
    await _to_consent(chat, user)
    await chat.press(user, "rq:ok:yes")
    chat.clock.advance(seconds=11)
    await chat.send(user, "東京都中央区日本橋1-2-3")
    await chat.send(user, "090-1234-5678")
    await chat.send(user, "買い物")
    return await chat.press_shown(user, "rq:send")


@pytest.mark.parametrize(
    ("user", "language", "reference"),
    [
        (TOME, "ja", "受付番号は <b>K-2611-0001</b>"),
        (ANN, "en", "Your reference number is <b>K-2611-0001</b>"),
        (TOME, "ja-easy", "受付番号（うけつけばんごう）は <b>K-2611-0001</b>"),
    ],
    ids=["ja", "en", "ja-easy"],
)
async def test_a_reference_number_comes_with_the_number_to_call(reach, user, language, reference):
    await reading(reach, user, language)
    sent = await _send_request(reach, user)
    assert reference in sent.text
    assert CALL[language].split("（受付")[0].split(" (")[0] in sent.text


# --- Easy Japanese (やさしい日本語) ------------------------------------------------------------


async def test_help_and_a_refusal_in_easy_japanese(reach):
    await reach.press(TANAKA, "lang:ja-easy")
    answer = await reach.send(TANAKA, "/help")
    assert f"📞 電話（でんわ）でも話（はな）せます。{PHONE}" in answer.text
    assert (
        "電話（でんわ）の時間（じかん）：月曜日（げつようび）から金曜日（きんようび）の9:00から17:00まで"
        in (answer.text)
    )
    assert "🆘 困（こま）ったとき" in [label for label, _ in answer.buttons]
    refused = await reach.press(TANAKA, "hrq")
    assert f"📞 電話（でんわ）でも話（はな）せます。{PHONE}" in refused.text


async def test_the_resident_s_notices_on_a_reference_give_the_centre_s_phone_first(
    reach, memory_store, clock
):
    await _send_request(reach, TOME)
    [request] = [
        r for r in memory_store.state.service_requests.values() if r.reference == "K-2611-0001"
    ]
    async with memory_store.uow() as uow:
        centre = await uow.centres.add("港ケアセンター", "Minato Care Centre")
        await uow.centres.update(replace(centre, phone="03-5555-0101"))
        staff = await uow.people.by_telegram_id(HANAKO.id)
        actor = Actor(staff.id, staff.roles, "ja")
        await request_service.accept(
            uow, actor, request.id, centre.id, clock.now() + timedelta(days=1), clock.now()
        )
        await uow.commit()
    told = reach.wait(minutes=5)[TOME.id]  # an accept is told once its undo window is over
    text = "\n".join(m.text for m in told)
    assert "K-2611-0001" in text
    assert "📞 港ケアセンター：03-5555-0101" in text  # its centre's own phone first
    assert f"📞 お電話でもご相談いただけます：{PHONE}（受付：{HOURS_JA}）" in text


async def test_a_member_s_own_centre_s_phone_and_hours_come_first(reach, memory_store):
    async with memory_store.uow() as uow:
        centre = await uow.centres.add("北ケアセンター", "Kita Care Centre")
        hours = parse_office_hours("mon-sat 08:30-18:00")
        await uow.centres.update(replace(centre, phone="03-7777-0001", office_hours=hours))
        maria = await uow.people.by_telegram_id(MARIA.id)
        await uow.memberships.replace(maria.id, [centre.id])
        await uow.commit()
    answer = await reach.send(MARIA, "/help")
    centre_line = "📞 Kita Care Centre: 03-7777-0001 (Mon–Sat 8:30–18:00)"
    assert centre_line in answer.text
    assert answer.text.index(centre_line) < answer.text.index(f"call us: {PHONE}")


@pytest.mark.parametrize("command", ["/queue", "/scheduled"])
async def test_a_command_s_own_refusal_gives_the_phone_too(reach, command):
    refused = await reach.send(TANAKA, command)
    assert "申し訳ありませんが、その操作は行えません。" in refused.text
    assert f"{PHONE}（受付：{HOURS_JA}）" in refused.text


def test_every_refusal_a_dialog_says_itself_comes_with_whom_to_call():
    """The class of defect: a dialog that catches a refusal to say it itself (a command's own, or
    typed text, which the router's refusal does not cover) must say whom to call as well."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "bot" / "dialogs"
    bare: list[str] = []
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "say"):
                continue
            keys = [
                a.args[0].value
                for a in node.args
                if isinstance(a, ast.Call)
                and getattr(a.func, "id", "") == "msg"
                and a.args
                and isinstance(a.args[0], ast.Constant)
            ]
            if "error.permission_denied" not in keys:
                continue
            told = any(
                isinstance(a, ast.Starred) and "contact_parts" in ast.unparse(a) for a in node.args
            )
            if not told:
                bare.append(f"{path.name}:{node.lineno}")
    assert bare == []
