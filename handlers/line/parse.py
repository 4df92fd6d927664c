"""Reads a LINE event, as the LINE door stored it in the inbox, into the core's `Incoming`.

The stored payload is ``{"update_id": <int>, "line": {"chat_id", "event", "user_name"?,
"language"?}}``: the webhook event as LINE sent it, the sender's surrogate chat id (resolved at
the webhook, which has the store; bot.domain.channels) and what LINE's profile said of them
(the display name a newcomer is registered under, the language of their LINE app).

What each event becomes:
- a text message: text, or a command when it starts with "/" (as typed in Telegram);
- a postback (a tapped button): a button press whose callback data is the postback's data,
  the dialog registry's own strings; it has no message id (LINE cannot edit a message), so an
  answer that would edit the pressed message arrives as a new one;
- follow (the person added the account, or unblocked it): /start;
- an image or audio message: media the dialogs keep for staff ("photo", "voice"), with the
  message's id as ``line:<id>`` (its bytes come from LINE's content API);
- a sticker, video, location or file: the "unsupported" input the dialogs already answer;
- anything else (unfollow, events not from a person): ignored.
Anything that is not such a payload raises `MalformedUpdate`, and nothing else.
"""

from __future__ import annotations

from typing import Any

from bot.domain.bounds import CUT_FROM
from bot.domain.channels import LINE_FILE_PREFIX
from bot.domain.incoming import ChatType, Incoming, InputKind
from bot.ports.telegram import MalformedUpdate, UpdateParser
from handlers.wire import optional_str, require_int, split_command

LINE_KEY = "line"  # the payload's key that marks a LINE event in the inbox
CONTENT_PREFIX = LINE_FILE_PREFIX  # a file id that names a LINE message's content
_MEDIA = {"image": "photo", "audio": "voice"}


def _dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedUpdate(f"{what} is not an object")
    return value


def parse_line(payload: dict[str, Any]) -> Incoming:
    """An `UpdateParser` for the LINE door's inbox payloads."""
    update_id = require_int(payload.get("update_id"), "update_id")
    part = _dict(payload.get(LINE_KEY), LINE_KEY)
    event = _dict(part.get("event"), "event")
    kind = optional_str(event.get("type"), "event.type")
    chat = part.get("chat_id")
    if chat is None:
        return Incoming(update_id=update_id, kind=InputKind.IGNORED)
    chat_id = require_int(chat, "chat_id")
    common: dict[str, Any] = {
        "update_id": update_id,
        "chat_id": chat_id,
        "chat_type": ChatType.PRIVATE,
        "user_id": chat_id,
        "user_name": optional_str(part.get("user_name"), "user_name") or "",
        "language_code": optional_str(part.get("language"), "language"),
    }
    if kind == "message":
        return _message(_dict(event.get("message"), "message"), common)
    if kind == "postback":
        postback = _dict(event.get("postback"), "postback")
        data = optional_str(postback.get("data"), "postback.data")
        return Incoming(kind=InputKind.BUTTON, callback_data=data, **common)
    if kind == "follow":
        return Incoming(kind=InputKind.COMMAND, text="/start", command="start", **common)
    return Incoming(update_id=update_id, kind=InputKind.IGNORED)


def _message(message: dict[str, Any], common: dict[str, Any]) -> Incoming:
    kind = optional_str(message.get("type"), "message.type")
    if kind == "text":
        text = optional_str(message.get("text"), "message.text") or ""
        cut = message.get(CUT_FROM)
        length = cut if isinstance(cut, int) and not isinstance(cut, bool) else None
        if text.startswith("/"):
            command, args = split_command(text)
            return Incoming(
                kind=InputKind.COMMAND,
                text=text,
                command=command,
                args=args,
                text_length=length,
                **common,
            )
        return Incoming(kind=InputKind.TEXT, text=text, text_length=length, **common)
    media = _MEDIA.get(kind or "")
    message_id = optional_str(message.get("id"), "message.id")
    if media is not None and message_id:
        return Incoming(
            kind=InputKind.UNSUPPORTED,
            media=media,
            file_id=CONTENT_PREFIX + message_id,
            **common,
        )
    return Incoming(kind=InputKind.UNSUPPORTED, **common)


def with_line(telegram: UpdateParser) -> UpdateParser:
    """One parser for the inbox that both doors fill: LINE's payloads to `parse_line`, the rest
    to the Telegram transport's parser."""

    def parse(payload: dict[str, Any]) -> Incoming:
        if isinstance(payload, dict) and LINE_KEY in payload:
            return parse_line(payload)
        return telegram(payload)

    return parse
