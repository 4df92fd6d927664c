"""A broadcast to 2,000 members through the sandbox, with faults, killed and restarted midway.

Kyodo runs as a real `kyodo run` process against the sandbox, which holds Telegram's flood limits
at the configured rate (300/s here, to keep the test short). The coordinator composes the
broadcast in the chat as a person would. 5% of the members blocked the bot; the sandbox answers
some sends with 429 (flood wait) and 500. Midway the process is SIGKILLed and started again on
the same database. Then: every reachable member got the message, at most the messages in flight
at the kill twice (counted); nobody was queued twice; the blocked members are named in the
coordinator's summary; and no flood limit was hit.

Whether a request came inside a 429's retry_after is a timing property, flaky on a loaded
machine: `bench/broadcast.py` checks it (its "too early" column and retry_after check row).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot.config import load_settings
from kyodo.app import open_store
from sandbox.ratelimit import RateLimits
from storage.migrate import upgrade
from storage.models import (
    BroadcastDeliveryRow,
    BroadcastRow,
    OutboxRow,
    PersonRoleRow,
    PersonRow,
)
from tests.e2e.processes import start_kyodo, wait_until
from tests.fixtures.held import send_now_window_over

MEMBERS = 2000
RATE = 300  # messages per second Kyodo allows itself (the sandbox allows the same)
FIRST = 7_000_000  # the members' Telegram ids
COORDINATOR = {"id": 1001, "is_bot": False, "first_name": "Hanako", "language_code": "ja"}
BLOCKED = {FIRST + i for i in range(0, MEMBERS, 20)}  # 5%


async def populate(url: str) -> None:
    await upgrade(url)
    settings = load_settings({"DATABASE_URL": url})
    now = datetime.now(UTC)
    async with open_store(settings) as store, store.engine.begin() as conn:
        await conn.execute(
            insert(PersonRow),
            [
                {
                    "id": 1,
                    "telegram_user_id": COORDINATOR["id"],
                    "display_name": "佐藤 花子",
                    "locale": "ja",
                    "unreachable": False,
                    "created_at": now,
                }
            ]
            + [
                {
                    "id": 2 + i,
                    "telegram_user_id": FIRST + i,
                    "display_name": f"Member {i}",
                    "locale": "en" if i % 4 == 0 else "ja",
                    "unreachable": False,
                    "created_at": now,
                }
                for i in range(MEMBERS)
            ],
        )
        await conn.execute(
            insert(PersonRoleRow),
            # The coordinator addresses every member: staff with the whole co-op's scope.
            [{"person_id": 1, "role": "staff"}, {"person_id": 1, "role": "coordinator"}]
            + [{"person_id": 2 + i, "role": "member"} for i in range(MEMBERS)],
        )


def start_on_sqlite(sandbox, db: Path, log: Path):
    return start_kyodo(
        sandbox,
        log,
        KYODO_TRANSPORT="aiohttp",
        DATABASE_URL=f"sqlite+aiosqlite:///{db}",
        KYODO_GLOBAL_RATE=str(RATE),
        KYODO_OUTBOX_LEASE="5",  # a killed sender's rows go out again 5 s later
    )


def offers(sandbox, data: str, since: int = 0) -> bool:
    messages = sandbox.messages_to(COORDINATOR["id"])[since:]
    return any(b["callback_data"] == data for m in messages for b in m.buttons)


async def compose_and_send(sandbox, url: str) -> None:
    """The coordinator's taps and texts: /broadcast, all members, notice, ja, en, send now."""

    def last():
        return sandbox.messages_to(COORDINATOR["id"])[-1]

    async def press(data: str, then_offers: str) -> None:
        sandbox.user_presses(COORDINATOR, last().message_id, data)
        await wait_until(lambda: offers(sandbox, then_offers), 30, f"the answer to {data}")

    sandbox.user_sends(COORDINATOR, "/broadcast")
    await wait_until(lambda: offers(sandbox, "bc:a:members"), 30, "the audience question")
    await press("bc:a:members", "bc:k:notice")
    await press("bc:k:notice", "bc:skip")
    before = len(sandbox.messages_to(COORDINATOR["id"]))
    sandbox.user_sends(COORDINATOR, "明日の総会は10時からです。")
    await wait_until(
        lambda: len(sandbox.messages_to(COORDINATOR["id"])) > before, 30, "the English question"
    )
    before = len(sandbox.messages_to(COORDINATOR["id"]))
    sandbox.user_sends(COORDINATOR, "The general assembly starts at 10:00 tomorrow.")
    await wait_until(lambda: offers(sandbox, "bc:now", before), 30, "the preview")
    preview = sandbox.messages_to(COORDINATOR["id"])[before:]
    assert "2,000 人に届きます" in preview[0].text
    sandbox.user_presses(COORDINATOR, last().message_id, "bc:now")
    # Sending starts once the few minutes to undo it are over: here, at once.
    await wait_until(lambda: undo_offered(sandbox), 30, "the answer with Undo")
    await send_now_window_over(url)


def undo_offered(sandbox) -> bool:
    messages = sandbox.messages_to(COORDINATOR["id"])
    return any(b["callback_data"].startswith("cf:undo") for m in messages for b in m.buttons)


@pytest.mark.slow
@pytest.mark.sandbox_options(
    rate_limits=RateLimits(global_rate=RATE, global_burst=RATE), reference=False
)
async def test_a_broadcast_to_2000_survives_faults_and_a_kill_and_reaches_everyone_once(
    sandbox, tmp_path
):
    db, log = tmp_path / "kyodo.db", tmp_path / "kyodo.log"
    url = f"sqlite+aiosqlite:///{db}"
    await populate(url)
    for user_id in BLOCKED:
        sandbox.block_user(user_id)
    members = range(FIRST, FIRST + MEMBERS)
    arrived: Counter[int] = Counter()

    def on_message(message) -> None:
        if FIRST <= int(message.chat_id) < FIRST + MEMBERS:
            arrived[int(message.chat_id)] += 1

    sandbox.bot().listeners.append(on_message)
    kyodo = start_on_sqlite(sandbox, db, log)
    try:
        await compose_and_send(sandbox, url)
        await wait_until(lambda: len(arrived) >= 200, 60, "the first messages")
        sandbox.inject_fault("429", method="sendMessage", retry_after=1)
        await wait_until(lambda: len(arrived) >= 400, 60, "sending after the 429")
        sandbox.inject_fault("500", method="sendMessage", count=20)
        await wait_until(lambda: len(arrived) >= 700, 60, "sending after the 500s")
        kyodo.send_signal(signal.SIGKILL)
        kyodo.wait(timeout=10)
        killed_at = len(arrived)
        kyodo = start_on_sqlite(sandbox, db, log)
        sandbox.inject_fault("429", method="sendMessage", retry_after=2)
        reachable = [m for m in members if m not in BLOCKED]
        await wait_until(
            lambda: all(arrived[m] for m in reachable), 90, "a message to every reachable member"
        )
        await wait_until(
            lambda: any("届かなかった人" in m.text for m in sandbox.messages_to(1001)),
            30,
            "the coordinator's summary",
        )
        await asyncio.sleep(1)  # anything sent twice would arrive now
    finally:
        kyodo.send_signal(signal.SIGTERM)
        try:
            kyodo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kyodo.kill()
            raise

    assert kyodo.returncode == 0, log.read_text()
    assert 0 < killed_at < len(reachable)
    # Nobody blocked got it; every reachable member got it, at most the in-flight ones twice.
    assert not BLOCKED & set(arrived)
    twice = [m for m, n in arrived.items() if n > 1]
    print(f"delivered before the kill: {killed_at}; delivered twice: {len(twice)}")
    assert max(arrived.values()) <= 2
    assert len(twice) <= RATE // 10  # the sender's in-flight bound: a tenth of a second
    # The 429s were answered (retried, not given up on) and no flood limit was hit. Nothing
    # coming inside a retry_after is bench/broadcast.py's check (timing: flaky here).
    print(f"requests inside a retry_after: {sandbox.stats['sent_too_early']}")
    assert sandbox.stats["rate_limited"] == 0
    assert sandbox.stats["too_many_requests"] >= 2
    # The summary names every member who could not be reached, so staff can phone them.
    # The progress message was edited in place, and ends showing the broadcast finished.
    progress = [m for m in sandbox.messages_to(1001) if m.text.startswith("📢 一斉連絡 #1")]
    assert len(progress) == 1 and progress[0].history
    assert "（完了）" in progress[0].text and "残り：0" in progress[0].text
    summary = next(m for m in sandbox.messages_to(1001) if "届かなかった人" in m.text)
    assert "送信 1,900 件、届かなかった人 100 人" in summary.text
    for user_id in BLOCKED:
        assert f"Member {user_id - FIRST} (#" in summary.text
    settings = load_settings({"DATABASE_URL": url})
    async with open_store(settings) as store, store.engine.connect() as conn:
        status = await conn.scalar(select(BroadcastRow.status))
        deliveries = await conn.scalar(select(func.count()).select_from(BroadcastDeliveryRow))
        queued = Counter((await conn.scalars(select(OutboxRow.chat_id))).all())
    assert status == "done"
    assert deliveries == MEMBERS
    assert all(queued[m] == 1 for m in members)  # queued exactly once, whatever the kill did
