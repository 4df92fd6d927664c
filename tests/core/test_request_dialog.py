"""Transcripts of a resident asking for a service: tapping through, typing, fixing, leaving and
coming back, bad input of every kind, and consent. Rows in the store are what staff would see."""

from __future__ import annotations

import logging

import pytest

from bot.dialogs.requests import RequestData, from_draft
from bot.domain.incoming import ChatType, InputKind
from bot.domain.requests import ForWhom, RequestStatus, ServiceKind, TimeWindow
from tests.fakes.chat import User
from tests.fixtures.people import TOME, demo, person_id

ANN = User(5001, "Ann Smith", "en")  # a stranger whose Telegram is in English
PHONE = "090-1234-5678"
ADDRESS = "東京都中央区日本橋1-2-3 コーポ101"


@pytest.fixture
async def demo_chat(chat, memory_store, clock):
    await demo(memory_store, clock)
    return chat


def requests_of(store, telegram_id: int):
    me = person_id(store, telegram_id)
    return sorted(
        (
            r
            for r in store.state.service_requests.values()
            if r.requester_id == me and r.reference.startswith("K-2611")  # not the demo's past ones
        ),
        key=lambda r: r.id,
    )


async def media(chat, user: User, kind: str = "voice", file_id: str | None = "AwADvoice"):
    incoming = chat._incoming(
        user, ChatType.PRIVATE, None, kind=InputKind.UNSUPPORTED, media=kind, file_id=file_id
    )
    return await chat._run(incoming)


async def to_address(chat, user: User):
    """Taps from the menu to the address step: home help, for oneself, two days, morning, Chuo,
    and consent to the purpose of use (asked before anything personal is typed)."""
    await chat.press(user, "svc")
    await chat.press(user, "rq:cat:elderly_care")
    await chat.press(user, "rq:k:home_help")
    await chat.press(user, "rq:w:self")
    await chat.press(user, "rq:d:20261124")
    await chat.press(user, "rq:d:20261126")
    await chat.press(user, "rq:d:ok")
    await chat.press(user, "rq:t:morning")
    consent = await chat.press(user, "rq:a:chuo")
    assert "rq:ok:yes" in [data for _, data in consent.buttons]
    return await chat.press(user, "rq:ok:yes")


async def to_summary(
    chat, user: User, phone: str = "０９０－１２３４－５６７８", details="買い物の手伝い"
):
    await to_address(chat, user)
    chat.clock.advance(seconds=11)  # a person's pace: the flood guard allows 20 updates in 10 s
    await chat.send(user, ADDRESS)
    await chat.send(user, phone)
    if details:
        return await chat.send(user, details)
    return await chat.tap(user, "Nothing to add")


# --- The happy path -----------------------------------------------------------------------------


async def test_a_resident_taps_through_and_gets_a_reference_number_in_japanese(demo_chat):
    chat = demo_chat
    first = await chat.press(TOME, "svc")
    assert "どのサービスをご希望ですか" in first.text
    assert [label for label, _ in first.buttons][:3] == [
        "👵 高齢者の介護",
        "🧒 子育て・保育",
        "🧹 清掃",
    ]
    # and again from the start, as to_summary taps it
    await chat.tap(TOME, "✖ やめる（入力を消す）")
    summary = await to_summary(chat, TOME)
    assert "ご依頼の内容をご確認ください" in summary.text
    assert "訪問介護（ホームヘルプ）" in summary.text and PHONE in summary.text
    assert "希望日：11月24日（火）、11月26日（木）" in summary.text and ADDRESS in summary.text
    sent = await chat.tap(TOME, "📨 この内容で送る")
    assert "受付番号は <b>K-2611-0001</b>" in sent.text
    [stored] = requests_of(chat.store, TOME.id)
    assert (stored.kind, stored.for_whom, stored.time_window, stored.area) == (
        ServiceKind.HOME_HELP,
        ForWhom.SELF,
        TimeWindow.MORNING,
        "chuo",
    )
    assert [d.isoformat() for d in stored.days] == ["2026-11-24", "2026-11-26"]
    assert (stored.phone, stored.address, stored.details) == (PHONE, ADDRESS, "買い物の手伝い")
    assert stored.status is RequestStatus.RECEIVED
    assert chat.store.state.request_drafts == {}
    assert chat.store.state.dialogs == {}


async def test_an_english_stranger_gets_it_all_in_english(demo_chat):
    chat = demo_chat
    first = await chat.press(ANN, "svc")
    assert "Which service would you like?" in first.text
    await chat.tap(ANN, "✖ Stop (discard)")
    summary = await to_summary(chat, ANN, phone="+81 3-1234-5678", details="")
    assert "Please check your request" in summary.text
    assert "Phone: 03-1234-5678" in summary.text and "Details: —" in summary.text
    assert "Days: Tue, Nov 24; Thu, Nov 26" in summary.text
    sent = await chat.tap(ANN, "📨 Send")
    assert "Your reference number is <b>K-2611-0001</b>" in sent.text
    [stored] = requests_of(chat.store, ANN.id)
    assert stored.details == ""  # "nothing to add" is allowed: staff ask by phone
    mine = await chat.send(ANN, "/requests")
    assert "K-2611-0001 Home help" in mine.text and "Status: Received" in mine.text


async def test_flexible_days_and_a_family_member(demo_chat):
    chat = demo_chat
    await chat.press(TOME, "svc")
    await chat.tap(TOME, "🧒 子育て・保育")
    await chat.tap(TOME, "学童保育")
    await chat.tap(TOME, "家族")
    window = await chat.tap(TOME, "いつでもよい")
    assert "ご希望の時間帯" in window.text
    await chat.tap(TOME, "いつでもよい")
    await chat.tap(TOME, "江東区")
    await chat.tap(TOME, "✅ 同意する")
    await chat.send(TOME, ADDRESS)
    await chat.send(TOME, PHONE)
    summary = await chat.send(TOME, "小学2年生です")
    assert "希望日：いつでもよい" in summary.text and "対象：家族" in summary.text
    await chat.tap(TOME, "📨 この内容で送る")
    [stored] = requests_of(chat.store, TOME.id)
    assert stored.days == () and stored.for_whom is ForWhom.FAMILY


# --- Back and fix -------------------------------------------------------------------------------


async def test_back_goes_one_step_back_on_every_step(demo_chat):
    chat = demo_chat
    await to_address(chat, TOME)
    consent = await chat.tap(TOME, "◀ 戻る")
    assert "個人情報の取り扱いについて" in consent.text
    area = await chat.tap(TOME, "◀ 戻る")
    assert "お住まいの地域" in area.text
    window = await chat.tap(TOME, "◀ 戻る")
    assert "ご希望の時間帯" in window.text
    days = await chat.tap(TOME, "◀ 戻る")
    assert "✅ 11月24日（火）" in days.text or any("✅" in label for label, _ in days.buttons)


async def test_fixing_a_field_returns_to_the_summary(demo_chat):
    chat = demo_chat
    await to_summary(chat, TOME)
    fields = await chat.tap(TOME, "✏️ 直す")
    assert "どこを直しますか" in fields.text
    phone = await chat.tap(TOME, "電話番号")
    assert "電話番号を入力してください" in phone.text
    summary = await chat.send(TOME, "03-9876-5432")
    assert "ご依頼の内容をご確認ください" in summary.text and "03-9876-5432" in summary.text
    chat.clock.advance(seconds=11)
    await chat.tap(TOME, "✏️ 直す")
    await chat.tap(TOME, "サービス")
    await chat.tap(TOME, "🧹 清掃")
    summary = await chat.tap(TOME, "家の清掃")
    assert "家の清掃" in summary.text
    sent = await chat.tap(TOME, "📨 この内容で送る")
    assert "K-2611-0001" in sent.text, sent.text
    [stored] = requests_of(chat.store, TOME.id)
    assert (stored.kind, stored.phone) == (ServiceKind.HOME_CLEANING, "03-9876-5432")


# --- Bad input ----------------------------------------------------------------------------------


async def test_a_wrong_phone_number_is_explained_and_asked_again(demo_chat):
    chat = demo_chat
    await to_address(chat, TOME)
    await chat.send(TOME, ADDRESS)
    wrong = await chat.send(TOME, "12345")
    assert "日本の電話番号" in wrong.text and "電話番号を入力してください" in wrong.text
    foreign = await chat.send(TOME, "+1 650 253 0000")
    assert "日本の電話番号" in foreign.text
    ok = await chat.send(TOME, "０９０ １２３４ ５６７８")
    assert "ご要望" in ok.text


async def test_5000_characters_of_details_are_refused_not_cut(demo_chat):
    chat = demo_chat
    await to_address(chat, TOME)
    await chat.send(TOME, ADDRESS)
    await chat.send(TOME, PHONE)
    long = await chat.send(TOME, "あ" * 5000)
    assert "5,000" in long.text or "5000" in long.text
    state = chat.store.state.dialogs[("telegram", TOME.id)]
    assert state.step == "details" and state.data.get("details") is None
    assert requests_of(chat.store, TOME.id) == []


async def test_1001_characters_of_details_get_the_dialogs_own_limit(chat, memory_store, clock):
    from bot.dialogs.runner import Conversation

    await demo(memory_store, clock)
    roomy = Conversation(
        chat.conversation.renderer,
        type(chat.conversation.settings)(
            bot_username="kyodo_test_bot",
            invite_ttl_hours=72,
            max_text_length=4096,
            default_locale="ja",
        ),
        clock,
    )
    chat.conversation = roomy
    await to_address(chat, TOME)
    await chat.send(TOME, ADDRESS)
    await chat.send(TOME, PHONE)
    long = await chat.send(TOME, "い" * 1001)
    assert "長すぎます（1,001文字）。1,000文字以内" in long.text


async def test_an_empty_address_is_asked_again(demo_chat):
    chat = demo_chat
    await to_address(chat, TOME)
    again = await chat.send(TOME, "   ")
    assert "ご住所を入力してください" in again.text


async def test_a_past_day_cannot_be_chosen(demo_chat, clock):
    chat = demo_chat
    await chat.press(TOME, "svc")
    await chat.tap(TOME, "👵 高齢者の介護")
    await chat.tap(TOME, "デイサービス")
    days = await chat.tap(TOME, "自分")
    offered = [data for _, data in days.buttons if data.startswith("rq:d:2")]
    assert offered[0] == "rq:d:20261122" and len(offered) == 14  # today and 13 more, none past
    refused = await chat.press(TOME, "rq:d:20261121")  # yesterday: an old or forged button
    assert "過ぎた日は選べません" in refused.text
    state = chat.store.state.dialogs[("telegram", TOME.id)]
    assert state.step == "days" and state.data.get("days", []) == []


async def test_a_chosen_day_that_passed_overnight_is_caught_at_send(demo_chat, clock):
    chat = demo_chat
    await chat.press(TOME, "svc")
    await chat.tap(TOME, "👵 高齢者の介護")
    await chat.tap(TOME, "デイサービス")
    await chat.tap(TOME, "自分")
    await chat.tap(TOME, "11月22日（日）")
    await chat.tap(TOME, "➡ 次へ（1日を選択）")
    await chat.tap(TOME, "午前")
    await chat.tap(TOME, "中央区")
    await chat.tap(TOME, "✅ 同意する")
    await chat.send(TOME, ADDRESS)
    await chat.send(TOME, PHONE)
    await chat.tap(TOME, "特になし")
    clock.advance(hours=20)  # it is the 23rd in Tokyo now
    late = await chat.tap(TOME, "📨 この内容で送る")
    assert "過ぎた日は選べません" in late.text and "ご希望の日を押してください" in late.text
    assert requests_of(chat.store, TOME.id) == []


async def test_a_sticker_or_photo_on_a_button_step_gets_a_clear_word(demo_chat):
    chat = demo_chat
    await chat.press(TOME, "svc")
    sticker = await chat.sticker(TOME)
    assert "ボタンを押してお選びください" in sticker.text
    photo = await media(chat, TOME, "photo", "AgADphoto")
    assert "ボタンを押してお選びください" in photo.text
    assert chat.store.state.dialogs[("telegram", TOME.id)].step == "cat"


async def test_typing_where_buttons_are_expected_is_answered(demo_chat):
    chat = demo_chat
    await chat.press(TOME, "svc")
    typed = await chat.send(TOME, "介護")
    assert "下のボタンを押してお選びください" in typed.text


async def test_a_voice_note_instead_of_typing_is_kept_for_staff(demo_chat):
    chat = demo_chat
    await to_address(chat, TOME)
    heard = await media(chat, TOME, "voice", "AwADaddress")
    assert "受け取りました。スタッフが内容を確認します" in heard.text
    assert "電話番号を入力してください" in heard.text
    await media(chat, TOME, "voice", "AwADphone")
    summary = await media(chat, TOME, "voice", "AwADdetails")
    assert "音声・写真：3件" in summary.text
    await chat.tap(TOME, "📨 この内容で送る")
    [stored] = requests_of(chat.store, TOME.id)
    assert stored.voice_file_ids == ("AwADaddress", "AwADphone", "AwADdetails")
    assert (stored.address, stored.phone) == ("", "")
    told = [m.text for m in chat.delivered[1001]]  # the demo coordinator
    assert any("K-2611-0001 には音声・写真が3件あります" in text for text in told)


async def test_the_same_button_pressed_twice_acts_once(demo_chat):
    chat = demo_chat
    await to_summary(chat, TOME)
    await chat.tap(TOME, "📨 この内容で送る")
    again = await chat.press(TOME, "rq:send")
    assert again.toast is not None and "この画面は古くなっています" in again.toast
    assert len(requests_of(chat.store, TOME.id)) == 1
    await chat.send(TOME, "🤝 依頼")  # the key under the chat
    await chat.tap(TOME, "🧹 清掃")
    stale = await chat.press(TOME, "rq:cat:cleaning")  # the category button of a past step
    assert "この画面は古くなっています" in stale.text
    assert "サービスの種類を選んでください" in stale.text  # and the step it is at, asked again
    assert chat.store.state.dialogs[("telegram", TOME.id)].step == "kind"


async def test_forged_callback_data_is_refused_and_audited(demo_chat):
    chat = demo_chat
    await chat.press(TOME, "svc")
    forged = await chat.press(TOME, "rq:cat:weapons")
    assert forged.toast is not None
    assert any(a.action == "callback.unknown" for a in chat.store.state.audit)
    cancel_other = await chat.press(ANN, "rq:cy:1")
    assert cancel_other.toast is not None
    assert any(a.action == "request.refused" for a in chat.store.state.audit)


# --- Leaving, drafts and consent ----------------------------------------------------------------


async def test_an_abandoned_dialog_is_offered_again_then_expires_after_a_day(demo_chat, clock):
    chat = demo_chat
    await to_address(chat, TOME)
    await chat.send(TOME, ADDRESS)
    await chat.press(TOME, "menu")  # leaves the dialog
    assert chat.store.state.dialogs == {}
    clock.advance(hours=23)
    offer = await chat.send(TOME, "🤝 依頼")  # the key under the chat
    assert "続きから入力しますか" in offer.text
    resumed = await chat.tap(TOME, "▶ 続きから入力する")
    assert "電話番号を入力してください" in resumed.text
    await chat.send(TOME, PHONE)
    await chat.send(TOME, "/cancel")
    clock.advance(hours=25)
    fresh = await chat.send(TOME, "🤝 依頼")
    assert "続きから" not in fresh.text and "どのサービスをご希望ですか" in fresh.text
    assert chat.store.state.request_drafts[person_id(chat.store, TOME.id)].data["step"] == "cat"


async def test_starting_again_discards_the_draft(demo_chat):
    chat = demo_chat
    await to_address(chat, TOME)
    await chat.press(TOME, "menu")
    await chat.send(TOME, "🤝 依頼")  # the key under the chat
    fresh = await chat.tap(TOME, "🔄 最初から入力する")
    assert "どのサービスをご希望ですか" in fresh.text
    draft = chat.store.state.request_drafts[person_id(chat.store, TOME.id)]
    assert from_draft(draft.data) == RequestData(step="cat")  # nothing of the old one is kept


async def test_consent_is_asked_before_anything_personal_and_refusing_stores_nothing(demo_chat):
    chat = demo_chat
    await chat.press(TOME, "svc")
    for data in ("rq:cat:elderly_care", "rq:k:day_care", "rq:w:self", "rq:d:any", "rq:t:any"):
        await chat.press(TOME, data)
    consent = await chat.tap(TOME, "中央区")
    assert "個人情報の取り扱いについて" in consent.text and "配慮が必要な情報" in consent.text
    typed = await chat.send(TOME, ADDRESS)  # typing before answering is not taken as an address
    assert "下のボタンを押してお選びください" in typed.text
    refused = await chat.tap(TOME, "同意しない")
    assert "何も保存していません" in refused.text
    assert requests_of(chat.store, TOME.id) == []
    assert chat.store.state.request_drafts == {}
    assert chat.store.state.dialogs == {}
    assert ADDRESS not in repr(chat.store.state.audit)


async def test_the_cancel_button_discards_everything(demo_chat):
    chat = demo_chat
    await to_address(chat, TOME)
    gone = await chat.tap(TOME, "✖ やめる（入力を消す）")
    assert "何も送っていません" in gone.text
    assert chat.store.state.request_drafts == {}


# --- /requests and cancelling ------------------------------------------------------------------


async def test_requests_lists_mine_and_cancels_an_open_one_after_confirming(demo_chat):
    chat = demo_chat
    await to_summary(chat, TOME)
    await chat.tap(TOME, "📨 この内容で送る")
    [request] = requests_of(chat.store, TOME.id)
    mine = await chat.send(TOME, "/requests")
    assert "K-2611-0001 訪問介護（ホームヘルプ）" in mine.text and "受付済み" in mine.text
    ask = await chat.press(TOME, mine.data_for("K-2611-0001 を取り消す"))
    assert "取り消しますか" in ask.text
    done = await chat.press(TOME, ask.data_for("はい"))
    assert "取り消しました" in done.text
    assert requests_of(chat.store, TOME.id)[0].status is RequestStatus.CANCELLED
    again = await chat.press(TOME, f"rq:cy:{request.id}")
    assert "もう取り消せません" in again.text
    listed = await chat.send(TOME, "/requests")
    assert "依頼者が取り下げ" in listed.text and "を取り消す" not in listed.text


# --- Personal data never reaches the logs --------------------------------------------------------


async def test_a_full_request_dialog_logs_neither_phone_nor_address(demo_chat, caplog):
    chat = demo_chat
    caplog.set_level(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = [logger.level for logger in loggers]
    try:
        for logger in loggers:
            logger.setLevel(logging.DEBUG)
        await to_summary(chat, TOME, details="認知症の母の見守り")
        await chat.tap(TOME, "📨 この内容で送る")
        await chat.send(TOME, "/requests")
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
    assert requests_of(chat.store, TOME.id)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for secret in ("1234-5678", "12345678", "日本橋1-2-3", ADDRESS, "認知症"):
        assert secret not in logged
    audit = repr(chat.store.state.audit)
    for secret in ("1234-5678", ADDRESS, "認知症"):
        assert secret not in audit


# --- Answering a staff question -----------------------------------------------------------------


async def test_the_resident_answers_a_staff_question_by_text_or_voice(demo_chat, i18n):
    from bot.domain.people import Actor, Role
    from bot.services import requests as service

    chat = demo_chat
    await to_summary(chat, TOME)
    await chat.tap(TOME, "📨 この内容で送る")
    [request] = requests_of(chat.store, TOME.id)
    staff = Actor(person_id(chat.store, 1001), frozenset({Role.STAFF, Role.COORDINATOR}), "ja")
    async with chat.store.uow() as uow:
        await service.ask(uow, staff, request.id, "階段はありますか？", chat.clock.now())
        await uow.commit()
    chat._drain()
    question = chat.delivered[TOME.id][-1]
    assert "階段はありますか？" in question.text
    [(_, data)] = [b for row in question.buttons for b in row]
    chat.clock.advance(seconds=11)
    asked = await chat.press(TOME, data)
    assert "お答えを入力してください" in asked.text
    sent = await chat.send(TOME, "2階までの階段があります")
    assert "お答えを担当者に送りました" in sent.text
    assert any("2階までの階段があります" in m.text for m in chat.delivered[1001])
    await chat.press(TOME, data)
    voiced = await media(chat, TOME, "voice", "AwADanswer")
    assert "お答えを担当者に送りました" in voiced.text
    thread = sorted(chat.store.state.request_messages.values(), key=lambda m: m.id)
    assert [(m.direction.value, m.text, m.voice_file_id) for m in thread] == [
        ("question", "階段はありますか？", None),
        ("answer", "2階までの階段があります", None),
        ("answer", "", "AwADanswer"),
    ]


async def test_someone_else_cannot_answer_a_residents_question(demo_chat):
    chat = demo_chat
    await to_summary(chat, TOME)
    await chat.tap(TOME, "📨 この内容で送る")
    [request] = requests_of(chat.store, TOME.id)
    refused = await chat.press(ANN, f"rq:ans:{request.id}")
    assert "Sorry, you are not allowed to do that." in refused.text
    forged = await chat.press(ANN, "rq:ans:<script>")  # no button carries it: refused unread
    assert forged.toast is not None
    refused = [a for a in chat.store.state.audit if a.action == "request.refused"]
    assert len(refused) == 1
    assert any(a.action == "callback.unknown" for a in chat.store.state.audit)


async def test_a_stranger_pressing_start_again_first_becomes_a_resident(demo_chat):
    chat = demo_chat
    stranger = User(5009, "Ken", "ja")
    fresh = await chat.press(stranger, "rq:new")
    assert "どのサービスをご希望ですか" in fresh.text
    me = person_id(chat.store, stranger.id)
    assert "resident" in {role.value for role in chat.store.state.people[me].roles}
