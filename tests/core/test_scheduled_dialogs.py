"""Transcripts of `/scheduled` (staff list and cancel upcoming sends) and `/reminders` (members
choose the weekdays of their shift reminders), with forged and replayed buttons refused."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.broadcasts import (
    Audience,
    AudienceKind,
    BroadcastKind,
    BroadcastStatus,
    Draft,
)
from bot.domain.coop import NewAssembly
from bot.domain.people import Actor, Role
from bot.domain.reminders import SendStatus
from bot.services import assemblies, broadcasts
from tests.fixtures.people import (
    HANAKO,
    MARIA,
    REFUSED_JA,
    TANAKA,
    TOME,
    demo,
    person_id,
    plain,
)

ADMIN = Actor(None, frozenset({Role.ADMIN}), "ja")


async def published(store, clock) -> int:
    """The demo co-op with a notice published now for an assembly in 20 days."""
    await demo(store, clock)
    starts = clock.now() + timedelta(days=20)
    async with store.uow() as uow:
        assembly = await assemblies.publish(
            uow,
            ADMIN,
            NewAssembly("臨時総会", "Extraordinary Assembly", starts, "本部", "HQ", starts),
            clock.now(),
        )
        await uow.commit()
    return assembly.id


def sends(store) -> dict[str, SendStatus]:
    return {s.key: s.status for s in store.state.scheduled_sends.values()}


def actions(store) -> list[str]:
    return [a.action for a in store.state.audit]


async def test_staff_list_upcoming_sends_soonest_first_with_a_cancel_button_each(
    chat, memory_store, clock
):
    aid = await published(memory_store, clock)
    turn = await chat.send(HANAKO, "/scheduled")
    text = plain(turn.text)
    assert "これから送られるもの" in text
    lines = [line for line in text.splitlines() if line[:2] in ("1.", "2.", "3.", "4.")]
    assert "総会のお知らせ「臨時総会」を組合員へ" in lines[0]
    assert "「臨時総会」のリマインダー（未回答の方へ）" in lines[1]
    assert "（未回答の方と出席の方へ）" in lines[2]
    assert "（出席の方へ）" in lines[3]
    ids = {s.key: s.id for s in memory_store.state.scheduled_sends.values()}
    assert turn.data_for("✖ 1 を取り消す") == f"sch:x:{ids[f'asm:{aid}:notice']}"
    assert turn.data_for("✖ 2 を取り消す") == f"sch:x:{ids[f'asm:{aid}:7d']}"


async def test_staff_cancel_a_reminder_after_confirming_and_it_never_goes_out(
    chat, memory_store, clock
):
    aid = await published(memory_store, clock)
    listing = await chat.send(HANAKO, "/scheduled")
    ask = await chat.press(HANAKO, listing.data_for("✖ 2 を取り消す"))
    assert "この送信を取り消しますか？" in ask.text
    assert sends(memory_store)[f"asm:{aid}:7d"] is SendStatus.PENDING  # not yet
    done = await chat.press(HANAKO, ask.data_for("はい、取り消します"))
    assert done.toast == "✅ 取り消しました。"
    assert sends(memory_store)[f"asm:{aid}:7d"] is SendStatus.CANCELLED
    assert "（未回答の方へ）" not in done.text  # the list shown again, without it
    assert "scheduled.cancelled" in actions(memory_store)
    cancelled = next(s for s in memory_store.state.scheduled_sends.values() if s.key.endswith("7d"))
    assert cancelled.done_by == person_id(memory_store, HANAKO.id)
    # Pressing the confirmation again (a replay, a double tap) changes nothing.
    again = await chat.press(HANAKO, ask.data_for("はい、取り消します"))
    assert "この送信はもう送られたか、取り消されています。" in again.text


async def test_keeping_a_send_goes_back_to_the_list(chat, memory_store, clock):
    aid = await published(memory_store, clock)
    listing = await chat.send(HANAKO, "/scheduled")
    ask = await chat.press(HANAKO, listing.data_for("✖ 1 を取り消す"))
    back = await chat.press(HANAKO, ask.data_for("取り消さない"))
    assert "これから送られるもの" in back.text
    assert sends(memory_store)[f"asm:{aid}:notice"] is SendStatus.PENDING


async def test_a_member_replaying_a_staff_cancel_button_is_refused_and_audited(
    chat, memory_store, clock
):
    aid = await published(memory_store, clock)
    send_id = next(s.id for s in memory_store.state.scheduled_sends.values())
    for data in (f"sch:x:{send_id}", f"sch:xy:{send_id}"):
        turn = await chat.press(TANAKA, data)
        assert REFUSED_JA in turn.text
    assert sends(memory_store)[f"asm:{aid}:notice"] is SendStatus.PENDING
    assert actions(memory_store).count("scheduled.refused") == 2
    listing = await chat.send(TANAKA, "/scheduled")
    assert REFUSED_JA in listing.text
    assert "これから送られるもの" not in listing.text


async def test_forged_scheduled_buttons_are_refused(chat, memory_store, clock):
    await published(memory_store, clock)
    for data in ("sch:xy:999999", "sch:xy:abc", "sch:zz:1", "rem:d:9", "rem:all:2", "sch:xy:1:2"):
        turn = await chat.press(HANAKO, data)
        assert "申し訳ありません" in turn.text or "このボタンは使えなくなりました" in turn.text
    assert all(s is SendStatus.PENDING for s in sends(memory_store).values())
    assert "scheduled.refused" in actions(memory_store)  # the unknown id
    assert "callback.unknown" in actions(memory_store)


async def test_nothing_scheduled_says_so(chat, memory_store, clock):
    await demo(memory_store, clock)
    turn = await chat.press(HANAKO, "sch")
    assert "予定されている送信はありません。" in turn.text


async def test_a_member_turns_shift_reminders_off_for_a_weekday_and_back_on(
    chat, memory_store, clock
):
    await demo(memory_store, clock)
    turn = await chat.send(MARIA, "/reminders")
    assert "Shift reminders" in turn.text
    assert "You are reminded of every shift." in turn.text
    assert "at about 18:00" in turn.text
    turn = await chat.press(MARIA, turn.data_for("🔔 Monday"))
    assert turn.toast == "Saved"
    assert "Reminders are off for 1 weekday (marked" in turn.text
    assert turn.messages[0].edit_message_id is not None  # the same message, edited in place
    me = person_id(memory_store, MARIA.id)
    assert memory_store.state.reminder_prefs[me].weekdays_off == frozenset({0})
    turn = await chat.press(MARIA, turn.data_for("🔕 Monday"))
    assert memory_store.state.reminder_prefs[me].weekdays_off == frozenset()


async def test_a_member_turns_all_shift_reminders_off_and_on_again(chat, memory_store, clock):
    await demo(memory_store, clock)
    menu = await chat.send(TANAKA, "/menu")
    turn = await chat.press(TANAKA, menu.data_for("シフトのお知らせの設定"))
    turn = await chat.press(TANAKA, turn.data_for("すべて止める"))
    assert "シフトのお知らせをすべて止めています。" in turn.text
    me = person_id(memory_store, TANAKA.id)
    assert memory_store.state.reminder_prefs[me].all_off is True
    turn = await chat.press(TANAKA, turn.data_for("お知らせを再開する"))
    assert memory_store.state.reminder_prefs[me].all_off is False
    assert "すべてのシフトをお知らせしています" in turn.text


async def test_reminder_choices_are_for_members_and_volunteers_only(chat, memory_store, clock):
    await demo(memory_store, clock)
    turn = await chat.send(TOME, "/reminders")
    assert "組合員とボランティアの方のための機能です" in turn.text
    forged = await chat.press(TOME, "rem:all:1")
    assert REFUSED_JA in forged.text
    assert "reminders.refused" in actions(memory_store)
    assert memory_store.state.reminder_prefs == {}


async def test_staff_see_the_scheduled_sends_button_in_their_menu(chat, memory_store, clock):
    await demo(memory_store, clock)
    menu = await chat.send(HANAKO, "/menu")
    assert menu.data_for("予定されている送信") == "sch"


async def test_a_scheduled_broadcast_is_listed_and_can_be_cancelled_from_the_list(
    chat, memory_store, clock
):
    await demo(memory_store, clock)
    staff = Actor(
        person_id(memory_store, HANAKO.id), frozenset({Role.STAFF, Role.COORDINATOR}), "ja"
    )
    async with memory_store.uow() as uow:
        broadcast = await broadcasts.create(
            uow,
            staff,
            Draft(Audience(AudienceKind.MEMBERS), BroadcastKind.NEWS, "お知らせ", "News"),
            now=clock.now(),
            send_at=clock.now() + timedelta(days=2),
        )
        await uow.commit()
    listing = await chat.send(HANAKO, "/scheduled")
    assert f"一斉連絡 #{broadcast.id}" in listing.text
    ask = await chat.press(HANAKO, listing.data_for("✖ 1 を取り消す"))
    assert ask.data_for("はい、取り消します") == f"sch:by:{broadcast.id}"
    done = await chat.press(HANAKO, f"sch:by:{broadcast.id}")
    assert done.toast == "✅ 取り消しました。"
    assert "予定されている送信はありません。" in done.text
    async with memory_store.uow() as uow:
        stored = await uow.broadcasts.get(broadcast.id)
    assert stored.status is BroadcastStatus.CANCELLED
    refused = await chat.press(TANAKA, f"sch:by:{broadcast.id}")
    assert REFUSED_JA in refused.text
