"""The sender's global limit: never more than the rate in any second, and the rate reached."""

from __future__ import annotations

import pytest

from bot.runtime.ratelimit import TokenBucket


def send_greedily(bucket: TokenBucket, until: float, start: float = 0.0) -> list[float]:
    """Sends whenever the bucket allows, as the sender does: returns the send times."""
    times: list[float] = []
    t = start
    while t < until:
        wait = bucket.wait_time(t)
        if wait > 0:
            t += wait
            continue
        assert bucket.take(t)
        times.append(t)
    return times


def most_in_one_second(times: list[float]) -> int:
    """The most sends in any window [t, t + 1 s) starting at a send (two pointers)."""
    most, end = 0, 0
    for start, t in enumerate(times):
        while end < len(times) and times[end] < t + 1.0:
            end += 1
        most = max(most, end - start)
    return most


@pytest.mark.parametrize("rate", [30.0, 300.0, 1000.0])
def test_the_rate_is_reached_and_never_exceeded_in_any_second(rate):
    bucket = TokenBucket(rate)
    times = send_greedily(bucket, 10.0)
    assert most_in_one_second(times) <= rate
    steady = [t for t in times if 1.0 <= t < 9.0]
    assert abs(len(steady) / 8.0 - rate) <= rate * 0.01


def test_a_stall_is_made_up_without_breaking_the_per_second_limit():
    bucket = TokenBucket(30.0)
    before = send_greedily(bucket, 2.0)
    # The process was busy for 0.4 s: nothing was sent, then sending resumes.
    after = send_greedily(bucket, 5.0, start=2.4)
    times = before + after
    assert most_in_one_second(times) <= 30
    assert len([t for t in times if 2.0 <= t < 5.0]) >= 0.97 * 90  # caught up, not lost


def test_a_refused_take_costs_nothing():
    bucket = TokenBucket(2.0, capacity=1.0)
    assert bucket.take(0.0)
    assert not bucket.take(0.1)
    assert bucket.wait_time(0.1) == pytest.approx(0.4)
    assert bucket.take(0.5)
