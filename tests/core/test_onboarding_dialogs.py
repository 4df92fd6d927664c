"""Transcripts of the first conversations: welcome, language, joining with a code, bad input."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.domain.incoming import ChatType
from bot.domain.invites import code_hash
from bot.domain.people import Actor, Role
from bot.services.invites import issue_invite
from tests.fakes.chat import User

HANAKO = User(101, "花子", "ja")
JOHN = User(102, "John", "en")
FRENCH = User(103, "Amélie", "fr")


async def make_invite(store, clock, role=Role.MEMBER, ttl_hours=72) -> str:
    admin = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale="en")
    async with store.uow() as uow:
        invite = await issue_invite(uow, admin, role, clock.now(), ttl_hours)
        await uow.commit()
    return invite.code


async def test_a_stranger_is_welcomed_in_japanese_with_four_big_buttons(chat):
    turn = await chat.send(HANAKO, "/start")
    assert "花子さん、こんにちは" in turn.text
    labels = [label for label, _ in turn.buttons]
    assert labels == [
        "🤝 サービスを利用したい",
        "🙋 ボランティアをしたい",
        "🔑 組合員です（招待コードがあります）",
        "🆘 困ったとき",
        # Not chosen yet: the three languages stand in for the Language button.
        "日本語",
        "やさしい にほんご",
        "English",
        "❓ ヘルプ",
    ]


async def test_an_english_telegram_user_is_welcomed_in_english(chat):
    turn = await chat.send(JOHN, "/start")
    assert "Hello, John!" in turn.text
    assert "🤝 I'd like a service" in [label for label, _ in turn.buttons]


async def test_an_unknown_telegram_language_gets_japanese(chat):
    turn = await chat.send(FRENCH, "/start")
    assert "こんにちは" in turn.text


async def test_language_can_be_switched_and_is_remembered(chat, memory_store):
    turn = await chat.send(HANAKO, "/language")
    turn = await chat.press(HANAKO, turn.data_for("English"))
    assert "I will speak English from now on." in turn.text
    again = await chat.send(HANAKO, "/help")
    assert "Help" in again.text
    person = next(iter(memory_store.state.people.values()))
    assert person.locale == "en"


async def test_a_member_joins_with_a_typed_code_written_in_full_width_lower_case(
    chat, memory_store, clock
):
    code = await make_invite(memory_store, clock)
    turn = await chat.send(HANAKO, "/start")
    turn = await chat.press(HANAKO, turn.data_for("招待コード"))
    assert "招待コード" in turn.text
    typed = code[:4].lower() + "ー" + code[4:]
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in typed)
    turn = await chat.send(HANAKO, typed)
    assert "組合員として登録しました" in turn.text
    assert "組合員メニュー" in turn.text
    person = next(iter(memory_store.state.people.values()))
    assert Role.MEMBER in person.roles
    assert memory_store.state.invites[code_hash(code)].used_by == person.id


async def test_a_deep_link_joins_in_one_tap(chat, memory_store, clock):
    code = await make_invite(memory_store, clock, Role.STAFF)
    turn = await chat.send(JOHN, f"/start {code}")
    assert "You are now registered as staff." in turn.text
    assert "Staff menu" in turn.text
    assert "➕ Invite a member" in [label for label, _ in turn.buttons]


async def test_a_used_code_is_refused(chat, memory_store, clock):
    code = await make_invite(memory_store, clock)
    await chat.send(HANAKO, f"/start {code}")
    turn = await chat.send(JOHN, f"/start {code}")
    assert "already been used" in turn.text
    # A code that does not work leaves no person behind: John is still a stranger to Kyodo.
    assert JOHN.id not in {p.telegram_user_id for p in memory_store.state.people.values()}


async def test_an_expired_code_is_refused(chat, memory_store, clock):
    code = await make_invite(memory_store, clock, ttl_hours=1)
    clock.advance(hours=2)
    turn = await chat.send(JOHN, f"/start {code}")
    assert "expired" in turn.text


async def test_a_mistyped_code_says_what_a_code_looks_like_and_waits_for_another(chat):
    await chat.press(JOHN, "join")
    turn = await chat.send(JOHN, "hello")
    assert "8 letters and numbers" in turn.text
    turn = await chat.send(JOHN, "ABCD-EFGH")
    assert "could not find" in turn.text


async def test_five_wrong_codes_lock_the_dialog_for_a_while(chat, memory_store, clock):
    code = await make_invite(memory_store, clock)
    await chat.press(JOHN, "join")
    for _ in range(5):
        await chat.send(JOHN, "ABCD-EFGH")
    turn = await chat.send(JOHN, code)
    assert "wait 15 minutes" in turn.text
    clock.advance(minutes=16)
    turn = await chat.send(JOHN, code)
    assert "registered as a member" in turn.text


async def test_cancel_leaves_the_code_dialog(chat):
    await chat.press(JOHN, "join")
    turn = await chat.send(JOHN, "/cancel")
    assert "Cancelled." in turn.text
    turn = await chat.send(JOHN, "ABCD-EFGH")  # no longer read as a code: offered to the staff
    assert "Kyodo could not read that." in turn.text and "registered" not in turn.text


async def test_cancel_with_nothing_to_cancel_says_so(chat):
    turn = await chat.send(JOHN, "/cancel")
    assert "nothing to cancel" in turn.text


async def test_staff_issue_an_invite_with_a_deep_link_and_babel_formatted_expiry(
    chat, memory_store, clock
):
    await chat.send(JOHN, f"/start {await make_invite(memory_store, clock, Role.STAFF)}")
    turn = await chat.tap(JOHN, "➕ Invite a member")
    assert "Invite code for a new member" in turn.text
    assert "https://t.me/kyodo_test_bot?start=" in turn.text
    assert "Wed, Nov 25, 9:00" in turn.text.replace("\u202f", " ")
    [unused] = [h for h, inv in memory_store.state.invites.items() if inv.used_by is None]
    [code] = re.findall(r"start=([A-Z0-9]{8})", turn.text)
    assert code_hash(code) == unused  # the store keeps the code's hash, never the code


async def test_a_member_replaying_a_staff_button_is_refused_and_audited(chat, memory_store, clock):
    await chat.send(HANAKO, f"/start {await make_invite(memory_store, clock)}")
    turn = await chat.press(HANAKO, "inv:admin")
    assert turn.toast == "申し訳ありませんが、その操作は行えません。"
    assert len(memory_store.state.invites) == 1
    assert "invite.refused" in [a.action for a in memory_store.state.audit]


async def test_forged_button_data_gets_a_clear_answer_and_is_audited(chat, memory_store):
    turn = await chat.press(JOHN, "approve:hours:999")
    assert turn.toast == "That button is no longer valid. Here is the menu."
    assert "callback.unknown" in [a.action for a in memory_store.state.audit]


async def test_a_sticker_where_text_was_expected_gets_an_explanation(chat):
    await chat.press(JOHN, "join")
    turn = await chat.sticker(JOHN)
    assert "only read text messages and button taps" in turn.text


async def test_an_overlong_message_is_refused_not_truncated(chat):
    await chat.press(JOHN, "join")
    turn = await chat.send(JOHN, "あ" * 5000)
    assert "too long (5,000 characters)" in turn.text
    assert "1,000 characters" in turn.text


async def test_an_unknown_command_is_named_in_the_answer(chat):
    turn = await chat.send(HANAKO, "/frobnicate")
    assert "/frobnicate というコマンドはありません" in turn.text


async def test_a_group_chat_hears_once_a_day_that_kyodo_works_in_private(chat, clock):
    first = await chat.send(JOHN, "/start", chat_type=ChatType.GROUP, chat_id=-500)
    second = await chat.send(JOHN, "/start", chat_type=ChatType.GROUP, chat_id=-500)
    assert "only talk in private chats" in first.text
    assert first.messages[0].is_group
    assert second.messages == []
    clock.advance(days=1)
    third = await chat.send(JOHN, "hello", chat_type=ChatType.GROUP, chat_id=-500)
    assert "only talk in private chats" in third.text


async def test_wanting_a_service_starts_the_request_dialog_and_staff_hear_nothing_yet(
    chat, memory_store, clock
):
    await chat.send(JOHN, f"/start {await make_invite(memory_store, clock, Role.STAFF)}")
    before = len(chat.delivered.get(JOHN.id, []))
    turn = await chat.press(HANAKO, "svc")
    assert "どのサービスをご希望ですか" in turn.text
    # Nothing half-written reaches staff: they get the request's card once it is sent.
    assert len(chat.delivered.get(JOHN.id, [])) == before


async def test_a_flood_gets_one_warning_then_silence(chat, clock):
    for _ in range(20):
        await chat.send(JOHN, "/help")
    warned = await chat.send(JOHN, "/help")
    silent = await chat.send(JOHN, "/help")
    assert "very quickly" in warned.text
    assert silent.messages == []
    clock.advance(seconds=11)
    assert "Help" in (await chat.send(JOHN, "/help")).text


async def test_invite_codes_expire_after_the_configured_time(memory_store, clock):
    code = await make_invite(memory_store, clock, ttl_hours=5)
    invite = memory_store.state.invites[code_hash(code)]
    assert invite.expires_at - invite.created_at == timedelta(hours=5)


def test_the_flood_guard_forgets_people_who_went_quiet(clock):
    from bot.dialogs.runner import FloodGuard

    guard = FloodGuard()
    for user_id in range(10_001):
        guard.check(user_id, clock.now())
    clock.advance(seconds=11)
    guard.check(1, clock.now())
    assert len(guard._seen) == 1
