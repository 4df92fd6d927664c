"""The short persistent menu under the chat (issue 15): Telegram's reply keyboard, one set per
role, in the person's language; a key sends its label as text, which is the same action as the
menu's button from any dialog state; "More" shows the rest of the inline menu. Transcripts in
Japanese, English and Easy Japanese, and a LINE user typing a label.
"""

from __future__ import annotations

import pytest

from bot.dialogs.keyboard import pressed
from bot.dialogs.menus import KEYS, full_menu, keyboard_rows, main_menu
from bot.domain.callbacks import CallbackData
from bot.domain.channels import line_chat_id
from bot.domain.incoming import ChatType
from bot.domain.people import Actor, NewPerson, Role
from bot.i18n import SUPPORTED
from tests.fakes.chat import User
from tests.fixtures.people import HANAKO, MARIA, SATO, TANAKA, TOME, demo

KEN = User(line_chat_id(1), "Ken Mori", "ja")  # a member who uses LINE

MEMBER_JA = ["⏱ 時間", "📅 シフト", "📣 総会", "🆘 困ったとき", "≡ その他"]


def count(rows) -> int:
    return sum(len(row) for row in rows)


@pytest.fixture
async def members(chat, memory_store, clock):
    await demo(memory_store, clock)
    clock.advance(hours=4)  # 13:00 on Sunday: a day to report
    return chat


def dialog_of(memory_store, user: User) -> str | None:
    """The dialog the user's chat is in (None: none)."""
    states = [
        s for (channel, chat_id), s in memory_store.state.dialogs.items() if chat_id == user.id
    ]
    return states[0].dialog if states else None


async def test_menu_sets_the_member_keyboard_and_the_inline_menu_gets_shorter(members):
    turn = await members.send(TANAKA, "/menu")
    assert members.keyboard(TANAKA) == MEMBER_JA
    assert "入力欄の下に置きました" in turn.messages[0].text
    assert turn.messages[0].keyboard == (
        ("⏱ 時間", "📅 シフト"),
        ("📣 総会", "🆘 困ったとき"),
        ("≡ その他",),
    )
    labels = [label for label, _ in turn.buttons]
    # What the keyboard holds is gone from the inline menu; "I need help" stays in every menu.
    assert not any("勤務時間を報告" in label or "わたしのシフト" in label for label in labels)
    assert any("困ったとき" in label for label in labels)
    assert "📊 今月の勤務" in labels
    member = Actor(1, frozenset({Role.MEMBER}), "ja", telegram_user_id=TANAKA.id)
    assert count(full_menu(member)[1]) == 9 and count(main_menu(member)[1]) == 6


async def test_keys_are_the_menu_buttons_from_any_state_in_japanese(members, memory_store):
    assert members.keyboard(TANAKA) == []  # none before the menu was shown
    await members.send(TANAKA, "/menu")
    turn = await members.key(TANAKA, "⏱ 時間")
    assert "いつの勤務ですか" in turn.text and dialog_of(memory_store, TANAKA) == "hours"
    assert all(m.edit_message_id is None for m in turn.messages)  # new messages, never an edit
    # Mid-dialog, a key is the key's action, not an answer to the dialog's question.
    turn = await members.key(TANAKA, "📅 シフト")
    assert "あなたのシフト" in turn.text
    assert dialog_of(memory_store, TANAKA) != "hours"
    turn = await members.key(TANAKA, "📣 総会")
    assert "第12回 通常総会" in turn.text
    turn = await members.key(TANAKA, "≡ その他")
    assert any("空きシフト" in label for label, _ in turn.buttons)
    assert not any("勤務時間を報告" in label for label, _ in turn.buttons)


async def test_a_label_typed_to_the_staff_is_a_key_but_its_words_are_the_message(
    members, memory_store
):
    await members.send(TANAKA, "/menu")
    await members.key(TANAKA, "🆘 困ったとき")
    await members.tap(TANAKA, "スタッフに書く")
    turn = await members.send(TANAKA, "時間")  # the word alone, inside a dialog: the message
    assert "スタッフに届けました" in turn.text
    await members.key(TANAKA, "🆘 困ったとき")
    await members.tap(TANAKA, "スタッフに書く")
    turn = await members.key(TANAKA, "⏱ 時間")  # the whole label: the key, from any state
    assert "いつの勤務ですか" in turn.text
    assert len(memory_store.state.conversation_messages) == 1


async def test_english_keys_typed_full_width_or_as_words(members, memory_store):
    turn = await members.send(MARIA, "/menu")
    assert members.keyboard(MARIA) == ["⏱ Hours", "📅 Shifts", "📣 Assembly", "🆘 Help", "≡ More"]
    assert "under the typing field" in turn.messages[0].text
    turn = await members.send(MARIA, "⏱\u3000Ｈｏｕｒｓ")  # full-width, an ideographic space
    assert "Which day did you work?" in turn.text
    turn = await members.send(MARIA, "📅\ufe0f Shifts")  # an emoji variation selector
    assert "<b>Your shifts</b>" in turn.text
    turn = await members.send(MARIA, "more")  # the word alone, outside a dialog
    assert any("Open shifts" in label for label, _ in turn.buttons)
    turn = await members.send(MARIA, "help")
    assert "staff" in turn.text.lower()


async def test_easy_japanese_keys_after_a_language_change(members, memory_store):
    await members.send(TANAKA, "/language")
    turn = await members.press(TANAKA, "lang:ja-easy")
    assert turn.messages[0].keyboard is not None
    assert members.keyboard(TANAKA) == [
        "⏱ じかん",
        "📅 わたしの シフト",
        "📣 そうかい",
        "🆘 こまったとき",
        "≡ ほかの ボタン",
    ]
    turn = await members.key(TANAKA, "じかん")
    assert dialog_of(memory_store, TANAKA) == "hours"
    turn = await members.key(TANAKA, "ほかの")
    assert dialog_of(memory_store, TANAKA) is None
    # A Japanese label still works for an Easy Japanese reader (every language is read).
    turn = await members.send(TANAKA, "📅 シフト")
    assert "シフト" in turn.text


async def test_each_role_has_its_own_short_set(members):
    await members.send(HANAKO, "/menu")
    assert members.keyboard(HANAKO) == [
        "✅ 承認",
        "📢 一斉連絡",
        "📣 総会",
        "🆘 困ったとき",
        "≡ その他",
    ]
    await members.send(TOME, "/menu")
    assert members.keyboard(TOME) == ["🤝 依頼", "📋 わたしの依頼", "🆘 困ったとき", "≡ その他"]


async def test_a_resident_key_starts_a_request(members):
    await members.send(TOME, "/menu")
    turn = await members.send(TOME, "🤝 依頼")
    assert turn.buttons  # the request dialog's first question, with its choices
    volunteer = Actor(1, frozenset({Role.VOLUNTEER}), "ja", telegram_user_id=5)
    assert [m.key for row in keyboard_rows(volunteer) for m in row] == [
        "keyboard.hours",
        "keyboard.shifts",
        "keyboard.open_shifts",
        "keyboard.help",
        "keyboard.more",
    ]


async def test_strangers_groups_and_line_get_no_keyboard(members, memory_store, clock):
    turn = await members.send(SATO, "/start")
    assert all(m.keyboard is None for m in turn.messages)
    turn = await members.send(SATO, "/menu")
    assert all(m.keyboard is None for m in turn.messages)
    turn = await members.send(TANAKA, "/menu", chat_type=ChatType.GROUP, chat_id=-100)
    assert all(m.keyboard is None for m in turn.messages)
    async with memory_store.uow() as uow:
        await uow.people.add(
            NewPerson(
                telegram_user_id=KEN.id,
                display_name=KEN.name,
                telegram_language="ja",
                created_at=clock.now(),
                roles=frozenset({Role.MEMBER}),
            )
        )
        await uow.commit()
    turn = await members.send(KEN, "/menu")
    assert all(m.keyboard is None for m in turn.messages)
    # LINE keeps the whole inline menu (its rich menu is unchanged) ...
    assert any("勤務時間を報告" in label for label, _ in turn.buttons)
    # ... and a LINE user typing a label gets the same action.
    turn = await members.send(KEN, "⏱ 時間")
    assert "いつの勤務ですか" in turn.text
    turn = await members.send(KEN, "📅 シフト")
    assert "あなたのシフト" in turn.text
    turn = await members.send(KEN, "総会")  # the words alone, outside a dialog
    assert "第12回 通常総会" in turn.text


async def test_start_and_forget_set_and_remove_the_keyboard(members):
    await members.send(TANAKA, "/start")
    assert members.keyboard(TANAKA) == MEMBER_JA
    await members.send(TANAKA, "/forget")
    turn = await members.press_shown(TANAKA, "pd:yes")
    assert any(m.keyboard == () for m in turn.messages), turn.text
    assert members.keyboard(TANAKA) == []


def test_no_label_or_its_words_stands_for_two_buttons():
    from zoneinfo import ZoneInfo

    from bot.dialogs.keyboard import _folded, _words
    from bot.i18n import I18n

    i18n = I18n(ZoneInfo("UTC"))
    seen: dict[str, str] = {}
    for key in KEYS:
        for language in SUPPORTED:
            label = _folded(i18n.gettext(key.label.key, language))
            for form in (label, _words(label)):
                assert seen.setdefault(form, key.data.pack()) == key.data.pack(), form
            assert pressed(label, in_dialog=True) == key.data
            assert pressed(_words(label), in_dialog=False) == key.data
            assert pressed(_words(label), in_dialog=True) is None
    assert isinstance(pressed("⏱ 時間", in_dialog=True), CallbackData)
    assert pressed("7時間", in_dialog=False) is None


async def test_an_approved_volunteer_gets_the_volunteer_keys(members, memory_store):
    anna = User(7002, "Anna", "en")
    await members.press(anna, "vol")
    await members.send(anna, "Anna")
    await members.send(anna, "090-1234-5678")
    for data in ("va:t:i:events", "va:next", "va:t:a:sun:pm", "va:next", "va:t:l:en"):
        await members.press(anna, data)
    await members.tap(anna, "Next ▶")
    await members.tap(anna, "Next ▶")
    await members.tap(anna, "✅ I agree")
    await members.tap(anna, "📨 Send my application")
    [application] = memory_store.state.volunteer_applications.values()
    assert members.keyboard(anna) == []
    await members.press(HANAKO, f"vol:ok:{application.id}")
    await members.tap(HANAKO, "はい、承認します")
    assert members.keyboard(anna) == []  # held while Hanako may undo the approval
    members.wait(minutes=5)
    assert members.keyboard(anna) == ["⏱ Hours", "📅 Shifts", "🙋 Open shifts", "🆘 Help", "≡ More"]
    # The decision, with its Menu button, is the latest screen.
    assert "has been approved" in members.delivered[anna.id][-1].text
    turn = await members.key(anna, "🙋 Open shifts")
    assert "<b>Open shifts</b> (the next two weeks)" in turn.text
