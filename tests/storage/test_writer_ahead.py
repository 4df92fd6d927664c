"""SQLite has one writer: the sender's sent marks go ahead of the units waiting for it.

Until a mark is committed, a kill would send its message again; a mark that queued behind the
inbox worker's long transactions left hundreds of messages unmarked (tests/e2e/test_kill.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage.database import create_engine
from storage.migrate import upgrade
from storage.uow import SqlStore


async def test_a_unit_ahead_gets_the_writer_before_those_already_waiting(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    await upgrade(url)
    engine = create_engine(url)
    store = SqlStore(engine)
    order: list[str] = []
    holding, release = asyncio.Event(), asyncio.Event()

    async def unit(name: str, ahead: bool = False) -> None:
        async with store.uow_ahead() if ahead else store.uow() as uow:
            order.append(name)
            if name == "long":
                holding.set()
                await release.wait()
            await uow.commit()

    try:
        long = asyncio.create_task(unit("long"))
        await holding.wait()
        waiting = [asyncio.create_task(unit(f"worker {i}")) for i in range(2)]
        for _ in range(5):
            await asyncio.sleep(0)
        marks = asyncio.create_task(unit("marks", ahead=True))
        for _ in range(5):
            await asyncio.sleep(0)
        release.set()
        await asyncio.gather(long, marks, *waiting)
    finally:
        await engine.dispose()
    assert order == ["long", "marks", "worker 0", "worker 1"]


async def test_a_unit_ahead_that_gives_up_waiting_passes_nothing_on(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    await upgrade(url)
    engine = create_engine(url)
    store = SqlStore(engine)
    try:
        async with store.uow() as held:
            gave_up = asyncio.create_task(store.uow_ahead().__aenter__())
            for _ in range(5):
                await asyncio.sleep(0)
            gave_up.cancel()
            await asyncio.gather(gave_up, return_exceptions=True)
            await held.commit()
        async with store.uow() as after:  # the writer is free again
            await after.commit()
    finally:
        await engine.dispose()
