"""Sample updates as Telegram sends them (shapes from the Bot API's Update, Message and
CallbackQuery types), with what each must parse to."""

from __future__ import annotations

from typing import Any

from bot.domain.incoming import ChatType, Incoming, InputKind

HANAKO = {
    "id": 1001,
    "is_bot": False,
    "first_name": "花子",
    "last_name": "山田",
    "language_code": "ja",
}
TOM = {"id": 1002, "is_bot": False, "first_name": "Tom", "language_code": "en"}
PRIVATE = {"id": 1001, "type": "private", "first_name": "花子"}
GROUP = {"id": -100555, "type": "supergroup", "title": "Staff"}


def message(
    update_id: int,
    *,
    chat: dict[str, Any] = PRIVATE,
    sender: dict[str, Any] | None = HANAKO,
    **fields: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": 10 + update_id, "date": 1_700_000_000, "chat": chat}
    if sender is not None:
        body["from"] = sender
    body.update(fields)
    return {"update_id": update_id, "message": body}


def command(update_id: int, text: str, length: int, **kw: Any) -> dict[str, Any]:
    return message(
        update_id,
        text=text,
        entities=[{"type": "bot_command", "offset": 0, "length": length}],
        **kw,
    )


def _me(update_id: int, **kw: Any) -> Incoming:
    base: dict[str, Any] = {
        "update_id": update_id,
        "chat_id": 1001,
        "chat_type": ChatType.PRIVATE,
        "user_id": 1001,
        "user_name": "花子 山田",
        "language_code": "ja",
    }
    base.update(kw)
    return Incoming(**base)


PHOTO = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]

SAMPLES: list[tuple[str, dict[str, Any], Incoming]] = [
    ("plain text", message(1, text="7時間30分"), _me(1, kind=InputKind.TEXT, text="7時間30分")),
    (
        "a command",
        command(2, "/help", 5),
        _me(2, kind=InputKind.COMMAND, text="/help", command="help"),
    ),
    (
        "a deep link",
        command(3, "/start INV-ABC123", 6),
        _me(
            3, kind=InputKind.COMMAND, text="/start INV-ABC123", command="start", args="INV-ABC123"
        ),
    ),
    (
        "a command to a named bot, upper case, with spaced args",
        command(4, "/Hours@Kyodo_Coop_Bot   7.5  ", 21),
        _me(
            4,
            kind=InputKind.COMMAND,
            text="/Hours@Kyodo_Coop_Bot   7.5  ",
            command="hours",
            args="7.5",
        ),
    ),
    (
        "a slash without a command entity is text",
        message(5, text="/ not a command"),
        _me(5, kind=InputKind.TEXT, text="/ not a command"),
    ),
    (
        "a command entity later in the text is text",
        message(6, text="see /help", entities=[{"type": "bot_command", "offset": 4, "length": 5}]),
        _me(6, kind=InputKind.TEXT, text="see /help"),
    ),
    (
        "a bold first word is not a command",
        message(7, text="hello", entities=[{"type": "bold", "offset": 0, "length": 5}]),
        _me(7, kind=InputKind.TEXT, text="hello"),
    ),
    (
        "a sticker",
        message(
            8,
            sticker={
                "file_id": "CAAD",
                "file_unique_id": "s1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            },
        ),
        _me(8, kind=InputKind.UNSUPPORTED),
    ),
    (
        "a photo with a caption",
        message(9, photo=PHOTO, caption="my timesheet"),
        _me(9, kind=InputKind.UNSUPPORTED, media="photo", file_id="AgAD"),
    ),
    (
        "a voice message",
        message(10, voice={"file_id": "AwAD", "file_unique_id": "v1", "duration": 3}),
        _me(10, kind=InputKind.UNSUPPORTED, media="voice", file_id="AwAD"),
    ),
    (
        "a location",
        message(11, location={"latitude": 35.68, "longitude": 139.76}),
        _me(11, kind=InputKind.UNSUPPORTED),
    ),
    (
        "a contact",
        message(12, contact={"phone_number": "+81901234567", "first_name": "花子"}),
        _me(12, kind=InputKind.UNSUPPORTED),
    ),
    (
        "text in a group",
        message(13, chat=GROUP, sender=TOM, text="hi all"),
        Incoming(
            update_id=13,
            kind=InputKind.TEXT,
            chat_id=-100555,
            chat_type=ChatType.SUPERGROUP,
            user_id=1002,
            user_name="Tom",
            language_code="en",
            text="hi all",
        ),
    ),
    (
        "a message without a sender (channel-style)",
        message(14, sender=None, text="x"),
        Incoming(update_id=14, kind=InputKind.TEXT, chat_id=1001, text="x"),
    ),
    (
        "a button press",
        {
            "update_id": 15,
            "callback_query": {
                "id": "cbq-77",
                "from": HANAKO,
                "chat_instance": "ci-1",
                "data": "hours:approve:42",
                "message": {
                    "message_id": 501,
                    "date": 1_700_000_000,
                    "chat": PRIVATE,
                    "text": "Approve?",
                    "from": {"id": 9, "is_bot": True, "first_name": "K"},
                },
            },
        },
        _me(
            15,
            kind=InputKind.BUTTON,
            callback_data="hours:approve:42",
            callback_query_id="cbq-77",
            message_id=501,
        ),
    ),
    (
        "a button on an old, inaccessible message",
        {
            "update_id": 16,
            "callback_query": {
                "id": "cbq-78",
                "from": HANAKO,
                "chat_instance": "ci-1",
                "data": "x",
                "message": {"message_id": 502, "date": 0, "chat": PRIVATE},
            },
        },
        _me(
            16, kind=InputKind.BUTTON, callback_data="x", callback_query_id="cbq-78", message_id=502
        ),
    ),
    (
        "a button in a group",
        {
            "update_id": 17,
            "callback_query": {
                "id": "cbq-79",
                "from": TOM,
                "chat_instance": "ci-2",
                "data": "rsvp:yes",
                "message": {
                    "message_id": 503,
                    "date": 1_700_000_000,
                    "chat": GROUP,
                    "text": "RSVP",
                },
            },
        },
        Incoming(
            update_id=17,
            kind=InputKind.BUTTON,
            chat_id=-100555,
            chat_type=ChatType.SUPERGROUP,
            user_id=1002,
            user_name="Tom",
            language_code="en",
            callback_data="rsvp:yes",
            callback_query_id="cbq-79",
            message_id=503,
        ),
    ),
    (
        "an edited message",
        {
            "update_id": 18,
            "edited_message": {
                "message_id": 5,
                "date": 1,
                "edit_date": 2,
                "chat": PRIVATE,
                "from": HANAKO,
                "text": "fixed",
            },
        },
        Incoming(update_id=18, kind=InputKind.IGNORED),
    ),
    (
        "the bot was blocked",
        {
            "update_id": 19,
            "my_chat_member": {
                "chat": PRIVATE,
                "from": HANAKO,
                "date": 1,
                "old_chat_member": {"status": "member", "user": HANAKO},
                "new_chat_member": {"status": "kicked", "user": HANAKO, "until_date": 0},
            },
        },
        Incoming(update_id=19, kind=InputKind.IGNORED),
    ),
    (
        "a kind Kyodo has never heard of",
        {"update_id": 20, "future_update": {"x": 1}},
        Incoming(update_id=20, kind=InputKind.IGNORED),
    ),
]
