"""The one way a runtime loop sleeps until there is work: `Wakeup`.

Every loop waits on one of these: the inbox worker, the leader scheduler, and the workers run
by `StepLoop` (bot/runtime/step_loop.py: the outbox sender, the broadcast pump, the card feed,
the LINE multicaster); whoever commits work for it calls `set()`. A wake that comes while the
loop is busy is kept, so the next `wait` returns at once: nothing committed is left waiting for
a timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


class Wakeup:
    """A flag a loop sleeps on: `set()` wakes it, `wait(timeout)` returns whether it was woken.

    Not `asyncio.wait_for(event.wait(), timeout)`: on Python 3.11 it can swallow a cancellation
    that arrives as the event is set (the loop then never stops), and its timer cannot be
    injected. `wait` races the event against the injected `sleep` with `asyncio.wait`, which
    always lets a cancellation through, and tests decide what time it is.
    """

    def __init__(self, sleep: Sleep = asyncio.sleep) -> None:
        self._event = asyncio.Event()
        self._sleep = sleep

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    async def wait(self, timeout: float | None = None) -> bool:
        """Until `set()` (at once if it already was) or `timeout` seconds (None: no timeout).

        Returns True if woken, False if the time ran out; either way the flag is cleared, so a
        wake is consumed by the one `wait` it ended, and one that comes later ends the next.
        """
        if not self._event.is_set():
            if timeout is None:
                await self._event.wait()
            elif timeout <= 0:
                await asyncio.sleep(0)
            else:
                woken = asyncio.ensure_future(self._event.wait())
                slept = asyncio.ensure_future(self._sleep(timeout))
                try:
                    await asyncio.wait({woken, slept}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for future in (woken, slept):
                        future.cancel()
                    await asyncio.gather(woken, slept, return_exceptions=True)
        was_set = self._event.is_set()
        self._event.clear()
        return was_set
