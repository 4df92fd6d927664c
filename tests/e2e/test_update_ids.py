"""Never deaf: Telegram starts update ids again at a random value after a week without updates,
and Kyodo answers the new, lower ids, over both transports, through the sandbox:
- while Kyodo keeps running (its last offset would otherwise confirm, and so drop, every new
  update below it);
- after both Kyodo and Telegram (the sandbox) start again on the same store, with lower ids
  (a log line says the ids went backwards), or with the very ids of a week before.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest

from bot.ports.clock import SystemClock
from kyodo.app import KyodoApp
from sandbox.server import SandboxServer
from tests.e2e.conftest import CONVERSATION_LIMITS
from tests.fixtures.kyodo import Person, kyodo_settings

USER = {"id": 6101, "is_bot": False, "first_name": "Ken", "language_code": "en"}


class Later:
    """The system clock, `days` ahead: Kyodo started again a week after its last update."""

    def __init__(self, days: int) -> None:
        self.delta = timedelta(days=days)

    def now(self) -> datetime:
        return SystemClock().now() + self.delta


@pytest.mark.sandbox_options(first_update_id=50_000)
async def test_ids_started_again_lower_while_kyodo_runs_are_answered(kyodo, sandbox):
    ken = Person(sandbox, USER)
    assert "Hello, Ken!" in (await ken.says("/start")).text
    # The poll that would confirm the next batch fails: Kyodo waits, then polls again.
    sandbox.faults.inject("500", method="getUpdates")
    assert "Help" in (await ken.says("/help")).text
    for _ in range(200):
        if not sandbox.faults.faults:
            break
        await asyncio.sleep(0.05)
    assert not sandbox.faults.faults

    sandbox.restart_update_ids(7)  # Telegram's new random start, far below 50,000
    answer = await ken.says("/start")

    assert "Hello, Ken!" in answer.text
    assert len(ken.messages) == 3  # and the /help batch sent again was not answered twice


@pytest.mark.parametrize(
    ("first_again", "days_later", "backwards"),
    [
        pytest.param(1_000, 0, True, id="lower-ids"),
        pytest.param(50_000, 8, False, id="the-same-ids-a-week-later"),
    ],
)
async def test_kyodo_and_telegram_started_again_with_fresh_ids_answer(
    transport, kyodo_db, caplog, first_again, days_later, backwards
):
    caplog.set_level(logging.INFO, logger="bot.runtime.inbox")
    first = SandboxServer(rate_limits=CONVERSATION_LIMITS, first_update_id=50_000)
    await first.start()
    try:
        async with KyodoApp(kyodo_settings(first, transport, kyodo_db)):
            ken = Person(first, USER)
            assert "Hello, Ken!" in (await ken.says("/start")).text
            assert "Help" in (await ken.says("/help")).text
    finally:
        await first.stop()

    again = SandboxServer(rate_limits=CONVERSATION_LIMITS, first_update_id=first_again)
    await again.start()
    try:
        settings = kyodo_settings(again, transport, kyodo_db)
        async with KyodoApp(settings, clock=Later(days_later)):
            ken = Person(again, USER)
            assert "Hello, Ken!" in (await ken.says("/start")).text
            assert "Help" in (await ken.says("/help")).text
    finally:
        await again.stop()

    said = [r.getMessage() for r in caplog.records if "went backwards" in r.getMessage()]
    assert said == (
        [
            "update ids went backwards (50001 -> 1000): Telegram starts them again after a "
            "week without updates; these are new updates"
        ]
        if backwards
        else []
    )
