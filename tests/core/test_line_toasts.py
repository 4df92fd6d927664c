"""LINE has no toasts (Telegram's brief note over a pressed button): what a toast says reaches a
LINE chat ahead of the answer, in the same message (one reply token), and once."""

from __future__ import annotations

from bot.domain.channels import line_chat_id
from bot.domain.people import NewPerson, Role
from tests.fakes.chat import User
from tests.fixtures.people import MARIA, demo

KEN = User(line_chat_id(1), "Ken Mori", "en")  # a member who uses LINE


async def member_on_line(store, clock) -> None:
    await demo(store, clock)
    async with store.uow() as uow:
        await uow.people.add(
            NewPerson(
                telegram_user_id=KEN.id,
                display_name=KEN.name,
                telegram_language="en",
                created_at=clock.now(),
                roles=frozenset({Role.MEMBER}),
            )
        )
        await uow.commit()


async def test_a_toast_is_said_in_a_line_chat(chat, memory_store, clock):
    await member_on_line(memory_store, clock)
    turn = await chat.send(KEN, "/reminders")
    turn = await chat.press(KEN, turn.data_for("🔔 Monday"))
    # One message, so that one free reply carries both (bot/dialogs/line_turn.py).
    [said] = turn.messages
    assert said.text.startswith("Saved\n\n🔔 <b>Shift reminders</b>")
    assert "Reminders are off for 1 weekday (marked" in said.text


async def test_a_toast_also_said_in_the_answer_is_said_once(chat, memory_store, clock):
    await member_on_line(memory_store, clock)
    turn = await chat.press(KEN, "hr:a:1")  # a staff button: refused, and said
    assert turn.text.count("Sorry, you are not allowed to do that.") == 1


async def test_telegram_keeps_its_toasts(chat, memory_store, clock):
    await demo(memory_store, clock)
    turn = await chat.send(MARIA, "/reminders")
    turn = await chat.press(MARIA, turn.data_for("🔔 Monday"))
    assert turn.toast == "Saved" and "Saved" not in turn.text
