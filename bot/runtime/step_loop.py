"""`StepLoop`: the one run/wake/stop loop of the runtime's workers.

The outbox sender, the broadcast pump, the card feed and the LINE multicaster each do the same
around their own `step`: do a step; go again at once if it says so, else sleep until woken
(`Wakeup`) or until the time it names; log a failing step and carry on; stop cleanly when asked.
Only the step, what a failed step waits for and a pause after each step differ between them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.runtime.wakeup import Sleep, Wakeup

Step = Callable[[], Awaitable[float | None]]
"""One step; returns how long to wait for a wake before the next: 0 (or less) at once, a number
of seconds at most that long, None until woken (no polling)."""


def busy_or(step: Callable[[], Awaitable[bool]], idle: float) -> Step:
    """A step that says whether it found work as a `Step`: again at once when it did, else a
    wait of `idle` seconds (the poll interval) or until woken."""

    async def next_wait() -> float:
        return 0.0 if await step() else idle

    return next_wait


class StepLoop:
    """Runs `step` until `stop()`; `wake()` ends the wait between steps at once.

    `after_failure`: the wait after a step that raised (logged to `log` as "<name> step failed").
    `min_gap`: seconds slept after every step before its wait, so that a burst of wakes shares
    one step. A wake that comes during a step or the gap is kept for the next wait.
    """

    def __init__(
        self,
        name: str,
        step: Step,
        *,
        log: logging.Logger,
        after_failure: float | None,
        min_gap: float = 0.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._name = name
        self._step = step
        self._log = log
        self._after_failure = after_failure
        self._min_gap = min_gap
        self._sleep = sleep
        self.wakeup = Wakeup(sleep)
        self._stopping = False

    @classmethod
    def polling(
        cls,
        name: str,
        step: Callable[[], Awaitable[bool]],
        *,
        poll_interval: float,
        log: logging.Logger,
        sleep: Sleep = asyncio.sleep,
    ) -> StepLoop:
        """A loop whose step says whether it found work: again at once when it did, else (or
        after a failure) a wait of `poll_interval` or until woken."""
        return cls(
            name, busy_or(step, poll_interval), log=log, after_failure=poll_interval, sleep=sleep
        )

    @property
    def stopping(self) -> bool:
        return self._stopping

    def wake(self) -> None:
        self.wakeup.set()

    def stop(self) -> None:
        """`run()` returns after the step under way (if any), without starting another."""
        self._stopping = True
        self.wakeup.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                wait = await self._step()
            except Exception:
                self._log.exception("%s step failed; trying again shortly", self._name)
                wait = self._after_failure
            if self._stopping:
                return
            if self._min_gap > 0:
                await self._sleep(self._min_gap)
            if wait is not None and wait <= 0:
                # Again at once, but let the other tasks run; a wake meanwhile stays set.
                await asyncio.sleep(0)
            else:
                await self.wakeup.wait(wait)


class LoopWorker:
    """`wake`, `stop` and `run` of a worker whose loop is the `StepLoop` it sets as `_loop`."""

    _loop: StepLoop

    def wake(self) -> None:
        """Call once work for it is committed: the next step comes now, not after the wait."""
        self._loop.wake()

    def stop(self) -> None:
        """`run()` returns after the step under way (if any)."""
        self._loop.stop()

    async def run(self) -> None:
        await self._loop.run()
