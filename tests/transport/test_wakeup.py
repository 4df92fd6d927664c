"""The runtime loops' one wake-up primitive (bot/runtime/wakeup.py)."""

from __future__ import annotations

import asyncio

import pytest

from bot.runtime.wakeup import Wakeup


async def test_a_wake_before_the_wait_ends_it_at_once_and_is_consumed() -> None:
    wakeup = Wakeup()
    wakeup.set()
    assert await asyncio.wait_for(wakeup.wait(3600), 1) is True
    assert not wakeup.is_set()
    assert await wakeup.wait(0.01) is False


async def test_the_timeout_uses_the_injected_sleep() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    assert await Wakeup(sleep).wait(42) is False
    assert slept == [42]


async def test_a_wake_during_the_wait_ends_it() -> None:
    wakeup = Wakeup()
    waiting = asyncio.create_task(wakeup.wait(None))
    await asyncio.sleep(0)
    wakeup.set()
    assert await asyncio.wait_for(waiting, 1) is True


async def test_a_cancellation_is_never_swallowed_even_as_it_is_woken() -> None:
    wakeup = Wakeup()
    waiting = asyncio.create_task(wakeup.wait(3600))
    await asyncio.sleep(0)
    wakeup.set()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
