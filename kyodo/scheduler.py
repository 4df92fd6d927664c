"""The clock's door into Kyodo: APScheduler 3 in the co-op's time zone, on one replica only.

Every replica runs a `LeaderScheduler`; it keeps trying the leader lock (bot.ports.scheduling),
and only the replica holding it runs an `AsyncIOScheduler`. Its jobs do no sending themselves:
every few seconds a tick plans the coming digests and shift reminders, fans out what is due
(bot.services.reminders, whose events the store's consequences render into the outbox) and
starts due scheduled broadcasts; daily jobs (the personal-data purge)
run at their hour. The SQL store is the source of truth, not APScheduler's memory, so a restart
or a new leader continues where the old one stopped, and a send that two leaders run in the same
moment still goes to each person once (unique keys, outbox dedupe keys).

Outside the core on purpose: the core may not import apscheduler.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.ports.clock import Clock
from bot.ports.line import LineQuota
from bot.ports.scheduling import LeaderLock
from bot.ports.store import UnitOfWorkFactory
from bot.runtime.wakeup import Wakeup
from bot.services.reminders import ReminderRunner, ReminderSettings

log = logging.getLogger(__name__)
# APScheduler logs every run of every job at INFO: with the tick every few seconds those lines
# would bury everything else in the log. Its warnings and errors (a missed or failed job) stay.
logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)

TickHook = Callable[[datetime], Awaitable[object]]
PURGE_HOUR, PURGE_MINUTE = 3, 30  # in the co-op's zone


@dataclass(frozen=True)
class DailyJob:
    """A job run once a day at `hour`:`minute` in the co-op's zone (on the leader)."""

    name: str
    hour: int
    minute: int
    run: TickHook


class LeaderScheduler:
    def __init__(
        self,
        runner: ReminderRunner,
        leader: LeaderLock,
        clock: Clock,
        tz: ZoneInfo,
        *,
        tick: float = 10.0,
        check_every: float = 2.0,
        tick_hooks: Sequence[tuple[str, TickHook]] = (),
        daily: Sequence[DailyJob] = (),
    ) -> None:
        self.runner = runner
        self.leader = leader
        self.clock = clock
        self.tz = tz
        self.tick = tick
        self.check_every = check_every
        self._hooks = tuple(tick_hooks)
        self._daily = tuple(daily)
        self._scheduler: AsyncIOScheduler | None = None
        self._stopping = False
        self._wakeup = Wakeup()  # set by stop(): the wait between checks ends at once
        self._running: set[asyncio.Task[Any]] = set()  # job runs in progress (APScheduler's)

    @property
    def is_leader(self) -> bool:
        return self._scheduler is not None

    async def run(self) -> None:
        """Until stopped: try to lead; while leading, check every few seconds that we still do."""
        try:
            while not self._stopping:
                if self._scheduler is None:
                    if await self._try_acquire():
                        self._lead()
                elif not await self._still_held():
                    self._step_down("the leader lock was lost")
                await self._wakeup.wait(self.check_every)
        finally:
            self._step_down("Kyodo is stopping")
            await self._finish_running()
            with suppress(Exception):
                await self.leader.release()

    async def _finish_running(self, grace: float = 10.0) -> None:
        """Lets job runs in progress end before the store is closed under them.

        APScheduler's shutdown does not wait for coroutine jobs; a tick left running while the
        engine is disposed and the loop closes hung in aiosqlite's terminate (a 300 s teardown
        timeout in the suite). A run is short: it gets `grace` seconds, then is cancelled.
        """
        running = {task for task in self._running if not task.done()}
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.gather(*late, return_exceptions=True)

    @contextmanager
    def _run_tracked(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._running.discard(task)

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    async def _try_acquire(self) -> bool:
        try:
            return await self.leader.acquire()
        except Exception as error:  # a broken lock must not take the bot down; retry later
            log.warning("scheduler: could not try the leader lock (%s)", type(error).__name__)
            return False

    async def _still_held(self) -> bool:
        try:
            return await self.leader.held()
        except Exception as error:
            log.warning("scheduler: could not check the leader lock (%s)", type(error).__name__)
            return False

    def _lead(self) -> None:
        scheduler = AsyncIOScheduler(
            event_loop=asyncio.get_running_loop(),
            timezone=self.tz,
            # One run at a time per job; runs missed while busy collapse into one.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=self.tick, timezone=self.tz),
            id="tick",
            next_run_time=datetime.now(self.tz),
        )
        for job in self._daily:
            scheduler.add_job(
                self._daily_job,
                CronTrigger(hour=job.hour, minute=job.minute, timezone=self.tz),
                args=(job,),
                id=f"daily:{job.name}",
            )
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler: this process (pid %d) leads and runs the scheduler", os.getpid())

    def _step_down(self, why: str) -> None:
        if self._scheduler is None:
            return
        scheduler, self._scheduler = self._scheduler, None
        with suppress(Exception):
            scheduler.shutdown(wait=False)
        log.info("scheduler: this process (pid %d) stopped leading: %s", os.getpid(), why)

    async def _tick(self) -> None:
        with self._run_tracked():
            await self._tick_once()

    async def _tick_once(self) -> None:
        now = self.clock.now()
        try:
            await self.runner.plan_recurring(now)
            report = await self.runner.run_due(now)
            if report.outcomes:
                log.info("scheduler: messages queued: %d", report.queued)
        except Exception as error:
            # The error's name only: its text could carry personal data from a query.
            log.error("scheduler: the reminder run failed (%s); next tick", type(error).__name__)
        for name, hook in self._hooks:
            try:
                await hook(now)
            except Exception as error:
                log.error("scheduler: %s failed (%s); next tick", name, type(error).__name__)

    async def _daily_job(self, job: DailyJob) -> None:
        with self._run_tracked():
            await self._daily_once(job)

    async def _daily_once(self, job: DailyJob) -> None:
        try:
            await job.run(self.clock.now())
            log.info("scheduler: daily job %s done", job.name)
        except Exception as error:
            log.error("scheduler: daily job %s failed (%s)", job.name, type(error).__name__)

    async def tick_now(self) -> None:
        """One tick at once (tests, and `kyodo` commands that want due sends out now)."""
        await self._tick()


def make_scheduler(
    settings: Settings,
    uow: UnitOfWorkFactory,
    clock: Clock,
    wake_sender: Callable[[], None],
    *,
    line_quota: LineQuota | None = None,
) -> LeaderScheduler:
    """The scheduler of one Kyodo process, wired to its store and sender.

    `uow` must be the units of a store whose consequences are wired (`store.publish`): the
    reminders and broadcasts the jobs start are recorded as events, rendered at commit.
    """
    from bot.services.broadcasts import start_due_broadcasts
    from bot.services.personal_data import purge_expired
    from storage.leader import leader_lock

    runner = ReminderRunner(
        uow,
        ReminderSettings(
            tz=settings.tz,
            shift_hour=settings.shift_reminder_hour,
            worked_hour=settings.worked_reminder_hour,
            digest_hour=settings.digest_hour,
        ),
        on_queued=wake_sender,
    )

    async def start_broadcasts(now: datetime) -> None:
        # LINE's quota: a due broadcast's LINE cost is checked again (bot/services/broadcasts.py).
        if await start_due_broadcasts(uow, now, line_quota):
            wake_sender()

    async def purge(now: datetime) -> None:
        await purge_expired(
            uow,
            now,
            timedelta(days=settings.retention_days),
            outbox_keep=timedelta(days=settings.outbox_keep_days),
        )

    return LeaderScheduler(
        runner,
        leader_lock(settings.database_url),
        clock,
        settings.tz,
        tick=settings.scheduler_tick,
        tick_hooks=(("scheduled broadcasts", start_broadcasts),),
        # The retention purge at night, when nobody is waiting on the store. A night missed
        # (the bot down) is caught up the next night: the purge takes everything past retention.
        daily=(DailyJob("personal data purge", PURGE_HOUR, PURGE_MINUTE, purge),),
    )
