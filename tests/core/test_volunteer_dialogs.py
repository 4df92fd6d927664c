"""Transcripts of volunteering: the sign-up dialog, staff approve or decline, and the refusals."""

from __future__ import annotations

import pytest

from bot.dialogs.runner import FloodGuard
from bot.domain.people import Role
from bot.domain.volunteers import ApplicationStatus
from tests.fakes.chat import User
from tests.fixtures.forms import apply
from tests.fixtures.people import HANAKO, SATO, TANAKA, demo, person_id

ANNA = User(7002, "Anna", "en")
JIRO = User(3001, "鈴木 次郎", "ja")  # the demo's volunteer


@pytest.fixture
async def demo_chat(chat, memory_store, clock):
    await demo(memory_store, clock)
    # A whole application is more than the flood guard's 20 updates in 10 seconds of a clock
    # that stands still; people take longer than that.
    chat.conversation.flood = FloodGuard(limit=1000)
    return chat


def applications(store):
    return sorted(store.state.volunteer_applications.values(), key=lambda a: a.id)


def audited(store, action: str) -> list[str]:
    return [a.subject for a in store.state.audit if a.action == action]


async def test_a_stranger_applies_in_japanese_with_full_width_digits(demo_chat, memory_store):
    chat = demo_chat
    first = await chat.press(SATO, "vol")
    assert "ボランティアのお申し込みですね" in first.text and "お名前を入力" in first.text
    assert ("◀ 戻る", "va:back") in first.buttons or any(d == "va:back" for _, d in first.buttons)
    summary = await apply(chat, SATO)
    text = summary.text
    assert "お名前：佐藤 一" in text and "電話：090-1234-5678" in text
    assert "活動：高齢者介護、災害支援" in text and "曜日・時間帯：土曜日の午前" in text
    assert "資格・技能：運転免許" in text and "その他の資格：介護職員初任者研修" in text
    assert applications(memory_store) == []  # nothing stored before Send
    sent = await chat.tap(SATO, "📨 この内容で申し込む")
    assert "お申し込みを受け付けました" in sent.text
    [stored] = applications(memory_store)
    assert stored.status is ApplicationStatus.PENDING
    assert (stored.name, stored.phone) == ("佐藤 一", "090-1234-5678")
    assert [i.value for i in stored.choices.interests] == ["elderly_care", "disaster"]
    assert stored.choices.availability == ("sat:am",)
    assert stored.skills_note == "介護職員初任者研修"
    # Staff see it in their queue (the staff cards come from the card feed, not the dialog).
    queue = await chat.press(HANAKO, "vol:list")
    assert "佐藤 一" in queue.text and f"vol:ok:{stored.id}" in {d for _, d in queue.buttons}


async def test_an_english_speaker_toggles_goes_back_and_fixes_a_field(demo_chat, memory_store):
    chat = demo_chat
    await chat.press(ANNA, "vol")
    await chat.send(ANNA, "Anna Schmidt")
    phone = await chat.send(ANNA, "12345")
    assert "does not look like a Japanese phone number" in phone.text
    await chat.send(ANNA, "03-1234-5678")
    ticked = await chat.tap(ANNA, "⬜ Events")
    assert ("✅ Events", "va:t:i:events") in ticked.buttons
    assert ticked.messages[-1].edit_message_id == 1  # the ticks change where she tapped
    unticked = await chat.tap(ANNA, "✅ Events")
    assert ("⬜ Events", "va:t:i:events") in unticked.buttons
    empty = await chat.tap(ANNA, "Next ▶")
    assert "Please choose at least one area." in empty.text
    await chat.tap(ANNA, "⬜ Cleaning")
    await chat.tap(ANNA, "Next ▶")
    back = await chat.tap(ANNA, "◀ Back")
    assert "Which areas would you like to help in?" in back.text
    assert ("✅ Cleaning", "va:t:i:cleaning") in back.buttons  # kept when going back
    await chat.tap(ANNA, "Next ▶")
    await chat.tap(ANNA, "⬜ Mon evening")
    await chat.tap(ANNA, "Next ▶")
    await chat.tap(ANNA, "⬜ English")
    await chat.tap(ANNA, "Next ▶")
    await chat.tap(ANNA, "Next ▶")  # no skills
    consent = await chat.tap(ANNA, "◀ Back")
    assert "Tap your skills" in consent.text
    await chat.tap(ANNA, "Next ▶")
    summary = await chat.tap(ANNA, "✅ I agree")
    assert "Name: Anna Schmidt" in summary.text and "When: Mon evening" in summary.text
    fix = await chat.tap(ANNA, "✏️ Change something")
    assert "What would you like to change?" in fix.text
    typed = await chat.send(ANNA, "the name")  # typing at the menu: the menu again
    assert "Please choose with the buttons below." in typed.text
    assert "What would you like to change?" in typed.text
    await chat.tap(ANNA, "Name")
    fixed = await chat.send(ANNA, "Anna K. Schmidt")
    assert "Name: Anna K. Schmidt" in fixed.text  # straight back to the summary
    await chat.tap(ANNA, "📨 Send my application")
    [stored] = applications(memory_store)
    assert stored.name == "Anna K. Schmidt" and stored.phone == "03-1234-5678"


async def test_a_sticker_or_typing_where_a_button_is_expected_gets_a_clear_answer(demo_chat):
    chat = demo_chat
    await chat.press(SATO, "vol")
    sticker = await chat.sticker(SATO)
    assert sticker.text  # never silent
    still = await chat.send(SATO, "佐藤 一")  # the dialog is still at the name step
    assert "電話番号を入力" in still.text
    await chat.send(SATO, "090-1234-5678")
    typed = await chat.send(SATO, "高齢者")
    assert "下のボタンから選んでください" in typed.text
    overlong = await chat.send(SATO, "x" * 999)
    assert "下のボタンから選んでください" in overlong.text


async def test_send_pressed_twice_stores_one_application(demo_chat, memory_store):
    chat = demo_chat
    await apply(chat, SATO)
    await chat.tap(SATO, "📨 この内容で申し込む")
    again = await chat.press(SATO, "va:send")
    assert "この画面は古くなっています" in again.text  # a late press: out of date, the menu
    assert len(applications(memory_store)) == 1
    anew = await chat.tap(SATO, "🙋 ボランティアをしたい")
    assert "スタッフが確認中です" in anew.text


async def test_cancel_leaves_nothing_behind(demo_chat, memory_store):
    chat = demo_chat
    await chat.press(SATO, "vol")
    await chat.send(SATO, "佐藤 一")
    await chat.tap(SATO, "✖ やめる")
    assert applications(memory_store) == []
    late = await chat.press(SATO, "va:t:i:events")
    assert "この画面は古くなっています" in late.text


async def test_staff_approve_and_the_volunteer_is_told_in_their_language(demo_chat, memory_store):
    chat = demo_chat
    await chat.press(ANNA, "vol")
    await chat.send(ANNA, "Anna")
    await chat.send(ANNA, "090-1234-5678")
    for data in ("va:t:i:events", "va:next", "va:t:a:sun:pm", "va:next", "va:t:l:en"):
        await chat.press(ANNA, data)
    await chat.tap(ANNA, "Next ▶")
    await chat.tap(ANNA, "Next ▶")
    await chat.tap(ANNA, "✅ I agree")
    await chat.tap(ANNA, "📨 Send my application")
    [stored] = applications(memory_store)
    queue = await chat.press(HANAKO, "vol:list")
    assert "ボランティアの申し込み #" in queue.text and "090-1234-5678" in queue.text
    asked = await chat.press(HANAKO, f"vol:ok:{stored.id}")
    assert "本当にこのボランティアの申し込みを承認しますか？" in asked.text
    approved = await chat.tap(HANAKO, "はい、承認します")
    assert approved.toast == "承認しました"
    anna = memory_store.state.people[person_id(memory_store, ANNA.id)]
    assert Role.VOLUNTEER in anna.roles
    chat.wait(minutes=5)  # told once the few minutes to undo it are over
    told = chat.delivered[ANNA.id][-1]
    assert "Your volunteer application has been approved" in told.text
    again = await chat.press(HANAKO, f"vol:ok:{stored.id}")
    assert "already been decided" not in again.text and "すでに判断済み" in again.text
    assert audited(memory_store, "volunteer.approved") == [f"volunteer_application:{stored.id}"]
    # Viewing the applicant's details was audited, as staff's access to personal data is.
    viewed = [a for a in memory_store.state.audit if a.action == "personal_data.viewed"]
    assert viewed and viewed[0].subject == f"person:{anna.id}"
    assert viewed[0].actor_person_id == person_id(memory_store, HANAKO.id)


async def test_staff_decline_with_a_reason_which_the_applicant_reads(demo_chat, memory_store):
    chat = demo_chat
    await apply(chat, SATO)
    await chat.tap(SATO, "📨 この内容で申し込む")
    [stored] = applications(memory_store)
    ask = await chat.press(HANAKO, f"vol:no:{stored.id}")
    assert "お断りする理由を入力" in ask.text
    empty = await chat.send(HANAKO, "   ")
    assert "お断りする理由を入力" in empty.text
    done = await chat.send(HANAKO, "今月は定員に達しました")
    assert "お断りしました" in done.text
    chat.wait(minutes=5)  # told once the few minutes to undo it are over
    told = chat.delivered[SATO.id][-1]
    assert "今回はお受けできませんでした" in told.text and "今月は定員に達しました" in told.text
    declined = applications(memory_store)[0]
    assert declined.status is ApplicationStatus.DECLINED
    sato = memory_store.state.people[person_id(memory_store, SATO.id)]
    assert Role.VOLUNTEER not in sato.roles


@pytest.mark.parametrize("data", ["vol:ok:{id}", "vol:no:{id}", "vol:see:{id}"])
async def test_a_forged_staff_button_from_a_volunteer_or_member_is_refused_and_audited(
    demo_chat, memory_store, data
):
    chat = demo_chat
    await apply(chat, SATO)
    await chat.tap(SATO, "📨 この内容で申し込む")
    [stored] = applications(memory_store)
    for user in (JIRO, TANAKA, SATO):
        forged = await chat.press(user, data.format(id=stored.id))
        assert "その操作は行えません" in forged.text
    assert applications(memory_store)[0].status is ApplicationStatus.PENDING
    refused = [a for a in memory_store.state.audit if a.action == "volunteer.refused"]
    assert {a.actor_person_id for a in refused} == {
        person_id(memory_store, u.id) for u in (JIRO, TANAKA, SATO)
    }


async def test_a_volunteer_is_not_offered_to_apply_again(demo_chat):
    turn = await demo_chat.press(JIRO, "vol")
    assert "すでにボランティアとして登録されています" in turn.text


async def test_forged_data_is_refused_as_an_invalid_button_and_audited(demo_chat, memory_store):
    chat = demo_chat
    await apply(chat, SATO)
    await chat.tap(SATO, "📨 この内容で申し込む")
    for data in ("vol:ok:99x", "va:t:i:nothing", "va:f:consent", "va:t:a:mon"):
        forged = await chat.press(HANAKO, data)
        assert "このボタンは使えなくなりました" in forged.text
    assert applications(memory_store)[0].status is ApplicationStatus.PENDING
    assert len(audited(memory_store, "callback.unknown")) == 4


async def test_a_toggle_of_an_earlier_step_is_out_of_date_and_the_step_is_asked_again(
    demo_chat, memory_store
):
    chat = demo_chat
    await chat.press(ANNA, "vol")
    await chat.send(ANNA, "Anna")
    await chat.send(ANNA, "090-1234-5678")
    await chat.tap(ANNA, "⬜ Events")
    await chat.tap(ANNA, "Next ▶")
    late = await chat.press(ANNA, "va:t:i:cleaning")  # the interests screen, pressed again
    assert late.toast is not None and "out of date" in late.toast
    assert "⬜ Mon morning" in {label for label, _ in late.buttons}  # availability, asked again
    await chat.tap(ANNA, "⬜ Mon morning")
    await chat.tap(ANNA, "Next ▶")
    await chat.tap(ANNA, "⬜ English")
    await chat.tap(ANNA, "Next ▶")
    await chat.tap(ANNA, "Next ▶")
    summary = await chat.tap(ANNA, "✅ I agree")
    assert "Areas: Events" in summary.text  # the late press ticked nothing
