"""The store of staff cards as the core sees it (part of the unit of work in `store.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.cards import CardCopy, CardKind, StaffCard


class StaffCardRepository(Protocol):
    async def ensure(self, kind: CardKind, item_id: int, at: datetime) -> tuple[StaffCard, bool]:
        """The item's card, created (version 1) if it has none; True when this call created it.

        Of two units creating the same card at once, one creates it and the other gets it.
        """
        ...

    async def get(self, card_id: int) -> StaffCard | None: ...

    async def find(self, kind: CardKind, item_id: int) -> StaffCard | None: ...

    async def bump(self, card_id: int, at: datetime, *, is_open: bool) -> int:
        """Marks the card changed `at`: its version grows by one (returned) and its copies fall
        behind. `is_open`: whether its item still waits for staff."""
        ...

    async def copies(self, card_id: int) -> Sequence[CardCopy]:
        """Every copy of the card, by chat id."""
        ...

    async def put_copy(self, copy: CardCopy) -> None:
        """Stores the copy, replacing the one of the same card and chat."""
        ...

    async def mark_shown(self, card_id: int, chat_id: int, version: int) -> None:
        """The copy in `chat_id` now shows `version` (an edit of its message was queued)."""
        ...

    async def settle(self, card_id: int) -> bool:
        """Clears the card's "behind" mark if every copy shows its version; False if one lags."""
        ...

    async def forget_chat(self, chat_id: int) -> int:
        """Deletes every copy in `chat_id` (a forgotten staff member's chat); returns how many."""
        ...

    async def behind(self, limit: int) -> Sequence[StaffCard]:
        """Cards with a copy showing an older version than the card's, least recently changed
        first: what is left to edit (say, because a copy's first send had no message id yet)."""
        ...
