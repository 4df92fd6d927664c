"""What LINE's door needs of the store (`uow.line`), and what the sender needs of a messenger
whose gateway delivers outbox rows itself.

`line_users` gives each LINE user id a surrogate chat id (bot/domain/channels.py says why).
`line_events` remembers each webhook event by its `webhookEventId`: the inbox id it was given
(so a redelivered event finds the same id and the inbox skips it) and, for a minute, its reply
token, a one-use credential that lets one answer go out free of the monthly quota.

A reply has no retry key, so the sender's exactly-once rests on a claim: before a reply goes
out, the row's claim on a token is committed (`claim_reply`), and once LINE has answered, what
became of it (`spend_reply`: taken, or refused and the claim dropped). A retry of the row (after
a kill, or a timeout) finds its own claim again (`ReplyClaim.again`): taken means delivered;
otherwise the first try may have arrived, and while the token lives, replying again is safe
(LINE refuses a spent token: nothing arrives twice, and a refusal means the first try did
arrive); once it has expired nobody can tell, and the row fails as an ambiguous timeout rather
than risk a second copy. Tokens go as soon as they are used or expired (`spend_reply`,
`prune`): never kept after use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.outbound import OutboxItem
from bot.ports.telegram import BadRequest, SentMessage


@dataclass(frozen=True)
class LineEvent:
    """One webhook event as the inbox needs to remember it."""

    event_id: str  # LINE's webhookEventId
    timestamp_ms: int
    chat_id: int | None  # the sender's surrogate chat id (None: not from a person)
    reply_token: str | None = None
    reply_by: datetime | None = None  # the token is good until then (by Kyodo's clock)


@dataclass(frozen=True)
class LineAddress:
    user_id: str  # LINE's user id
    forgotten: bool  # the person was forgotten: kept only to deliver their farewell


@dataclass(frozen=True)
class ReplyClaim:
    """A reply token held for one outbox row. `again`: this row claimed it on an earlier try;
    `delivered`: LINE took that try's reply; `token` None: it has gone since (used, expired)."""

    token: str | None
    again: bool
    fresh: bool  # still within its life (by Kyodo's clock)
    delivered: bool = False


class LineRepository(Protocol):
    async def chat_for(self, user_id: str) -> int:
        """The surrogate chat id of a LINE user, given on first sight; a forgotten user who
        writes again keeps it (nothing else of them is left)."""
        ...

    async def chats_for(self, user_ids: Sequence[str]) -> dict[str, int]:
        """`chat_for` of each of the users (duplicates once), in a few statements for all."""
        ...

    async def address(self, chat_id: int) -> LineAddress | None:
        """Who a LINE chat id reaches (None: nobody, or forgotten and dropped)."""
        ...

    async def record_events(self, events: Sequence[LineEvent], at: datetime) -> list[int]:
        """The inbox id of each event, in the order given: the one it was given before if it
        was seen before, else a new one from its timestamp (bot.domain.channels)."""
        ...

    async def claim_reply(self, chat_id: int, outbox_id: int, now: datetime) -> ReplyClaim | None:
        """This row's claim from an earlier try, else the chat's oldest unclaimed token still
        good at `now`, now claimed by the row; None when there is none."""
        ...

    async def release_reply(self, outbox_id: int) -> None:
        """Gives the row's claim back, token and all: its reply certainly did not go out (429,
        no connection), and another try may use the token."""
        ...

    async def spend_reply(self, outbox_id: int, *, delivered: bool) -> None:
        """The row's token is gone: LINE took the reply (`delivered`: the claim stays, so a
        retry knows), or refused it (the claim goes too: a retry pushes)."""
        ...

    async def forget(self, chat_id: int) -> None:
        """The person is forgotten: their events go, and their LINE user id is kept only until
        their farewell is delivered (`drop_forgotten`, `prune`)."""
        ...

    async def drop_forgotten(self, chat_id: int) -> bool:
        """Deletes the chat's LINE user id if it was forgotten; whether it did."""
        ...

    async def prune(self, now: datetime, events_before: datetime) -> int:
        """Expired reply tokens, events received before `events_before`, forgotten users with
        nothing left on its way to them; returns how many rows changed."""
        ...


class OutboxGateway(Protocol):
    """A messenger's gateway that delivers an outbox row itself (it needs the row: its id
    gives the retry key, its chat a reply token). Raises `bot.ports.telegram`'s errors."""

    async def deliver(self, item: OutboxItem) -> SentMessage: ...


class QuotaExhausted(BadRequest):
    """LINE's messages for this month are spent: a push fails until next month or a bigger plan
    (replies are free and still go). The sender keeps the row as undelivered for staff."""


@dataclass(frozen=True)
class MonthQuota:
    """The LINE channel's monthly messages: its plan's `limit` (None: no limit) and how many
    were `used` this month (pushes and multicasts count per person; replies are free)."""

    limit: int | None
    used: int

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


class LineQuota(Protocol):
    async def month(self) -> MonthQuota:
        """This month's quota as LINE tells it now; raises `bot.ports.telegram`'s errors when
        LINE cannot be asked."""
        ...
