"""A `TelegramGateway` that records what it was asked and fails when a test scripts it to.

Errors are scripted per chat (`fail_chat`) or for the next sends in order (`fail_next`); each
scripted error is used once. `latency` makes each call take (fake or real) time through the
sleep it was given, so concurrency can be observed (`max_concurrent`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.outbound import OutboundMessage
from bot.ports.clock import Clock
from bot.ports.telegram import BotIdentity, GatewayError, SentMessage


@dataclass(frozen=True)
class SentRecord:
    message: OutboundMessage
    at: datetime | None


@dataclass
class FakeGateway:
    clock: Clock | None = None
    latency: float = 0.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    sent: list[SentRecord] = field(default_factory=list)
    attempts: list[OutboundMessage] = field(default_factory=list)
    answered: list[tuple[str, str | None]] = field(default_factory=list)
    commands: dict[str | None, list[tuple[str, str]]] = field(default_factory=dict)
    updates: deque[Sequence[dict[str, Any]]] = field(default_factory=deque)
    update_errors: deque[GatewayError] = field(default_factory=deque)
    offsets: list[int | None] = field(default_factory=list)
    webhook: tuple[str, str] | None = None
    closed: bool = False
    answer_error: GatewayError | None = None
    max_concurrent: int = 0
    _next_errors: deque[GatewayError] = field(default_factory=deque)
    _chat_errors: dict[int, deque[GatewayError]] = field(default_factory=dict)
    _in_flight: int = 0
    _next_message_id: int = 1000

    def fail_next(self, *errors: GatewayError) -> None:
        self._next_errors.extend(errors)

    def fail_chat(self, chat_id: int, *errors: GatewayError) -> None:
        self._chat_errors.setdefault(chat_id, deque()).extend(errors)

    def texts_to(self, chat_id: int) -> list[str]:
        return [r.message.text for r in self.sent if r.message.chat_id == chat_id]

    def send_times(self, chat_id: int | None = None) -> list[datetime]:
        return [
            r.at
            for r in self.sent
            if r.at is not None and (chat_id is None or r.message.chat_id == chat_id)
        ]

    async def get_me(self) -> BotIdentity:
        return BotIdentity(id=1, username="kyodo_test_bot")

    async def get_updates(
        self,
        offset: int | None,
        timeout: int,
    ) -> Sequence[dict[str, Any]]:
        self.offsets.append(offset)
        if self.update_errors:
            raise self.update_errors.popleft()
        if self.updates:
            return self.updates.popleft()
        await asyncio.sleep(0)
        return []

    async def send(self, message: OutboundMessage) -> SentMessage:
        at = self.clock.now() if self.clock is not None else None
        self.attempts.append(message)
        self._in_flight += 1
        self.max_concurrent = max(self.max_concurrent, self._in_flight)
        try:
            if self.latency:
                await self.sleep(self.latency)
            else:
                await asyncio.sleep(0)
            chat_errors = self._chat_errors.get(message.chat_id)
            if chat_errors:
                raise chat_errors.popleft()
            if self._next_errors:
                raise self._next_errors.popleft()
        finally:
            self._in_flight -= 1
        self.sent.append(SentRecord(message, at))
        if message.edit_message_id is not None:
            return SentMessage(message.edit_message_id)
        self._next_message_id += 1
        return SentMessage(self._next_message_id)

    async def answer_callback(self, callback_query_id: str, text: str | None) -> None:
        if self.answer_error is not None:
            raise self.answer_error
        self.answered.append((callback_query_id, text))

    async def set_commands(self, commands, language) -> None:
        self.commands[language] = list(commands)

    async def set_webhook(self, url: str, secret_token: str) -> None:
        self.webhook = (url, secret_token)

    async def delete_webhook(self) -> None:
        self.webhook = None

    async def close(self) -> None:
        self.closed = True
