"""The card feed: a background loop that keeps the staff chat's cards in step with the store.

It is what puts a card in front of staff for every new item, whichever way the item came in (a
resident's dialog, a member's hour report, the web desk), without those parts knowing of cards:

- items waiting for staff that have no card yet get one, sent to every target;
- open cards whose item changed by another way than their buttons are edited;
- copies still behind their card (their first send had no message id yet) are edited now.

Each step is one transaction; the runner wakes the feed after every handled update, and it
looks by itself every `interval` seconds. Only ids and counts are logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from bot.dialogs.engine import DialogSettings, Notice
from bot.dialogs.triage import card_notices
from bot.domain.cards import CardKind
from bot.ports.clock import Clock
from bot.ports.store import UnitOfWorkFactory
from bot.rendering import Renderer
from bot.services import cards
from bot.services.card_items import is_open, load

log = logging.getLogger(__name__)

BATCH = 50  # per kind and step: a burst of new items goes out over a few steps


class CardFeed:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        renderer: Renderer,
        clock: Clock,
        settings: DialogSettings,
        *,
        on_committed: Callable[[], None] | None = None,
        interval: float = 2.0,
        min_gap: float = 1.0,
    ) -> None:
        self._uow = uow_factory
        self._renderer = renderer
        self._clock = clock
        self._settings = settings
        self._on_committed = on_committed
        self._interval = interval
        self._min_gap = min_gap
        self._wakeup = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    async def step(self) -> int:
        """One look at the store; returns how many card messages it queued."""
        now = self._clock.now()
        notices: list[Notice] = []
        async with self._uow() as uow:
            settings = self._settings
            to = await cards.targets(uow, settings.staff_chat_id, settings.default_locale)
            sends: list[cards.CardSend] = []
            for kind in CardKind:
                for item_id in await uow.cards.uncarded(kind, BATCH):
                    sends += await cards.open_card(uow, kind, item_id, now, to)
                for card in await uow.cards.changed_elsewhere(kind, BATCH):
                    item = await load(uow, card.kind, card.item_id)
                    sends += await cards.changed(
                        uow,
                        card.kind,
                        card.item_id,
                        now,
                        is_open=item is not None and is_open(item),
                    )
            for card in await uow.cards.behind(BATCH):
                sends += await cards.catch_up(uow, card)
            notices = await card_notices(uow, sends, settings.service_areas)
            for notice in notices:
                rendered = self._renderer.render(
                    notice.reply,
                    notice.chat_id,
                    notice.locale,
                    edit_message_id=notice.edit_message_id,
                    is_group=notice.is_group,
                )
                await uow.outbox.add(rendered, now, dedupe_key=notice.dedupe_key)
            await uow.commit()
        if notices:
            log.info("card feed queued %s card messages", len(notices))
            if self._on_committed is not None:
                self._on_committed()
        return len(notices)

    async def run(self) -> None:
        while not self._stopping:
            try:
                await self.step()
            except Exception:
                log.exception("card feed step failed; trying again shortly")
            if self._stopping:
                return
            # Wakes come after every handled update: at most one step per `min_gap` lets a
            # burst share one step, so that the feed never competes with the updates themselves
            # for the store (on SQLite, one writer at a time).
            await asyncio.sleep(self._min_gap)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._interval)
            self._wakeup.clear()
