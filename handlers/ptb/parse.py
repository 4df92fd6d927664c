"""Reads an update dict into `Incoming` through python-telegram-bot's typed objects.

It must agree with `handlers.raw.parse` on every update Telegram sends (a test feeds both the
same samples); on anything else it raises `MalformedUpdate` and nothing else.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, Chat, Message, MessageEntity, Update, User
from telegram import MaybeInaccessibleMessage as AnyMessage

from bot.domain.incoming import ChatType, Incoming, InputKind
from bot.ports.telegram import MalformedUpdate
from handlers.wire import optional_str, parse_chat_type, require_int, split_command


def _chat(chat: Chat) -> tuple[int, ChatType]:
    if not isinstance(chat, Chat):
        raise MalformedUpdate("chat is not an object")
    kind = chat.type
    return require_int(chat.id, "chat.id"), parse_chat_type(kind)


def _user(user: User | None) -> tuple[int | None, str, str | None]:
    if user is None:
        return None, "", None
    first = optional_str(user.first_name, "first_name") or ""
    last = optional_str(user.last_name, "last_name")
    name = f"{first} {last}" if last else first
    return require_int(user.id, "from.id"), name, optional_str(user.language_code, "language")


def _starts_with_command(entities: tuple[MessageEntity, ...]) -> bool:
    for entity in entities:
        require_int(entity.offset, "entity.offset")
        require_int(entity.length, "entity.length")
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return True
    return False


def _media(message: Message) -> tuple[str | None, str | None]:
    """A voice note, audio, video note or photo (its largest size) and its file id."""
    for kind, found in (
        ("voice", message.voice),
        ("audio", message.audio),
        ("video_note", message.video_note),
    ):
        if found is not None:
            return kind, found.file_id or None
    if message.photo:
        return "photo", message.photo[-1].file_id or None
    return None, None


def _message(update_id: int, message: Message) -> Incoming:
    require_int(message.message_id, "message_id")
    chat_id, chat_type = _chat(message.chat)
    user_id, user_name, language = _user(message.from_user)
    text = optional_str(message.text, "text")
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
    if _starts_with_command(message.entities):
        command, args = split_command(text)
        return Incoming(kind=InputKind.COMMAND, text=text, command=command, args=args, **common)
    return Incoming(kind=InputKind.TEXT, text=text, **common)


def _callback(update: Update) -> Incoming:
    query = update.callback_query
    assert query is not None  # noqa: S101 - the caller checked; this narrows the type
    query_id = optional_str(query.id, "callback_query.id")
    if query_id is None:
        raise MalformedUpdate("callback_query without id")
    if query.from_user is None:
        raise MalformedUpdate("callback_query without from")
    user_id, user_name, language = _user(query.from_user)
    chat_id: int | None = None
    chat_type = ChatType.PRIVATE
    message_id: int | None = None
    message: AnyMessage | None = query.message
    if message is not None:
        message_id = require_int(message.message_id, "message_id")
        chat_id, chat_type = _chat(message.chat)
    return Incoming(
        update_id=update.update_id,
        kind=InputKind.BUTTON,
        chat_id=chat_id,
        chat_type=chat_type,
        user_id=user_id,
        user_name=user_name,
        language_code=language,
        callback_data=optional_str(query.data, "callback_query.data"),
        callback_query_id=query_id,
        message_id=message_id,
    )


class PtbUpdateParser:
    """An `UpdateParser` on `Update.de_json`; `bot` may be None (no shortcuts are used)."""

    def __init__(self, bot: Bot | None = None) -> None:
        self._bot = bot

    def __call__(self, payload: dict[str, Any]) -> Incoming:
        if not isinstance(payload, dict):
            raise MalformedUpdate("update is not an object")
        try:
            update = Update.de_json(payload, self._bot)
        except Exception as exc:
            # de_json fails with whatever the bad field provokes (KeyError, TypeError, ...).
            raise MalformedUpdate(type(exc).__name__) from None
        update_id = require_int(update.update_id, "update_id")
        if update.message is not None:
            return _message(update_id, update.message)
        if update.callback_query is not None:
            return _callback(update)
        return Incoming(update_id=update_id, kind=InputKind.IGNORED)


parse_update = PtbUpdateParser()
