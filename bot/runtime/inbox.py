"""The inbox: updates are committed before Telegram hears they arrived, then handled once.

`InboxIntake` is what a transport calls with a batch of raw updates (from getUpdates or a
webhook request); only after it returns may the transport acknowledge them. `InboxWorker`
handles what was stored: one unit of work per update, covering the claim, the core's handler
and the replies it queued in the outbox, so a crash leaves either all of them or none.

Updates of one chat are handled in update-id order by one lane; different chats are spread over
`lanes` lanes by a hash of the chat id and run concurrently.

An update id is a repeat only within the inbox's retention window (`KEEP_HANDLED`): there is no
watermark, since Telegram starts update ids again at a random value after a week without
updates (the intake says so in the log when ids go backwards). An update that fails all its
attempts is parked, with an audit row, where staff see it and can let it go again
(bot/services/deliveries.py); it is never marked handled unhandled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, Protocol

from bot.domain.bounds import TELEGRAM_TEXT_LIMIT, bounded, length_as_sent
from bot.domain.channels import Channel
from bot.domain.incoming import ChatType, Incoming, InputKind
from bot.domain.outbound import InboxItem
from bot.ports.clock import Clock
from bot.ports.handling import HandleResult, UpdateHandler
from bot.ports.store import UnitOfWork, UnitOfWorkFactory
from bot.ports.telegram import MalformedUpdate, UpdateParser
from bot.runtime.wakeup import Sleep, Wakeup

log = logging.getLogger(__name__)

# How long handled updates are kept, and so how long an update id counts as seen: longer than
# Telegram resends an unconfirmed update (a day), shorter than the week after which it may
# start its ids again.
KEEP_HANDLED = timedelta(days=3)
# Webhook deliveries run in parallel and may arrive a little out of order; ids that go back
# further than this mean that Telegram started them again.
REORDER_SLACK = 1000


class CallbackAnswerer(Protocol):
    """The one gateway method the worker needs (a `TelegramGateway` is one)."""

    async def answer_callback(self, callback_query_id: str, text: str | None) -> None: ...


def _ids(batch: list[tuple[InboxItem, Incoming | None]]) -> str:
    return ",".join(str(item.update_id) for item, _ in batch)


def _kind(incoming: Incoming | None) -> str:
    assert incoming is not None  # noqa: S101 -- a batch holds parsed updates only
    return incoming.kind.value


class InboxIntake:
    """Stores batches of raw updates, duplicates skipped, in one committed transaction."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        on_stored: Callable[[], None] | None = None,
        hand_to: Callable[[Sequence[InboxItem]], None] | None = None,
        keep: timedelta = KEEP_HANDLED,
        max_text_length: int = TELEGRAM_TEXT_LIMIT,
        ids_restart: bool = True,
    ) -> None:
        """`max_text_length`: longer texts are refused by the core; they are not stored whole
        (bot.domain.bounds). `ids_restart`: the source may start its ids again (Telegram), so
        ids that go far back are logged; LINE's come from event times (bot.domain.channels) and
        go back whenever an event is redelivered. `hand_to` (the worker's `take`) is given the
        updates just committed, so that the worker need not read them back from the store."""
        self._uow = uow_factory
        self._hand_to = hand_to
        self._clock = clock
        self._on_stored = on_stored
        self._keep = keep
        self._max_text = max_text_length
        self._ids_restart = ids_restart
        self._highest: int | None = None  # the highest id stored, learnt from the first batch

    async def accept(self, updates: Sequence[Mapping[str, Any]]) -> int:
        """Commits the batch; returns how many updates were new. Raises if the store fails.

        An update without an integer `update_id` cannot be stored or deduplicated; it is logged
        and skipped (acknowledged), since Telegram would otherwise send it again forever.
        """
        now = self._clock.now()
        batch: list[tuple[int, dict[str, Any]]] = []
        for update in updates:
            update_id = update.get("update_id") if isinstance(update, Mapping) else None
            if isinstance(update_id, bool) or not isinstance(update_id, int):
                log.warning("skipping an update without an integer update_id")
                continue
            batch.append((update_id, bounded(dict(update), self._max_text)))
        async with self._uow() as uow:
            highest = self._highest
            if highest is None and batch and self._ids_restart:
                highest = await uow.inbox.last_update_id()
            added = await uow.inbox.add_fresh(batch, now, now - self._keep)
            await uow.commit()
        self._note_order(highest, added)
        if added and self._hand_to is not None:
            payloads = dict(batch)
            self._hand_to([InboxItem(uid, payloads[uid], now) for uid in added])
        if added and self._on_stored is not None:
            self._on_stored()
        return len(added)

    def _note_order(self, highest: int | None, added: Sequence[int]) -> None:
        if not self._ids_restart:
            return
        if not added:
            self._highest = highest
            return
        if highest is not None and min(added) < highest - REORDER_SLACK:
            log.warning(
                "update ids went backwards (%s -> %s): Telegram starts them again after a week "
                "without updates; these are new updates",
                highest,
                min(added),
            )
            self._highest = max(added)
            return
        self._highest = max(added) if highest is None else max(highest, max(added))


class InboxWorker:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        parser: UpdateParser,
        handler: UpdateHandler,
        answerer: CallbackAnswerer,
        clock: Clock,
        *,
        on_committed: Callable[[], None] | None = None,
        lanes: int = 4,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        max_attempts: int = 3,
        retry_delay: float = 0.2,
        keep_handled: timedelta = KEEP_HANDLED,
        prune_every: timedelta = timedelta(hours=1),
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """`on_committed` runs after each handled update's commit: pass `sender.wake`."""
        self._uow = uow_factory
        self._parse = parser
        self._handle = handler
        self._answerer = answerer
        self._clock = clock
        self._on_committed = on_committed
        self._lane_count = max(1, lanes)
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_attempts = max(1, max_attempts)
        self._retry_delay = retry_delay
        self._keep_handled = keep_handled
        self._prune_every = prune_every
        self._sleep = sleep
        self._wakeup = Wakeup(sleep)
        self._queued: set[int] = set()
        self._lanes: list[asyncio.Queue[tuple[InboxItem, Incoming | None]]] = []
        self._caught_up = False  # the dispatcher has read the store since run() began
        self._last_prune: float | None = None

    def wake(self) -> None:
        """Called by the intake after it committed new updates."""
        self._wakeup.set()

    def take(self, items: Sequence[InboxItem]) -> None:
        """Called by the intake with the updates it has just committed: they go to their lanes
        at once, without the dispatcher's read of them (one unit of work less an update; on
        SQLite one wait less for the writer). Until the dispatcher has looked at the store once
        (updates left from before a restart come first), it is only woken."""
        if not self._caught_up:
            self._wakeup.set()
            return
        self._enqueue(items)

    async def run(self) -> None:
        """Runs until cancelled; the update being handled in each lane finishes or rolls back."""
        self._lanes = [asyncio.Queue() for _ in range(self._lane_count)]
        self._caught_up = False
        async with asyncio.TaskGroup() as group:
            for lane in self._lanes:
                group.create_task(self._lane(lane))
            group.create_task(self._dispatcher())

    async def run_once(self) -> int:
        """Handles everything pending now, in order, without lanes (for tests and tools)."""
        count = 0
        while True:
            async with self._uow() as uow:
                items = await uow.inbox.pending(self._batch_size)
            fresh = [i for i in items if i.update_id not in self._queued]
            if not fresh:
                return count
            for item in fresh:
                await self._process(item, self._try_parse(item))
                count += 1

    # -- dispatching ---------------------------------------------------------------------

    async def _dispatcher(self) -> None:
        while True:
            try:
                await self._dispatch_pending()
                await self._maybe_prune()
            except Exception:
                log.exception("inbox dispatcher failed; trying again shortly")
            # Until woken (new updates stored) or the poll interval passes.
            await self._wakeup.wait(self._poll_interval)

    async def _dispatch_pending(self) -> None:
        async with self._uow() as uow:
            items = await uow.inbox.pending(self._batch_size)
        self._enqueue(items)
        self._caught_up = True

    def _enqueue(self, items: Sequence[InboxItem]) -> None:
        for item in sorted(items, key=lambda i: i.update_id):
            if item.update_id in self._queued:
                continue
            incoming = self._try_parse(item)
            chat = incoming.chat_id if incoming is not None and incoming.chat_id else 0
            self._queued.add(item.update_id)
            self._lanes[hash(chat) % self._lane_count].put_nowait((item, incoming))

    async def _lane(self, queue: asyncio.Queue[tuple[InboxItem, Incoming | None]]) -> None:
        while True:
            batch = [await queue.get()]
            # Whatever else is already waiting in this lane joins the same transaction: under
            # load one BEGIN/COMMIT (and on SQLite one turn of the writer lock) serves many
            # updates; alone, an update goes through at once.
            while len(batch) < self._batch_size and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                await self._process_batch(batch)
            except Exception:
                log.exception("updates %s: unexpected failure in the inbox", _ids(batch))
            finally:
                for item, _ in batch:
                    self._queued.discard(item.update_id)
                    queue.task_done()

    def _try_parse(self, item: InboxItem) -> Incoming | None:
        try:
            incoming = self._parse(dict(item.payload))
        except MalformedUpdate:
            return None
        length = length_as_sent(item.payload)  # the intake kept the start of a long text
        return incoming if length is None else replace(incoming, text_length=length)

    # -- one update ----------------------------------------------------------------------

    async def _process_batch(self, batch: list[tuple[InboxItem, Incoming | None]]) -> None:
        if len(batch) == 1 or any(incoming is None for _, incoming in batch):
            for item, incoming in batch:
                await self._process(item, incoming)
            return
        done: list[tuple[Incoming, HandleResult]] = []
        try:
            async with self._uow() as uow:
                # The batch is claimed in one statement (and kept by id and kind only, the raw
                # updates going with this commit); an update another worker took is skipped.
                claimed = await uow.inbox.claim_many(
                    [(item.update_id, _kind(incoming)) for item, incoming in batch],
                    self._clock.now(),
                )
                await _read_ahead(uow, [i for item, i in batch if item.update_id in claimed])
                for item, incoming in batch:
                    assert incoming is not None  # noqa: S101 -- checked above
                    if item.update_id in claimed:
                        done.append((incoming, await self._handle(uow, incoming)))
                await uow.commit()
        except Exception:
            # One bad update must not hold up the others: each gets its own transaction and
            # its own retries, exactly as if it had arrived alone.
            log.warning("a batch failed (updates: %s); handling them one by one", len(batch))
            for item, incoming in batch:
                await self._process(item, incoming)
            return
        for incoming, result in done:
            await self._after_commit(incoming, result)

    async def _process(self, item: InboxItem, incoming: Incoming | None) -> None:
        if incoming is None:
            await self._claim_only(item, "malformed")
            log.warning("update %s is malformed; marked handled", item.update_id)
            return
        reason = ""
        for attempt in range(1, self._max_attempts + 1):
            try:
                async with self._uow() as uow:
                    # Claimed and kept by id and kind only, in one statement.
                    if not await uow.inbox.claim(
                        item.update_id, self._clock.now(), kind=incoming.kind.value
                    ):
                        return  # another worker (or replica) handled it
                    result = await self._handle(uow, incoming)
                    await uow.commit()
            except Exception as exc:
                reason = type(exc).__name__  # never str(exc): it may quote what was written
                log.exception(
                    "update %s failed (attempt %s of %s)",
                    item.update_id,
                    attempt,
                    self._max_attempts,
                )
                if attempt < self._max_attempts:
                    await self._sleep(self._retry_delay * 2 ** (attempt - 1))
                continue
            await self._after_commit(incoming, result)
            return
        await self._park(item, reason)

    async def _park(self, item: InboxItem, reason: str) -> None:
        """Sets the update aside for staff, with an audit row. Should the store refuse even
        that, the update stays pending and the dispatcher brings it back within a poll
        interval: it is tried again, never dropped."""
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.inbox.park(item.update_id, now, reason):
                return  # handled or parked meanwhile (another replica)
            await uow.audit.add(
                now,
                None,
                action="inbox.parked",
                subject=f"update:{item.update_id}",
                details={"reason": reason, "attempts": self._max_attempts},
            )
            await uow.commit()
        log.error(
            "update %s parked (failed attempts: %s; %s); staff can let it go again from the "
            "desk or /queue",
            item.update_id,
            self._max_attempts,
            reason,
        )

    async def _claim_only(self, item: InboxItem, reason: str) -> None:
        """Marks an update handled without handling it, with an audit row saying why."""
        now = self._clock.now()
        async with self._uow() as uow:
            if await uow.inbox.claim(item.update_id, now):
                await uow.audit.add(
                    now,
                    None,
                    action="inbox.parked",
                    subject=f"update:{item.update_id}",
                    details={"reason": reason},
                )
                await uow.commit()

    async def _after_commit(self, incoming: Incoming, result: HandleResult) -> None:
        if self._on_committed is not None:
            self._on_committed()
        if incoming.kind is InputKind.BUTTON and incoming.callback_query_id:
            try:
                await self._answerer.answer_callback(
                    incoming.callback_query_id, result.callback_answer
                )
            except Exception as exc:
                log.warning(
                    "update %s: answering the button press failed (%s)",
                    incoming.update_id,
                    type(exc).__name__,
                )

    async def _maybe_prune(self) -> None:
        now = self._clock.now()
        t = now.timestamp()
        if (
            self._last_prune is not None
            and t - self._last_prune < self._prune_every.total_seconds()
        ):
            return
        self._last_prune = t
        async with self._uow() as uow:
            removed = await uow.inbox.prune(now - self._keep_handled)
            await uow.commit()
        if removed:
            log.info("pruned %s handled inbox rows", removed)


async def _read_ahead(uow: UnitOfWork, batch: Sequence[Incoming | None]) -> None:
    """Who writes and where each private chat's dialog stands, for a whole batch in two
    statements instead of two an update (the handler asks for each once, see the ports)."""
    people = [i.user_id for i in batch if i is not None and i.user_id is not None]
    chats = [
        (Channel.of(i.chat_id).value, i.chat_id)
        for i in batch
        if i is not None and i.chat_id is not None and i.chat_type is ChatType.PRIVATE
    ]
    await uow.people.read_ahead(people)
    await uow.dialogs.read_ahead(chats)
