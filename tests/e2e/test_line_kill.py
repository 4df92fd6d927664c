"""Nothing lost, nothing twice over LINE: SIGKILL a real Kyodo while 500 LINE events flow.

Like tests/e2e/test_kill.py, over LINE's door: the sandbox's LINE stand-in posts 500 signed
events from 100 people (five `/help` each) to a `kyodo run` process's `/line/webhook`; the test
kills the process with SIGKILL midway and starts it again on the same database and port. LINE
redelivers what got no 200 (the stand-in does, with backoff), the inbox deduplicates by
`webhookEventId`, and each answer goes out once: a reply's claim on its token is committed
before it is sent, and a push carries the outbox row's `X-Line-Retry-Key`, so a repeat after the
kill answers 409 and is not delivered. Unlike Telegram, LINE gives the bot what it needs for
exactly once, so the bound here is 0 (test_kill.py allows 3).

The stand-in knows what each person received: every person holds exactly five answers.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import load_settings
from kyodo.app import open_store
from sandbox.server import SandboxServer
from storage.models import InboxRow, OutboxRow
from tests.e2e.processes import start_kyodo, wait_until

PEOPLE = 100
EACH = 5  # events per person
EVENTS = PEOPLE * EACH


def free_port() -> int:
    """A port for Kyodo's web server that stays the same across the restart (LINE's webhook URL
    does not change when a bot restarts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def listening(line) -> None:
    """Waits until Kyodo's webhook answers LINE's connection check (its web server is up)."""
    for _ in range(600):
        if await line.post_connection_check() == "200":
            return
        await asyncio.sleep(0.05)
    raise AssertionError("Kyodo's LINE webhook never answered")


def start_with_line(sandbox: SandboxServer, db: Path, log: Path, port: int):
    return start_kyodo(
        sandbox,
        log,
        DATABASE_URL=f"sqlite+aiosqlite:///{db}",
        KYODO_WEB_HOST="127.0.0.1",
        KYODO_WEB_PORT=str(port),
        LINE_CHANNEL_SECRET=sandbox.line.channel_secret,
        LINE_CHANNEL_ACCESS_TOKEN=sandbox.line.access_token,
        LINE_API_BASE_URL=sandbox.line.api_base_url,
        # The killed sender's claimed rows go out again 5 s later, well within a reply token's
        # minute, not 30 s (the default).
        KYODO_OUTBOX_LEASE="5",
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "answered_by",
    ["reply", "push"],
)
async def test_sigkill_during_500_line_events_loses_none_and_delivers_none_twice(
    sandbox, tmp_path, answered_by
):
    """`reply`: the events arrive while Kyodo works and each is answered with its reply token.
    `push`: LINE held the events back past their tokens' minute (no webhook URL, the stand-in's
    clock moved on), so every answer is a push with its row's retry key, and the pushes in
    flight at the kill go again with the same key (LINE answers 409, delivers nothing).

    The push variant once stalled at 499 answers: LINE's clock ran a minute ahead of Kyodo's,
    so Kyodo counted on the expired tokens; the kill fell between a reply's claim and LINE's
    refusal, and the retry's refused reply looked like one that had arrived (marked sent,
    never delivered). Kyodo now counts a token's minute on LINE's clock (`Date` of LINE's
    answers): no expired token is claimed, whatever the clocks say."""
    db, log = tmp_path / "kyodo.db", tmp_path / "kyodo.log"
    line = sandbox.line
    line.quota.limit = None  # pushes after the kill are this test's point, not the plan's quota
    people = [line.add_person(f"P{i}", "en").user_id for i in range(PEOPLE)]
    port = free_port()

    def answered() -> int:
        return sum(len(line.received(user_id)) for user_id in people)

    kyodo = start_with_line(sandbox, db, log, port)
    killed_at = -1
    try:
        line.webhook_url = f"http://127.0.0.1:{port}/line/webhook"
        await listening(line)
        if answered_by == "push":
            line.webhook_url = None
        # Events keep coming while Kyodo works: 50 at a time, from 50 people at once.
        for round_ in range(EACH * 2):
            for user_id in people[(round_ % 2) * 50 : (round_ % 2) * 50 + 50]:
                line.sends_text(user_id, "/help")
            if answered_by == "push" and round_ == EACH * 2 - 1:
                line.clock.advance(61)  # every reply token has expired
                line.webhook_url = f"http://127.0.0.1:{port}/line/webhook"
            await asyncio.sleep(0.1)
            if round_ == (4 if answered_by == "reply" else EACH * 2 - 1):
                await wait_until(lambda: answered() >= 120, 90, "the first answers")
                kyodo.send_signal(signal.SIGKILL)
                kyodo.wait(timeout=10)
                killed_at = answered()
                kyodo = start_with_line(sandbox, db, log, port)
        await wait_until(lambda: answered() >= EVENTS, 180, "an answer to every event")
        await wait_until(
            lambda: all(r.status != "pending" for r in line.events), 60, "LINE's webhooks done"
        )
        await asyncio.sleep(1)  # anything sent twice would arrive now
    finally:
        kyodo.send_signal(signal.SIGTERM)
        try:
            kyodo.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kyodo.kill()
            raise

    assert kyodo.returncode == 0, log.read_text()
    assert 0 < killed_at < EVENTS
    assert len(line.events) == EVENTS
    assert Counter(r.status for r in line.events) == {"delivered": EVENTS}
    settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{db}"})
    async with open_store(settings) as store, store.engine.connect() as conn:
        inbox = await conn.scalar(select(func.count()).select_from(InboxRow))
        unhandled = await conn.scalar(
            select(func.count()).select_from(InboxRow).where(InboxRow.handled_at.is_(None))
        )
        statuses = Counter((await conn.scalars(select(OutboxRow.status))).all())
    assert inbox == EVENTS  # a redelivered event is the same row
    assert unhandled == 0
    assert statuses == {"sent": EVENTS}  # one answer queued per event, each delivered
    # What people saw: five answers each, the help text every time; none lost, none twice.
    for user_id in people:
        texts = [entry.text or "" for entry in line.received(user_id)]
        assert len(texts) == EACH, (user_id, texts)
        assert all(text.startswith("Help") for text in texts), texts
    pushes = line.calls_of("pushMessage")
    repeats = sum(1 for call in pushes if call.status == 409)
    redelivered = sum(1 for r in line.events if r.redelivery)
    assert redelivered < EVENTS
    if answered_by == "reply":
        assert redelivered > 0  # the kill cut some posts off, and only some
    print(
        f"answers before the kill: {killed_at}; events redelivered by LINE: {redelivered}; "
        f"via reply: {sum(1 for u in people for e in line.received(u) if e.via == 'reply')}; "
        f"via push: {sum(1 for u in people for e in line.received(u) if e.via == 'push')}; "
        f"pushes repeated and refused (409): {repeats}; delivered twice: 0"
    )
    assert line.stats.get("rate_limited", 0) == 0
    vias = {entry.via for user_id in people for entry in line.received(user_id)}
    # Every push carries its row's retry key, whichever variant: on a slow machine some of the
    # reply variant's tokens run out before their answer (a minute), and those go as pushes.
    assert all(call.retry_key for call in pushes)
    if answered_by == "push":
        assert vias == {"push"}
        assert sum(1 for call in pushes if call.status == 200) == EVENTS
    else:
        assert "reply" in vias
