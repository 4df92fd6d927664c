"""`TelegramGateway` on python-telegram-bot's `telegram.Bot`: sends on an aiohttp `BaseRequest`
(handlers/ptb/aiohttp_request.py), long polling on ptb's own httpx-based `HTTPXRequest`.

ptb's exceptions are translated into the gateway errors exactly as the raw transport translates
HTTP answers, so the sender's rules are written once.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram import Message as PtbMessage
from telegram.error import (
    BadRequest as PtbBadRequest,
)
from telegram.error import (
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.error import (
    Conflict as PtbConflict,
)
from telegram.request import HTTPXRequest, RequestData

# Not re-exported by ptb, but the one way to post a raw call through its request object.
from telegram.request._requestparameter import RequestParameter

from bot.domain.outbound import ButtonRows, OutboundMessage
from bot.ports.telegram import (
    AmbiguousTimeout,
    BadRequest,
    BotIdentity,
    Conflict,
    RateLimited,
    SentMessage,
    TransientError,
    Unreachable,
)
from handlers.ptb.aiohttp_request import AiohttpRequest, ConnectTimedOut
from handlers.wire import (
    DEFAULT_API_BASE_URL,
    is_not_modified,
    is_unreachable,
    quiet_http_loggers,
    send_params,
)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def _markup(message: OutboundMessage) -> Markup | None:
    """The message's one reply_markup, as the raw transport's (handlers/wire.markup)."""
    if message.keyboard is not None and message.edit_message_id is None:
        if not message.keyboard:
            return ReplyKeyboardRemove()
        return ReplyKeyboardMarkup(
            [[KeyboardButton(label) for label in row] for row in message.keyboard],
            is_persistent=True,
            resize_keyboard=True,
        )
    return _inline(message.buttons)


def _inline(buttons: ButtonRows) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


def _seconds(value: int | float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@asynccontextmanager
async def _translated(method: str) -> AsyncIterator[None]:
    """Turns ptb's exceptions into the gateway's (the order matters: TimedOut is a NetworkError)."""
    try:
        yield
    except RetryAfter as exc:
        raise RateLimited(_seconds(exc.retry_after)) from None
    except Forbidden as exc:
        raise Unreachable(exc.message) from None
    except ChatMigrated as exc:
        raise Unreachable(f"group moved to {exc.new_chat_id}") from None
    except PtbBadRequest as exc:
        if is_unreachable(exc.message):
            raise Unreachable(exc.message) from None
        raise BadRequest(exc.message) from None
    except PtbConflict as exc:
        raise Conflict(exc.message) from None
    except TimedOut as exc:
        # A connect or pool timeout means nothing left this process: safe to retry.
        if isinstance(exc, ConnectTimedOut) or isinstance(
            exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout
        ):
            raise TransientError(f"{method}: connect timeout") from None
        raise AmbiguousTimeout(f"{method}: no answer in time") from None
    except InvalidToken:
        raise TransientError(f"{method}: the bot token was refused") from None
    except NetworkError as exc:
        raise TransientError(f"{method}: {exc.message}") from None
    except TelegramError as exc:
        raise TransientError(f"{method}: {type(exc).__name__}") from None


class PtbGateway:
    """Owns one `telegram.Bot` with two connection pools (long polling gets its own)."""

    def __init__(
        self,
        token: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
        *,
        connection_pool_size: int = 256,  # the sender's most concurrent sends
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
    ) -> None:
        quiet_http_loggers()
        self._read_timeout = read_timeout
        self._updates_url = f"{api_base_url.rstrip('/')}{token}/getUpdates"
        # The sends' client: ptb's HTTPXRequest cost ~3.5 CPU ms an update (bench/README.md).
        self._request = AiohttpRequest(connection_pool_size, connect_timeout, read_timeout)
        self._updates_request = HTTPXRequest(
            connection_pool_size=1,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            write_timeout=read_timeout,
            pool_timeout=read_timeout,
        )
        self.bot = Bot(
            token,
            base_url=api_base_url.rstrip("/"),
            request=self._request,
            get_updates_request=self._updates_request,
        )
        self._initialized = False

    def __repr__(self) -> str:
        return "PtbGateway(...)"

    async def _ready(self) -> Bot:
        if not self._initialized:
            # Opens the HTTP clients without ptb's extra getMe round trip.
            await self._request.initialize()
            await self._updates_request.initialize()
            self._initialized = True
        return self.bot

    async def get_me(self) -> BotIdentity:
        bot = await self._ready()
        async with _translated("getMe"):
            me = await bot.get_me()
        return BotIdentity(id=me.id, username=me.username or "")

    async def get_updates(
        self,
        offset: int | None,
        timeout: int,
    ) -> Sequence[dict[str, Any]]:
        """Asks through ptb's own request object, to keep the JSON exactly as Telegram sent it."""
        await self._ready()
        params: dict[str, Any] = {"timeout": timeout}
        if offset is not None:
            params["offset"] = offset
        async with _translated("getUpdates"):
            result = await self._updates_request.post(
                self._updates_url,
                RequestData([RequestParameter.from_input(k, v) for k, v in params.items()]),
                read_timeout=timeout + self._read_timeout,
            )
        if not isinstance(result, list):
            raise TransientError("getUpdates: result is not a list")
        return [u for u in result if isinstance(u, dict)]

    async def send(self, message: OutboundMessage) -> SentMessage:
        bot = await self._ready()
        if message.media is not None:
            return await self._send_file(bot, message, message.media)
        markup = _markup(message)
        if message.edit_message_id is None:
            async with _translated("sendMessage"):
                sent = await bot.send_message(
                    chat_id=message.chat_id,
                    text=message.text,
                    parse_mode=message.parse_mode,
                    reply_markup=markup,
                )
            return SentMessage(sent.message_id)
        try:
            async with _translated("editMessageText"):
                edited = await bot.edit_message_text(
                    chat_id=message.chat_id,
                    message_id=message.edit_message_id,
                    text=message.text,
                    parse_mode=message.parse_mode,
                    reply_markup=_inline(message.buttons),
                )
        except BadRequest as exc:
            if is_not_modified(str(exc)):
                return SentMessage(message.edit_message_id)
            raise
        if isinstance(edited, PtbMessage):
            return SentMessage(edited.message_id)
        return SentMessage(message.edit_message_id)

    async def _send_file(
        self, bot: Bot, message: OutboundMessage, media: tuple[str, str]
    ) -> SentMessage:
        """A file by its file_id (a person's photo or voice note, for one staff member), with
        the same method and parameters as the raw transport's (handlers/wire.send_params)."""
        method, params = send_params(message)
        file_id = media[1]
        common: dict[str, Any] = {
            "chat_id": message.chat_id,
            "reply_markup": _markup(message),
        }
        if "caption" in params:
            common["caption"] = params["caption"]
            common["parse_mode"] = params.get("parse_mode")
        senders = {
            "sendPhoto": lambda: bot.send_photo(photo=file_id, **common),
            "sendVoice": lambda: bot.send_voice(voice=file_id, **common),
            "sendAudio": lambda: bot.send_audio(audio=file_id, **common),
            "sendVideoNote": lambda: bot.send_video_note(video_note=file_id, **common),
            "sendDocument": lambda: bot.send_document(document=file_id, **common),
        }
        async with _translated(method):
            sent = await senders[method]()
        return SentMessage(sent.message_id)

    async def answer_callback(self, callback_query_id: str, text: str | None) -> None:
        bot = await self._ready()
        async with _translated("answerCallbackQuery"):
            await bot.answer_callback_query(callback_query_id, text=text)

    async def set_commands(self, commands: Sequence[tuple[str, str]], language: str | None) -> None:
        bot = await self._ready()
        async with _translated("setMyCommands"):
            await bot.set_my_commands(
                [BotCommand(name, description) for name, description in commands],
                language_code=language,
            )

    async def set_webhook(self, url: str, secret_token: str) -> None:
        bot = await self._ready()
        async with _translated("setWebhook"):
            await bot.set_webhook(url=url, secret_token=secret_token)

    async def delete_webhook(self) -> None:
        bot = await self._ready()
        async with _translated("deleteWebhook"):
            await bot.delete_webhook()

    async def close(self) -> None:
        if self._initialized:
            await self._request.shutdown()
            await self._updates_request.shutdown()
            self._initialized = False
