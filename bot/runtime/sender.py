"""The outbox sender: delivers queued messages to Telegram within Telegram's limits.

One loop claims due rows in batches (a lease makes them ours), keeps them in per-chat queues in
id order, and starts a delivery for every chat whose turn has come: the global token bucket has
a token, the chat's own limit allows it (1/s to a person, 20/min to a group) and no other
message to that chat is in flight. Chats wait for their turn without holding up other chats.

People's answers go first. Bulk rows (broadcast copies, reminders, digests) take what answers
leave of the global rate: answers are claimed as soon as the sender is woken, chats whose next
message is an answer are served before any bulk one, and bulk may fill only part of the
deliveries in flight. The sender holds at most `bulk_ahead` seconds' worth of bulk rows, so
that an answer never queues behind a backlog in memory and a paused or cancelled broadcast
stops within that time (rows a sender holds are no longer pending: a pause cannot recall them).

The global limit keeps a margin (`window_margin`): Telegram counts messages per second as they
arrive, and requests sent evenly bunch on the way, so at most `rate` messages leave in any
1 + margin seconds (bot/runtime/ratelimit.py; the sandbox models such a server).

Outcomes are committed as they come, so a crash repeats at most the messages in flight. A
delivery counts as in flight from its request until its sent mark is committed, and at most
`max_in_flight` are (by default a tenth of a second's sending, at least 3: 3 at 30/s): that is
what a SIGKILL can send twice, whatever the machine's load. The marks go ahead of other units
waiting for SQLite's writer (`marks_uow`), so they are not held up by long transactions.
- sent: marked sent at once; marks that arrive while one is being committed are committed
  together, so under load one transaction records many deliveries (and the rows stay held until
  then);
- 429 RateLimited: all sending pauses for `retry_after`, then the message is tried again;
- 403 Unreachable: failed, the person marked unreachable, an audit row tells staff;
- 400 BadRequest: failed (the same request cannot succeed later); LINE's month spent
  (QuotaExhausted): failed as undelivered, and staff told (bot/domain/line_undelivered.py);
- TransientError: tried again later with exponential backoff (and the chat's later messages wait
  behind it, so a conversation never arrives out of order), failed after `max_attempts`;
- AmbiguousTimeout: failed with "ambiguous timeout", never resent. Telegram has no idempotency
  key, and the message may well have arrived: a person who receives a reminder twice (or is
  told twice that a shift was approved) is confused, and a duplicate broadcast to 60,000
  members is worse than a rare missed message, which staff can see in the outbox counts.

Message text is never logged: only outbox ids, chat ids and error kinds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.channels import Channel
from bot.domain.deliveries import AMBIGUOUS_TIMEOUT
from bot.domain.events import LineNoticeUndelivered
from bot.domain.line_undelivered import QUOTA_SPENT
from bot.domain.outbound import OutboxItem
from bot.ports.clock import Clock
from bot.ports.line import OutboxGateway, QuotaExhausted
from bot.ports.store import UnitOfWorkFactory
from bot.ports.telegram import (
    AmbiguousTimeout,
    BadRequest,
    RateLimited,
    SentMessage,
    TelegramGateway,
    TransientError,
    Unreachable,
)
from bot.runtime.ratelimit import ChatLimiter, ChatLimits, TokenBucket
from bot.runtime.step_loop import StepLoop
from bot.runtime.wakeup import Sleep

log = logging.getLogger(__name__)


@dataclass
class _Held:
    item: OutboxItem
    lease_until: float  # seconds since the sender's epoch, like every time it keeps
    not_before: float = 0.0  # set when a 429 sends it back to the head of its queue
    taken_at: float = 0.0  # when it took its token (the global window counts it from there)


def _enqueue(queue: deque[_Held], held: _Held) -> None:
    """Adds a claimed row to its chat's queue: in id order, a person's answers before bulk."""
    if held.item.bulk or not queue or not queue[-1].item.bulk:
        queue.append(held)
        return
    first_bulk = next(i for i, h in enumerate(queue) if h.item.bulk)
    queue.insert(first_bulk, held)


def _is_group(item: OutboxItem) -> bool:
    # Group and channel ids are negative: a message marked private by mistake still gets the
    # group's limit rather than a 429.
    return item.message.is_group or item.message.chat_id < 0


class OutboxSender:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        gateway: TelegramGateway,
        clock: Clock,
        *,
        global_rate: float = 30.0,
        max_in_flight: int | None = None,
        batch_size: int | None = None,
        lease: timedelta = timedelta(minutes=5),
        poll_interval: float = 1.0,
        max_attempts: int = 8,
        backoff_base: float = 2.0,
        backoff_max: float = 900.0,
        chat_limits: ChatLimits | None = None,
        claim_interval: float = 0.005,
        bulk_ahead: float = 0.5,
        window_margin: float = 0.08,
        sleep: Sleep = asyncio.sleep,
        on_settled: Callable[[], None] | None = None,
        channels: Mapping[Channel, OutboxGateway] | None = None,
        marks_uow: UnitOfWorkFactory | None = None,
    ) -> None:
        """`claim_interval`: claims come at most this often, so that a burst of commits, each
        waking the sender, is claimed in a few batches rather than a transaction per row.
        `bulk_ahead`: seconds of bulk sending held in memory (what a pause lets through).
        `max_in_flight`: deliveries sent or being sent whose mark is not committed (see the
        module's docstring); against a Bot API further than 0.1 s away, more are needed to
        reach the rate. `window_margin`: seconds added to the global limit's one-second window
        (see the module's docstring).
        `on_settled` is called once sent marks or failures are committed: a staff card copy
        whose first send had no message id yet can be edited now (bot/runtime/card_feed.py).
        `channels`: the gateways of other messengers, which deliver their chats' rows (a chat's
        messenger is told by its id: bot.domain.channels); every other chat is Telegram's.
        `marks_uow`: units for the sent marks, if the store can put them ahead of others
        waiting for its writer (SQLite: `SqlStore.uow_ahead`)."""
        self._uow = uow_factory
        self._marks_uow = marks_uow or uow_factory
        self._gateway = gateway
        self._clock = clock
        self._bucket = TokenBucket(global_rate, margin=window_margin)
        self._chats = ChatLimiter(chat_limits)
        self._max_in_flight = max_in_flight or max(3, min(256, math.ceil(global_rate / 10)))
        # Bulk never fills every slot: an answer finds one free without waiting for a bulk send.
        self._max_bulk_in_flight = max(1, self._max_in_flight - max(1, self._max_in_flight // 4))
        self._batch_size = batch_size or max(20, min(1000, math.ceil(global_rate * 2)))
        self._bulk_cap = max(2, math.ceil(global_rate * bulk_ahead))
        self._lease = lease
        self._lease_margin = min(30.0, lease.total_seconds() / 4)
        self._poll_interval = poll_interval
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._sleep = sleep
        self._queues: dict[int, deque[_Held]] = {}
        self._held_ids: set[int] = set()
        self._bulk_ids: set[int] = set()  # the held rows that are bulk
        self._busy: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._bulk_tasks = 0  # bulk deliveries in flight
        self._paused_until = 0.0
        self._loop = StepLoop(
            "outbox sender", self.step, log=log, after_failure=poll_interval, sleep=sleep
        )
        self._wakeup = self._loop.wakeup  # claims and committed marks wake the loop too
        self._last_forget = 0.0
        self._epoch: datetime | None = None
        self._claim_interval = claim_interval
        self._next_claim = 0.0  # claims come at most every claim_interval
        self._next_answers = 0.0  # no answer was pending: look again then, or when woken
        self._next_bulk = 0.0  # no bulk row was pending: likewise
        self._sent: list[tuple[int, datetime, int | None]] = []
        self._unmarked = 0  # delivered, sent mark not yet committed: what a kill could repeat
        self._flushing: asyncio.Task[None] | None = None
        self._claiming: asyncio.Task[None] | None = None
        self._on_settled = on_settled
        self._channels = dict(channels or {})

    # -- control -------------------------------------------------------------------------

    def wake(self) -> None:
        """Call right after committing outbox rows: they go out now, not at the next poll."""
        # New rows: claim at once, even after an empty claim.
        self._next_claim = self._next_answers = self._next_bulk = 0.0
        self._loop.wake()

    def stop(self) -> None:
        """Asks `run()` to finish the deliveries in flight, hand back the rest, and return."""
        self._loop.stop()

    @property
    def held(self) -> int:
        """Claimed messages not yet delivered (in queues or in flight)."""
        return len(self._held_ids)

    async def run(self) -> None:
        try:
            await self._loop.run()
        finally:
            await self._shutdown()

    async def drain(self, max_steps: int = 100_000) -> None:
        """Sends until nothing is pending or held, waiting for retries (tests, one-shot jobs)."""
        for _ in range(max_steps):
            delay = await self.step()
            claiming = self._claiming is not None and not self._claiming.done()
            idle = not self._held_ids and not self._tasks and not self._sent and not claiming
            if idle and await self._nothing_pending():
                return
            await self._wakeup.wait(delay)
        raise RuntimeError("outbox did not drain")

    # -- the loop ------------------------------------------------------------------------

    def _seconds(self, at: datetime) -> float:
        """Seconds since this sender first looked at the clock: small floats keep their precision
        (at epoch scale a float's step is a quarter microsecond, enough to stall on a rounding).
        """
        if self._epoch is None:
            self._epoch = at
        return (at - self._epoch).total_seconds()

    async def step(self) -> float:
        """Claims and starts what may go now; returns seconds until something may change."""
        now = self._clock.now()
        t = self._seconds(now)
        await self._release_expiring(now)
        if t >= self._last_forget + 60:
            self._chats.forget_idle(t)
            self._last_forget = t
        claim_deferred = False
        claiming = self._claiming is not None and not self._claiming.done()
        wanted = self._wanted(t)
        if wanted is not None and t >= self._paused_until:
            if claiming:
                pass  # the claim under way wakes the loop when its rows are in
            elif t >= self._next_claim:
                self._next_claim = t + self._claim_interval
                if self._held_ids:
                    # Prefetch: claim the next batch while the held ones keep going out. A
                    # claim awaited here stalled sending for a transaction each batch, and
                    # the bucket's small burst cannot make up for that: the rate fell short.
                    self._claiming = asyncio.create_task(self._claim_in_background(now, t, *wanted))
                else:
                    # Nothing to send meanwhile.
                    self._after_claim(t, wanted, await self._claim(now, *wanted))
            else:
                claim_deferred = True
        if t < self._paused_until:
            return self._paused_until - t
        # The time of the sends themselves, not of the step's start: handing leases back or
        # claiming may have waited for the store, and sends stamped earlier than they leave
        # would bunch on the wire.
        t = self._seconds(self._clock.now())
        next_change = self._dispatch(t)
        if claim_deferred:
            next_change = min(next_change or self._next_claim, self._next_claim)
        if next_change is None:
            return await self._idle_delay(now)
        return max(0.001, min(next_change - t, self._poll_interval))

    def _wanted(self, t: float) -> tuple[int, int] | None:
        """How many answers and bulk rows to claim now (None: no claim is due). Answers are
        claimed whenever there is room and some may be pending; bulk once half of what may be
        held has gone, so that claims come in batches."""
        answers = self._batch_size - (len(self._held_ids) - len(self._bulk_ids))
        if t < self._next_answers or len(self._held_ids) >= self._batch_size:
            answers = 0
        bulk = self._bulk_cap - len(self._bulk_ids)
        if t < self._next_bulk or bulk * 2 < self._bulk_cap:
            bulk = 0
        if answers <= 0 and bulk <= 0:
            return None
        return max(0, answers), max(0, bulk)

    async def _claim(self, now: datetime, answers: int, bulk: int) -> tuple[int, int]:
        """Claims up to `answers` answers and `bulk` bulk rows; returns how many of each came."""
        lease_until = now + self._lease
        async with self._uow() as uow:
            items = await uow.outbox.claim(now, lease_until, answers + bulk, bulk_limit=bulk)
            exhausted = [i for i in items if i.attempts > self._max_attempts]
            for item in exhausted:
                await uow.outbox.mark_failed(item.id, now, "too many attempts")
            await uow.commit()
        for item in exhausted:
            log.warning("outbox %s failed (attempts: %s)", item.id, item.attempts - 1)
        for item in sorted(items, key=lambda i: i.id):
            if item.id in self._held_ids or item.attempts > self._max_attempts:
                continue
            self._held_ids.add(item.id)
            if item.bulk:
                self._bulk_ids.add(item.id)
            held = _Held(item, self._seconds(lease_until))
            _enqueue(self._queues.setdefault(item.message.chat_id, deque()), held)
        got_bulk = sum(1 for item in items if item.bulk)
        return len(items) - got_bulk, got_bulk

    async def _claim_in_background(self, now: datetime, t: float, answers: int, bulk: int) -> None:
        try:
            if self._after_claim(t, (answers, bulk), await self._claim(now, answers, bulk)):
                self._wakeup.set()
        except Exception:
            log.exception("claiming outbox rows failed; trying again shortly")
            self._next_claim = t + self._poll_interval

    def _after_claim(self, t: float, wanted: tuple[int, int], got: tuple[int, int]) -> bool:
        """After a claim that found fewer rows of a kind than it wanted, that kind is drained:
        the next claim of it waits for a poll interval or a `wake()`, rather than asking again
        at every step."""
        if got[0] < wanted[0]:
            self._next_answers = max(self._next_answers, t + self._poll_interval)
        if got[1] < wanted[1]:
            self._next_bulk = max(self._next_bulk, t + self._poll_interval)
        return sum(got) > 0

    def _dispatch(self, t: float) -> float | None:
        """Starts deliveries that are allowed now; returns when the next one may be (None: idle)."""
        next_change: float | None = None

        def later(at: float) -> None:
            nonlocal next_change
            next_change = at if next_change is None else min(next_change, at)

        # Two passes: chats whose next message is an answer, then those whose next is bulk.
        # Whatever stops the first pass (the global rate, the deliveries in flight) stops both:
        # bulk only gets what answers leave.
        for bulk in (False, True):
            for chat_id, queue in list(self._queues.items()):
                if not queue:
                    del self._queues[chat_id]
                    continue
                head = queue[0]
                if head.item.bulk is not bulk or chat_id in self._busy:
                    continue  # the other pass's, or in flight (its completion wakes the loop)
                if head.not_before > t:
                    later(head.not_before)
                    continue
                ready = self._chats.ready_at(chat_id, _is_group(head.item), t)
                if ready > t:
                    later(ready)
                    continue
                # A delivery counts as in flight until its sent mark is committed: that bounds
                # what a kill at any instant can send twice, however slow the store is to take
                # the marks. Completions and committed marks wake the loop.
                if len(self._tasks) + self._unmarked >= self._max_in_flight:
                    return next_change
                if bulk and self._bulk_tasks >= self._max_bulk_in_flight:
                    return next_change
                wait = self._bucket.wait_time(t)
                if wait > 0:
                    later(t + wait)
                    return next_change
                self._bucket.take(t)
                head.taken_at = t
                self._chats.record(chat_id, t)
                queue.popleft()
                self._busy.add(chat_id)
                if bulk:
                    self._bulk_tasks += 1
                task = asyncio.create_task(self._deliver(head))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        return next_change

    async def _idle_delay(self, now: datetime) -> float:
        if self._held_ids:
            return self._poll_interval
        async with self._uow() as uow:
            due = await uow.outbox.next_due()
        if due is None:
            return self._poll_interval
        return max(0.01, min((due - now).total_seconds(), self._poll_interval))

    async def _nothing_pending(self) -> bool:
        async with self._uow() as uow:
            return await uow.outbox.next_due() is None

    # -- one delivery --------------------------------------------------------------------

    async def _deliver(self, held: _Held) -> None:
        item = held.item
        chat_id = item.message.chat_id
        try:
            await self._deliver_once(held)
        except Exception:
            log.exception("outbox %s to chat %s: recording the outcome failed", item.id, chat_id)
            self._forget(item.id)
        finally:
            self._busy.discard(chat_id)
            if item.bulk:
                self._bulk_tasks -= 1
            self._wakeup.set()

    async def _deliver_once(self, held: _Held) -> None:
        item = held.item
        message = item.message
        self._bucket.restamp(held.taken_at, self._seconds(self._clock.now()))
        try:
            sent = await self._send(item)
        except RateLimited as exc:
            now = self._seconds(self._clock.now())
            self._paused_until = max(self._paused_until, now + exc.retry_after)
            log.warning("Telegram asked to pause %.1fs (outbox %s)", exc.retry_after, item.id)
            held.not_before = self._paused_until
            self._queues.setdefault(message.chat_id, deque()).appendleft(held)
            return
        except Unreachable as exc:
            await self._unreachable(item, str(exc))
        except QuotaExhausted as exc:
            await self._undelivered(item, str(exc))
        except BadRequest as exc:
            log.error("outbox %s to chat %s refused: %s", item.id, message.chat_id, exc)
            await self._failed(item, f"bad request: {exc}")
        except AmbiguousTimeout:
            log.warning("outbox %s to chat %s: no answer, not resent", item.id, message.chat_id)
            await self._failed(item, AMBIGUOUS_TIMEOUT)
        except TransientError as exc:
            await self._transient(item, str(exc))
        except Exception as exc:
            log.exception("outbox %s to chat %s: unexpected error", item.id, message.chat_id)
            await self._transient(item, type(exc).__name__)
        else:
            self._record_sent(item.id, sent.message_id)
            return  # held until the mark is committed
        self._forget(item.id)

    async def _send(self, item: OutboxItem) -> SentMessage:
        gateway = self._channels.get(Channel.of(item.message.chat_id))
        if gateway is not None:
            return await gateway.deliver(item)
        return await self._gateway.send(item.message)

    def _record_sent(self, item_id: int, message_id: int | None) -> None:
        self._sent.append((item_id, self._clock.now(), message_id))
        self._unmarked += 1
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush_sent())

    async def _flush_sent(self) -> None:
        """Commits the sent marks gathered so far, one transaction a batch, until none are left."""
        while self._sent:
            batch, self._sent = self._sent, []
            try:
                async with self._marks_uow() as uow:
                    await uow.outbox.mark_sent_many(batch)
                    await uow.commit()
            except Exception:
                # Never resend what went out: keep the marks and try again.
                log.exception("recording sent messages failed (messages: %s); retrying", len(batch))
                self._sent[:0] = batch
                if self._loop.stopping:
                    return  # their leases run out and another sender takes them over
                await self._sleep(self._poll_interval)
                continue
            for item_id, _, _ in batch:
                self._forget(item_id)
            self._unmarked -= len(batch)
            self._wakeup.set()
            self._settled()

    def _settled(self) -> None:
        if self._on_settled is not None:
            self._on_settled()

    def _forget(self, item_id: int) -> None:
        self._held_ids.discard(item_id)
        self._bulk_ids.discard(item_id)

    async def _failed(self, item: OutboxItem, error: str) -> None:
        async with self._uow() as uow:
            await uow.outbox.mark_failed(item.id, self._clock.now(), error[:500])
            await uow.commit()
        self._settled()

    async def _undelivered(self, item: OutboxItem, error: str) -> None:
        """LINE's month is spent: failed, kept for staff to call the person, and staff told
        (the event's consequence, bot/notices/line_quota.py)."""
        chat_id = item.message.chat_id
        log.warning("outbox %s to chat %s: LINE's monthly messages are spent", item.id, chat_id)
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.outbox.mark_failed(item.id, now, f"{QUOTA_SPENT}: {error}"[:500])
            uow.record(LineNoticeUndelivered(at=now, outbox_id=item.id, chat_id=chat_id))
            await uow.commit()
        self._settled()

    async def _unreachable(self, item: OutboxItem, error: str) -> None:
        message = item.message
        log.info("chat %s is unreachable (outbox %s)", message.chat_id, item.id)
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.outbox.mark_failed(item.id, now, f"unreachable: {error}"[:500])
            if not message.is_group and message.chat_id > 0:
                # In a private chat the chat id is the person's Telegram user id.
                await uow.people.mark_unreachable(message.chat_id, True)
            await uow.audit.add(
                now,
                None,
                action="telegram.unreachable",
                subject=f"chat:{message.chat_id}",
                details={"outbox_id": item.id, "error": error[:200]},
            )
            await uow.commit()
        self._settled()

    async def _transient(self, item: OutboxItem, error: str) -> None:
        chat_id = item.message.chat_id
        if item.attempts >= self._max_attempts:
            log.warning("outbox %s to chat %s failed for good: %s", item.id, chat_id, error)
            await self._failed(item, f"gave up (attempts: {item.attempts}): {error}")
            return
        delay = min(self._backoff_max, self._backoff_base**item.attempts)
        not_before = self._clock.now() + timedelta(seconds=delay)
        log.info("outbox %s to chat %s: %s; retry in %.0fs", item.id, chat_id, error, delay)
        followers = self._queues.pop(chat_id, deque())
        async with self._uow() as uow:
            await uow.outbox.retry_later(item.id, not_before, error[:500])
            for held in followers:
                await uow.outbox.retry_later(
                    held.item.id, not_before, "waiting for an earlier message"
                )
            await uow.commit()
        for held in followers:
            self._forget(held.item.id)

    # -- leases and shutdown -------------------------------------------------------------

    async def _release_expiring(self, now: datetime) -> None:
        """Hands back queues whose lease runs out before their turn (a long group backlog)."""
        t = self._seconds(now)
        expiring = [
            chat_id
            for chat_id, queue in self._queues.items()
            if queue and chat_id not in self._busy and queue[0].lease_until - t < self._lease_margin
        ]
        for chat_id in expiring:
            queue = self._queues.pop(chat_id)
            ready = self._chats.ready_at(chat_id, _is_group(queue[0].item), t)
            resume = max(ready, queue[0].not_before, self._paused_until)
            await self._hand_back(queue, now + timedelta(seconds=max(0.0, resume - t)))

    async def _hand_back(self, queue: deque[_Held], not_before: datetime) -> None:
        if not queue:
            return
        async with self._uow() as uow:
            for held in queue:
                await uow.outbox.retry_later(held.item.id, not_before, "handed back unsent")
            await uow.commit()
        for held in queue:
            self._forget(held.item.id)

    async def _shutdown(self) -> None:
        if self._claiming is not None:
            # Rows it claims are handed back below with the rest, not left to their lease.
            await asyncio.gather(self._claiming, return_exceptions=True)
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._flushing is not None:
            await asyncio.gather(self._flushing, return_exceptions=True)
        queues, self._queues = list(self._queues.values()), {}
        now = self._clock.now()
        for queue in queues:
            with contextlib.suppress(Exception):
                await self._hand_back(queue, now)
