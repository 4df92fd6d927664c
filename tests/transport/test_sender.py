"""The outbox sender: Telegram's limits held on our side, and what each kind of failure does."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

from bot.domain.outbound import OutboundMessage
from bot.domain.people import NewPerson
from bot.ports.telegram import (
    AmbiguousTimeout,
    BadRequest,
    RateLimited,
    SentMessage,
    TransientError,
    Unreachable,
)
from bot.runtime.sender import OutboxSender
from sandbox.ratelimit import RateLimiter, RateLimits
from tests.fakes.gateway import FakeGateway
from tests.fakes.memory_store import MemoryStore
from tests.transport.vtime import VirtualTime

PERSON = 1001
OTHER = 1002
GROUP = -100123


def sender_for(store: MemoryStore, gateway: FakeGateway, vtime: VirtualTime, **kw) -> OutboxSender:
    return OutboxSender(store.uow, gateway, vtime, sleep=vtime.sleep, **kw)


async def queue(store: MemoryStore, vtime: VirtualTime, *messages: OutboundMessage, **kw) -> None:
    async with store.uow() as uow:
        for message in messages:
            await uow.outbox.add(message, vtime.now(), **kw)
        await uow.commit()


def msg(chat_id: int, text: str, **kw) -> OutboundMessage:
    return OutboundMessage(chat_id=chat_id, text=text, **kw)


def status_of(store: MemoryStore) -> dict[str, int]:
    return {k: v for k, v in _counts(store).items() if v}


def _counts(store: MemoryStore) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in store.state.outbox.values():
        counts[record.status.value] = counts.get(record.status.value, 0) + 1
    return counts


async def test_a_queued_message_is_sent_and_marked_sent(store, gateway, vtime):
    await queue(store, vtime, msg(PERSON, "hello", buttons=((("OK", "ok:1"),),)))

    await sender_for(store, gateway, vtime).drain()

    assert gateway.texts_to(PERSON) == ["hello"]
    record = store.state.outbox[1]
    assert record.status == "sent"
    assert record.telegram_message_id is not None


async def test_recorded_deliveries_wake_whoever_waits_for_message_ids(store, gateway, vtime):
    """The card feed edits a copy once its first send has a message id: the sender says when."""
    await queue(store, vtime, msg(PERSON, "card"), msg(OTHER, "card"))
    settled: list[int] = []

    sender = sender_for(store, gateway, vtime, on_settled=lambda: settled.append(1))
    await sender.drain()

    assert status_of(store) == {"sent": 2}
    assert settled, "no delivery was reported"
    assert all(r.telegram_message_id is not None for r in store.state.outbox.values())


async def test_messages_to_one_person_go_one_a_second_in_order(store, gateway, vtime):
    await queue(store, vtime, *(msg(PERSON, f"m{i}") for i in range(5)))

    await sender_for(store, gateway, vtime).drain()

    assert gateway.texts_to(PERSON) == ["m0", "m1", "m2", "m3", "m4"]
    times = [vtime.seconds(t) for t in gateway.send_times(PERSON)]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 1.0 for gap in gaps), gaps


async def test_a_person_waiting_for_their_turn_does_not_hold_up_others(store, gateway, vtime):
    await queue(store, vtime, msg(PERSON, "a1"), msg(PERSON, "a2"), msg(OTHER, "b1"))

    await sender_for(store, gateway, vtime).drain()

    sent_at = {r.message.text: vtime.seconds(r.at) for r in gateway.sent}
    assert sent_at["b1"] < 1.0
    assert sent_at["a2"] >= 1.0


async def test_a_group_gets_at_most_twenty_messages_a_minute(store, gateway, vtime):
    await queue(store, vtime, *(msg(GROUP, f"g{i}", is_group=True) for i in range(25)))

    await sender_for(store, gateway, vtime).drain()

    times = [vtime.seconds(t) for t in gateway.send_times(GROUP)]
    assert len(times) == 25
    assert gateway.texts_to(GROUP) == [f"g{i}" for i in range(25)]
    for start in times:
        in_window = [t for t in times if start <= t < start + 60]
        assert len(in_window) <= 20
    assert times[20] >= 60.0


async def test_the_global_rate_holds_across_many_chats(store, gateway, vtime):
    await queue(store, vtime, *(msg(2000 + i, "hi") for i in range(100)))

    await sender_for(store, gateway, vtime, global_rate=10).drain()

    times = [vtime.seconds(t) for t in gateway.send_times()]
    assert len(times) == 100
    for start in times:
        assert len([t for t in times if start <= t < start + 1.0]) <= 11  # rate + burst of 1
    assert times[-1] >= 9.0


async def test_different_chats_are_sent_concurrently_to_reach_the_rate(store, vtime):
    gateway = FakeGateway(clock=vtime, sleep=vtime.sleep, latency=0.1)
    await queue(store, vtime, *(msg(3000 + i, "hi") for i in range(90)))

    await sender_for(store, gateway, vtime, global_rate=30).drain()

    assert len(gateway.sent) == 90
    assert gateway.max_concurrent > 1
    assert vtime.elapsed < 3.5  # 90 messages at 30/s with 100 ms per call


async def test_a_429_pauses_all_sending_for_retry_after_then_retries(store, gateway, vtime):
    gateway.fail_chat(PERSON, RateLimited(5))
    await queue(store, vtime, msg(PERSON, "first"), msg(OTHER, "second"))

    await sender_for(store, gateway, vtime).drain()

    sent_at = {r.message.text: vtime.seconds(r.at) for r in gateway.sent}
    assert sent_at["first"] >= 5.0
    assert sent_at["second"] >= 5.0 or sent_at["second"] < 0.01  # raced ahead, or paused too
    assert status_of(store) == {"sent": 2}


async def test_nothing_new_starts_while_telegram_asks_to_wait(store, gateway, vtime):
    gateway.fail_next(RateLimited(10))
    await queue(store, vtime, msg(PERSON, "x"))
    await queue(store, vtime, *(msg(4000 + i, "y") for i in range(5)))

    await sender_for(store, gateway, vtime, max_in_flight=1).drain()

    later = [vtime.seconds(r.at) for r in gateway.sent]
    assert len(later) == 6
    assert all(t >= 10.0 for t in later)


async def test_a_blocked_bot_marks_the_person_unreachable_audits_and_never_retries(
    store, gateway, vtime
):
    async with store.uow() as uow:
        person = await uow.people.add(NewPerson(PERSON, "Hanako", "ja", vtime.now()))
        await uow.commit()
    gateway.fail_chat(PERSON, Unreachable("Forbidden: bot was blocked by the user"))
    await queue(store, vtime, msg(PERSON, "secret care details"))

    await sender_for(store, gateway, vtime).drain()

    assert gateway.sent == []
    assert len(gateway.attempts) == 1
    assert status_of(store) == {"failed": 1}
    assert store.state.people[person.id].unreachable is True
    [audit] = store.state.audit
    assert (audit.action, audit.subject) == ("telegram.unreachable", f"chat:{PERSON}")


async def test_a_transient_error_is_retried_with_backoff(store, gateway, vtime):
    gateway.fail_chat(PERSON, TransientError("reset"), TransientError("reset"))
    await queue(store, vtime, msg(PERSON, "hello"))

    await sender_for(store, gateway, vtime).drain()

    assert gateway.texts_to(PERSON) == ["hello"]
    assert len(gateway.attempts) == 3
    assert vtime.elapsed >= 2 + 4  # backoff 2**attempt seconds
    assert status_of(store) == {"sent": 1}


async def test_a_transient_error_gives_up_after_max_attempts(store, gateway, vtime):
    gateway.fail_chat(PERSON, *(TransientError("down") for _ in range(10)))
    await queue(store, vtime, msg(PERSON, "hello"))

    await sender_for(store, gateway, vtime, max_attempts=3).drain()

    assert len(gateway.attempts) == 3
    assert status_of(store) == {"failed": 1}
    assert "gave up" in (store.state.outbox[1].last_error or "")


async def test_later_messages_wait_behind_a_retried_one_to_keep_the_order(store, gateway, vtime):
    gateway.fail_chat(PERSON, TransientError("reset"))
    await queue(store, vtime, msg(PERSON, "one"), msg(PERSON, "two"), msg(PERSON, "three"))

    await sender_for(store, gateway, vtime).drain()

    assert gateway.texts_to(PERSON) == ["one", "two", "three"]


async def test_an_ambiguous_timeout_is_not_resent(store, gateway, vtime):
    gateway.fail_chat(PERSON, AmbiguousTimeout("read timeout"))
    await queue(store, vtime, msg(PERSON, "maybe delivered"))

    await sender_for(store, gateway, vtime).drain()

    assert len(gateway.attempts) == 1
    assert status_of(store) == {"failed": 1}
    assert store.state.outbox[1].last_error == "ambiguous timeout"


async def test_a_bad_request_fails_without_retry(store, gateway, vtime):
    gateway.fail_chat(PERSON, BadRequest("Bad Request: can't parse entities"))
    await queue(store, vtime, msg(PERSON, "<b>broken"), msg(PERSON, "fine"))

    await sender_for(store, gateway, vtime).drain()

    assert len(gateway.attempts) == 2
    assert gateway.texts_to(PERSON) == ["fine"]
    assert status_of(store) == {"failed": 1, "sent": 1}


async def test_a_message_queued_twice_with_one_dedupe_key_is_sent_once(store, gateway, vtime):
    await queue(store, vtime, msg(PERSON, "reminder"), dedupe_key="reminder:shift:7:1001")
    await queue(store, vtime, msg(PERSON, "reminder"), dedupe_key="reminder:shift:7:1001")

    await sender_for(store, gateway, vtime).drain()

    assert gateway.texts_to(PERSON) == ["reminder"]


async def test_a_message_sent_once_is_never_sent_again_by_a_restarted_sender(store, gateway, vtime):
    await queue(store, vtime, msg(PERSON, "once"))
    await sender_for(store, gateway, vtime).drain()

    await sender_for(store, gateway, vtime).drain()

    assert gateway.texts_to(PERSON) == ["once"]


async def test_waking_the_sender_delivers_without_waiting_for_the_poll(store, gateway, vtime):
    sender = sender_for(store, gateway, vtime, poll_interval=30.0)
    task = asyncio.create_task(sender.run())
    await vtime.sleep(40)  # the sender is idle, polling every 30 s
    start = vtime.elapsed

    await queue(store, vtime, msg(PERSON, "now"))
    sender.wake()
    for _ in range(100):
        if gateway.sent:
            break
        await asyncio.sleep(0)

    sender.stop()
    await task
    assert gateway.texts_to(PERSON) == ["now"]
    assert vtime.seconds(gateway.sent[0].at) - start < 0.01


async def test_stopping_hands_back_what_was_claimed_but_not_sent(store, gateway, vtime):
    await queue(store, vtime, *(msg(PERSON, f"m{i}") for i in range(4)))
    sender = sender_for(store, gateway, vtime)
    task = asyncio.create_task(sender.run())
    for _ in range(1000):
        if gateway.sent:
            break
        await asyncio.sleep(0)

    sender.stop()
    await task

    assert sender.held == 0
    assert status_of(store) == {"sent": 1, "pending": 3}
    await sender_for(store, gateway, vtime).drain()
    assert gateway.texts_to(PERSON) == ["m0", "m1", "m2", "m3"]


async def test_a_lease_that_would_expire_hands_the_backlog_back(store, gateway, vtime):
    await queue(store, vtime, *(msg(GROUP, f"g{i}", is_group=True) for i in range(30)))

    await sender_for(store, gateway, vtime, lease=timedelta(seconds=40)).drain()

    assert gateway.texts_to(GROUP) == [f"g{i}" for i in range(30)]
    assert status_of(store) == {"sent": 30}


async def test_a_429_longer_than_the_lease_hands_the_message_back_until_the_pause_ends(
    store, gateway, vtime
):
    gateway.fail_chat(PERSON, RateLimited(120))
    await queue(store, vtime, msg(PERSON, "later"))

    await sender_for(store, gateway, vtime, lease=timedelta(seconds=60)).drain()

    assert gateway.texts_to(PERSON) == ["later"]
    assert vtime.seconds(gateway.sent[0].at) >= 120


async def test_a_negative_chat_id_gets_the_group_limit_even_if_not_marked_as_group(
    store, gateway, vtime
):
    await queue(store, vtime, *(msg(GROUP, f"g{i}") for i in range(3)))

    await sender_for(store, gateway, vtime).drain()

    assert vtime.elapsed < 1.0  # twenty a minute may go at once; one a second would take 2 s


class SlowToMarkStore:
    """A store whose sent marks cannot commit until the test opens the gate (a busy writer)."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.gate = asyncio.Event()

    def uow(self):
        unit = self.store.uow()
        gate = self.gate
        commit = unit.commit

        async def commit_when_allowed() -> None:
            if any(r.status.value == "sent" for r in unit._working.outbox.values()):
                await gate.wait()
            await commit()

        unit.commit = commit_when_allowed  # type: ignore[method-assign]
        return unit


async def test_delivered_messages_count_as_in_flight_until_their_sent_mark_is_committed(
    store, gateway, vtime
):
    # What a kill could send twice is what went out without its mark committed: bounded.
    await queue(store, vtime, *(msg(4000 + i, "hi") for i in range(50)))
    slow = SlowToMarkStore(store)
    sender = OutboxSender(slow.uow, gateway, vtime, sleep=vtime.sleep, max_in_flight=5)
    running = asyncio.create_task(sender.run())
    for _ in range(200):
        await asyncio.sleep(0)
    assert len(gateway.sent) == 5
    slow.gate.set()
    sender.stop()
    await running
    await sender_for(store, gateway, vtime).drain()
    assert sorted(r.message.chat_id for r in gateway.sent) == [4000 + i for i in range(50)]
    assert status_of(store) == {"sent": 50}


# Answers before bulk -----------------------------------------------------------------------------


def bulk_times(gateway: FakeGateway) -> list[float]:
    return [r.at.timestamp() for r in gateway.sent if r.at and r.message.text.startswith("b")]


async def test_an_answer_goes_out_before_a_bulk_backlog_queued_earlier(store, gateway, vtime):
    await queue(store, vtime, *(msg(5000 + i, f"b{i}") for i in range(200)), bulk=True)
    sender = sender_for(store, gateway, vtime, global_rate=10)
    running = asyncio.create_task(sender.run())
    await vtime.sleep(3)  # the broadcast is under way

    await queue(store, vtime, msg(PERSON, "answer"))
    asked = vtime.now().timestamp()
    sender.wake()
    await vtime.sleep(3)
    sender.stop()
    await running

    [answered] = gateway.send_times(PERSON)
    between = [t for t in bulk_times(gateway) if asked <= t < answered.timestamp()]
    assert len(between) <= 1, between  # at most the one whose token was already taken
    assert len(bulk_times(gateway)) > 30  # and the broadcast went on


async def test_bulk_gets_only_what_answers_leave_of_the_rate(store, gateway, vtime):
    await queue(store, vtime, *(msg(5000 + i, f"b{i}") for i in range(40)), bulk=True)
    await queue(store, vtime, *(msg(6000 + i, f"a{i}") for i in range(20)))

    await sender_for(store, gateway, vtime, global_rate=10).drain()

    order = [r.message.text[0] for r in gateway.sent]
    assert order == ["a"] * 20 + ["b"] * 40
    assert status_of(store) == {"sent": 60}


async def test_an_answer_to_someone_with_bulk_waiting_goes_before_it(store, gateway, vtime):
    await queue(store, vtime, msg(PERSON, "b-broadcast"), bulk=True)
    await queue(store, vtime, msg(PERSON, "answer"))

    await sender_for(store, gateway, vtime).drain()

    assert gateway.texts_to(PERSON) == ["answer", "b-broadcast"]


async def test_bulk_held_by_the_sender_is_at_most_half_a_second_of_sending(store, gateway, vtime):
    """A pause holds the pending rows (their not_before moves far ahead); what the sender had
    already claimed still goes, and that must be done within a second."""
    await queue(store, vtime, *(msg(5000 + i, f"b{i}") for i in range(200)), bulk=True)
    sender = sender_for(store, gateway, vtime, global_rate=10)
    running = asyncio.create_task(sender.run())
    await vtime.sleep(3)

    paused = vtime.now()
    for record in store.state.outbox.values():  # what broadcasts.hold does on a pause
        if record.status.value == "pending":
            record.not_before = paused + timedelta(days=3650)
    await vtime.sleep(5)
    sender.stop()
    await running

    after = [t - paused.timestamp() for t in bulk_times(gateway) if t >= paused.timestamp()]
    assert after and max(after) < 1.0, after
    assert sender.held == 0


# The margin a strict server needs ----------------------------------------------------------------


class StrictServer(FakeGateway):
    """A Bot API that counts messages per sliding second as they arrive, arrivals jittered: the
    sandbox's strict model (sandbox/ratelimit.py) on virtual time."""

    def __init__(self, vtime: VirtualTime, rate: float, jitter: float) -> None:
        super().__init__(clock=vtime, sleep=vtime.sleep)
        limits = RateLimits(
            global_rate=rate,
            private_rate=100.0,
            private_burst=100.0,
            strict_window=True,
            arrival_jitter=jitter,
        )
        self.limiter = RateLimiter(limits, clock=lambda: vtime.elapsed)
        self.refused = 0

    async def send(self, message: OutboundMessage) -> SentMessage:
        verdict = self.limiter.check(1, str(message.chat_id), False)
        if not verdict.allowed:
            self.refused += 1
            raise RateLimited(verdict.retry_after)
        return await super().send(message)


async def test_a_strict_server_never_answers_429_at_the_configured_rate(store, vtime):
    await queue(store, vtime, *(msg(5000 + i, "hi") for i in range(200)), bulk=True)
    server = StrictServer(vtime, rate=20, jitter=0.04)

    await sender_for(store, server, vtime, global_rate=20).drain()

    assert server.refused == 0
    assert len(server.sent) == 200
    assert 200 / vtime.elapsed >= 0.9 * 20  # the margin costs at most a tenth of the rate


async def test_without_the_margin_the_strict_server_refuses_some(store, vtime):
    """The model is not toothless: sending exactly 20 a second by our clock gets 429s."""
    await queue(store, vtime, *(msg(5000 + i, "hi") for i in range(200)), bulk=True)
    server = StrictServer(vtime, rate=20, jitter=0.04)

    await sender_for(store, server, vtime, global_rate=20, window_margin=0.0).drain()

    assert server.refused > 0
    assert len(server.sent) == 200
