"""Transcripts of a conversation with the staff (issue 15, "a person to reach"): text Kyodo cannot
read outside a dialog, and any photo or voice note, is offered to the staff; Yes makes it a
message staff see with a button to answer, and the answer reaches the person in their language.
Also: writing to the staff from the "I need help" button, No sending nothing, a stranger's
message, /forget. In Japanese and English; rows in the store are what staff would see."""

from __future__ import annotations

import pytest

from bot.dialogs.engine import DialogSettings
from bot.domain.contact import Contact
from bot.domain.conversations import Direction, MediaKind
from bot.domain.incoming import ChatType, InputKind
from bot.domain.people import Role
from bot.domain.replies import msg
from bot.rendering import Renderer
from tests.fakes.chat import ChatHarness, User
from tests.fixtures.core import conversation_on
from tests.fixtures.people import HANAKO, MARIA, TANAKA, TOME, actor, demo

ANN = User(5001, "Ann Smith", "en")  # a stranger whose Telegram is in English
LANGUAGE_IDS = ["ja", "en", "ja-easy"]
PHONE = "03-1234-5678"


@pytest.fixture
async def chat(memory_store, i18n, clock):
    await demo(memory_store, clock)
    settings = DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
        contact=Contact(PHONE),
    )
    return ChatHarness(
        memory_store, conversation_on(memory_store, Renderer(i18n), settings, clock), clock
    )


def messages(store):
    return sorted(store.state.conversation_messages.values(), key=lambda m: m.id)


async def photo(chat, user: User, kind: str = "photo", file_id: str = "AgACphoto1"):
    incoming = chat._incoming(
        user, ChatType.PRIVATE, None, kind=InputKind.UNSUPPORTED, media=kind, file_id=file_id
    )
    return await chat._run(incoming)


async def test_text_kyodo_cannot_read_goes_to_the_staff_and_the_answer_comes_back_in_japanese(
    chat,
):
    offered = await chat.send(TANAKA, "電話で相談したいです")
    assert "このメッセージをスタッフに送りますか？" in offered.text
    assert chat.store.state.conversations == {}  # nothing is sent before Yes
    sent = await chat.tap(TANAKA, "はい、スタッフに送る")
    [conversation] = chat.store.state.conversations.values()
    assert f"スタッフに届けました（受付番号 #{conversation.id}）" in sent.text
    [message] = messages(chat.store)
    assert (message.direction, message.text) == (Direction.IN, "電話で相談したいです")
    # The staff hear of it, with the person's language and a button to answer.
    [card] = chat.delivered[HANAKO.id]
    assert "田中 一郎さん（日本語で読みます）" in card.text and "電話で相談したいです" in card.text
    await chat.press(HANAKO, card.buttons[0][0][1])
    answered = await chat.send(HANAKO, "明日の10時にお電話します。")
    assert f"#{conversation.id} に返事を送りました。" in answered.text
    reply = chat.delivered[TANAKA.id][-1]
    assert "スタッフからの返事" in reply.text and "明日の10時にお電話します。" in reply.text
    assert chat.store.state.conversations[conversation.id].waiting is False
    assert ("conversation.answered", f"conversation:{conversation.id}") in [
        (r.action, r.subject) for r in chat.store.state.audit
    ]


async def test_an_english_member_s_message_and_the_answer_in_english(chat):
    offered = await chat.send(MARIA, "I lost my code")
    assert "Shall we send this message to the staff?" in offered.text
    await chat.tap(MARIA, "Yes, send it to the staff")
    [card] = chat.delivered[HANAKO.id]
    assert "Maria Santosさん（英語で読みます）" in card.text and "I lost my code" in card.text
    await chat.press(HANAKO, card.buttons[0][0][1])
    asked = chat.delivered[HANAKO.id][-1]
    assert "Maria Santosさんは英語で読みます" in asked.text
    await chat.send(HANAKO, "新しいコードを送ります / We will send a new code.")
    reply = chat.delivered[MARIA.id][-1]
    assert "A reply from the staff" in reply.text and "We will send a new code." in reply.text
    assert "✉ Write to the staff" in [label for row in reply.buttons for label, _ in row]


async def test_no_sends_nothing(chat):
    await chat.send(TANAKA, "コードをなくしました")
    answer = await chat.tap(TANAKA, "いいえ")
    assert "送りませんでした。" in answer.text
    assert chat.store.state.conversations == {}
    assert HANAKO.id not in chat.delivered


async def test_a_photo_of_a_time_card_is_offered_and_staff_are_told_it_came(chat):
    offered = await photo(chat, TANAKA)
    assert "写真はここでは読み取れません。" in offered.text
    await chat.tap(TANAKA, "はい、スタッフに送る")
    [message] = messages(chat.store)
    assert (message.media, message.file_id, message.text) == (MediaKind.PHOTO, "AgACphoto1", "")
    [card] = chat.delivered[HANAKO.id]
    assert "写真を送りました" in card.text


@pytest.mark.parametrize("kind", [MediaKind.PHOTO, MediaKind.VOICE])
@pytest.mark.parametrize(
    ("user", "language"), [(TANAKA, "ja"), (MARIA, "en"), (TANAKA, "ja-easy")], ids=LANGUAGE_IDS
)
async def test_a_photo_or_a_voice_note_is_offered_and_sent_in_each_language(
    chat, i18n, user, language, kind
):
    if language != user.language:
        await chat.press(user, f"lang:{language}")
    offered = await photo(chat, user, kind=kind.value, file_id=f"file-{kind.value}")
    said = i18n.text("help.offer.media", language, {"media": msg(f"help.media.{kind.value}")})
    assert said in offered.text
    await chat.tap(user, i18n.text("help.button.send_yes", language))
    [message] = messages(chat.store)
    assert (message.media, message.file_id) == (kind, f"file-{kind.value}")
    assert HANAKO.id in chat.delivered  # a card for the staff, who open and answer it


async def test_a_stranger_writes_to_the_staff_from_the_i_need_help_button(chat):
    await chat.send(ANN, "/menu")
    help_screen = await chat.tap(ANN, "I need help")
    assert f"call us: {PHONE}" in help_screen.text
    asked = await chat.tap(ANN, "Write to the staff")
    assert "Please type your message to the staff" in asked.text
    sent = await chat.send(ANN, "Can someone visit my mother?")
    assert "Your message has reached the staff" in sent.text
    [conversation] = chat.store.state.conversations.values()
    assert (conversation.person_id, conversation.name, conversation.chat_id) == (
        None,
        "Ann Smith",
        ANN.id,
    )
    [card] = chat.delivered[HANAKO.id]
    await chat.press(HANAKO, card.buttons[0][0][1])
    await chat.send(HANAKO, "Yes, on Friday.")
    assert "Yes, on Friday." in chat.delivered[ANN.id][-1].text
    assert "A reply from the staff" in chat.delivered[ANN.id][-1].text


async def test_an_overlong_message_is_refused_with_the_phone_and_nothing_is_kept(chat):
    await chat.send(TANAKA, "/menu")
    await chat.tap(TANAKA, "困ったとき")
    await chat.tap(TANAKA, "スタッフに書く")
    too_long = await chat.send(TANAKA, "あ" * 1001)
    assert "1,001文字" in too_long.text and PHONE in too_long.text
    assert chat.store.state.conversations == {}
    sent = await chat.send(TANAKA, "やっぱり電話します")  # still writing to the staff
    assert "スタッフに届けました" in sent.text


async def test_a_member_cannot_answer_a_conversation(chat, memory_store, clock):
    await chat.send(TANAKA, "電話で相談したいです")
    await chat.tap(TANAKA, "はい")
    [conversation] = memory_store.state.conversations.values()
    refused = await chat.press(MARIA, f"conv:r:{conversation.id}")
    assert "🆘 I need help" in [label for label, _ in refused.buttons]
    assert ("conversations.refused", f"conversation:{conversation.id}") in [
        (r.action, r.subject) for r in memory_store.state.audit
    ]


async def test_staff_of_another_centre_do_not_see_a_member_s_conversation(
    chat, memory_store, clock
):
    async with memory_store.uow() as uow:
        tanaka = await uow.people.by_telegram_id(TANAKA.id)
        theirs = sorted(await uow.memberships.centres_of(tanaka.id))
        if not theirs:
            theirs = [min(memory_store.state.centres)]
            await uow.memberships.add(tanaka.id, theirs[0])
        elsewhere = await uow.centres.add("別のセンター", "Another centre")
        await uow.commit()
    other = await actor(memory_store, clock, {Role.STAFF}, 9001)
    async with memory_store.uow() as uow:
        await uow.people.remove_role(other.person_id, Role.COORDINATOR)  # a centre's staff only
        await uow.memberships.add(other.person_id, elsewhere.id)
        await uow.commit()
    same = await actor(memory_store, clock, {Role.STAFF}, 9002)
    async with memory_store.uow() as uow:
        await uow.people.remove_role(same.person_id, Role.COORDINATOR)  # a centre's staff only
        await uow.memberships.add(same.person_id, theirs[0])
        await uow.commit()
    await chat.send(TANAKA, "電話で相談したいです")
    await chat.tap(TANAKA, "はい")
    assert 9001 not in chat.delivered  # not their centre's member
    assert "電話で相談したいです" in chat.delivered[9002][0].text  # their centre's staff
    assert chat.delivered[HANAKO.id]  # the admin sees the whole co-op


async def test_forget_removes_the_conversation(chat, memory_store):
    await chat.send(TANAKA, "電話で相談したいです")
    await chat.tap(TANAKA, "はい")
    assert memory_store.state.conversations
    await chat.send(TANAKA, "/forget")
    await chat.press_shown(TANAKA, "pd:yes")
    assert memory_store.state.conversations == {}
    assert memory_store.state.conversation_messages == {}


async def test_staff_find_a_waiting_message_in_queue_and_answer_it_from_there(chat):
    await chat.send(MARIA, "I lost my code")
    await chat.tap(MARIA, "Yes, send it")
    [conversation] = chat.store.state.conversations.values()
    queue = await chat.send(HANAKO, "/queue")
    assert (
        "スタッフへの相談：1件" in queue.text
        and f"💬 #{conversation.id} Maria Santos" in queue.text
    )
    assert "I lost my code" not in queue.text  # their words are shown when staff open it
    opened = await chat.tap(HANAKO, f"返事を書く #{conversation.id}")
    assert "🗣 11月22日（日） 9:00：I lost my code" in opened.text  # now, in the co-op's zone
    assert "Maria Santosさんは英語で読みます" in opened.text
    await chat.send(HANAKO, "We will send a new code.")
    assert "We will send a new code." in chat.delivered[MARIA.id][-1].text
    after = await chat.send(HANAKO, "/queue")
    assert "スタッフへの相談" not in after.text  # answered: no longer waiting


@pytest.mark.parametrize("language", LANGUAGE_IDS)
async def test_staff_get_the_photo_itself_in_their_own_chat_alone(
    chat, memory_store, i18n, language
):
    if language != "ja":
        await chat.press(HANAKO, f"lang:{language}")  # Hanako reads Kyodo in `language`
    await photo(chat, MARIA, kind="voice", file_id="AwACvoice1")
    await chat.tap(MARIA, "Yes, send it")
    card = chat.delivered[HANAKO.id][-1]
    [message] = messages(memory_store)
    labels = [label for row in card.buttons for label, _ in row]
    number = {"id": message.conversation_id}
    assert labels[:2] == [
        i18n.text("help.staff.button.media", language, number),
        i18n.text("help.staff.button.reply", language, number),
    ]
    await chat.press(HANAKO, card.buttons[0][0][1])
    [sent] = [m for m in chat.delivered[HANAKO.id] if m.media is not None]
    assert sent.media == ("voice", "AwACvoice1") and sent.chat_id == HANAKO.id
    voice = {**number, "name": "Maria Santos", "media": msg("help.media.voice")}
    assert i18n.text("help.staff.media_sent", language, voice) in sent.text
    assert all(m.media is None for m in chat.delivered[MARIA.id])
    [message] = messages(memory_store)
    assert ("conversation.media_handed", f"conversation:{message.conversation_id}") in [
        (r.action, r.subject) for r in memory_store.state.audit
    ]


async def test_a_member_cannot_get_someone_s_photo(chat, memory_store):
    await photo(chat, MARIA)
    await chat.tap(MARIA, "Yes, send it")
    [message] = messages(memory_store)
    refused = await chat.press(TANAKA, f"conv:m:{message.id}")
    assert "申し訳ありませんが、その操作は行えません。" in refused.text
    assert all(m.media is None for m in chat.delivered.get(TANAKA.id, []))


async def test_a_message_and_its_answer_in_easy_japanese(chat):
    await chat.press(TANAKA, "lang:ja-easy")
    offered = await chat.send(TANAKA, "コードをなくしました")
    assert "スタッフに送（おく）りますか。" in offered.text
    sent = await chat.tap(TANAKA, "はい、送（おく）ります")
    assert "スタッフに送（おく）りました。" in sent.text
    [card] = chat.delivered[HANAKO.id]
    assert "田中 一郎さん（やさしい日本語で読みます）" in card.text
    await chat.press(HANAKO, card.buttons[0][0][1])
    await chat.send(HANAKO, "あたらしい コードを おくります。")
    reply = chat.delivered[TANAKA.id][-1]
    assert (
        "スタッフからの返事（へんじ）" in reply.text
        and "あたらしい コードを おくります。" in reply.text
    )


async def test_staff_told_of_a_request_s_voice_notes_get_where_to_listen(chat):
    for data in ("svc", "rq:cat:elderly_care", "rq:k:home_help", "rq:w:self", "rq:d:20261124"):
        await chat.press(TOME, data)
    for data in ("rq:d:ok", "rq:t:morning", "rq:a:chuo", "rq:ok:yes"):
        await chat.press(TOME, data)
    await photo(chat, TOME, kind="voice", file_id="AwADaddress")
    await photo(chat, TOME, kind="voice", file_id="AwADphone")
    await photo(chat, TOME, kind="voice", file_id="AwADdetails")
    await chat.press_shown(TOME, "rq:send")
    [request] = [
        r for r in chat.store.state.service_requests.values() if r.reference == "K-2611-0001"
    ]
    told = "\n".join(m.text for m in chat.delivered[HANAKO.id])
    page = f"http://127.0.0.1:8090/desk/requests/{request.id}"
    assert f"デスクのこの依頼のページで聞けます・見られます：{page}" in told
    await chat.press_shown(HANAKO, "tc:r:info")
    assert page in chat.delivered[HANAKO.id][-1].text


async def test_mydata_shows_what_was_written_to_the_staff_and_their_answers(chat):
    await chat.send(MARIA, "I lost my code")
    await chat.tap(MARIA, "Yes, send it")
    [card] = chat.delivered[HANAKO.id]
    await chat.press(HANAKO, card.buttons[0][0][1])
    await chat.send(HANAKO, "We will send a new code.")
    shown = await chat.send(MARIA, "/mydata")
    assert "<b>Messages to the staff</b> (2)" in shown.text
    assert "you: I lost my code" in shown.text and "staff: We will send a new code." in shown.text


async def test_hours_typed_after_an_offer_are_read_as_hours(chat):
    offered = await chat.send(TANAKA, "すみません")
    assert "スタッフに送りますか" in offered.text
    hours = await chat.send(TANAKA, "今日 7時間")
    assert "スタッフに送りますか" not in hours.text and "どんな仕事をしましたか" in hours.text
    assert chat.store.state.conversations == {}
