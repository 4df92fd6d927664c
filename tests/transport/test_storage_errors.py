"""Storage errors under the real core: every update is answered once the store works again,
counted once against the flood limit however often it was tried, and one that keeps failing is
parked where staff see it, never marked handled in silence."""

from __future__ import annotations

import logging

from bot.dialogs.engine import DialogSettings
from bot.rendering import Renderer
from bot.runtime.inbox import InboxIntake, InboxWorker
from handlers.raw.parse import parse_update
from tests.fixtures.core import conversation_on
from tests.transport.samples import command


class DiskFullAtFirst:
    """The store as the worker sees it while the disk fills and is freed: of every
    `period` commits, all but the last fail (with `max_attempts=period`, each update
    succeeds on its last attempt)."""

    def __init__(self, store, period: int) -> None:
        self.store = store
        self.period = period
        self.commits = 0

    def uow(self):
        uow = self.store.uow()
        real_commit = uow.commit

        async def commit() -> None:
            self.commits += 1
            if self.commits % self.period:
                raise OSError(28, "No space left on device")
            await real_commit()

        uow.commit = commit
        return uow


SETTINGS = DialogSettings(
    bot_username="kyodo_test_bot", invite_ttl_hours=72, max_text_length=1000, default_locale="en"
)
STRANGER = {"id": 4242, "is_bot": False, "first_name": "Tom", "language_code": "en"}
CHAT = {"id": 4242, "type": "private", "first_name": "Tom"}


async def test_retries_of_one_update_count_once_against_the_flood_limit(
    store, gateway, vtime, i18n, caplog
):
    """With the disk full, 4 of 800 updates were marked handled with no reply: the flood guard
    counted every retry of the same update and dropped it past 20 in 10 seconds."""
    caplog.set_level(logging.INFO)
    conversation = conversation_on(store, Renderer(i18n), SETTINGS, vtime)
    flaky = DiskFullAtFirst(store, period=3)
    worker = InboxWorker(
        flaky.uow, parse_update, conversation, gateway, vtime, max_attempts=3, sleep=vtime.sleep
    )
    updates = [
        command(n, "/help", 5, chat=CHAT, sender=STRANGER) for n in range(1, 11)
    ]  # ten in about six seconds: well within 20 in 10 s
    await InboxIntake(store.uow, vtime).accept(updates)

    assert await worker.run_once() == 10

    replies = [r.message.text for r in store.state.outbox.values()]
    assert len(replies) == 10
    assert all("Help" in text for text in replies), replies
    assert vtime.elapsed < 10
    assert not [a for a in store.state.audit if a.action == "inbox.parked"]


async def test_a_real_flood_is_still_warned_once_and_said_in_the_log(
    store, gateway, vtime, i18n, caplog
):
    conversation = conversation_on(store, Renderer(i18n), SETTINGS, vtime)
    worker = InboxWorker(store.uow, parse_update, conversation, gateway, vtime, sleep=vtime.sleep)
    updates = [command(n, "/help", 5, chat=CHAT, sender=STRANGER) for n in range(1, 26)]
    await InboxIntake(store.uow, vtime).accept(updates)

    assert await worker.run_once() == 25

    replies = [r.message.text for r in store.state.outbox.values()]
    assert len(replies) == 21
    assert sum("Help" in text for text in replies) == 20
    assert "update 21: a flood from one person (updates: over 20 in 10s)" in caplog.text
