"""The card feed's one remaining job: copies of staff cards left behind are edited once they can be.

New cards and edits of changed ones are the consequences of the events that changed their items
(`bot.notices.cards.item_changed`), in the same transaction, whichever door made the change:
nothing here looks for new or changed items.

What no event can finish is an edit of a copy whose first send had no Telegram message id yet
(still queued, or in flight): `bot.services.cards` marks that card "behind" and leaves it. The id
arrives when the outbox sender records the delivery, which is not a use case and records no
event; the sender wakes this loop then (`on_settled`), and it edits the lagging copies of cards
still behind (an indexed flag, usually none). It looks once at start, for cards a previous
process left behind, and otherwise only when woken: it never polls. Only ids and counts are
logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.dialogs.engine import DialogSettings, Notice, queue_notice
from bot.dialogs.triage import card_notices
from bot.ports.clock import Clock
from bot.ports.store import UnitOfWorkFactory
from bot.rendering import Renderer
from bot.runtime.step_loop import LoopWorker, StepLoop
from bot.services import cards

log = logging.getLogger(__name__)

BATCH = 50  # cards per step: a burst of lagging copies goes out over a few steps


class CardFeed(LoopWorker):
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        renderer: Renderer,
        clock: Clock,
        settings: DialogSettings,
        *,
        on_committed: Callable[[], None] | None = None,
        min_gap: float = 1.0,
    ) -> None:
        self._uow = uow_factory
        self._renderer = renderer
        self._clock = clock
        self._settings = settings
        self._on_committed = on_committed
        # Wakes come after every batch of deliveries: at most one step per `min_gap` lets a
        # burst share one step, so that the feed never competes with the updates themselves
        # for the store (on SQLite, one writer at a time). No timeout: it never polls.
        self._loop = StepLoop("card feed", self._step, log=log, after_failure=None, min_gap=min_gap)

    async def step(self) -> int:
        """Edits the lagging copies of cards still behind; returns how many it queued."""
        now = self._clock.now()
        notices: list[Notice] = []
        async with self._uow() as uow:
            sends: list[cards.CardSend] = []
            for card in await uow.cards.behind(BATCH):
                sends += await cards.catch_up(uow, card)
            notices = await card_notices(uow, sends, self._settings.service_areas)
            for notice in notices:
                await queue_notice(uow, self._renderer, notice, now)
            await uow.commit()
        if notices:
            log.info("card feed queued edits of lagging card copies: %s", len(notices))
            if self._on_committed is not None:
                self._on_committed()
        return len(notices)

    async def _step(self) -> None:
        await self.step()
