"""Virtual time for the sender and worker tests: a clock and a sleep that never really wait.

`sleep(d)` parks the caller until virtual time reaches now + d. A ticker task lets every
runnable task run (a few dozen loop turns: the fakes never really block) and then jumps time to
the earliest sleeper. Tests stay fast and deterministic while still running concurrent tasks.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta


class VirtualTime:
    def __init__(self, start: datetime | None = None) -> None:
        self.start = start or datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
        self.elapsed = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._ticker: asyncio.Task[None] | None = None

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def seconds(self, at: datetime) -> float:
        return (at - self.start).total_seconds()

    async def sleep(self, delay: float) -> None:
        if delay <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.elapsed + delay, next(self._seq), future))
        await future

    async def _tick(self) -> None:
        while True:
            for _ in range(30):
                await asyncio.sleep(0)
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled sleeps
            if not self._sleepers:
                continue
            wake_at = self._sleepers[0][0]
            self.elapsed = max(self.elapsed, wake_at)
            while self._sleepers and self._sleepers[0][0] <= self.elapsed:
                _, _, future = heapq.heappop(self._sleepers)
                if not future.done():
                    future.set_result(None)

    def start_ticking(self) -> None:
        self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def stop_ticking(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
