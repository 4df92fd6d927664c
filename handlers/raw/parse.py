"""Reads a raw Bot API update dict into `Incoming`, with no library in between.

It must agree with `handlers.ptb.parse` on every update Telegram sends (a test feeds both the
same samples); on anything else it raises `MalformedUpdate` and nothing else.
"""

from __future__ import annotations

from typing import Any

from bot.domain.incoming import ChatType, Incoming, InputKind
from bot.ports.telegram import MalformedUpdate
from handlers.wire import optional_str, parse_chat_type, require_int, split_command


def _dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedUpdate(f"{what} is not an object")
    return value


def _chat(message: dict[str, Any]) -> tuple[int, ChatType]:
    chat = _dict(message.get("chat"), "chat")
    kind = chat.get("type")
    return require_int(chat.get("id"), "chat.id"), parse_chat_type(kind)


def _user(raw: object) -> tuple[int | None, str, str | None]:
    if raw is None:
        return None, "", None
    user = _dict(raw, "from")
    first = optional_str(user.get("first_name"), "first_name") or ""
    last = optional_str(user.get("last_name"), "last_name")
    name = f"{first} {last}" if last else first
    return (
        require_int(user.get("id"), "from.id"),
        name,
        optional_str(user.get("language_code"), "language"),
    )


def _starts_with_command(message: dict[str, Any]) -> bool:
    entities = message.get("entities")
    if entities is None:
        return False
    if not isinstance(entities, list):
        raise MalformedUpdate("entities is not a list")
    for raw in entities:
        entity = _dict(raw, "entity")
        kind = optional_str(entity.get("type"), "entity.type")
        offset = require_int(entity.get("offset"), "entity.offset")
        require_int(entity.get("length"), "entity.length")
        if kind == "bot_command" and offset == 0:
            return True
    return False


def _file_id(raw: object) -> str | None:
    # A shape ptb would not read either gives no file id, rather than a refusal of the update.
    file_id = raw.get("file_id") if isinstance(raw, dict) else None
    return file_id if isinstance(file_id, str) and file_id else None


def _media(message: dict[str, Any]) -> tuple[str | None, str | None]:
    """A voice note, audio, video note or photo (its largest size) and its file id."""
    for kind in ("voice", "audio", "video_note"):
        if message.get(kind) is not None:
            return kind, _file_id(message[kind])
    photo = message.get("photo")
    if isinstance(photo, list) and photo:
        return "photo", _file_id(photo[-1])
    return None, None


def _message(update_id: int, message: dict[str, Any]) -> Incoming:
    require_int(message.get("message_id"), "message_id")
    chat_id, chat_type = _chat(message)
    user_id, user_name, language = _user(message.get("from"))
    text = optional_str(message.get("text"), "text")
    common: dict[str, Any] = {
        "update_id": update_id,
        "chat_id": chat_id,
        "chat_type": chat_type,
        "user_id": user_id,
        "user_name": user_name,
        "language_code": language,
    }
    if text is None:
        media, file_id = _media(message)
        return Incoming(kind=InputKind.UNSUPPORTED, media=media, file_id=file_id, **common)
    if _starts_with_command(message):
        command, args = split_command(text)
        return Incoming(kind=InputKind.COMMAND, text=text, command=command, args=args, **common)
    return Incoming(kind=InputKind.TEXT, text=text, **common)


def _callback(update_id: int, query: dict[str, Any]) -> Incoming:
    query_id = optional_str(query.get("id"), "callback_query.id")
    if query_id is None:
        raise MalformedUpdate("callback_query without id")
    user_id, user_name, language = _user(_dict(query.get("from"), "from"))
    data = optional_str(query.get("data"), "callback_query.data")
    chat_id: int | None = None
    chat_type = ChatType.PRIVATE
    message_id: int | None = None
    raw_message = query.get("message")
    if raw_message is not None:
        message = _dict(raw_message, "callback_query.message")
        message_id = require_int(message.get("message_id"), "message_id")
        chat_id, chat_type = _chat(message)
    return Incoming(
        update_id=update_id,
        kind=InputKind.BUTTON,
        chat_id=chat_id,
        chat_type=chat_type,
        user_id=user_id,
        user_name=user_name,
        language_code=language,
        callback_data=data,
        callback_query_id=query_id,
        message_id=message_id,
    )


def parse_update(payload: dict[str, Any]) -> Incoming:
    """An `UpdateParser`: one raw update dict -> `Incoming`."""
    update = _dict(payload, "update")
    update_id = require_int(update.get("update_id"), "update_id")
    if update.get("message") is not None:
        return _message(update_id, _dict(update["message"], "message"))
    if update.get("callback_query") is not None:
        return _callback(update_id, _dict(update["callback_query"], "callback_query"))
    return Incoming(update_id=update_id, kind=InputKind.IGNORED)
