"""What a Messaging API handler is given (``ApiCall``, ``Services``) and returns (``Answer``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.line.quota import Quota
from sandbox.line.record import Record
from sandbox.line.spec import Operation
from sandbox.line.state import Channel
from sandbox.line.webhook import WebhookSender


@dataclass(frozen=True)
class ApiCall:
    """One request, checked already: its operation, path parameters and decoded body."""

    operation: Operation
    path: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any  # the JSON body decoded, the raw bytes of a binary one, or None
    content_type: str | None
    request_id: str

    @property
    def retry_key(self) -> str | None:
        return self.headers.get("X-Line-Retry-Key")


@dataclass
class Answer:
    status: int = 200
    body: Any = field(default_factory=dict)
    blob: bytes | None = None
    content_type: str | None = None


@dataclass
class Services:
    channel: Channel
    quota: Quota
    record: Record
    webhooks: WebhookSender


Handler = Callable[[Services, ApiCall], Awaitable[Answer]]
