"""The sandbox's strict server (opt-in): messages counted per sliding second as they arrive."""

from __future__ import annotations

from sandbox.ratelimit import RateLimiter, RateLimits, SlidingWindow


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def strict(rate: float = 30.0, jitter: float = 0.0) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    limits = RateLimits(
        global_rate=rate,
        private_rate=1000.0,
        private_burst=1000.0,
        strict_window=True,
        arrival_jitter=jitter,
    )
    return RateLimiter(limits, clock=clock), clock


def test_no_second_holds_more_than_the_rate_and_there_is_no_burst_beyond_it() -> None:
    limiter, clock = strict(rate=30)
    verdicts = [limiter.check(1, str(100 + i), False) for i in range(31)]
    assert [v.allowed for v in verdicts] == [True] * 30 + [False]
    assert verdicts[-1].retry_after == 1 and verdicts[-1].strict
    clock.now += 1.0  # the first thirty are a whole second old: outside (now - 1, now]
    assert limiter.check(1, "200", False).allowed


def test_a_window_is_any_second_not_a_calendar_one() -> None:
    window = SlidingWindow(limit=3)
    assert all(window.admit(t) for t in (0.5, 0.9, 1.2))
    assert not window.admit(1.4)  # (0.4, 1.4] would hold four
    assert window.admit(1.55)  # (0.55, 1.55] holds 0.9, 1.2, 1.55


def test_an_arrival_earlier_than_the_last_one_is_counted_in_every_window_it_falls_in() -> None:
    window = SlidingWindow(limit=2)
    assert window.admit(1.0) and window.admit(1.9)
    # 0.95 arrives after 1.9 was counted: (0.9, 1.9] would hold three.
    assert not window.admit(0.95)
    assert window.admit(0.85)  # (0.85 - 1, 0.85] and up to (0.85, 1.85]: two at most


def test_exactly_the_rate_by_the_clients_clock_gets_429s_once_arrivals_jitter() -> None:
    """What the issue measured: evenly spaced at 30/s, the strict server still refuses some."""
    even, clock = strict(rate=30, jitter=0.0)
    refused_even = 0
    for i in range(600):
        clock.now = 1000.0 + i / 30
        refused_even += not even.check(1, str(i), False).allowed
    jittered, clock = strict(rate=30, jitter=0.05)
    refused = 0
    for i in range(600):
        clock.now = 1000.0 + i / 30
        verdict = jittered.check(1, str(i), False)
        refused += not verdict.allowed
        if not verdict.allowed:
            clock.now += 1.0  # a client that honours retry_after
    assert refused_even == 0
    assert refused > 0


def test_strict_mode_is_opt_in() -> None:
    assert not RateLimits().strict_window and RateLimits().arrival_jitter == 0.0
