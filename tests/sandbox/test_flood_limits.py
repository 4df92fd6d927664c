"""Telegram's flood limits: 429 with retry_after, and clients that retry too early are counted."""

from __future__ import annotations

import datetime as dt

import pytest
import telegram

from sandbox.ratelimit import RateLimiter, RateLimits
from sandbox.server import SandboxServer
from tests.sandbox.conftest import HANA, RawCall


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_messages_to_one_chat_beyond_the_burst_get_429(
    sandbox: SandboxServer, call: RawCall
) -> None:
    for _ in range(3):
        status, _ = await call("sendMessage", chat_id=HANA["id"], text="hi")
        assert status == 200

    status, body = await call("sendMessage", chat_id=HANA["id"], text="one too many")

    assert status == 429
    assert body["error_code"] == 429
    assert body["description"] == "Too Many Requests: retry after 1"
    assert body["parameters"]["retry_after"] == 1
    assert sandbox.stats["too_many_requests"] == 1
    assert len(sandbox.messages_to(HANA["id"])) == 3


async def test_a_retry_before_retry_after_is_counted_as_too_early(
    sandbox: SandboxServer, call: RawCall
) -> None:
    for _ in range(4):
        await call("sendMessage", chat_id=HANA["id"], text="hi")

    status, _ = await call("sendMessage", chat_id=HANA["id"], text="again, at once")

    assert status == 429
    assert sandbox.stats["sent_too_early"] == 1
    assert sandbox.stats["too_many_requests"] == 2


async def test_other_chats_are_not_held_up_by_one_busy_chat(call: RawCall) -> None:
    for _ in range(4):
        await call("sendMessage", chat_id=HANA["id"], text="hi")
    status, _ = await call("sendMessage", chat_id=HANA["id"] + 1, text="hi")
    assert status == 200


async def test_python_telegram_bot_sees_retry_after(
    sandbox: SandboxServer, ptb: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22's forward-compatible retry_after
    for _ in range(3):
        await ptb.send_message(HANA["id"], "hi")
    with pytest.raises(telegram.error.RetryAfter) as raised:
        await ptb.send_message(HANA["id"], "hi")
    assert raised.value.retry_after == dt.timedelta(seconds=1)


@pytest.mark.sandbox_options(rate_limits=RateLimits.disabled())
async def test_limits_can_be_turned_off(sandbox: SandboxServer, call: RawCall) -> None:
    for _ in range(10):
        status, _ = await call("sendMessage", chat_id=HANA["id"], text="hi")
        assert status == 200
    assert sandbox.stats["too_many_requests"] == 0


def test_a_private_chat_refills_one_message_per_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(), clock)
    assert all(limiter.check(1, "42", is_group=False).allowed for _ in range(3))
    refused = limiter.check(1, "42", is_group=False)
    assert (refused.allowed, refused.retry_after) == (False, 1)
    clock.now += 1.0
    assert limiter.check(1, "42", is_group=False).allowed
    assert not limiter.check(1, "42", is_group=False).allowed


def test_a_group_gets_20_messages_a_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(), clock)
    assert all(limiter.check(1, "-5", is_group=True).allowed for _ in range(20))
    refused = limiter.check(1, "-5", is_group=True)
    assert refused.retry_after == 3  # one message every 3 s at 20 per minute
    clock.now += 3.0
    assert limiter.check(1, "-5", is_group=True).allowed


def test_the_global_limit_holds_across_chats() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(global_rate=5, global_burst=5), clock)
    assert all(limiter.check(1, str(chat), is_group=False).allowed for chat in range(5))
    assert not limiter.check(1, "99", is_group=False).allowed
    assert limiter.check(2, "99", is_group=False).allowed  # another bot has its own budget
