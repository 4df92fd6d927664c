"""What the core needs from a Telegram transport, and the errors it may raise.

Both transports (python-telegram-bot and the raw aiohttp client) implement `TelegramGateway`
and translate their own exceptions into these, so the sender's rules are written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.domain.incoming import Incoming
from bot.domain.outbound import OutboundMessage


class GatewayError(Exception):
    """Base of everything a gateway raises."""


class RateLimited(GatewayError):
    """HTTP 429: nothing may be sent for `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class Unreachable(GatewayError):
    """HTTP 403 (blocked, kicked, deactivated) or chat not found: never retried."""


class BadRequest(GatewayError):
    """HTTP 400 for this message: retrying the same request cannot help."""


class TransientError(GatewayError):
    """Connection refused/reset or a 5xx before the request was taken: safe to retry."""


class AmbiguousTimeout(GatewayError):
    """The request went out but no answer came: the message may have arrived."""


class Conflict(TransientError):
    """HTTP 409: another process polls with this token, or a webhook is set."""


class MalformedUpdate(ValueError):
    """An update dict that is not a Telegram update Kyodo can read; the one error parsers raise."""


@dataclass(frozen=True)
class SentMessage:
    message_id: int | None


@dataclass(frozen=True)
class BotIdentity:
    id: int
    username: str


class TelegramGateway(Protocol):
    async def get_me(self) -> BotIdentity: ...

    async def get_updates(
        self,
        offset: int | None,
        timeout: int,
    ) -> Sequence[dict[str, Any]]:
        """Long polling; returns raw update dicts as Telegram sent them."""
        ...

    async def send(self, message: OutboundMessage) -> SentMessage:
        """sendMessage, or editMessageText when `edit_message_id` is set."""
        ...

    async def answer_callback(self, callback_query_id: str, text: str | None) -> None: ...
    async def set_commands(self, commands: Sequence[tuple[str, str]], language: str | None) -> None:
        """setMyCommands: (command, description) pairs for people whose language is `language`
        (None: everyone else), so Telegram's command menu speaks their language."""
        ...

    async def set_webhook(self, url: str, secret_token: str) -> None: ...
    async def delete_webhook(self) -> None: ...
    async def close(self) -> None: ...


class UpdateParser(Protocol):
    """Turns one raw update dict into what the core understands (the transport's own parsing).

    Raises `MalformedUpdate` and nothing else for a dict that is not a readable update.
    """

    def __call__(self, payload: dict[str, Any]) -> Incoming: ...
