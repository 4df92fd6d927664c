"""Electing the one replica that runs the scheduler, and the scheduler following the election.

The lock tests run against a real PostgreSQL server: of two processes' locks only one is held; when
the holder's connection dies (as when its process is killed) the other takes over; a leader whose
connection was cut notices and stops leading. On SQLite there is one process, always the leader.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.reminders import RunReport
from kyodo.scheduler import LeaderScheduler
from storage.leader import AlwaysLeader, PostgresLeaderLock, leader_lock

pytestmark = pytest.mark.postgres


async def test_one_of_two_replicas_holds_the_lock_and_the_other_takes_over_when_it_dies(
    postgres_url,
):
    first, second = PostgresLeaderLock(postgres_url), PostgresLeaderLock(postgres_url)
    try:
        assert await first.acquire() is True
        assert await second.acquire() is False
        assert await first.held() is True
        assert await second.held() is False
        assert await first.acquire() is True  # asking again while leading changes nothing
        # The leader's process dies: its connection goes without a goodbye, and the server
        # frees the lock as soon as it notices.
        first._connection.terminate()
        assert await first.held() is False
        await eventually(second.acquire, "the second to take the lock")
        assert await first.acquire() is False
    finally:
        await first.release()
        await second.release()


async def test_a_leader_that_releases_lets_another_lead_at_once(postgres_url):
    first, second = PostgresLeaderLock(postgres_url), PostgresLeaderLock(postgres_url)
    try:
        assert await first.acquire()
        await first.release()
        assert await second.acquire()
    finally:
        await second.release()


async def test_a_leader_cut_off_from_the_server_stops_leading(postgres_url, postgres_server):
    lock = PostgresLeaderLock(postgres_url)
    try:
        assert await lock.acquire()
        # A silent leader (its machine gone) is dropped by the server within seconds too.
        assert await lock._connection.fetchval("SHOW tcp_keepalives_idle") == "5"
        pid = await lock._connection.fetchval("SELECT pg_backend_pid()")
        admin = await postgres_server.admin()
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        assert await lock.held() is False
        await eventually(lock.acquire, "leading again on a new connection")
    finally:
        await lock.release()


async def eventually(attempt, what: str, timeout: float = 10.0) -> None:
    """Tries every 50 ms, as replicas do every few seconds, until `attempt()` is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await attempt():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def test_sqlite_has_one_process_which_always_leads(tmp_path):
    assert isinstance(leader_lock(f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"), AlwaysLeader)


class CountingRunner:
    """Stands in for ReminderRunner: counts the scheduler's ticks."""

    def __init__(self) -> None:
        self.ticks = 0

    async def plan_recurring(self, now: datetime) -> int:
        return 0

    async def run_due(self, now: datetime) -> RunReport:
        self.ticks += 1
        return RunReport()


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


async def wait_for(condition, what: str, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def test_only_the_leader_runs_the_scheduler_and_the_other_takes_over(postgres_url):
    runners = [CountingRunner(), CountingRunner()]
    schedulers = [
        LeaderScheduler(
            runner,  # type: ignore[arg-type]
            PostgresLeaderLock(postgres_url),
            Clock(),
            ZoneInfo("Asia/Tokyo"),
            tick=0.05,
            check_every=0.1,
        )
        for runner in runners
    ]
    tasks = [asyncio.create_task(s.run()) for s in schedulers]
    try:
        await wait_for(lambda: any(s.is_leader for s in schedulers), "a leader")
        leader = next(i for i, s in enumerate(schedulers) if s.is_leader)
        other = 1 - leader
        await wait_for(lambda: runners[leader].ticks >= 3, "the leader's ticks")
        assert not schedulers[other].is_leader
        assert runners[other].ticks == 0
        # The leader dies: its connection goes without a goodbye, and it runs no more.
        schedulers[leader].leader._connection.terminate()  # type: ignore[attr-defined]
        tasks[leader].cancel()
        await wait_for(lambda: schedulers[other].is_leader, "the other to take over")
        await wait_for(lambda: runners[other].ticks >= 3, "the new leader's ticks")
        assert not schedulers[leader].is_leader
    finally:
        for s in schedulers:
            s.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
