"""Long polling: the offset moves only past updates the inbox has committed."""

from __future__ import annotations

import asyncio
import logging

import pytest

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

    assert gateway.offsets[:3] == [None, None, 6]


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
    assert vtime.elapsed >= 7  # Telegram's retry_after is waited out in full


async def test_cancelling_the_loop_stops_it_cleanly(store, gateway, vtime):
    polling = loop_for(gateway, InboxIntake(store.uow, vtime), vtime)
    task = asyncio.create_task(polling.run())
    await vtime.sleep(1)

    task.cancel()
    results = await asyncio.gather(task, return_exceptions=True)

    assert isinstance(results[0], asyncio.CancelledError)


class RecordedSleeps:
    """The loop's sleeps, in virtual time, and how long each was."""

    def __init__(self, vtime) -> None:
        self.vtime = vtime
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await self.vtime.sleep(delay)


async def test_six_server_errors_back_off_at_most_five_seconds_each_with_jitter(
    store, gateway, vtime
):
    """getUpdates answered 500 six times: a message then waited 63 s (backoff up to 60 s)."""
    draws = iter([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])  # the last draw is the jitter's low end
    gateway.update_errors.extend(TransientError("500 Internal Server Error") for _ in range(6))
    gateway.updates.append([message(5, text="a")])
    sleeps = RecordedSleeps(vtime)
    polling = PollingLoop(
        gateway, InboxIntake(store.uow, vtime), sleep=sleeps, jitter=lambda: next(draws)
    )

    await run_until(lambda: 5 in store.state.inbox, polling, vtime)

    assert sleeps.delays == [0.5, 1.0, 2.0, 4.0, 5.0, 2.5]
    assert vtime.elapsed <= 15


async def test_the_backoff_is_jittered_so_replicas_do_not_retry_in_step(store, gateway, vtime):
    delays = []
    for update_id, draw in ((5, 0.0), (6, 0.5), (7, 1.0)):
        gateway.update_errors.extend(TransientError("500") for _ in range(8))
        gateway.updates.append([message(update_id, text="a")])
        sleeps = RecordedSleeps(vtime)
        polling = PollingLoop(
            gateway, InboxIntake(store.uow, vtime), sleep=sleeps, jitter=lambda d=draw: d
        )
        await run_until(lambda n=update_id: n in store.state.inbox, polling, vtime)
        delays.append(sleeps.delays)

    assert [max(d) for d in delays] == [2.5, 3.75, 5.0]
    assert all(0 < delay <= 5.0 for d in delays for delay in d)


async def test_a_store_that_fails_is_tried_again_every_second(store, gateway, vtime):
    """After PostgreSQL came back the backlog waited 10-14 s: the loop had backed off."""
    gateway.updates.extend([[message(5, text="a")] for _ in range(9)])
    intake = FailingIntake(InboxIntake(store.uow, vtime), failures=8)
    sleeps = RecordedSleeps(vtime)
    polling = PollingLoop(gateway, intake, sleep=sleeps, jitter=lambda: 1.0)

    await run_until(lambda: 5 in store.state.inbox, polling, vtime)

    assert sleeps.delays == [1.0] * 8


async def test_the_offset_is_not_kept_past_the_call_that_confirms_a_batch(store, gateway, vtime):
    """Telegram starts update ids again at a random value after a week without updates: an
    offset kept from before would confirm (drop) every new update below it."""
    gateway.updates.extend([[message(5000, text="a")], [], [message(3, text="b")]])
    polling = loop_for(gateway, InboxIntake(store.uow, vtime), vtime)

    for _ in range(3):
        await polling.poll_once()

    assert gateway.offsets == [None, 5001, None]
    assert sorted(store.state.inbox) == [3, 5000]


async def test_after_a_failed_call_the_next_asks_without_an_offset(store, gateway, vtime):
    """A call that failed may or may not have confirmed the batch: asking without an offset
    gets it again if not (the inbox skips it), and never drops a newer update below it."""
    gateway.updates.append([message(5000, text="a")])
    polling = loop_for(gateway, InboxIntake(store.uow, vtime), vtime)
    await polling.poll_once()
    gateway.update_errors.append(TransientError("reset"))

    with pytest.raises(TransientError):
        await polling.poll_once()
    await polling.poll_once()

    assert gateway.offsets == [None, 5001, None]
