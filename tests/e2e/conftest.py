"""The end-to-end tests' sandbox lets one person get several messages a second.

These tests are conversations, one answer after another: at Telegram's one message a second
per person each answer waited out the second, and the directory took about a third of the
suite. Kyodo is told the same (`KYODO_CHAT_INTERVAL` in tests/fixtures/kyodo.py); the per-chat
pacing itself is tested on the sender (tests/transport/test_sender.py) and on the sandbox
(tests/sandbox/test_flood_limits.py), at Telegram's real limits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.ratelimit import RateLimits
from sandbox.server import SandboxServer
from tests.fixtures.sandbox import serve_sandbox

# Twenty a second with a burst of twenty: far above a conversation's pace, still a limit.
CONVERSATION_LIMITS = RateLimits(private_rate=20.0, private_burst=20.0)


@pytest.fixture
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[SandboxServer]:
    async for server in serve_sandbox(request, rate_limits=CONVERSATION_LIMITS):
        yield server
