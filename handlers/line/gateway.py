"""`LineGateway`: delivers the outbox rows of LINE chats, each exactly once (`OutboxGateway`).

A row to a LINE chat goes out as a **reply** while one of the chat's reply tokens lives (free:
replies do not count against the monthly quota), else as a **push** (counted). Either way it
is delivered at most once, whatever is killed or times out:

- A push carries ``X-Line-Retry-Key``, derived from the row (`retry_key`): a retry after a kill
  or a timeout repeats the same key, and LINE answers 409 to a key it accepted before without
  delivering again; 409 counts as delivered. So a push that got no answer is safe to try again
  (TransientError), where Telegram's is not.
- A reply has no key. Its claim on a token is committed before it goes out (bot/ports/line.py),
  so a retry of the row knows the first try may have arrived. While the token lives, the retry
  replies again: LINE refuses a spent token, so a refusal means the first try arrived. Once it
  has expired nobody can tell, and the row fails as an ambiguous timeout (staff see it among
  the failed deliveries) rather than risk a second copy. A refused token on a first try (it
  expired) means nothing went out: the row is pushed instead.
- A reply also carries the chat's notices LINE would not push this month (its quota spent:
  bot/domain/line_undelivered.py), first, as many as LINE's 5 messages a request leave. They
  are marked as riding on the row in the claim's commit, and settled with the reply: sent,
  undelivered again (it certainly did not go), or failed as an ambiguous timeout (nobody can
  tell), so a retry of the row carries the same ones and nothing arrives twice.
LINE's errors become the sender's (bot/ports/telegram.py): 429 RateLimited, a spent monthly
quota QuotaExhausted (a BadRequest: the sender keeps the row as undelivered), 400 BadRequest,
5xx and broken connections TransientError.

The claims of deliveries that start together, and the outcomes of replies that come back
together, are each committed in one unit of work (`_Batches`): one BEGIN and COMMIT for several
deliveries, while each still waits for its own to be committed. When such a unit fails, each of
its deliveries is tried again in a unit of its own, so that one cannot fail the others.

A forgotten person's LINE user id is kept only for their farewell: once it is delivered, it goes.
After a delivery the person's rich menu follows their role and language (`RichMenus.follow`).
Message text is never logged.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.domain.deliveries import AMBIGUOUS_TIMEOUT
from bot.domain.line_undelivered import QUOTA_SPENT, riding
from bot.domain.outbound import OutboxItem
from bot.domain.people import Person
from bot.ports.clock import Clock
from bot.ports.line import LineAddress, ReplyClaim
from bot.ports.store import UnitOfWork, UnitOfWorkFactory
from bot.ports.telegram import (
    AmbiguousTimeout,
    BadRequest,
    RateLimited,
    SentMessage,
    TransientError,
    Unreachable,
)
from handlers.line.client import (
    AlreadyAccepted,
    InvalidReplyToken,
    LineClient,
    MaybeArrived,
    NotSent,
    message_id,
)
from handlers.line.render import MESSAGES_LIMIT, render
from handlers.line.richmenus import RichMenus

log = logging.getLogger(__name__)

# Retry keys are uuid5 names under this namespace (a fixed, random UUID of Kyodo's own).
RETRY_KEY_NAMESPACE = uuid.UUID("5f0b9a3e-7c1d-4e56-9a0b-6c3f1d2e8b47")


def retry_key(item: OutboxItem) -> str:
    """The row's X-Line-Retry-Key: the same on every try of the row. The row's creation time is
    in the name with its id: a new database numbers its rows from 1 again, and LINE remembers
    a key for a day, so an id alone could make a new message look like an old one."""
    name = f"kyodo-outbox:{item.id}:{item.created_at.isoformat()}"
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, name))


R = TypeVar("R")
T = TypeVar("T")


class _Batches(Generic[R, T]):
    """Runs `work` for each request in a unit of work and returns once that unit is committed.
    Requests that come while a unit is being committed (it may wait for SQLite's writer) go
    together in the next unit: one for them, not one each (a unit's BEGIN and COMMIT cost more
    CPU than a delivery's few statements). Nothing of a unit that fails is committed, and one
    request must not fail its neighbours (a row whose statement fails, a deadlock with another
    replica): each of its requests is tried again in a unit of its own, and fails only if that
    fails too, as a unit of its own did before.

    `skip_cancelled`: the work of a request whose caller was cancelled before its turn is not
    done (a claim for a delivery that will not send is not taken). Without it the work is done
    all the same (what became of a reply that went out is recorded even if its delivery was
    cancelled meanwhile). When the writing task is cancelled, so are the requests waiting:
    none waits for a unit that will never be committed.

    `order`: the unit runs its requests' work in this key's order, the same in every replica,
    so that two replicas' units lock the same rows in the same order: taken in opposite orders
    (chat 1's token then chat 2's, and chat 2's then chat 1's), PostgreSQL would break the
    deadlock by failing one of them after a second."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        work: Callable[[UnitOfWork, R], Awaitable[T]],
        *,
        skip_cancelled: bool = False,
        order: Callable[[R], int] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._work = work
        self._skip_cancelled = skip_cancelled
        self._order = order
        self._waiting: list[tuple[R, asyncio.Future[T]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def run(self, request: R) -> T:
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, done))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write())
            self._writing.add_done_callback(self._written)
        return await done

    def _written(self, task: asyncio.Task[None]) -> None:
        """The writing task ended. Cancelled (even before it started, when its `except` never
        runs), the requests left waiting are cancelled too, unless a new task took them over."""
        if task is not self._writing:
            return
        left, self._waiting = self._waiting, []
        for _, done in left:
            done.cancel()

    async def _write(self) -> None:
        batch: list[tuple[R, asyncio.Future[T]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                if await self._commit(batch, alone=len(batch) == 1):
                    continue
                for request in batch:  # one of them may be what failed: each on its own
                    await self._commit([request], alone=True)
        except BaseException:
            # Cancelled in its unit: so is the batch (a new task may take the waiting ones).
            for _, done in batch:
                done.cancel()
            raise

    async def _commit(self, batch: list[tuple[R, asyncio.Future[T]]], *, alone: bool) -> bool:
        """One unit for `batch`; False when it failed and its requests are to be tried alone."""
        results: list[tuple[asyncio.Future[T], T]] = []
        order = self._order
        todo = batch if order is None else sorted(batch, key=lambda waiting: order(waiting[0]))
        try:
            async with self._uow() as uow:
                for request, done in todo:
                    if self._skip_cancelled and done.done():
                        continue  # cancelled before its turn: nothing of it is written
                    results.append((done, await self._work(uow, request)))
                if not results:
                    return True
                await uow.commit()
        except Exception as error:
            if not alone:
                log.warning(
                    "a unit of %s LINE deliveries failed (%s): each is tried alone",
                    len(batch),
                    type(error).__name__,
                )
                return False
            for _, done in batch:
                if not done.done():
                    done.set_exception(error)
            return True
        for done, result in results:
            if not done.done():  # its delivery may have been cancelled meanwhile
                done.set_result(result)
        return True


@dataclass(frozen=True)
class _Claimed:
    """What a delivery committed before its request goes out (see `LineGateway._claim`)."""

    address: LineAddress | None
    claim: ReplyClaim | None = None
    riders: list[tuple[int, list[dict[str, object]]]] = field(default_factory=list)
    person: Person | None = None


@dataclass(frozen=True)
class _Outcome:
    """What became of a reply: its token spent (LINE took it: `delivered`; or refused it), or
    its claim released (it certainly did not go); `riders`: the held notices it carried."""

    outbox_id: int
    riders: list[int]
    spent: bool
    delivered: bool = False
    ambiguous: bool = False


class LineGateway:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        client: LineClient,
        clock: Clock,
        *,
        timeout: float = 10.0,
        menus: RichMenus | None = None,
    ) -> None:
        self._uow = uow_factory
        self._client = client
        self._clock = clock
        self._timeout = timeout
        self._menus = menus
        # Each delivery's claim, and what became of its reply, committed in batches.
        self._claims = _Batches(
            uow_factory,
            self._claim,
            skip_cancelled=True,
            order=lambda request: request[0].message.chat_id,  # its token's lock, and riders'
        )
        self._outcomes = _Batches(uow_factory, self._write_outcome)

    async def deliver(self, item: OutboxItem) -> SentMessage:
        chat_id = item.message.chat_id
        messages = render(item.message)  # a message LINE cannot take fails here, unsent
        # The claim is on record before the reply goes out.
        claimed = await self._claims.run((item, len(messages)))
        address, claim, riders, person = (
            claimed.address,
            claimed.claim,
            claimed.riders,
            claimed.person,
        )
        if address is None:
            raise Unreachable("no LINE user has this chat id")
        riding_ids = [rider_id for rider_id, _ in riders]
        if riders:
            # Held notices first, the answer last: its quick replies show under the last message.
            messages = [m for _, rendered in riders for m in rendered] + messages
        sent = None
        if claim is not None:
            sent = await self._by_reply(item, claim, messages, riding_ids)
        if sent is None:
            sent = await self._by_push(item, address.user_id, messages)
        if self._menus is not None:
            if address.forgotten:
                await self._menus.forget(chat_id, address.user_id)
            else:
                await self._menus.follow(chat_id, address.user_id, person)
        if address.forgotten:
            async with self._uow() as uow:
                await uow.line.drop_forgotten(chat_id)
                await uow.commit()
        return sent

    async def _claim(self, uow: UnitOfWork, request: tuple[OutboxItem, int]) -> _Claimed:
        """Who the row's chat is; the row's reply token (claimed now, or its own from an earlier
        try) and the held notices riding with it; the person, for their rich menu."""
        item, count = request
        chat_id = item.message.chat_id
        address = await uow.line.address(chat_id)
        if address is None:
            return _Claimed(None)
        claim = await uow.line.claim_reply(chat_id, item.id, self._clock.now())
        riders: list[tuple[int, list[dict[str, object]]]] = []
        if claim is not None:
            riders = await self._riders(uow, item, claim, count)
        person = None
        if self._menus is not None and not address.forgotten:
            person = await uow.people.by_telegram_id(chat_id)
        return _Claimed(address, claim, riders, person)

    async def _riders(
        self, uow: UnitOfWork, item: OutboxItem, claim: ReplyClaim, room: int
    ) -> list[tuple[int, list[dict[str, object]]]]:
        """Notices LINE would not push (its month spent) that go with this reply, free, in the
        room LINE's 5 messages a request leave: this row's own from an earlier try, else the
        chat's, now marked as riding on this row (bot/domain/line_undelivered.py)."""
        if claim.again:
            found = list(await uow.outbox.riders_of(item.id))
        elif claim.token is None:
            return []
        else:
            found = list(await uow.outbox.undelivered_on_line(item.message.chat_id, MESSAGES_LIMIT))
        riders: list[tuple[int, list[dict[str, object]]]] = []
        for rider in found:
            try:
                rendered = render(rider.message)
            except BadRequest:
                continue  # LINE could never take it: it stays listed for staff
            if not claim.again and room + len(rendered) > MESSAGES_LIMIT:
                break
            room += len(rendered)
            riders.append((rider.id, rendered))
        if not claim.again:
            await uow.outbox.note_failed([rider_id for rider_id, _ in riders], riding(item.id))
        return riders

    async def _by_reply(
        self,
        item: OutboxItem,
        claim: ReplyClaim,
        messages: list[dict[str, object]],
        riders: list[int],
    ) -> SentMessage | None:
        """The reply's outcome; None when the row must be pushed instead. `riders`: the held
        notices this reply carries too, settled with it: delivered, held again, or (when nobody
        can tell) failed as an ambiguous timeout, never sent twice."""
        if claim.again and claim.delivered:
            log.info("outbox %s: its reply was delivered before", item.id)
            return SentMessage(None)  # and what it carried was marked sent with it
        if claim.again and not (claim.fresh and claim.token):
            # Staff may send it again: then it is pushed (their choice, seeing the failure).
            await self._spend(item.id, delivered=False, riders=riders, ambiguous=True)
            raise AmbiguousTimeout("a reply that may have arrived; its token has expired")
        if claim.token is None:
            return None
        try:
            ids = await self._client.reply(claim.token, messages, self._timeout)
        except InvalidReplyToken:
            if claim.again:
                # This row's earlier try spent the token: that try arrived.
                await self._spend(item.id, delivered=True, riders=riders)
                log.info("outbox %s: the earlier reply arrived", item.id)
                return SentMessage(None)
            await self._spend(item.id, delivered=False, riders=riders)
            return None  # expired before its time: nothing went out, so a push goes
        except (NotSent, RateLimited):
            # Certainly not carried out: the retry replies again.
            await self._release(item.id, riders)
            raise
        except MaybeArrived:
            raise  # the claim stays: the retry replies again while the token lives
        except TransientError:
            await self._release(item.id, riders)  # 401/404: LINE turned the request away
            raise
        except BadRequest:
            await self._spend(item.id, delivered=False, riders=riders)  # a 400: refused, final
            raise
        # Any other error (none the client knows) may have come after LINE took the reply: the
        # claim stays, as for MaybeArrived; a refusal would free the row to push a second copy.
        await self._spend(item.id, delivered=True, riders=riders)
        return SentMessage(message_id(ids))

    async def _by_push(
        self, item: OutboxItem, user_id: str, messages: list[dict[str, object]]
    ) -> SentMessage:
        try:
            ids = await self._client.push(user_id, messages, retry_key(item), self._timeout)
        except AlreadyAccepted as accepted:
            log.info("outbox %s: LINE had accepted this push before (409)", item.id)
            return SentMessage(message_id(accepted.message_ids))
        return SentMessage(message_id(ids))

    async def _spend(
        self, outbox_id: int, *, delivered: bool, riders: list[int], ambiguous: bool = False
    ) -> None:
        await self._record(_Outcome(outbox_id, riders, True, delivered, ambiguous))

    async def _release(self, outbox_id: int, riders: list[int]) -> None:
        await self._record(_Outcome(outbox_id, riders, spent=False))

    async def _record(self, outcome: _Outcome) -> None:
        """Returns once what became of a reply is committed (with others': `_Batches`)."""
        await self._outcomes.run(outcome)

    async def _write_outcome(self, uow: UnitOfWork, outcome: _Outcome) -> None:
        if outcome.spent:
            await uow.line.spend_reply(outcome.outbox_id, delivered=outcome.delivered)
        else:
            await uow.line.release_reply(outcome.outbox_id)
        await self._settle(
            uow, outcome.riders, delivered=outcome.delivered, ambiguous=outcome.ambiguous
        )

    async def _settle(
        self, uow: UnitOfWork, riders: list[int], *, delivered: bool, ambiguous: bool = False
    ) -> None:
        """What became of the held notices a reply carried: sent with it; or undelivered again
        (the reply certainly did not go: a later reply may carry them); or, when the reply may
        have arrived and nobody can tell, failed as an ambiguous timeout (never resent)."""
        if not riders:
            return
        now = self._clock.now()
        if delivered:
            await uow.outbox.mark_sent_many([(rider, now, None) for rider in riders])
            log.info("outbox %s: went with a LINE reply (held: LINE's month spent)", riders)
        elif ambiguous:
            for rider in riders:
                await uow.outbox.mark_failed(rider, now, AMBIGUOUS_TIMEOUT)
        else:
            await uow.outbox.note_failed(riders, f"{QUOTA_SPENT}: not carried by a reply")
