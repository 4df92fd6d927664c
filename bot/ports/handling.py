"""The core's entry point for one parsed update, as the inbox worker calls it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.domain.incoming import Incoming
from bot.ports.store import UnitOfWork


@dataclass(frozen=True)
class HandleResult:
    """What the worker must do itself once the transaction committed.

    `callback_answer` is the toast shown for a pressed button (None: answer silently). It is the
    one reply that does not go through the outbox, because Telegram wants it at once.
    """

    callback_answer: str | None = None


class UpdateHandler(Protocol):
    async def __call__(self, uow: UnitOfWork, incoming: Incoming) -> HandleResult:
        """Runs inside the caller's unit of work and writes replies to `uow.outbox`.

        It must not commit: the worker commits the inbox claim, the state and the replies
        together, so a crash leaves either all of them or none.
        """
        ...
