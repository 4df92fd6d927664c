"""Transcripts of broadcasts: composing, the preview, scheduling, control buttons, opting out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.broadcasts import BroadcastStatus
from bot.domain.outbound import OutboxStatus
from bot.domain.people import NewPerson, Role
from bot.notices.broadcasts import BroadcastCopies
from bot.rendering import Renderer
from bot.runtime.broadcast_pump import BroadcastPump
from tests.fakes.chat import User
from tests.fixtures.people import (
    HANAKO,
    MARIA,
    REFUSED_JA,
    TANAKA,
    demo,
    person_id,
    plain,
)

TOKYO = ZoneInfo("Asia/Tokyo")
SUZUKI = User(3001, "鈴木 次郎", "ja")  # demo volunteer


@pytest.fixture
async def demo_chat(chat, memory_store, clock):
    await demo(memory_store, clock)
    return chat


@pytest.fixture
def pump(chat, memory_store, i18n, clock):
    copies = BroadcastCopies(Renderer(i18n), chat.conversation.settings)
    return BroadcastPump(memory_store.uow, copies, clock, rate=30.0, chunk=1)


def broadcasts(store):
    return sorted(store.state.broadcasts.values(), key=lambda b: b.id)


def rows_of(store, broadcast_id: int):
    """The outbox rows of a broadcast, by recipient's Telegram id."""
    ids = {
        pid: oid
        for (bid, pid), oid in store.state.broadcast_deliveries.items()
        if bid == broadcast_id
    }
    people = store.state.people
    return {
        people[pid].telegram_user_id: store.state.outbox[oid]
        for pid, oid in ids.items()
        if oid in store.state.outbox
    }


async def compose(chat, ja: str | None, en: str | None, audience: str = "bc:a:members"):
    """Staff open /broadcast, pick the audience and the kind, and type (or skip) both texts."""
    opened = await chat.send(HANAKO, "/broadcast")
    assert "だれに送りますか" in opened.text
    await chat.press(HANAKO, audience)
    asked = await chat.press(HANAKO, "bc:k:notice")
    assert "日本語の本文" in asked.text
    step = await (chat.send(HANAKO, ja) if ja is not None else chat.press(HANAKO, "bc:skip"))
    assert "英語の本文" in step.text
    return await (chat.send(HANAKO, en) if en is not None else chat.press(HANAKO, "bc:skip"))


async def send_now(chat):
    """Send now on the preview; the few minutes in which it may be undone (bot/domain/undo.py)
    pass, so that the pump starts it."""
    started = await chat.press(HANAKO, "bc:now")
    chat.clock.advance(minutes=3)
    return started


async def run_pump(pump, times: int = 10) -> None:
    for _ in range(times):
        await pump.step()


# Composing and the preview ---------------------------------------------------------------------


async def test_staff_see_a_preview_per_language_with_the_count_before_sending(demo_chat):
    preview = await compose(demo_chat, "明日は<休み>です", "No work tomorrow <b>")
    messages = preview.messages
    assert "2 人に届きます" in messages[0].text  # the demo co-op's two members
    assert messages[1].text == "▼ 日本語で読む人に届くメッセージ"
    # Exactly as readers get them: the text escaped, the stop button in their language.
    assert messages[2].text == "📢 明日は&lt;休み&gt;です"
    assert messages[2].buttons == ((("🔕 この種類の連絡を受け取らない", "bc:o:notice"),),)
    assert messages[4].text == "📢 No work tomorrow &lt;b&gt;"
    assert messages[4].buttons == ((("🔕 Stop these messages", "bc:o:notice"),),)
    assert "この内容で 2 人に送りますか" in messages[5].text
    assert {"bc:now", "bc:later", "bc:eja", "bc:een", "cancel"} <= {d for _, d in preview.buttons}


async def test_a_missing_translation_is_shown_and_never_sent_blank(demo_chat, memory_store, pump):
    preview = await compose(demo_chat, "総会のお知らせです", None)
    assert "英語の本文がありません。英語で読む人には日本語の本文が届きます" in preview.text
    assert preview.messages[4].text == "📢 総会のお知らせです"
    await send_now(demo_chat)
    await run_pump(pump)
    (broadcast,) = broadcasts(memory_store)
    rows = rows_of(memory_store, broadcast.id)
    assert rows[MARIA.id].message.text == "📢 総会のお知らせです"  # Maria reads English
    assert rows[MARIA.id].message.buttons == ((("🔕 Stop these messages", "bc:o:notice"),),)


async def test_no_text_in_either_language_is_refused(demo_chat, memory_store):
    preview = await compose(demo_chat, None, None)
    assert "本文がありません" in preview.text
    assert "日本語の本文" in preview.text  # asked again
    assert broadcasts(memory_store) == []


async def test_an_overlong_text_is_refused_not_cut(demo_chat, memory_store):
    await demo_chat.send(HANAKO, "/broadcast")
    await demo_chat.press(HANAKO, "bc:a:members")
    await demo_chat.press(HANAKO, "bc:k:notice")
    # Longer than a broadcast allows, shorter than the runner's general limit of this harness.
    demo_chat.conversation.settings = type(demo_chat.conversation.settings)(
        **{**demo_chat.conversation.settings.__dict__, "max_text_length": 4000}
    )
    refused = await demo_chat.send(HANAKO, "あ" * 3600)
    assert "長すぎます（3,600 文字）" in refused.text
    accepted = await demo_chat.send(HANAKO, "あ" * 10)
    assert "英語の本文" in accepted.text


async def test_sending_now_queues_one_message_per_member_in_their_language(
    demo_chat, memory_store, pump, clock
):
    await compose(demo_chat, "日本語の本文", "English text")
    started = await send_now(demo_chat)
    assert "一斉連絡 #1 を 2 人に送ります" in started.text
    await run_pump(pump)
    rows = rows_of(memory_store, 1)
    assert set(rows) == {TANAKA.id, MARIA.id}
    assert rows[TANAKA.id].message.text == "📢 日本語の本文"
    assert rows[MARIA.id].message.text == "📢 English text"
    assert {r.dedupe_key for r in rows.values()} == {
        f"bc:1:{person_id(memory_store, TANAKA.id)}",
        f"bc:1:{person_id(memory_store, MARIA.id)}",
    }
    assert broadcasts(memory_store)[0].status is BroadcastStatus.RUNNING
    # The coordinator's progress message, in Japanese, with the counts and the buttons.
    progress = [
        r
        for r in memory_store.state.outbox.values()
        if r.message.chat_id == HANAKO.id and r.dedupe_key == "bc:1:progress"
    ]
    assert len(progress) == 1
    assert "送信済み：0" in progress[0].message.text and "残り：2" in progress[0].message.text
    assert progress[0].message.buttons[0][0][1] == "bc:p:1"


async def test_the_audience_can_be_volunteers_or_one_centre(demo_chat, memory_store, pump):
    await demo_chat.send(HANAKO, "/broadcast")
    await demo_chat.press(HANAKO, "bc:a:volunteers")
    await demo_chat.press(HANAKO, "bc:k:events")
    await demo_chat.send(HANAKO, "清掃ボランティア募集")
    preview = await demo_chat.press(HANAKO, "bc:skip")
    assert "1 人に届きます" in preview.text
    await send_now(demo_chat)
    centres = await demo_chat.send(HANAKO, "/broadcast")
    choice = await demo_chat.press(HANAKO, "bc:a:centre")
    centre = next(d for _, d in choice.buttons if d.startswith("bc:ac:"))
    await demo_chat.press(HANAKO, centre)
    await demo_chat.press(HANAKO, "bc:k:notice")
    await demo_chat.send(HANAKO, "センターのお知らせ")
    preview = await demo_chat.press(HANAKO, "bc:skip")
    assert "人に届きます" in preview.text and centres.text
    await run_pump(pump)
    assert set(rows_of(memory_store, 1)) == {SUZUKI.id}


async def test_members_who_have_not_answered_a_notice(demo_chat, memory_store, pump):
    await demo_chat.send(HANAKO, "/broadcast")
    notices = await demo_chat.press(HANAKO, "bc:a:noanswer")
    notice = next(d for _, d in notices.buttons if d.startswith("bc:aa:"))
    assembly_id = int(notice.rsplit(":", 1)[1])
    await demo_chat.press(TANAKA, f"asm:y:{assembly_id}")  # Tanaka answers: attending
    await demo_chat.press(HANAKO, notice)
    await demo_chat.press(HANAKO, "bc:k:notice")
    await demo_chat.send(HANAKO, "出欠のお返事をお願いします")
    preview = await demo_chat.press(HANAKO, "bc:skip")
    assert "1 人に届きます" in preview.text
    await send_now(demo_chat)
    await run_pump(pump)
    assert set(rows_of(memory_store, 1)) == {MARIA.id}


# Scheduling ------------------------------------------------------------------------------------


async def test_scheduling_at_a_typed_time_in_full_width_digits(
    demo_chat, memory_store, pump, clock
):
    await compose(demo_chat, "予約の本文", "Scheduled text")
    asked = await demo_chat.press(HANAKO, "bc:later")
    assert "送る日時を入力してください" in asked.text
    nonsense = await demo_chat.send(HANAKO, "そのうち")
    assert "日時を読み取れませんでした" in nonsense.text
    past = await demo_chat.send(HANAKO, "2026-11-01 10:00")
    assert "もう過ぎています" in past.text
    impossible = await demo_chat.send(HANAKO, "2/30 10:00")
    assert "日時を読み取れませんでした" in impossible.text
    confirm = await demo_chat.send(HANAKO, "１２／１ １０：００")
    assert "12月1日（火） 10:00 に 2 人へ送ります" in plain(confirm.text)
    done = await demo_chat.press(HANAKO, "bc:ok")
    assert "一斉連絡 #1 を 12月1日（火） 10:00 に予約しました" in plain(done.text)
    (broadcast,) = broadcasts(memory_store)
    assert broadcast.status is BroadcastStatus.SCHEDULED
    assert broadcast.send_at == datetime(2026, 12, 1, 10, tzinfo=TOKYO)
    await run_pump(pump, 2)
    assert rows_of(memory_store, 1) == {}  # not yet
    clock.current = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
    await run_pump(pump, 5)
    assert set(rows_of(memory_store, 1)) == {TANAKA.id, MARIA.id}


async def test_the_confirm_button_of_a_finished_draft_does_nothing(demo_chat, memory_store):
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    again = await demo_chat.press(HANAKO, "bc:now")
    assert again.toast is not None and "この画面は古くなっています" in again.toast
    assert "この画面は古くなっています" in again.text and "管理者メニュー" in again.text
    assert len(broadcasts(memory_store)) == 1


# Pause, resume, cancel ---------------------------------------------------------------------------


async def test_pause_holds_queued_messages_and_resume_releases_them(
    demo_chat, memory_store, pump, clock
):
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    await run_pump(pump, 1)  # one chunk (one person) queued
    paused = await demo_chat.press(HANAKO, "bc:p:1")
    assert paused.toast == "一時停止しました"
    assert "一時停止中" in paused.text and ("▶️ 再開", "bc:r:1") in paused.buttons
    rows = rows_of(memory_store, 1)
    assert len(rows) == 1 and not any(r.is_due(clock.now()) for r in rows.values())
    await run_pump(pump)
    assert len(rows_of(memory_store, 1)) == 1  # nothing more while paused
    resumed = await demo_chat.press(HANAKO, "bc:r:1")
    assert resumed.toast == "送信中です"
    # Due again: the harness, sending like the outbox sender, has delivered it.
    assert all(r.status is OutboxStatus.SENT for r in rows_of(memory_store, 1).values())
    await run_pump(pump)
    assert len(rows_of(memory_store, 1)) == 2


async def test_cancel_asks_first_and_then_drops_what_was_not_sent(demo_chat, memory_store, pump):
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    await run_pump(pump, 1)  # Tanaka's copy is queued (and the harness sends it next turn)
    asked = await demo_chat.press(HANAKO, "bc:x:1")
    assert "一斉連絡 #1 を中止しますか" in asked.text
    assert broadcasts(memory_store)[0].status is BroadcastStatus.RUNNING
    kept = await demo_chat.press(HANAKO, "bc:v:1")
    assert "送信中" in kept.text
    await demo_chat.press(HANAKO, "bc:x:1")
    await run_pump(pump, 1)  # Maria's copy is queued, not sent yet
    cancelled = await demo_chat.press(HANAKO, "bc:xx:1")
    assert cancelled.toast == "中止しました" and "（中止）" in cancelled.text
    assert cancelled.buttons == []
    assert broadcasts(memory_store)[0].status is BroadcastStatus.CANCELLED
    rows = rows_of(memory_store, 1)
    assert set(rows) == {TANAKA.id} and rows[TANAKA.id].status is OutboxStatus.SENT
    await run_pump(pump)
    assert set(rows_of(memory_store, 1)) == {TANAKA.id}
    twice = await demo_chat.press(HANAKO, "bc:xx:1")
    assert "もう終わっています（中止）" in twice.text


async def test_the_list_shows_open_broadcasts_with_their_buttons(demo_chat, memory_store):
    empty = await demo_chat.press(HANAKO, "bc:l")
    assert "予約中・送信中の一斉連絡はありません" in empty.text
    await compose(demo_chat, "一つ目の本文", "First")
    await demo_chat.press(HANAKO, "bc:later")
    await demo_chat.send(HANAKO, "明日 9:00")
    await demo_chat.press(HANAKO, "bc:ok")
    listed = await demo_chat.press(HANAKO, "bc:l")
    assert "#1（予約済み）" in listed.text and "一つ目の本文" in listed.text
    assert ("⏸ 一時停止", "bc:p:1") in listed.buttons


# Permission -----------------------------------------------------------------------------------


async def test_members_cannot_broadcast_and_forged_staff_buttons_are_refused_and_audited(
    demo_chat, memory_store
):
    refused = await demo_chat.send(TANAKA, "/broadcast")
    assert REFUSED_JA in refused.text
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    for data in ("bc:p:1", "bc:x:1", "bc:xx:1", "bc:r:1"):
        forged = await demo_chat.press(TANAKA, data)
        assert REFUSED_JA in forged.text, data
    # Composing buttons belong to a draft, and Tanaka has none: out of date, nothing happens.
    for data in ("bc:a:members", "bc:now"):
        late = await demo_chat.press(TANAKA, data)
        assert "この画面は古くなっています" in late.text, data
    assert broadcasts(memory_store)[0].status is BroadcastStatus.SCHEDULED
    refusals = [a for a in memory_store.state.audit if a.action == "broadcast.refused"]
    assert len(refusals) >= 5
    assert {a.actor_person_id for a in refusals} == {person_id(memory_store, TANAKA.id)}
    garbage = await demo_chat.press(TANAKA, "bc:o:everything")
    assert "ボタン" in garbage.text
    assert any(a.action == "callback.unknown" for a in memory_store.state.audit)


# Opting out -----------------------------------------------------------------------------------


async def test_stop_these_messages_skips_the_person_next_time(demo_chat, memory_store, pump):
    stopped = await demo_chat.press(MARIA, "bc:o:notice")
    assert "You will no longer receive “Co-op notices”" in stopped.text
    assert ("🔔 Receive them again", "bc:i:notice") in stopped.buttons
    preview = await compose(demo_chat, "本文", "Text")
    assert "1 人に届きます" in preview.text and "受け取らない設定の 1 人" in preview.text
    await send_now(demo_chat)
    await run_pump(pump)
    assert set(rows_of(memory_store, 1)) == {TANAKA.id}
    again = await demo_chat.press(MARIA, "bc:i:notice")
    assert "You will receive “Co-op notices” again" in again.text


async def test_message_settings_switch_each_kind(demo_chat, memory_store):
    shown = await demo_chat.send(MARIA, "/notifications")
    assert ("✅ Co-op notices: on", "bc:t:notice") in shown.buttons
    assert ("🔕 Newsletter: off", "bc:t:news") in shown.buttons  # the newsletter is opt-in
    switched = await demo_chat.press(MARIA, "bc:t:news")
    assert ("✅ Newsletter: on", "bc:t:news") in switched.buttons
    await compose(demo_chat, "ニュース", "News", audience="bc:a:optin")
    # compose picked "notice"; the opted-in audience of notices is empty
    assert broadcasts(memory_store) == []


# The end --------------------------------------------------------------------------------------


async def test_the_summary_lists_who_could_not_be_reached(demo_chat, memory_store, pump, clock):
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    await run_pump(pump)
    rows = rows_of(memory_store, 1)
    # What the sender does: Tanaka's copy goes out, Maria blocked the bot.
    rows[TANAKA.id].status = OutboxStatus.SENT
    rows[MARIA.id].status = OutboxStatus.FAILED
    rows[MARIA.id].last_error = "unreachable: Forbidden: bot was blocked by the user"
    clock.advance(seconds=10)
    await run_pump(pump, 2)
    (broadcast,) = broadcasts(memory_store)
    assert broadcast.status is BroadcastStatus.DONE
    summary = next(r for r in memory_store.state.outbox.values() if r.dedupe_key == "bc:1:summary")
    assert summary.message.chat_id == HANAKO.id
    assert "送信 1 件、届かなかった人 1 人" in summary.message.text
    assert (
        "Maria Santos" in summary.message.text and "電話で連絡してください" in summary.message.text
    )
    assert not [a for a in memory_store.state.audit if "Maria" in str(a.details)]


async def test_progress_is_edited_in_place_at_most_every_few_seconds(
    demo_chat, memory_store, pump, clock
):
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    await run_pump(pump, 1)
    first = next(r for r in memory_store.state.outbox.values() if r.dedupe_key == "bc:1:progress")
    first.status, first.telegram_message_id = OutboxStatus.SENT, 777
    for record in rows_of(memory_store, 1).values():
        record.status = OutboxStatus.SENT
    await run_pump(pump, 3)
    edits = [r for r in memory_store.state.outbox.values() if r.message.edit_message_id == 777]
    assert edits == []  # within the interval
    clock.advance(seconds=4)
    await run_pump(pump, 3)
    edits = [r for r in memory_store.state.outbox.values() if r.message.edit_message_id == 777]
    assert edits and "送信済み：" in edits[-1].message.text
    assert timedelta(0) <= clock.now() - first.created_at


# The progress message, a question on it, an honest cancel ---------------------------------------

PROGRESS_MESSAGE = 777  # the Telegram id the progress message was given when it went out


def progress_sent(store) -> None:
    """What the sender does with the first progress message: sends it, records its id."""
    first = next(r for r in store.state.outbox.values() if r.dedupe_key == "bc:1:progress")
    first.status, first.telegram_message_id = OutboxStatus.SENT, PROGRESS_MESSAGE


def shown_on_progress(store) -> str:
    """What the progress message says now: its latest edit (or the first text)."""
    edits = [
        r for r in store.state.outbox.values() if r.message.edit_message_id == PROGRESS_MESSAGE
    ]
    if edits:
        return max(edits, key=lambda r: r.id).message.text
    first = next(r for r in store.state.outbox.values() if r.dedupe_key == "bc:1:progress")
    return first.message.text


async def more_members(store, clock, count: int) -> None:
    async with store.uow() as uow:
        for i in range(count):
            await uow.people.add(
                NewPerson(
                    8000 + i, f"Member {i}", "ja", clock.now(), roles=frozenset({Role.MEMBER})
                )
            )
        await uow.commit()


async def test_a_cancel_question_on_the_progress_message_is_not_overwritten_by_progress(
    demo_chat, memory_store, pump, clock
):
    await more_members(memory_store, clock, 5)
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    await run_pump(pump, 1)
    progress_sent(memory_store)
    asked = await demo_chat.press(HANAKO, "bc:x:1", message_id=PROGRESS_MESSAGE)
    assert "一斉連絡 #1 を中止しますか" in asked.text
    assert broadcasts(memory_store)[0].asking

    for _ in range(3):  # the broadcast goes on, and progress comes due every few seconds
        clock.advance(seconds=4)
        await run_pump(pump, 2)
        await demo_chat.send(TANAKA, "/help")  # the harness sends what was queued meanwhile
    assert "中止しますか" in shown_on_progress(memory_store)

    kept = await demo_chat.press(HANAKO, "bc:v:1", message_id=PROGRESS_MESSAGE)
    assert "送信中" in kept.text and not broadcasts(memory_store)[0].asking
    clock.advance(seconds=4)
    await run_pump(pump, 1)
    assert "送信済み：" in shown_on_progress(memory_store)


async def test_a_question_on_another_message_does_not_hold_the_progress(
    demo_chat, memory_store, pump, clock
):
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    await run_pump(pump, 1)
    progress_sent(memory_store)
    await demo_chat.press(HANAKO, "bc:x:1", message_id=PROGRESS_MESSAGE + 1)  # the list's item
    assert not broadcasts(memory_store)[0].asking


async def test_cancel_says_exactly_how_many_were_sent_and_how_many_never_will_be(
    demo_chat, memory_store, pump, clock
):
    await more_members(memory_store, clock, 5)  # seven members in all
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    await run_pump(pump, 1)  # Tanaka's copy is queued ...
    progress_sent(memory_store)
    await demo_chat.press(HANAKO, "bc:x:1", message_id=PROGRESS_MESSAGE)  # ... and goes out
    await run_pump(pump, 1)  # Maria's copy is queued, not sent; five members not reached yet
    cancelled = await demo_chat.press(HANAKO, "bc:xx:1", message_id=PROGRESS_MESSAGE)

    assert cancelled.toast == "中止しました"
    assert "（中止）" in cancelled.text
    assert "送信済み：1" in cancelled.text and "送らなかった：6" in cancelled.text
    assert "残り：0" not in shown_on_progress(memory_store)
    assert "送らなかった：6" in shown_on_progress(memory_store)
    (broadcast,) = broadcasts(memory_store)
    assert broadcast.status is BroadcastStatus.CANCELLED and not broadcast.asking
    cancel = next(a for a in memory_store.state.audit if a.action == "broadcast.cancelled")
    assert cancel.details == {"not_sent": 6}

    await run_pump(pump, 2)  # nothing was on its way: the pump finishes it, once
    await run_pump(pump, 2)
    summaries = [r for r in memory_store.state.outbox.values() if r.dedupe_key == "bc:1:summary"]
    assert len(summaries) == 1
    assert "中止しました。送信 1 件、送らなかった 6 件" in summaries[0].message.text
    assert broadcasts(memory_store)[0].finished_at is not None
    assert len(rows_of(memory_store, 1)) == 1  # nobody else was queued after the cancel


async def test_a_message_on_its_way_at_the_cancel_is_counted_when_it_arrives(
    demo_chat, memory_store, pump, clock
):
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    await run_pump(pump, 1)
    progress_sent(memory_store)
    rows_of(memory_store, 1)[TANAKA.id].status = OutboxStatus.SENDING  # a sender holds it
    cancelled = await demo_chat.press(HANAKO, "bc:xx:1", message_id=PROGRESS_MESSAGE)
    assert "送信済み：0" in cancelled.text and "送らなかった：1" in cancelled.text
    assert "送信中だった 1 件" in cancelled.text
    await run_pump(pump, 2)
    assert broadcasts(memory_store)[0].finished_at is None  # still on its way

    rows_of(memory_store, 1)[TANAKA.id].status = OutboxStatus.SENT  # it arrived
    await run_pump(pump, 2)
    assert broadcasts(memory_store)[0].finished_at is not None
    assert "送信済み：1" in shown_on_progress(memory_store)
    assert "送らなかった：1" in shown_on_progress(memory_store)


async def test_pause_and_resume_show_on_the_progress_message_whichever_door(
    demo_chat, memory_store, pump, clock
):
    await compose(demo_chat, "本文", "Text")
    await send_now(demo_chat)
    await run_pump(pump, 1)
    progress_sent(memory_store)
    await demo_chat.press(HANAKO, "bc:l")  # the list: another message with the same buttons
    await demo_chat.press(HANAKO, "bc:p:1", message_id=PROGRESS_MESSAGE + 1)
    assert "一時停止中" in shown_on_progress(memory_store)
    await demo_chat.press(HANAKO, "bc:r:1", message_id=PROGRESS_MESSAGE + 1)
    assert "送信中" in shown_on_progress(memory_store)
    assert "一時停止中" not in shown_on_progress(memory_store)


async def test_the_newsletter_goes_only_to_those_who_switched_it_on(demo_chat, memory_store, pump):
    shown = await demo_chat.send(TANAKA, "/notifications")
    assert ("🔕 ニュースレター：受け取らない", "bc:t:news") in shown.buttons
    await demo_chat.press(MARIA, "bc:t:news")  # Maria switches it on
    await demo_chat.send(HANAKO, "/broadcast")
    await demo_chat.press(HANAKO, "bc:a:members")
    await demo_chat.press(HANAKO, "bc:k:news")
    await demo_chat.send(HANAKO, "ニュース")
    preview = await demo_chat.send(HANAKO, "News")
    assert "1 人に届きます" in preview.text and "受け取らない設定の 1 人" in preview.text
    await send_now(demo_chat)
    await run_pump(pump)
    assert set(rows_of(memory_store, 1)) == {MARIA.id}
