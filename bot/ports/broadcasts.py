"""The store of broadcasts as the core sees it (part of the unit of work in `store.py`).

Recipients are streamed: `recipients` returns one page after a person id (keyset pagination), so
an audience of any size is never loaded at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    Draft,
    Recipient,
    Unreached,
)
from bot.domain.outbound import OutboundMessage


class BroadcastRepository(Protocol):
    async def add(
        self,
        draft: Draft,
        *,
        status: BroadcastStatus,
        created_by: int | None,
        created_at: datetime,
        send_at: datetime,
        coordinator_chat_id: int | None,
        coordinator_locale: str,
    ) -> Broadcast: ...

    async def get(self, broadcast_id: int) -> Broadcast | None: ...

    async def save(self, broadcast: Broadcast, *, was: BroadcastStatus, was_cursor: int) -> bool:
        """Writes the changeable fields only if status and cursor are still `was`/`was_cursor`
        and `asking` is still what `broadcast` says (it is never written here: `set_asking`).

        A conditional update: of two replicas advancing one broadcast, one wins (True), the
        other changes nothing (False) and must drop what it prepared. A progress edit prepared
        before a question was put on the progress message is dropped this way.
        """
        ...

    async def set_asking(self, broadcast_id: int, asking: bool) -> None:
        """Marks the progress message as showing a question (True) or the progress again."""
        ...

    async def in_progress(self, limit: int) -> Sequence[Broadcast]:
        """Running broadcasts, and cancelled ones not finished (`finished_at` unset: messages
        were on their way when it was cancelled), soonest `send_at` first."""
        ...

    async def with_status(
        self, statuses: frozenset[BroadcastStatus], limit: int
    ) -> Sequence[Broadcast]:
        """Broadcasts in any of `statuses`, soonest `send_at` first."""
        ...

    async def due(self, now: datetime, limit: int) -> Sequence[Broadcast]:
        """Scheduled broadcasts whose time has come, soonest first."""
        ...

    async def recipients(
        self, audience: Audience, kind: BroadcastKind, after: int, limit: int
    ) -> Sequence[Recipient]:
        """The next page of those who receive it, by person id after `after`: people with a
        Telegram account, in the audience, who want `kind` (opted in to an opt-in kind, not
        opted out of another; see `bot.domain.broadcasts.OPT_IN_KINDS`)."""
        ...

    async def count_audience(
        self, audience: Audience, kind: BroadcastKind, after: int = 0
    ) -> tuple[int, int]:
        """(recipients, left out) among people with id > `after`: how many `recipients` would
        give, and how many of the audience do not want `kind` (their settings show it off).
        The OPTED_IN audience is those who want it, so none is left out."""
        ...

    async def queue(
        self,
        broadcast_id: int,
        messages: Sequence[tuple[int, OutboundMessage]],
        at: datetime,
        line_batches: Mapping[int, str] | None = None,
    ) -> int:
        """Queues one outbox row per (person id, message) and links it to the broadcast, in a few
        statements; a person who already has a row for this broadcast is skipped (the dedupe key
        is the broadcast and person id). `line_batches`: person id -> the LINE multicast batch
        their row goes in (the outbox's `claim_batch`). Returns how many rows are new."""
        ...

    async def delivery_counts(self, broadcast_id: int) -> dict[str, int]:
        """The broadcast's outbox rows per outbox status (pending, sending, sent, failed)."""
        ...

    async def unsent(self, broadcast_id: int) -> int:
        """Rows not yet settled (pending or being sent): what the sender still has to do."""
        ...

    async def hold(self, broadcast_id: int, until: datetime) -> int:
        """Puts the broadcast's pending rows off until `until` (pause, resume); returns how many."""
        ...

    async def drop_pending(self, broadcast_id: int) -> int:
        """Deletes the broadcast's rows not yet claimed by a sender (cancel); returns how many."""
        ...

    async def unreached(self, broadcast_id: int, limit: int) -> Sequence[Unreached]:
        """People whose delivery failed, by person id."""
        ...

    async def message_id(self, outbox_id: int) -> int | None:
        """The Telegram message id of a sent outbox row (to edit the progress message)."""
        ...

    async def opted_out(self, person_id: int) -> frozenset[BroadcastKind]: ...
    async def opted_in(self, person_id: int) -> frozenset[BroadcastKind]: ...
    async def set_preference(
        self, person_id: int, kind: BroadcastKind, receive: bool, at: datetime
    ) -> None:
        """The person's choice for one kind: receive (opted in) or not (opted out)."""
        ...
