"""Fixtures of the transport tests: virtual time, an in-memory store, a fake gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.gateway import FakeGateway
from tests.fakes.memory_store import MemoryStore
from tests.transport.vtime import VirtualTime


@pytest.fixture
async def vtime() -> AsyncIterator[VirtualTime]:
    time = VirtualTime()
    time.start_ticking()
    yield time
    await time.stop_ticking()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def gateway(vtime: VirtualTime) -> FakeGateway:
    return FakeGateway(clock=vtime, sleep=vtime.sleep)
