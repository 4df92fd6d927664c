"""LINE events, as the LINE door stores them in the inbox, read into the core's `Incoming`.

The events are built by the LINE stand-in (sandbox/line/events.py), which checks its own against
LINE's webhook schema."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.bounds import CUT_FROM
from bot.domain.channels import (
    LINE_CHAT_BASE,
    Channel,
    is_line_update,
    line_chat_id,
    line_update_id,
)
from bot.domain.incoming import ChatType, Incoming, InputKind
from bot.ports.telegram import MalformedUpdate
from handlers.line.parse import parse_line, with_line
from handlers.raw.parse import parse_update
from sandbox.line import events, ids

USER = ids.user_id("kyodo-test-line-parse")
CHAT = line_chat_id(7)
UPDATE = line_update_id(1_790_000_000_000, 3)


def stored(event: dict[str, Any], **person: Any) -> dict[str, Any]:
    return {"update_id": UPDATE, "line": {"chat_id": CHAT, "event": event, **person}}


def made(kind: str, **fields: Any) -> dict[str, Any]:
    return events.event(kind, USER, 1_790_000_000_000, **fields)


def test_text_is_text_from_the_persons_chat_with_their_profile():
    incoming = parse_line(
        stored(
            made("message", message=events.text("7時間働きました")), user_name="花子", language="en"
        )
    )
    assert incoming == Incoming(
        update_id=UPDATE,
        kind=InputKind.TEXT,
        chat_id=CHAT,
        chat_type=ChatType.PRIVATE,
        user_id=CHAT,
        user_name="花子",
        language_code="en",
        text="7時間働きました",
    )
    assert Channel.of(incoming.chat_id or 0) is Channel.LINE


def test_a_slash_starts_a_command_as_in_telegram():
    incoming = parse_line(stored(made("message", message=events.text("/Hours 今日 6"))))
    assert (incoming.kind, incoming.command, incoming.args) == (
        InputKind.COMMAND,
        "hours",
        "今日 6",
    )


def test_a_postback_is_a_button_with_the_registrys_callback_data_and_no_message_to_edit():
    incoming = parse_line(stored(made("postback", postback=events.postback("hr:a:17", None))))
    assert incoming.kind is InputKind.BUTTON
    assert incoming.callback_data == "hr:a:17"
    assert incoming.message_id is None and incoming.callback_query_id is None


def test_follow_is_start():
    incoming = parse_line(stored(made("follow", follow={"isUnblocked": False})))
    assert (incoming.kind, incoming.command, incoming.args) == (InputKind.COMMAND, "start", "")


@pytest.mark.parametrize(
    ("message", "media"), [(events.image(), "photo"), (events.audio(3000), "voice")]
)
def test_photos_and_voice_are_media_staff_can_fetch_by_message_id(message, media):
    incoming = parse_line(stored(made("message", message=message)))
    assert incoming.kind is InputKind.UNSUPPORTED
    assert incoming.media == media
    assert incoming.file_id == f"line:{message['id']}"


def test_stickers_are_unsupported_without_media():
    incoming = parse_line(stored(made("message", message=events.sticker("446", "1988"))))
    assert (incoming.kind, incoming.media, incoming.file_id) == (InputKind.UNSUPPORTED, None, None)


def test_unfollow_and_events_from_no_person_are_ignored():
    assert parse_line(stored(made("unfollow"))).kind is InputKind.IGNORED
    no_person = {"update_id": UPDATE, "line": {"chat_id": None, "event": made("follow")}}
    assert parse_line(no_person) == Incoming(update_id=UPDATE, kind=InputKind.IGNORED)


def test_a_text_the_intake_cut_says_how_long_it_was():
    message = {**events.text("あ" * 11), CUT_FROM: 5000}
    assert parse_line(stored(made("message", message=message))).text_length == 5000


@pytest.mark.parametrize(
    "payload",
    [
        {"line": {"chat_id": CHAT, "event": {}}},
        {"update_id": "1", "line": {"chat_id": CHAT, "event": {}}},
        {"update_id": UPDATE, "line": []},
        {"update_id": UPDATE, "line": {"chat_id": "x", "event": made("follow")}},
        {"update_id": UPDATE, "line": {"chat_id": CHAT, "event": made("message", message=5)}},
        {"update_id": UPDATE, "line": {"chat_id": CHAT, "event": made("postback", postback=[])}},
    ],
)
def test_anything_else_is_malformed(payload):
    with pytest.raises(MalformedUpdate):
        parse_line(payload)


def test_one_parser_reads_both_doors_rows():
    parse = with_line(parse_update)
    telegram = {
        "update_id": 5,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1001, "type": "private"},
            "from": {"id": 1001, "is_bot": False, "first_name": "花子"},
            "text": "hello",
        },
    }
    assert parse(telegram).chat_id == 1001
    assert parse(stored(made("message", message=events.text("hello")))).chat_id == CHAT


def test_line_ids_never_meet_telegrams_and_follow_the_events_time():
    assert line_chat_id(1) == LINE_CHAT_BASE + 1 > 2**52
    assert Channel.of(2**52 - 1) is Channel.TELEGRAM
    assert Channel.of(-1001234567890) is Channel.TELEGRAM
    earlier, later = line_update_id(1_000, 5), line_update_id(1_001, 0)
    assert 2**52 <= line_update_id(0, 0) < line_update_id(1_000, 0) < earlier < later
    assert all(is_line_update(u) for u in (earlier, later)) and not is_line_update(2**31)
    assert line_update_id(-5, 0) == line_update_id(0, 0)  # a forged time stays in the range
    assert line_update_id(2**60, 0) < 2**53  # JSON carries every one exactly
