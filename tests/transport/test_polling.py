"""Long polling: the offset moves only past updates the inbox has committed."""

from __future__ import annotations

import asyncio
import logging

from bot.ports.telegram import Conflict, RateLimited, TransientError
from bot.runtime.inbox import InboxIntake
from bot.runtime.polling import PollingLoop
from tests.transport.samples import message


class FailingIntake(InboxIntake):
    def __init__(self, inner: InboxIntake, failures: int) -> None:
        self.inner = inner
        self.failures = failures

    async def accept(self, updates):
        if self.failures:
            self.failures -= 1
            raise OSError("database is down")
        return await self.inner.accept(updates)


def loop_for(gateway, intake, vtime) -> PollingLoop:
    return PollingLoop(gateway, intake, timeout=30, sleep=vtime.sleep)


async def run_until(predicate, loop: PollingLoop, vtime) -> None:
    task = asyncio.create_task(loop.run())
    for _ in range(500):
        if predicate():
            break
        await vtime.sleep(0.5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_the_offset_moves_past_a_batch_only_after_it_is_stored(store, gateway, vtime):
    gateway.updates.extend([[message(5, text="a"), message(6, text="b")], [message(7, text="c")]])
    polling = loop_for(gateway, InboxIntake(store.uow, vtime), vtime)

    await polling.poll_once()
    await polling.poll_once()
    await polling.poll_once()

    assert gateway.offsets == [None, 7, 8]
    assert sorted(store.state.inbox) == [5, 6, 7]


async def test_a_batch_that_could_not_be_stored_is_fetched_again(store, gateway, vtime):
    gateway.updates.extend([[message(5, text="a")], [message(5, text="a")]])
    intake = FailingIntake(InboxIntake(store.uow, vtime), failures=1)
    polling = loop_for(gateway, intake, vtime)

    await run_until(lambda: 5 in store.state.inbox, polling, vtime)

    assert gateway.offsets[:2] == [None, None]
    assert polling.offset == 6


async def test_a_restart_starts_without_an_offset_and_duplicates_are_stored_once(
    store, gateway, vtime
):
    intake = InboxIntake(store.uow, vtime)
    gateway.updates.append([message(5, text="a")])
    await loop_for(gateway, intake, vtime).poll_once()

    gateway.updates.append([message(5, text="a"), message(6, text="b")])
    restarted = loop_for(gateway, intake, vtime)
    await restarted.poll_once()

    assert gateway.offsets == [None, None]
    assert sorted(store.state.inbox) == [5, 6]


async def test_errors_back_off_and_a_conflict_is_named_in_the_log(store, gateway, vtime, caplog):
    caplog.set_level(logging.WARNING)
    gateway.update_errors.extend(
        [
            TransientError("reset"),
            Conflict("Conflict: terminated by other getUpdates request"),
            RateLimited(7),
        ]
    )
    gateway.updates.append([message(5, text="a")])
    polling = loop_for(gateway, InboxIntake(store.uow, vtime), vtime)

    await run_until(lambda: 5 in store.state.inbox, polling, vtime)

    assert "409 Conflict" in caplog.text
    assert vtime.elapsed >= 1 + 2 + 7


async def test_cancelling_the_loop_stops_it_cleanly(store, gateway, vtime):
    polling = loop_for(gateway, InboxIntake(store.uow, vtime), vtime)
    task = asyncio.create_task(polling.run())
    await vtime.sleep(1)

    task.cancel()
    results = await asyncio.gather(task, return_exceptions=True)

    assert isinstance(results[0], asyncio.CancelledError)
