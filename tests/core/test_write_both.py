"""Transcripts: staff see the language a resident or member reads on their cards, and when they
write free text to someone who reads another language (a decline reason, a question, an answer
to a message) they are told so and may write both; the person gets only their language's part.
In Japanese and English, one in Easy Japanese."""

from __future__ import annotations

import pytest

from bot.dialogs.engine import DialogSettings
from bot.domain.contact import Contact
from bot.domain.requests import RequestStatus
from bot.rendering import Renderer
from tests.fakes.chat import ChatHarness
from tests.fixtures.cards import ANN, JIRO, _data, report_hours, request_of, submit_request
from tests.fixtures.core import conversation_on
from tests.fixtures.people import HANAKO, MARIA, TANAKA, TOME, demo

BOTH_JA = "対応できる地域の外のため、お受けできません。"
BOTH_EN = "We cannot take it: your address is outside our area."
ASKED_JA = "ℹ️ Ann Smithさんは英語で読みます。英語でも書きますか？"


async def test_a_japanese_staff_member_declining_an_english_resident_writes_both(cards_chat):
    request_id = await submit_request(cards_chat, telegram_id=ANN.id)
    reference = request_of(cards_chat.store, request_id).reference
    card_id, card = cards_chat.card(HANAKO.id, reference)
    assert "🗣 読む言葉：英語" in card.text.replace(": ", "：")  # either colon (glossary work)
    _, english_card = cards_chat.card(JIRO.id, reference)
    assert "🗣 Reads: English" in english_card.text
    prompt = await cards_chat.press(HANAKO, _data(card, "お断り"), message_id=card_id)
    assert "お断りする理由を入力してください" in prompt.text
    assert ASKED_JA in prompt.text and "「---」だけの行" in prompt.text
    await cards_chat.send(HANAKO, f"{BOTH_JA}\n---\n{BOTH_EN}")
    request = request_of(cards_chat.store, request_id)
    assert request.status is RequestStatus.DECLINED
    cards_chat.clock.advance(minutes=5)  # past the window in which the decline may be undone
    cards_chat.deliver()
    told = cards_chat.last_to(ANN.id).text
    assert BOTH_EN in told and BOTH_JA not in told and "---" not in told
    card = cards_chat.screens[HANAKO.id][card_id]
    assert BOTH_JA in card.text and BOTH_EN in card.text  # staff see what was written


async def test_an_english_staff_member_asking_a_japanese_resident_is_told_to_write_japanese(
    cards_chat,
):
    request_id = await submit_request(cards_chat, telegram_id=TOME.id)
    reference = request_of(cards_chat.store, request_id).reference
    card_id, card = cards_chat.card(JIRO.id, reference)
    assert "🗣 Reads: Japanese" in card.text
    prompt = await cards_chat.press(JIRO, _data(card, "Ask"), message_id=card_id)
    assert "reads Japanese: write in Japanese too?" in prompt.text
    await cards_chat.send(JIRO, "Which floor do you live on?\nーーー\n何階にお住まいですか？")
    asked = cards_chat.last_to(TOME.id).text
    assert "何階にお住まいですか" in asked and "Which floor" not in asked


async def test_the_same_language_gets_no_hint(cards_chat):
    request_id = await submit_request(cards_chat, telegram_id=TOME.id)
    reference = request_of(cards_chat.store, request_id).reference
    card_id, card = cards_chat.card(HANAKO.id, reference)
    assert "🗣 読む言葉：日本語" in card.text.replace(": ", "：")
    prompt = await cards_chat.press(HANAKO, _data(card, "お断り"), message_id=card_id)
    assert "でも書きますか" not in prompt.text


@pytest.fixture
async def chat(memory_store, i18n, clock):
    await demo(memory_store, clock)
    settings = DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
        contact=Contact("03-1234-5678"),
    )
    return ChatHarness(
        memory_store, conversation_on(memory_store, Renderer(i18n), settings, clock), clock
    )


async def test_an_answer_in_both_languages_reaches_an_english_member_in_english(chat):
    await chat.send(MARIA, "I lost my code")
    await chat.tap(MARIA, "Yes, send it to the staff")
    [card] = chat.delivered[HANAKO.id]
    await chat.press(HANAKO, card.buttons[0][0][1])
    asked = chat.delivered[HANAKO.id][-1]
    assert "ℹ️ Maria Santosさんは英語で読みます。英語でも書きますか？" in asked.text
    await chat.send(HANAKO, "新しいコードを送ります。\n---\nWe will send a new code.")
    reply = chat.delivered[MARIA.id][-1]
    assert "We will send a new code." in reply.text and "新しいコード" not in reply.text


async def test_an_easy_japanese_reader_gets_the_japanese_part_and_staff_are_not_asked(chat):
    await chat.press(TANAKA, "lang:ja-easy")
    await chat.send(TANAKA, "コードをなくしました")
    await chat.tap(TANAKA, "はい、送（おく）ります")
    [card] = chat.delivered[HANAKO.id]
    await chat.press(HANAKO, card.buttons[0][0][1])
    assert "でも書きますか" not in chat.delivered[HANAKO.id][-1].text
    await chat.send(HANAKO, "あたらしい コードを おくります。\n---\nA new code is on its way.")
    reply = chat.delivered[TANAKA.id][-1]
    assert "あたらしい コードを おくります。" in reply.text and "new code" not in reply.text


async def test_an_english_staff_member_rejecting_hours_writes_both_and_the_member_reads_japanese(
    cards_chat,
):
    report_id = await report_hours(cards_chat)
    card_id, card = cards_chat.card(JIRO.id, f"Hours #{report_id}")
    assert "🗣 Reads: Japanese" in card.text
    prompt = await cards_chat.press(JIRO, _data(card, "Reject"), message_id=card_id)
    assert "田中 一郎 reads Japanese: write in Japanese too?" in prompt.text
    await cards_chat.send(JIRO, "No shift that day.\n---\nその日はシフトがありません。")
    cards_chat.clock.advance(minutes=5)  # told once the undo window is over
    cards_chat.deliver()
    told = cards_chat.last_to(TANAKA.id).text
    assert "その日はシフトがありません。" in told and "No shift" not in told
