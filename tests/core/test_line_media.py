"""A photo or voice note sent through LINE reaches staff as Telegram's do: offered, sent on Yes,
a card with Show / play. Staff in Telegram get the file itself, to them alone and audited: the
outbox row names LINE's file (``line:<id>``) and the Telegram gateway uploads it from LINE's
content API as it sends it (tests/e2e/test_line_media.py end to end). LINE sends no file by any
id, so staff in LINE get the desk's page of the conversation, where the desk streams it
(tests/transport/test_line_content.py). Telegram's own photos to Telegram staff are still sent
as the file itself, by id."""

from __future__ import annotations

import pytest

from bot.dialogs.engine import DialogSettings
from bot.domain.channels import line_chat_id
from bot.domain.conversations import MediaKind
from bot.domain.incoming import ChatType, InputKind
from bot.domain.people import NewPerson, Role
from bot.rendering import Renderer
from tests.fakes.chat import ChatHarness, User
from tests.fixtures.core import conversation_on
from tests.fixtures.people import HANAKO, MARIA, demo

DESK = "https://kyodo.example.org/desk"
TOME_ON_LINE = User(line_chat_id(3), "トメ", "ja")
STAFF_ON_LINE = User(line_chat_id(4), "佐藤", "ja")


@pytest.fixture
async def chat(memory_store, i18n, clock):
    await demo(memory_store, clock)
    settings = DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
        desk_url=DESK,
    )
    return ChatHarness(
        memory_store, conversation_on(memory_store, Renderer(i18n), settings, clock), clock
    )


async def sends(chat, user: User, kind: str, file_id: str):
    incoming = chat._incoming(
        user, ChatType.PRIVATE, None, kind=InputKind.UNSUPPORTED, media=kind, file_id=file_id
    )
    return await chat._run(incoming)


async def test_telegram_staff_get_a_photo_from_line_itself(chat, memory_store):
    offered = await sends(chat, TOME_ON_LINE, "photo", "line:5550001")
    assert "スタッフに送りますか" in offered.text
    await chat.tap(TOME_ON_LINE, "はい、スタッフに送る")
    [message] = memory_store.state.conversation_messages.values()
    assert (message.media, message.file_id) == (MediaKind.PHOTO, "line:5550001")
    [card] = chat.delivered[HANAKO.id]
    show = card.buttons[0][0]
    assert show[0].startswith("▶ 見る・聞く #")
    await chat.press(HANAKO, show[1])
    [sent] = chat.delivered[HANAKO.id][1:]
    assert sent.media == ("photo", "line:5550001")  # uploaded from LINE by the gateway
    assert "トメさんが送った写真です。" in sent.text and "/desk/" not in sent.text
    assert ("conversation.media_handed", f"conversation:{message.conversation_id}") in [
        (r.action, r.subject) for r in memory_store.state.audit
    ]


async def test_staff_on_line_get_the_desks_page_for_a_telegram_voice_note(
    chat, memory_store, clock
):
    async with memory_store.uow() as uow:
        await uow.people.add(
            NewPerson(STAFF_ON_LINE.id, "佐藤", "ja", clock.now(), roles={Role.STAFF, Role.ADMIN})
        )
        await uow.commit()
    await sends(chat, MARIA, "voice", "AwACvoice1")
    await chat.tap(MARIA, "Yes, send it")
    [card] = chat.delivered[HANAKO.id]
    await chat.press(STAFF_ON_LINE, card.buttons[0][0][1])
    [answer] = chat.delivered[STAFF_ON_LINE.id][-1:]
    assert answer.media is None and f"{DESK}/conversations/" in answer.text


async def test_telegram_staff_still_get_a_telegram_photo_itself(chat):
    await sends(chat, MARIA, "photo", "AgACphoto1")
    await chat.tap(MARIA, "Yes, send it")
    [card] = chat.delivered[HANAKO.id]
    await chat.press(HANAKO, card.buttons[0][0][1])
    [sent] = [m for m in chat.delivered[HANAKO.id] if m.media is not None]
    assert sent.media == ("photo", "AgACphoto1") and "desk" not in sent.text
