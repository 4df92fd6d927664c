"""Pure helpers shared by both Telegram transports, so that they cannot drift apart.

Nothing here does I/O or imports a Telegram library: it is the Bot API's wire format (JSON
shapes, error answers) and Kyodo's reading of it (how a command is split, which error is which).
"""

from __future__ import annotations

import logging
from typing import Any

from bot.domain.incoming import ChatType
from bot.domain.outbound import ButtonRows, KeyboardRows, OutboundMessage
from bot.ports.telegram import (
    BadRequest,
    Conflict,
    GatewayError,
    MalformedUpdate,
    RateLimited,
    TransientError,
    Unreachable,
)

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"

_UNREACHABLE_PHRASES = (
    "chat not found",
    "user not found",
    "bot was blocked",
    "user is deactivated",
)


def split_command(text: str) -> tuple[str, str]:
    """`/Start@Kyodo_Bot  CODE ` -> ("start", "CODE"): the first word is the command.

    Called only when a `bot_command` entity starts at offset 0. Splitting on whitespace rather
    than on the entity's length keeps both transports identical without UTF-16 arithmetic (a
    command is ASCII, so the two agree for every message Telegram really sends).
    """
    parts = text.split(maxsplit=1)
    first = parts[0] if parts else ""
    rest = parts[1] if len(parts) > 1 else ""
    name = first.removeprefix("/").split("@", 1)[0].lower()
    return name, rest.strip()


def inline_keyboard(buttons: ButtonRows) -> dict[str, Any] | None:
    if not buttons:
        return None
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in buttons
        ]
    }


def reply_keyboard(rows: KeyboardRows) -> dict[str, Any]:
    """Telegram's reply keyboard: kept on screen (`is_persistent`) and as small as its buttons
    (`resize_keyboard`); a press sends the label as text. No rows: the keyboard is removed."""
    if not rows:
        return {"remove_keyboard": True}
    return {
        "keyboard": [[{"text": label} for label in row] for row in rows],
        "is_persistent": True,
        "resize_keyboard": True,
    }


def markup(message: OutboundMessage) -> dict[str, Any] | None:
    """The message's one reply_markup: its reply keyboard, else its inline buttons."""
    if message.keyboard is not None and message.edit_message_id is None:
        return reply_keyboard(message.keyboard)
    return inline_keyboard(message.buttons)


# A file sent by its file_id: the method and the parameter that carries it, by kind.
MEDIA_METHODS = {
    "photo": ("sendPhoto", "photo"),
    "voice": ("sendVoice", "voice"),
    "audio": ("sendAudio", "audio"),
    "video_note": ("sendVideoNote", "video_note"),
    "document": ("sendDocument", "document"),
}


def send_params(message: OutboundMessage) -> tuple[str, dict[str, Any]]:
    """The Bot API method and JSON parameters that deliver `message`."""
    if message.media is not None:
        kind, file_id = message.media
        method, field = MEDIA_METHODS.get(kind, MEDIA_METHODS["document"])
        media: dict[str, Any] = {"chat_id": message.chat_id, field: file_id}
        if message.text and kind != "video_note":  # a video note takes no caption
            media["caption"] = message.text
            if message.parse_mode:
                media["parse_mode"] = message.parse_mode
        keyboard = markup(message)
        if keyboard is not None:
            media["reply_markup"] = keyboard
        return method, media
    params: dict[str, Any] = {"chat_id": message.chat_id, "text": message.text}
    if message.parse_mode:
        params["parse_mode"] = message.parse_mode
    reply_markup = markup(message)
    if reply_markup is not None:
        params["reply_markup"] = reply_markup
    if message.edit_message_id is not None:
        params["message_id"] = message.edit_message_id
        return "editMessageText", params
    return "sendMessage", params


def is_not_modified(description: str) -> bool:
    """An edit that changes nothing: Telegram says 400, Kyodo counts it as delivered."""
    return "message is not modified" in description.lower()


def is_unreachable(description: str) -> bool:
    lowered = description.lower()
    return any(phrase in lowered for phrase in _UNREACHABLE_PHRASES)


def error_for(status: int, description: str, retry_after: float | None) -> GatewayError:
    """Maps one Bot API error answer (`ok: false`) to the gateway's error types."""
    if status == 429 or retry_after is not None:
        return RateLimited(retry_after if retry_after is not None else 1.0)
    if status == 403:
        return Unreachable(description)
    if status == 400:
        return Unreachable(description) if is_unreachable(description) else BadRequest(description)
    if status == 409:
        return Conflict(description)
    # 401/404 mean a wrong token: retried (with backoff) rather than losing the outbox to a typo.
    return TransientError(f"HTTP {status}: {description}")


def quiet_http_loggers() -> None:
    """httpx logs every request URL, which contains the bot token, at INFO: keep it quieter."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.WARNING:
            logger.setLevel(logging.WARNING)
    # python-telegram-bot logs every request's parameters (message text included) at DEBUG.
    bot_logger = logging.getLogger("telegram.Bot")
    if bot_logger.getEffectiveLevel() < logging.INFO:
        bot_logger.setLevel(logging.INFO)


CHAT_TYPES = {t.value: t for t in ChatType}


def require_int(value: object, what: str) -> int:
    """The update's integer field, or MalformedUpdate (bool is not an integer here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedUpdate(f"{what} is not an integer")
    return value


def optional_str(value: object, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise MalformedUpdate(f"{what} is not a string")
    return value


def parse_chat_type(kind: object) -> ChatType:
    if not isinstance(kind, str) or kind not in CHAT_TYPES:
        raise MalformedUpdate("unknown chat type")
    return CHAT_TYPES[kind]
