"""The inbox: stored before acknowledged, handled once, in order per chat, failures parked."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.domain.incoming import Incoming, InputKind
from bot.domain.outbound import OutboundMessage
from bot.ports.handling import HandleResult
from bot.ports.telegram import TransientError
from bot.runtime.inbox import InboxIntake, InboxWorker
from handlers.raw.parse import parse_update
from tests.transport.samples import message


class RecordingHandler:
    """The core as the worker sees it: echoes text to the outbox, fails when told to."""

    def __init__(self) -> None:
        self.seen: list[Incoming] = []
        self.fail_times: dict[int, int] = {}
        self.delay = 0.0
        self.sleep = asyncio.sleep

    async def __call__(self, uow, incoming: Incoming) -> HandleResult:
        if self.delay:
            await self.sleep(self.delay)
        if self.fail_times.get(incoming.update_id, 0) > 0:
            self.fail_times[incoming.update_id] -= 1
            raise RuntimeError("the core broke")
        self.seen.append(incoming)
        if incoming.chat_id is not None:
            await uow.outbox.add(
                OutboundMessage(incoming.chat_id, f"echo {incoming.update_id}"), uow_now()
            )
        if incoming.kind is InputKind.BUTTON:
            return HandleResult(callback_answer="done")
        return HandleResult()


def uow_now():
    from datetime import UTC, datetime

    return datetime(2026, 11, 22, tzinfo=UTC)


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def wakes() -> list[str]:
    return []


def make_worker(store, handler, gateway, vtime, wakes, **kw) -> InboxWorker:
    return InboxWorker(
        store.uow,
        parse_update,
        handler,
        gateway,
        vtime,
        on_committed=lambda: wakes.append("sender"),
        sleep=vtime.sleep,
        **kw,
    )


def text_update(update_id: int, chat_id: int, text: str = "hi") -> dict:
    chat = {"id": chat_id, "type": "private"}
    sender = {"id": chat_id, "is_bot": False, "first_name": "A"}
    return message(update_id, chat=chat, sender=sender, text=text)


async def test_an_accepted_batch_is_committed_and_duplicates_are_skipped(store, vtime):
    woken: list[bool] = []
    intake = InboxIntake(store.uow, vtime, on_stored=lambda: woken.append(True))

    assert await intake.accept([text_update(1, 5), text_update(2, 5)]) == 2
    assert await intake.accept([text_update(2, 5), text_update(3, 5)]) == 1

    assert sorted(store.state.inbox) == [1, 2, 3]
    assert store.commits == 2
    assert woken == [True, True]


async def test_an_update_without_an_id_is_skipped_not_fatal(store, vtime):
    intake = InboxIntake(store.uow, vtime)

    assert await intake.accept([{"message": {}}, {"update_id": "7"}, text_update(8, 5)]) == 1

    assert list(store.state.inbox) == [8]


async def test_each_update_is_handled_once_with_its_replies_in_one_commit(
    store, handler, gateway, vtime, wakes
):
    await InboxIntake(store.uow, vtime).accept([text_update(1, 5), text_update(2, 6)])
    worker = make_worker(store, handler, gateway, vtime, wakes)

    assert await worker.run_once() == 2
    assert await worker.run_once() == 0

    assert [i.update_id for i in handler.seen] == [1, 2]
    assert all(handled is not None for _, handled in store.state.inbox.values())
    assert [r.message.text for r in store.state.outbox.values()] == ["echo 1", "echo 2"]
    assert wakes == ["sender", "sender"]


async def test_a_button_press_is_answered_after_the_commit(store, handler, gateway, vtime, wakes):
    press = {
        "update_id": 3,
        "callback_query": {
            "id": "q1",
            "from": {"id": 5, "is_bot": False, "first_name": "A"},
            "chat_instance": "c",
            "data": "ok",
            "message": {"message_id": 9, "date": 1, "chat": {"id": 5, "type": "private"}},
        },
    }
    await InboxIntake(store.uow, vtime).accept([press])

    await make_worker(store, handler, gateway, vtime, wakes).run_once()

    assert gateway.answered == [("q1", "done")]


async def test_a_failed_callback_answer_is_logged_not_fatal(
    store, handler, gateway, vtime, wakes, caplog
):
    gateway.answer_error = TransientError("down")
    press = {
        "update_id": 3,
        "callback_query": {
            "id": "q1",
            "from": {"id": 5, "is_bot": False, "first_name": "A"},
            "chat_instance": "c",
            "data": "ok",
        },
    }
    await InboxIntake(store.uow, vtime).accept([press])

    await make_worker(store, handler, gateway, vtime, wakes).run_once()

    assert store.state.inbox[3][1] is not None
    assert "answering the button press failed" in caplog.text


async def test_a_failing_handler_rolls_back_and_is_retried(store, handler, gateway, vtime, wakes):
    handler.fail_times[1] = 2
    await InboxIntake(store.uow, vtime).accept([text_update(1, 5, "private words")])

    await make_worker(store, handler, gateway, vtime, wakes, max_attempts=3).run_once()

    assert [i.update_id for i in handler.seen] == [1]
    assert len(store.state.outbox) == 1


async def test_an_update_that_always_fails_is_parked_without_its_text_in_the_log(
    store, handler, gateway, vtime, wakes, caplog
):
    caplog.set_level(logging.INFO)
    handler.fail_times[1] = 99
    await InboxIntake(store.uow, vtime).accept([text_update(1, 5, "my secret address")])
    worker = make_worker(store, handler, gateway, vtime, wakes, max_attempts=3)

    await worker.run_once()

    assert await worker.run_once() == 0  # parked: not retried forever
    assert store.state.outbox == {}
    async with store.uow() as uow:
        [parked] = await uow.inbox.parked(10)
    assert (parked.update_id, parked.reason) == (1, "RuntimeError")
    [audit] = store.state.audit
    assert (audit.action, audit.subject) == ("inbox.parked", "update:1")
    assert audit.details == {"reason": "RuntimeError", "attempts": 3}
    assert "my secret address" not in caplog.text
    assert "update 1 parked (failed attempts: 3;" in caplog.text


async def test_a_parked_update_let_go_again_is_handled_once(store, handler, gateway, vtime, wakes):
    handler.fail_times[1] = 3
    await InboxIntake(store.uow, vtime).accept([text_update(1, 5)])
    worker = make_worker(store, handler, gateway, vtime, wakes, max_attempts=3)
    await worker.run_once()

    async with store.uow() as uow:
        assert await uow.inbox.unpark(1)
        assert not await uow.inbox.unpark(1)  # once
        await uow.commit()
    assert await worker.run_once() == 1

    assert [i.update_id for i in handler.seen] == [1]
    assert [r.message.text for r in store.state.outbox.values()] == ["echo 1"]
    async with store.uow() as uow:
        assert await uow.inbox.parked(10) == []


async def test_an_update_id_from_before_the_retention_window_is_a_new_update(
    store, handler, gateway, vtime, wakes
):
    """Telegram starts update ids again at a random value after a week without updates; a new
    update whose id an old, unpruned row still holds must be heard, not taken for a repeat."""
    worker = make_worker(store, handler, gateway, vtime, wakes)
    await InboxIntake(store.uow, vtime).accept([text_update(7, 5, "last week")])
    await worker.run_once()
    await vtime.sleep(8 * 86400)  # nothing pruned meanwhile: Kyodo was down, say

    assert await InboxIntake(store.uow, vtime).accept([text_update(7, 5, "today")]) == 1
    await worker.run_once()

    assert [i.text for i in handler.seen] == ["last week", "today"]
    assert len(store.state.outbox) == 2


async def test_a_repeat_within_the_retention_window_is_still_skipped(
    store, handler, gateway, vtime, wakes
):
    worker = make_worker(store, handler, gateway, vtime, wakes)
    await InboxIntake(store.uow, vtime).accept([text_update(7, 5)])
    await worker.run_once()
    await vtime.sleep(2 * 86400)

    assert await InboxIntake(store.uow, vtime).accept([text_update(7, 5)]) == 0
    await worker.run_once()

    assert [i.update_id for i in handler.seen] == [7]


async def test_update_ids_that_go_backwards_are_said_in_the_log(store, vtime, caplog):
    caplog.set_level(logging.INFO)
    await InboxIntake(store.uow, vtime).accept([text_update(5000, 5), text_update(5001, 5)])
    await vtime.sleep(8 * 86400)
    restarted = InboxIntake(store.uow, vtime)  # a new process: it learns 5001 from the store

    await restarted.accept([text_update(3, 5)])
    await restarted.accept([text_update(4, 5)])

    backwards = [r for r in caplog.records if "went backwards" in r.getMessage()]
    assert [r.getMessage() for r in backwards] == [
        "update ids went backwards (5001 -> 3): Telegram starts them again after a week "
        "without updates; these are new updates"
    ]
    assert sorted(store.state.inbox) == [3, 4, 5000, 5001]


async def test_a_malformed_update_is_claimed_and_logged_without_content(
    store, handler, gateway, vtime, wakes, caplog
):
    bad = {
        "update_id": 4,
        "message": {"message_id": 1, "chat": {"id": 5, "type": "weird"}, "text": "my phone 090"},
    }
    await InboxIntake(store.uow, vtime).accept([bad])

    await make_worker(store, handler, gateway, vtime, wakes).run_once()

    assert handler.seen == []
    assert store.state.inbox[4][1] is not None
    assert "update 4 is malformed" in caplog.text
    assert "090" not in caplog.text


async def test_updates_of_one_chat_are_handled_in_order_while_chats_run_concurrently(
    store, handler, gateway, vtime, wakes
):
    handler.delay = 1.0
    handler.sleep = vtime.sleep
    updates = [text_update(i, 100 + i % 3) for i in range(1, 13)]
    await InboxIntake(store.uow, vtime).accept(list(reversed(updates)))
    worker = make_worker(store, handler, gateway, vtime, wakes, lanes=3)

    task = asyncio.create_task(worker.run())
    for _ in range(200):
        if len(handler.seen) == 12:
            break
        await vtime.sleep(0.5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    by_chat: dict[int, list[int]] = {}
    for incoming in handler.seen:
        by_chat.setdefault(incoming.chat_id, []).append(incoming.update_id)
    assert by_chat == {100: [3, 6, 9, 12], 101: [1, 4, 7, 10], 102: [2, 5, 8, 11]}
    assert vtime.elapsed < 12  # three lanes at once, not twelve seconds one after another


async def test_the_worker_wakes_when_the_intake_stores_something(
    store, handler, gateway, vtime, wakes
):
    worker = make_worker(store, handler, gateway, vtime, wakes, poll_interval=60.0)
    intake = InboxIntake(store.uow, vtime, on_stored=worker.wake)
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0)

    await intake.accept([text_update(1, 5)])
    for _ in range(100):
        if handler.seen:
            break
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert [i.update_id for i in handler.seen] == [1]


async def test_handled_rows_are_pruned_after_a_few_days(store, handler, gateway, vtime, wakes):
    await InboxIntake(store.uow, vtime).accept([text_update(1, 5)])
    worker = make_worker(
        store,
        handler,
        gateway,
        vtime,
        wakes,
        keep_handled=timedelta(days=3),
        prune_every=timedelta(hours=1),
        poll_interval=3600.0,
    )
    await worker.run_once()
    task = asyncio.create_task(worker.run())
    await vtime.sleep(2 * 86400)
    assert list(store.state.inbox) == [1]  # kept while young
    await vtime.sleep(86400 + 7200)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert store.state.inbox == {}


class CountingHandler:
    """A dialog of one step that counts a chat's messages in its state, as the core's
    conversation does: who writes, their state, the state put back."""

    def __init__(self) -> None:
        self.counts: list[tuple[int, int, bool]] = []

    async def __call__(self, uow, incoming: Incoming) -> HandleResult:
        from bot.domain.dialogs import DialogState

        assert incoming.chat_id is not None
        known = await uow.people.of_chat(incoming.chat_id) is not None
        state = await uow.dialogs.get("telegram", incoming.chat_id)
        count = 1 + (state.data["count"] if state is not None else 0)
        self.counts.append((incoming.chat_id, count, known))
        await uow.dialogs.put(
            "telegram", incoming.chat_id, DialogState("count", "on", {"count": count}), uow_now()
        )
        return HandleResult()


async def test_in_a_batch_each_update_sees_the_dialog_state_the_one_before_left(
    uow_factory, gateway, vtime, wakes
):
    # The worker reads who writes and their dialog states for a whole batch at once: an
    # update later in the batch must still see what an earlier one of its chat changed.
    from bot.domain.people import NewPerson

    async with uow_factory() as uow:
        await uow.people.add(NewPerson(201, "一郎", "ja", uow_now()))
        await uow.commit()
    counting = CountingHandler()
    updates = [text_update(i, 200 + i % 2) for i in range(1, 9)]
    await InboxIntake(uow_factory, vtime).accept(updates)
    worker = InboxWorker(
        uow_factory, parse_update, counting, gateway, vtime, sleep=vtime.sleep, lanes=1
    )

    task = asyncio.create_task(worker.run())
    for _ in range(200):
        if len(counting.counts) == 8:
            break
        await vtime.sleep(0.5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert counting.counts == [
        (201, 1, True),
        (200, 1, False),
        (201, 2, True),
        (200, 2, False),
        (201, 3, True),
        (200, 3, False),
        (201, 4, True),
        (200, 4, False),
    ]
