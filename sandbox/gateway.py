"""One Bot API call from arrival to answer: method lookup, validation, faults, flood limits.

Every call is checked against the sandbox's compact schema and, when it was loaded, the full
reference; a malformed call is answered 400 and recorded in ``violations``. Then injected faults
apply, then Telegram's flood limits (for methods that send messages), then the method runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

from sandbox.botapi import BotApi
from sandbox.errors import ApiError, bad_request, too_many_requests
from sandbox.faults import FaultInjector
from sandbox.ratelimit import RateLimiter
from sandbox.schema import SENDING_METHODS, Spec
from sandbox.state import BotState, World
from sandbox.validation import UploadedFile, ValidationError, validate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Violation:
    """A request that broke the Bot API: a bug in the client."""

    method: str
    description: str
    params: dict[str, Any]
    spec: str


@dataclass(frozen=True)
class Call:
    """One call as the server saw it, for tests to read."""

    bot_id: int
    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None = None


def _printable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (f"<file {v.filename}>" if isinstance(v, UploadedFile) else v) for k, v in params.items()
    }


class Gateway:
    def __init__(
        self,
        api: BotApi,
        world: World,
        compact: Spec,
        reference: Spec | None,
        faults: FaultInjector,
        limiter: RateLimiter,
        stats: Counter[str],
        closing: asyncio.Event,
        *,
        call_log_size: int = 10_000,
    ) -> None:
        self.api = api
        self.world = world
        self.compact = compact
        self.reference = reference
        self.faults = faults
        self.limiter = limiter
        self.stats = stats
        self.closing = closing
        self.violations: list[Violation] = []
        self.calls: deque[Call] = deque(maxlen=call_log_size)
        self._names = {name.lower(): name for name in compact.methods}
        if reference is not None:
            self._names.update(
                {
                    name.lower(): name
                    for name in reference.methods
                    if name.lower() not in self._names
                }
            )

    async def call(self, bot: BotState, method_name: str, params: dict[str, Any]) -> Any:
        """Run one call; return its result or raise ApiError, recording what happened."""
        self.stats["requests"] += 1
        method = self._names.get(method_name.lower(), method_name)
        try:
            decoded = self._check(method, params)
            await self._apply_fault(bot, method, decoded)
            if method in SENDING_METHODS:
                self._hold_flood_limits(bot, decoded)
            result = await self.api.call(bot, method, decoded)
        except ApiError as error:
            self.record_failure(bot, method, params, error)
            raise
        self.calls.append(Call(bot.id, method, _printable(decoded), ok=True))
        return result

    def record_failure(
        self, bot: BotState, method: str, params: dict[str, Any], error: ApiError
    ) -> None:
        self.calls.append(
            Call(bot.id, method, _printable(params), ok=False, error_code=error.error_code)
        )
        self.stats[f"errors_{error.error_code}"] += 1
        if error.violation:
            self.stats["violations"] += 1
            source = error.source or self.compact.source
            self.violations.append(Violation(method, error.description, _printable(params), source))
            log.warning("Bot API violation in %s: %s", method, error.description)

    def _check(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        in_compact = method in self.compact.methods
        in_reference = self.reference is not None and method in self.reference.methods
        if not in_compact and not in_reference:
            raise ApiError(404, "Not Found", violation=True)
        if not in_compact:
            raise bad_request(f"method {method} is not implemented by the sandbox")
        decoded = self._validate(self.compact, method, params)
        if self.reference is not None and in_reference:
            self._validate(self.reference, method, params)
        return decoded

    @staticmethod
    def _validate(spec: Spec, method: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return validate(spec, method, params)
        except ValidationError as error:
            failure = bad_request(error.detail)
            failure.source = spec.source
            raise failure from error

    async def _apply_fault(self, bot: BotState, method: str, params: dict[str, Any]) -> None:
        fault = self.faults.take(method)
        if fault is None:
            return
        self.stats["faults_injected"] += 1
        if fault.kind == "429":
            self.stats["too_many_requests"] += 1
            chat = params.get("chat_id")
            self.limiter.open_window(bot.id, None if chat is None else str(chat), fault.retry_after)
            raise too_many_requests(fault.retry_after)
        if fault.kind == "500":
            raise ApiError(500, "Internal Server Error")
        if fault.kind == "403":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        # "timeout": hold the request open; answer late, or never before the server stops.
        if fault.delay is None:
            await self.closing.wait()
        else:
            try:
                await asyncio.wait_for(self.closing.wait(), fault.delay)
            except TimeoutError:
                return
        raise ApiError(500, "Internal Server Error: the sandbox is stopping")

    def _hold_flood_limits(self, bot: BotState, params: dict[str, Any]) -> None:
        raw_chat = params.get("chat_id")
        chat_key = str(raw_chat) if raw_chat is not None else None
        is_group = isinstance(raw_chat, int) and raw_chat < 0
        verdict = self.limiter.check(bot.id, chat_key, is_group)
        if verdict.allowed:
            return
        self.stats["too_many_requests"] += 1
        if verdict.too_early:
            self.stats["sent_too_early"] += 1
        else:
            self.stats["rate_limited"] += 1
        raise too_many_requests(verdict.retry_after)
