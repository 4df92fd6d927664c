"""python-telegram-bot's real ``Bot`` talks to the sandbox as it would to Telegram."""

from __future__ import annotations

import pytest
import telegram

from sandbox.server import SandboxServer
from tests.sandbox.conftest import HANA


async def test_get_me_describes_the_default_bot(ptb: telegram.Bot) -> None:
    me = await ptb.get_me()
    assert me.is_bot
    assert me.username == "kyodo_coop_bot"
    assert me.id == 123456789


async def test_a_message_a_person_sends_arrives_through_get_updates(
    sandbox: SandboxServer, ptb: telegram.Bot
) -> None:
    sandbox.user_sends(HANA, "/start")
    sandbox.user_sends(HANA, "こんにちは")

    updates = await ptb.get_updates(timeout=1)

    assert [u.message.text for u in updates if u.message] == ["/start", "こんにちは"]
    assert updates[0].message is not None
    assert updates[0].message.entities[0].type == telegram.constants.MessageEntityType.BOT_COMMAND
    assert updates[0].message.from_user is not None
    assert updates[0].message.from_user.language_code == "ja"
    assert updates[1].update_id == updates[0].update_id + 1


async def test_confirmed_updates_are_not_delivered_again(
    sandbox: SandboxServer, ptb: telegram.Bot
) -> None:
    sandbox.user_sends(HANA, "一")
    first = await ptb.get_updates(timeout=1)

    again = await ptb.get_updates(offset=first[-1].update_id + 1, timeout=0)

    assert again == ()


async def test_a_message_with_an_inline_keyboard_is_kept_with_its_buttons(
    sandbox: SandboxServer, ptb: telegram.Bot
) -> None:
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("はい", callback_data="hours:approve:17")]]
    )

    sent = await ptb.send_message(
        HANA["id"], "<b>承認</b>しますか？", parse_mode="HTML", reply_markup=keyboard
    )

    assert sent.text == "承認しますか？"
    assert sent.entities[0].type == telegram.constants.MessageEntityType.BOLD
    [message] = sandbox.messages_to(HANA["id"])
    assert message.text == "承認しますか？"
    assert message.buttons == [{"text": "はい", "callback_data": "hours:approve:17"}]


async def test_a_button_press_arrives_as_a_callback_query_that_can_be_answered(
    sandbox: SandboxServer, ptb: telegram.Bot
) -> None:
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("OK", callback_data="ok")]]
    )
    sent = await ptb.send_message(HANA["id"], "Press", reply_markup=keyboard)
    sandbox.user_presses(HANA, sent.message_id, "ok")

    [update] = await ptb.get_updates(timeout=1)
    assert update.callback_query is not None
    assert update.callback_query.data == "ok"
    assert update.callback_query.message.message_id == sent.message_id
    assert await update.callback_query.answer("受け付けました")

    assert sandbox.callback_answers[0]["text"] == "受け付けました"
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)query is too old"):
        await update.callback_query.answer("again")


async def test_edits_are_applied_and_their_history_kept(
    sandbox: SandboxServer, ptb: telegram.Bot
) -> None:
    sent = await ptb.send_message(HANA["id"], "before")
    await ptb.edit_message_text("after", chat_id=HANA["id"], message_id=sent.message_id)

    [message] = sandbox.messages_to(HANA["id"])
    assert message.text == "after"
    assert [v["text"] for v in message.history] == ["before"]
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message is not modified"):
        await ptb.edit_message_text("after", chat_id=HANA["id"], message_id=sent.message_id)


async def test_commands_and_menu_button_can_be_set(ptb: telegram.Bot) -> None:
    scope = telegram.BotCommandScopeAllPrivateChats()
    await ptb.set_my_commands(
        [("start", "はじめる"), ("help", "ヘルプ")], scope=scope, language_code="ja"
    )
    await ptb.set_chat_menu_button(menu_button=telegram.MenuButtonCommands())

    commands = await ptb.get_my_commands(scope=scope, language_code="ja")
    assert [c.command for c in commands] == ["start", "help"]
    assert await ptb.get_my_commands() == ()


async def test_a_deleted_message_leaves_the_chat(sandbox: SandboxServer, ptb: telegram.Bot) -> None:
    sent = await ptb.send_message(HANA["id"], "oops")
    assert await ptb.delete_message(HANA["id"], sent.message_id)
    assert sandbox.messages_to(HANA["id"]) == []
    assert sandbox.messages_to(HANA["id"], include_deleted=True)[0].deleted


async def test_a_file_upload_arrives_as_multipart(
    sandbox: SandboxServer, ptb: telegram.Bot
) -> None:
    sent = await ptb.send_document(
        HANA["id"],
        document=b"hours,7.5\n",
        filename="hours.csv",
        caption="<b>今月</b>の時間",
        parse_mode="HTML",
    )

    assert sent.document is not None
    assert sent.document.file_name == "hours.csv"
    assert sent.caption == "今月の時間"
    assert sandbox.calls_of("sendDocument")[0].ok
