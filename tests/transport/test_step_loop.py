"""The runtime workers' one run/wake/stop loop (bot/runtime/step_loop.py), on a fake sleep: what
it waits for between steps, a failing step, a wake during a step, stopping."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.runtime.step_loop import StepLoop, busy_or

log = logging.getLogger("tests.step_loop")


class FakeSleep:
    """Records what the loop sleeps for; time passes at once (no real waiting)."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


def make(
    *answers: float | Exception | None,
    sleep: FakeSleep,
    wake_at: frozenset[int] = frozenset(),
    after_failure: float | None = 7.0,
    min_gap: float = 0.0,
) -> tuple[StepLoop, list[int]]:
    """A loop whose step gives `answers` in turn (raising the exceptions), wakes the loop during
    the steps numbered in `wake_at` (from 1) and stops it at the last one. Returns the loop and
    the list of its steps' calls."""
    calls: list[int] = []

    async def step() -> float | None:
        calls.append(1)
        answer = answers[len(calls) - 1]
        if len(calls) in wake_at:
            loop.wake()
        if len(calls) == len(answers):
            loop.stop()
        if isinstance(answer, Exception):
            raise answer
        return answer

    loop = StepLoop(
        "test", step, log=log, after_failure=after_failure, min_gap=min_gap, sleep=sleep
    )
    return loop, calls


async def test_work_found_goes_again_at_once_and_none_waits_the_interval() -> None:
    sleep = FakeSleep()
    loop, calls = make(0.0, 0.0, 5.0, 3.0, sleep=sleep)
    await asyncio.wait_for(loop.run(), 5)
    assert len(calls) == 4
    assert sleep.slept == [5.0]  # the last step asked to stop: no wait after it


async def test_a_failing_step_is_logged_and_followed_by_the_wait_after_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sleep = FakeSleep()
    loop, calls = make(RuntimeError("store away"), 2.0, sleep=sleep)
    with caplog.at_level(logging.ERROR, logger=log.name):
        await asyncio.wait_for(loop.run(), 5)
    assert len(calls) == 2
    assert sleep.slept == [7.0]
    assert [r.getMessage() for r in caplog.records] == ["test step failed; trying again shortly"]
    assert caplog.records[0].exc_info is not None


async def test_a_failing_last_step_still_stops() -> None:
    loop, calls = make(RuntimeError("boom"), sleep=FakeSleep())
    await asyncio.wait_for(loop.run(), 5)
    assert len(calls) == 1


async def test_a_wake_during_a_step_ends_the_next_wait_at_once() -> None:
    sleep = FakeSleep()
    loop, calls = make(60.0, 60.0, sleep=sleep, wake_at=frozenset({1}))
    await asyncio.wait_for(loop.run(), 5)
    assert len(calls) == 2
    assert sleep.slept == []  # woken before the wait began: it never slept


async def test_a_wake_during_a_busy_step_is_kept_for_the_wait_after_the_next() -> None:
    sleep = FakeSleep()
    # The first step found work: again at once, and the wake is not spent on that.
    loop, calls = make(0.0, 60.0, 60.0, sleep=sleep, wake_at=frozenset({1}))
    await asyncio.wait_for(loop.run(), 5)
    assert len(calls) == 3
    assert sleep.slept == []


async def test_none_waits_for_a_wake_without_polling_and_stop_ends_the_wait() -> None:
    sleep = FakeSleep()
    stepped = asyncio.Event()
    calls: list[int] = []

    async def step() -> None:
        calls.append(1)
        stepped.set()

    loop = StepLoop("test", step, log=log, after_failure=None, sleep=sleep)
    running = asyncio.create_task(loop.run())
    await asyncio.wait_for(stepped.wait(), 5)
    stepped.clear()
    loop.wake()
    await asyncio.wait_for(stepped.wait(), 5)
    loop.stop()
    await asyncio.wait_for(running, 5)
    assert len(calls) == 2  # one at start, one for the wake; the stop started none
    assert sleep.slept == []


async def test_the_gap_comes_after_every_step_even_a_failed_one() -> None:
    sleep = FakeSleep()
    # Each step wakes the loop, so that only the gaps are slept (no wait has a timeout).
    loop, calls = make(
        None,
        RuntimeError("boom"),
        None,
        sleep=sleep,
        wake_at=frozenset({1, 2}),
        after_failure=None,
        min_gap=0.5,
    )
    await asyncio.wait_for(loop.run(), 5)
    assert len(calls) == 3
    assert sleep.slept == [0.5, 0.5]


async def test_a_cancellation_is_not_taken_for_a_failed_step() -> None:
    started = asyncio.Event()

    async def step() -> float:
        started.set()
        await asyncio.Event().wait()
        return 0.0

    loop = StepLoop("test", step, log=log, after_failure=0.0, sleep=FakeSleep())
    running = asyncio.create_task(loop.run())
    await asyncio.wait_for(started.wait(), 5)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running


async def test_busy_or_maps_found_work_to_again_and_none_to_the_idle_wait() -> None:
    found = [True, False]

    async def step() -> bool:
        return found.pop(0)

    next_wait = busy_or(step, 4.0)
    assert [await next_wait(), await next_wait()] == [0.0, 4.0]


async def test_a_polling_loop_waits_its_interval_after_no_work_or_a_failure_only() -> None:
    sleep = FakeSleep()
    answers: list[bool | Exception] = [True, False, RuntimeError("boom"), True]

    async def step() -> bool:
        answer = answers.pop(0)
        if not answers:
            loop.stop()
        if isinstance(answer, Exception):
            raise answer
        return answer

    loop = StepLoop.polling("test", step, poll_interval=3.0, log=log, sleep=sleep)
    await asyncio.wait_for(loop.run(), 5)
    assert answers == []
    assert sleep.slept == [3.0, 3.0]  # after the step without work and after the failure
