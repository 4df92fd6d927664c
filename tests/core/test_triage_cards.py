"""Transcripts of staff triage cards: a new item becomes a card in every staff chat, each button
acts through the services, every copy of the card is edited in place, the requester is told.

The harness plays Telegram: each message the outbox sends gets a message id, and an edit
(`edit_message_id`) replaces the message on that chat's "screen", so tests read cards as staff
would see them.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from bot.dialogs.engine import DialogSettings
from bot.dialogs.runner import Conversation
from bot.domain.cards import CardKind
from bot.domain.coop import WorkKind
from bot.domain.incoming import ChatType, InputKind
from bot.domain.people import Actor, NewPerson, Role
from bot.domain.requests import DEFAULT_AREAS, RequestStatus
from bot.notices.bus import Consequences
from bot.rendering import Renderer
from bot.runtime.card_feed import CardFeed
from bot.services import hours as hours_service
from bot.services import requests as rq
from kyodo.demo import load_demo
from storage.database import create_engine
from storage.migrate import upgrade
from storage.uow import SqlStore
from tests.fakes.chat import ChatHarness, User
from tests.fakes.memory_store import MemoryStore
from tests.fixtures.cards import (
    ANN,
    GROUP,
    JIRO,
    NOW,
    REFUSED_JA,
    TODAY,
    CardHarness,
    _data,
    _first_centre,
    _labels,
    _setup,
    actor,
    apply_as_volunteer,
    audited,
    report_hours,
    request_of,
    submit_request,
)
from tests.fixtures.core import FakeClock, conversation_on
from tests.fixtures.forms import form
from tests.fixtures.people import HANAKO, TANAKA, TOME, person_id

# --- A new request becomes a card -------------------------------------------------------------


async def test_a_new_request_becomes_a_card_in_each_staff_members_chat_in_their_language(
    cards_chat,
):
    request_id = await submit_request(cards_chat)
    reference = request_of(cards_chat.store, request_id).reference
    _, ja = cards_chat.card(HANAKO.id, reference)
    _, en = cards_chat.card(JIRO.id, reference)
    assert "訪問介護" in ja.text and "状態：<b>受付</b>" in ja.text
    assert "Home help" in en.text and "Status: <b>Received</b>" in en.text
    assert _labels(ja) == [
        "🙋 担当する",
        "🏢 センターへ",
        "👍 受け入れる",
        "🔎 連絡先・詳細",
        "❓ 質問する",
        "✖️ お断り",
    ]
    assert _labels(en) == [
        "🙋 Take it",
        "🏢 To a centre",
        "👍 Accept",
        "🔎 Contact and details",
        "❓ Ask",
        "✖️ Decline",
    ]
    # Cards go to several people at once: no phone, no address, no care details on them.
    for card in (ja, en):
        assert "090" not in card.text and "中央区1-2-3" not in card.text
        assert "買い物" not in card.text
    # A second look at the store sends nothing again.
    assert await cards_chat.feed_step() == 0


async def test_take_edits_every_copy_and_tells_the_resident_and_a_second_taker_hears_who(
    cards_chat,
):
    request_id = await submit_request(cards_chat)
    reference = request_of(cards_chat.store, request_id).reference
    hanako_card_id, card = cards_chat.card(HANAKO.id, reference)
    jiro_card_id, jiro_card = cards_chat.card(JIRO.id, reference)
    taken = await cards_chat.press(HANAKO, _data(card, "担当する"), message_id=hanako_card_id)
    assert taken.toast == f"{reference} を担当しました。"
    # Both copies were edited in place (same message ids), showing who has it.
    assert cards_chat.screens[HANAKO.id][hanako_card_id].text.count("担当：佐藤 花子") == 1
    assert "Handled by: 佐藤 花子" in cards_chat.screens[JIRO.id][jiro_card_id].text
    assert "Status: <b>Under review</b>" in cards_chat.screens[JIRO.id][jiro_card_id].text
    assert sorted(e.chat_id for e in cards_chat.edits) == sorted([HANAKO.id, JIRO.id])  # once
    assert "確認" in cards_chat.last_to(TOME.id).text  # the resident's "under review"
    # Jiro's stale copy still had a "take" button; pressing it tells him who has it.
    second = await cards_chat.press(JIRO, _data(jiro_card, "Take it"), message_id=jiro_card_id)
    assert second.toast == "佐藤 花子 has already taken it."
    assert request_of(cards_chat.store, request_id).taken_by == person_id(
        cards_chat.store, HANAKO.id
    )


async def test_assign_to_a_centre_from_the_centre_buttons(cards_chat):
    request_id = await submit_request(cards_chat)
    reference = request_of(cards_chat.store, request_id).reference
    card_id, card = cards_chat.card(HANAKO.id, reference)
    centres = await cards_chat.press(HANAKO, _data(card, "センターへ"), message_id=card_id)
    assert "どのセンターに割り当てますか" in centres.text
    choice = _first_centre(centres)
    await cards_chat.press(HANAKO, choice)
    request = request_of(cards_chat.store, request_id)
    assert request.centre_id is not None and request.status is RequestStatus.UNDER_REVIEW
    assert "センター：" in cards_chat.screens[HANAKO.id][card_id].text


async def test_ask_and_answer_come_back_onto_the_card_and_to_the_staff_member_who_asked(
    cards_chat, clock
):
    request_id = await submit_request(cards_chat)
    reference = request_of(cards_chat.store, request_id).reference
    card_id, card = cards_chat.card(JIRO.id, reference)
    prompt = await cards_chat.press(JIRO, _data(card, "Ask"), message_id=card_id)
    assert f"Type your question for the requester of {reference}" in prompt.text
    empty = await cards_chat.send(JIRO, "   ")
    assert "Please type a question." in empty.text
    asked = await cards_chat.send(JIRO, "玄関の鍵はどうすればよいですか？")
    assert "Your question on" in asked.text
    assert "玄関の鍵" in cards_chat.last_to(TOME.id).text  # the resident gets the question
    assert (
        "💬 回答待ち"
        in cards_chat.screens[HANAKO.id][cards_chat.card(HANAKO.id, reference)[0]].text
    )
    clock.advance(minutes=5)
    async with cards_chat.store.uow() as uow:
        await rq.answer(
            uow, actor(cards_chat.store, TOME.id), request_id, "ポストの中にあります", clock.now()
        )
        await uow.commit()
    cards_chat.release()  # the answer's consequences edited the card: no feed involved
    # Every copy says there is an answer; none prints it (it may hold a care need).
    jiro_card = cards_chat.screens[JIRO.id][card_id]
    assert "The requester has answered" in jiro_card.text
    assert "ポストの中にあります" not in jiro_card.text
    # The staff member who asked hears the answer in their own chat.
    assert any("ポストの中にあります" in m.text for m in cards_chat.delivered[JIRO.id])
    hanako_id, hanako_card = cards_chat.card(HANAKO.id, reference)
    assert "ポストの中にあります" not in cards_chat.screens[HANAKO.id][hanako_id].text
    shown = await cards_chat.press(HANAKO, _data(hanako_card, "回答を見る"), message_id=hanako_id)
    assert "ポストの中にあります" in shown.text and "この表示は記録されます" in shown.text
    viewed = [a for a in cards_chat.store.state.audit if a.action == "request.answer_viewed"]
    assert [(a.actor_person_id, a.subject) for a in viewed] == [
        (person_id(cards_chat.store, HANAKO.id), f"service_request:{request_id}")
    ]


async def test_accept_by_centre_day_and_hour_buttons_tells_the_resident_which_centre_and_when(
    cards_chat,
):
    request_id = await submit_request(cards_chat)
    reference = request_of(cards_chat.store, request_id).reference
    card_id, card = cards_chat.card(HANAKO.id, reference)
    centres = await cards_chat.press(HANAKO, _data(card, "受け入れる"), message_id=card_id)
    assert "どのセンターからご連絡しますか" in centres.text
    days = await cards_chat.press(HANAKO, _first_centre(centres))
    assert "連絡する日" in days.text
    tomorrow = next(d for label, d in days.buttons if "11月23日" in label)
    hours = await cards_chat.press(HANAKO, tomorrow)
    done = await cards_chat.press(HANAKO, next(d for label, d in hours.buttons if label == "10:00"))
    assert done.toast == f"{reference} を受け入れました。ご依頼者に知らせます。"
    request = request_of(cards_chat.store, request_id)
    assert request.status is RequestStatus.ACCEPTED
    assert request.contact_when == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
    assert "11月23日（月） 10:00" in cards_chat.screens[HANAKO.id][card_id].text
    assert TOME.id not in cards_chat.delivered  # held while Hanako may undo it
    cards_chat.clock.advance(minutes=5)
    cards_chat.deliver()
    assert "11月23日" in cards_chat.last_to(TOME.id).text


async def test_an_older_day_or_hour_picker_is_out_of_date_and_sets_nothing(cards_chat):
    first = await submit_request(cards_chat)
    second = await submit_request(cards_chat)
    first_card_id, first_card = cards_chat.card(
        HANAKO.id, request_of(cards_chat.store, first).reference
    )
    centres = await cards_chat.press(
        HANAKO, _data(first_card, "受け入れる"), message_id=first_card_id
    )
    days = await cards_chat.press(HANAKO, _first_centre(centres))
    hours = await cards_chat.press(
        HANAKO, next(d for label, d in days.buttons if "11月23日" in label)
    )
    ten = next(d for label, d in hours.buttons if label == "10:00")
    # Hanako turns to the second request: the first one's pickers no longer fit.
    second_card_id, second_card = cards_chat.card(
        HANAKO.id, request_of(cards_chat.store, second).reference
    )
    centres = await cards_chat.press(
        HANAKO, _data(second_card, "受け入れる"), message_id=second_card_id
    )
    await cards_chat.press(HANAKO, _first_centre(centres))
    for late in (ten, next(d for label, d in days.buttons if "11月24日" in label)):
        stale = await cards_chat.press(HANAKO, late)
        assert stale.toast is not None and "古くなっています" in stale.toast
        assert "連絡する日" in stale.text  # the second request's day, asked again
    assert request_of(cards_chat.store, first).status is RequestStatus.RECEIVED
    # Once the dialog has ended (Cancel), an old hour button is out of date too.
    await cards_chat.send(HANAKO, "/cancel")
    assert "古くなっています" in ((await cards_chat.press(HANAKO, ten)).toast or "")
    assert request_of(cards_chat.store, first).status is RequestStatus.RECEIVED


async def test_schedule_by_typed_date_refuses_nonsense_and_past_then_done_closes_the_card(
    cards_chat,
):
    request_id = await submit_request(cards_chat)
    reference = request_of(cards_chat.store, request_id).reference
    card_id, card = cards_chat.card(HANAKO.id, reference)
    centres = await cards_chat.press(HANAKO, _data(card, "受け入れる"), message_id=card_id)
    await cards_chat.press(HANAKO, _first_centre(centres))
    await cards_chat.send(HANAKO, "11/23 10:00")
    card = cards_chat.screens[HANAKO.id][card_id]
    picker = await cards_chat.press(HANAKO, _data(card, "日程を決める"), message_id=card_id)
    assert "サービスの日" in picker.text
    assert "その日時はありません" in (await cards_chat.send(HANAKO, "2/30 10:00")).text
    assert "もう過ぎています" in (await cards_chat.send(HANAKO, "11/22 8:00")).text
    assert "読み取れませんでした" in (await cards_chat.send(HANAKO, "あした")).text
    set_ = await cards_chat.send(HANAKO, "１１／２５　１４：３０")  # full width, NFKC
    assert "11月25日（水） 14:30" in set_.text
    request = request_of(cards_chat.store, request_id)
    assert request.status is RequestStatus.SCHEDULED
    assert request.scheduled_for == datetime(2026, 11, 25, 5, 30, tzinfo=UTC)
    assert "予定：11月25日（水） 14:30" in cards_chat.screens[HANAKO.id][card_id].text
    card = cards_chat.screens[HANAKO.id][card_id]
    asked = await cards_chat.press(HANAKO, _data(card, "完了"), message_id=card_id)
    assert "本当に完了にしますか？" in asked.text and reference in asked.text
    assert "予定の日時（11月25日（水） 14:30）はまだ来ていません。" in asked.text
    assert request_of(cards_chat.store, request_id).status is RequestStatus.SCHEDULED
    await cards_chat.tap(HANAKO, "はい、完了にします")
    closed = cards_chat.screens[JIRO.id][cards_chat.card(JIRO.id, reference)[0]]
    assert "Status: <b>Done</b>" in closed.text and closed.buttons == ()
    assert "Last: done by 佐藤 花子" in closed.text


async def test_decline_needs_a_typed_reason_which_the_resident_reads(cards_chat):
    request_id = await submit_request(cards_chat, telegram_id=ANN.id)
    reference = request_of(cards_chat.store, request_id).reference
    card_id, card = cards_chat.card(HANAKO.id, reference)
    prompt = await cards_chat.press(HANAKO, _data(card, "お断り"), message_id=card_id)
    assert "お断りする理由を入力してください" in prompt.text
    assert "理由を入力してください" in (await cards_chat.send(HANAKO, " ")).text
    assert "理由が長すぎます（301文字" in (await cards_chat.send(HANAKO, "あ" * 301)).text
    assert request_of(cards_chat.store, request_id).status is RequestStatus.RECEIVED
    await cards_chat.send(HANAKO, "対応できる地域の外のため")
    request = request_of(cards_chat.store, request_id)
    assert request.status is RequestStatus.DECLINED
    cards_chat.clock.advance(minutes=5)  # told once the undo window is over
    cards_chat.deliver()
    assert "対応できる地域の外のため" in cards_chat.last_to(ANN.id).text
    card = cards_chat.screens[HANAKO.id][card_id]
    assert "理由：対応できる地域の外のため" in card.text and card.buttons == ()


async def test_contact_details_go_to_the_presser_alone_and_the_view_is_audited(group_chat):
    request_id = await submit_request(group_chat)
    reference = request_of(group_chat.store, request_id).reference
    card_id, card = group_chat.card(GROUP, reference)
    shown = await group_chat.press_in_group(HANAKO, _data(card, "詳細"), card_id)
    assert "090-1234-5678" in shown.text and "中央区1-2-3" in shown.text
    assert all("090-1234-5678" not in m.text for m in group_chat.screens[GROUP].values())
    assert f"service_request:{request_id}" in audited(group_chat.store, "request.personal_viewed")


# --- Refusals ---------------------------------------------------------------------------------


async def test_a_resident_replaying_a_card_button_is_refused_in_their_language_and_audited(
    cards_chat,
):
    request_id = await submit_request(cards_chat)
    card = cards_chat.card(HANAKO.id, request_of(cards_chat.store, request_id).reference)[1]
    take = _data(card, "担当する")
    ja = await cards_chat.press(TOME, take)
    assert ja.toast == REFUSED_JA
    en = await cards_chat.press(ANN, take)
    assert en.toast == "Sorry, you are not allowed to do that."
    member = await cards_chat.press(TANAKA, f"tc:h:ok:{request_id}")
    assert member.toast == REFUSED_JA
    assert audited(cards_chat.store, "triage.refused") == [
        f"card:request:{request_id}",
        f"card:request:{request_id}",
        f"card:hours:{request_id}",
    ]
    assert request_of(cards_chat.store, request_id).status is RequestStatus.RECEIVED


async def test_forged_card_data_is_refused_and_audited_even_for_staff(cards_chat):
    for data in ("tc:x:take:1", "tc:r:take:abc", "tc:r:w:1:0:1:9999999999", "tc:r:nope:1"):
        turn = await cards_chat.press(HANAKO, data)
        assert "ボタン" in turn.text or turn.toast is not None
    unknown = await cards_chat.press(HANAKO, "tc:r:take:999999")
    assert unknown.toast == REFUSED_JA
    assert "service_request:999999" in audited(cards_chat.store, "request.refused")


# --- Hour reports and volunteer applications --------------------------------------------------


async def test_an_hour_report_card_approves_after_yes_and_the_member_is_told(cards_chat):
    report_id = await report_hours(cards_chat)
    card_id, card = cards_chat.card(HANAKO.id, f"勤務時間 #{report_id}")
    assert "田中 一郎" in card.text and "7時間30分" in card.text and "窓拭き" in card.text
    await cards_chat.press(HANAKO, _data(card, "承認"), message_id=card_id)
    approved = await cards_chat.tap(HANAKO, "はい、承認します")  # asked first (test_undo_hours)
    assert approved.toast == "承認しました。本人に知らせます。"
    assert cards_chat.store.state.hour_reports[report_id].status.value == "approved"
    edited = cards_chat.screens[HANAKO.id][card_id]
    assert "状態：<b>承認済み</b>" in edited.text and edited.buttons == ()
    assert "最新：承認（佐藤 花子" in edited.text
    cards_chat.clock.advance(minutes=5)  # told once the undo window is over
    cards_chat.deliver()
    assert "承認" in cards_chat.last_to(TANAKA.id).text
    jiro_card_id, jiro_card = cards_chat.card(JIRO.id, f"Hours #{report_id}")
    assert "Status: <b>approved</b>" in jiro_card.text
    again = await cards_chat.press(JIRO, "tc:h:ok:" + str(report_id), message_id=jiro_card_id)
    assert again.toast == "It was already decided. The card now shows the latest state."


async def test_an_hour_report_rejected_with_a_reason_and_a_decision_elsewhere_updates_the_card(
    cards_chat, clock
):
    first = await report_hours(cards_chat)
    card_id, card = cards_chat.card(JIRO.id, f"Hours #{first}")
    await cards_chat.press(JIRO, _data(card, "Reject"), message_id=card_id)
    await cards_chat.send(JIRO, "シフトがありません")
    clock.advance(minutes=5)  # told once the undo window is over
    cards_chat.deliver()
    assert "シフトがありません" in cards_chat.last_to(TANAKA.id).text
    assert "Reason: シフトがありません" in cards_chat.screens[JIRO.id][card_id].text
    # Approved through the old review list (not the card): the decision's event edits the card.
    clock.advance(minutes=1)
    second = await _report_hours_day(cards_chat, TODAY - timedelta(days=1))
    other_id, _ = cards_chat.card(HANAKO.id, f"勤務時間 #{second}")
    clock.advance(seconds=30)
    await cards_chat.press(HANAKO, f"hr:a:{second}")
    await cards_chat.tap(HANAKO, "はい、承認します")
    assert "承認済み" in cards_chat.screens[HANAKO.id][other_id].text


async def _report_hours_day(harness: CardHarness, day: date) -> int:
    store = harness.store
    async with store.uow() as uow:
        report = await hours_service.report_hours(
            uow,
            actor(store, TANAKA.id),
            day=day,
            centre_id=sorted(store.state.centres)[0],
            kind=WorkKind.CLEANING,
            minutes=120,
            note=None,
            today=TODAY,
            window_days=31,
            now=harness.clock.now(),
        )
        await uow.commit()
    harness.deliver()
    return report.id


async def test_a_volunteer_application_card_approves_or_declines_with_a_reason(cards_chat):
    application_id = await apply_as_volunteer(cards_chat)
    card_id, card = cards_chat.card(HANAKO.id, f"ボランティアの申し込み #{application_id}")
    assert "090-1111-2222" not in card.text
    assert _labels(card) == ["✅ 承認", "✖️ お断り"]
    await cards_chat.press(HANAKO, _data(card, "お断り"), message_id=card_id)
    await cards_chat.send(HANAKO, "今は子育て支援の募集がありません")
    cards_chat.clock.advance(minutes=5)  # told once the few minutes to undo it are over
    cards_chat.deliver()
    assert "今は子育て支援の募集がありません" in cards_chat.last_to(ANN.id).text
    assert (
        "Reason: 今は子育て支援の募集がありません"
        in cards_chat.card(JIRO.id, "Volunteer application")[1].text
    )


async def test_an_application_approved_from_the_review_list_edits_each_copy_once(cards_chat):
    application_id = await apply_as_volunteer(cards_chat)
    card_id, _ = cards_chat.card(JIRO.id, f"Volunteer application #{application_id}")
    await cards_chat.press(HANAKO, "vol:list")
    listed, _ = cards_chat.card(HANAKO.id, "ボランティアの申し込み #")
    await cards_chat.press(HANAKO, f"vol:ok:{application_id}", message_id=listed)
    approved = await cards_chat.tap(HANAKO, "はい、承認します")
    assert approved.toast == "承認しました"
    assert "Approved" in cards_chat.screens[JIRO.id][card_id].text
    card_edits = [e.chat_id for e in cards_chat.edits if e.edit_message_id != listed]
    assert sorted(card_edits) == sorted([HANAKO.id, JIRO.id])  # one edit per copy
    cards_chat.clock.advance(minutes=5)  # told once the few minutes to undo it are over
    cards_chat.deliver()
    told = cards_chat.last_to(ANN.id)
    assert "approved" in told.text and _labels(told) == ["🏠 Menu"]
    assert await cards_chat.feed_step() == 0  # nothing was left for the feed


# --- Editing before the first send has its message id -----------------------------------------


async def test_a_card_changed_before_its_first_send_is_edited_once_the_message_id_is_known(
    cards_chat,
):
    cards_chat.hold = True  # the cards are queued, not yet sent: no message ids
    request_id = await submit_request(cards_chat)
    reference = request_of(cards_chat.store, request_id).reference
    await cards_chat.press(HANAKO, f"tc:r:take:{request_id}")
    async with cards_chat.store.uow() as uow:
        found = await uow.cards.find(CardKind.REQUEST, request_id)
        assert found is not None and found.version == 2
        assert [c.id for c in await uow.cards.behind(10)] == [found.id]  # left for the feed
    cards_chat.release()  # the first sends go out, showing the old state
    _, shown = cards_chat.card(JIRO.id, reference)
    assert "Received" in shown.text
    assert await cards_chat.feed_step() == 2  # one edit per copy, no second message
    _, edited = cards_chat.card(JIRO.id, reference)
    assert "Handled by: 佐藤 花子" in edited.text
    assert [m for m in cards_chat.screens[JIRO.id].values() if reference in m.text] == [edited]


# --- Group mode -------------------------------------------------------------------------------


async def test_in_group_mode_one_card_goes_to_the_group_and_prompts_to_the_pressers_chat(
    group_chat,
):
    request_id = await submit_request(group_chat)
    reference = request_of(group_chat.store, request_id).reference
    card_id, card = group_chat.card(GROUP, reference)
    assert HANAKO.id not in group_chat.screens or not group_chat.cards_in(HANAKO.id)
    record = next(r for r in group_chat.store.state.outbox.values() if r.message is card)
    assert record.message.is_group
    prompt = await group_chat.press_in_group(HANAKO, _data(card, "お断り"), card_id)
    assert "お断りする理由" in prompt.text  # asked in Hanako's private chat
    await group_chat.send(HANAKO, "定員に達しています")
    edited = group_chat.screens[GROUP][card_id]
    assert "お断り" in edited.text and edited.edit_message_id == card_id and edited.is_group
    # A resident in the group pressing a card button is refused and audited.
    refused = await group_chat.press_in_group(TOME, f"tc:r:take:{request_id}", card_id)
    assert refused.toast == REFUSED_JA
    assert f"card:request:{request_id}" in audited(group_chat.store, "triage.refused")


async def test_other_buttons_and_text_in_the_staff_group_get_the_private_only_notice(group_chat):
    turn = await group_chat.send(HANAKO, "こんにちは", chat_type=ChatType.SUPERGROUP, chat_id=GROUP)
    assert "tc:" not in " ".join(d for _, d in turn.buttons)
    assert group_chat.store.state.dialogs == {}


# --- /queue -----------------------------------------------------------------------------------


async def test_the_queue_lists_waiting_work_oldest_first_with_counts_and_a_centre_filter(
    cards_chat, clock
):
    first = await submit_request(cards_chat)
    clock.advance(minutes=1)
    report_id = await report_hours(cards_chat)
    clock.advance(minutes=1)
    application_id = await apply_as_volunteer(cards_chat)
    queue = await cards_chat.send(HANAKO, "/queue")
    text = queue.text
    reference = request_of(cards_chat.store, first).reference
    assert "依頼 1件・ボランティアの申し込み 1件・勤務時間 1件" in text
    assert (
        text.index(reference)
        < text.index(f"勤務時間 #{report_id}")
        < text.index(f"申し込み #{application_id}")
    )
    centre = sorted(cards_chat.store.state.centres)[-1]
    filtered = await cards_chat.press(HANAKO, f"tq:{centre}:0")
    assert "ボランティアの申し込み 0件" in filtered.text
    opened = await cards_chat.press(HANAKO, queue.data_for(reference))
    assert any(reference in m.text for m in cards_chat.screens[HANAKO.id].values())
    assert opened.toast is None
    refused = await cards_chat.send(TANAKA, "/queue")
    assert REFUSED_JA in refused.text
    assert "queue" in audited(cards_chat.store, "triage.refused")


# --- Two staff pressing "take it" at once, on the real stores ---------------------------------


async def test_of_two_staff_taking_at_once_on_sql_one_wins_and_the_other_is_told_who(
    store_url, i18n
):
    await upgrade(store_url)
    engine = create_engine(store_url)
    try:
        store = SqlStore(engine)
        clock = FakeClock(NOW)
        store.publish = Consequences(
            Renderer(i18n),
            DialogSettings(
                bot_username="kyodo_test_bot",
                invite_ttl_hours=72,
                max_text_length=1000,
                default_locale="ja",
            ),
        )
        async with store.uow() as uow:
            await load_demo(uow, NOW)
            await uow.people.add(
                NewPerson(
                    JIRO.id, JIRO.name, "en", NOW, roles=frozenset({Role.STAFF, Role.COORDINATOR})
                )
            )
            await uow.commit()
        async with store.uow() as uow:
            resident = await uow.people.by_telegram_id(TOME.id)
            assert resident is not None
            view = await rq.submit(
                uow,
                Actor(resident.id, resident.roles, "ja"),
                form(),
                consent=True,
                today=TODAY,
                areas=DEFAULT_AREAS,
                now=NOW,
            )
            await uow.commit()
        request_id, reference = view.request.id, view.request.reference
        settings = DialogSettings(
            bot_username="kyodo_test_bot",
            invite_ttl_hours=72,
            max_text_length=1000,
            default_locale="ja",
        )
        renderer = Renderer(i18n)
        async with store.uow() as uow:  # the submit's consequences sent the card to both
            sent = await uow.cards.find(CardKind.REQUEST, request_id)
            assert sent is not None and len(await uow.cards.copies(sent.id)) >= 2
        conversation = Conversation(renderer, settings, clock)
        harness = ChatHarness(MemoryStore(), conversation, clock)  # only for its Incoming maker

        async def take(user: User) -> str | None:
            incoming = harness._incoming(
                user,
                ChatType.PRIVATE,
                None,
                kind=InputKind.BUTTON,
                callback_data=f"tc:r:take:{request_id}",
                callback_query_id=f"q{user.id}",
                message_id=1,
            )
            async with store.uow() as uow:
                result = await conversation(uow, incoming)
                await uow.commit()
            return result.callback_answer

        answers = await asyncio.gather(take(HANAKO), take(JIRO))
        won = {f"{reference} を担当しました。", f"You have taken {reference}."}
        assert len(won & set(answers)) == 1, answers
        loser = next(a for a in answers if a not in won)
        assert loser in (
            "佐藤 花子 has already taken it.",
            "Jiro Staffさんがすでに担当しています。",
        )
        async with store.uow() as uow:
            request = await uow.requests.get(request_id)
            history = await uow.requests.history(request_id)
            card = await uow.cards.find(CardKind.REQUEST, request_id)
        assert request is not None and request.taken_by is not None
        assert [c.action.value for c in history].count("taken") == 1
        assert card is not None and card.version == 2  # bumped by the winner only
    finally:
        await engine.dispose()


async def test_someone_who_is_no_longer_staff_gets_no_more_edits_of_cards(cards_chat):
    request_id = await submit_request(cards_chat)
    reference = request_of(cards_chat.store, request_id).reference
    jiro_card_id, before = cards_chat.card(JIRO.id, reference)
    async with cards_chat.store.uow() as uow:
        await uow.people.remove_role(person_id(cards_chat.store, JIRO.id), Role.STAFF)
        await uow.commit()
    await cards_chat.press(HANAKO, f"tc:r:take:{request_id}")
    assert "担当：佐藤 花子" in cards_chat.card(HANAKO.id, reference)[1].text
    assert cards_chat.screens[JIRO.id][jiro_card_id] == before
    assert await cards_chat.feed_step() == 0  # nothing left behind for him either


async def test_with_cards_turned_off_an_action_sends_no_new_card(memory_store, i18n, clock):
    await _setup(memory_store, clock)
    settings = DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
        staff_cards=False,
    )
    renderer = Renderer(i18n)
    feed = CardFeed(memory_store.uow, renderer, clock, settings)
    harness = CardHarness(
        memory_store, conversation_on(memory_store, renderer, settings, clock), clock, feed
    )
    async with memory_store.uow() as uow:
        view = await rq.submit(
            uow,
            actor(memory_store, TOME.id),
            form(),
            consent=True,
            today=TODAY,
            areas=DEFAULT_AREAS,
            now=NOW,
        )
        await uow.commit()
    taken = await harness.press(HANAKO, f"tc:r:take:{view.request.id}")
    assert taken.toast == f"{view.request.reference} を担当しました。"
    assert memory_store.state.staff_cards == {}
    assert not harness.cards_in(HANAKO.id) and not harness.cards_in(JIRO.id)


async def test_the_queue_pages_eight_at_a_time(cards_chat, clock):
    references = []
    for _ in range(10):
        clock.advance(minutes=1)
        references.append(request_of(cards_chat.store, await submit_request(cards_chat)).reference)
    first = await cards_chat.send(HANAKO, "/queue")
    assert "1/2ページ" in first.text and "依頼 10件" in first.text
    assert all(r in first.text for r in references[:8]) and references[8] not in first.text
    second = await cards_chat.press(HANAKO, first.data_for("次へ"))
    assert "2/2ページ" in second.text
    assert references[8] in second.text and references[9] in second.text
    assert "前へ" in " ".join(label for label, _ in second.buttons)
    forged = await cards_chat.press(HANAKO, "tq:x:1")  # refused like every forged button
    assert forged.toast == "このボタンは使えなくなりました。メニューを表示します。"
    assert "callback.unknown" in [a.action for a in cards_chat.store.state.audit]


async def test_a_stale_cards_decline_on_a_closed_request_says_so_before_asking_a_reason(
    cards_chat,
):
    request_id = await submit_request(cards_chat)
    reference = request_of(cards_chat.store, request_id).reference
    card_id, card = cards_chat.card(JIRO.id, reference)
    async with cards_chat.store.uow() as uow:
        await rq.cancel_mine(uow, actor(cards_chat.store, TOME.id), request_id, NOW)
        await uow.commit()
    cards_chat.deliver()  # the cancel's consequences edited every copy, no feed involved
    assert "Status: <b>Withdrawn by the requester</b>" in cards_chat.screens[JIRO.id][card_id].text
    stale = await cards_chat.press(JIRO, _data(card, "Decline"), message_id=card_id)
    assert stale.toast == (
        "That cannot be done in its current state. The card now shows the latest state."
    )
    assert cards_chat.store.state.dialogs == {}
