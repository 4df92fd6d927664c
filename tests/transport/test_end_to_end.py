"""The whole path of one update over each transport, against the sandbox: received (polling or
webhook), committed to the inbox, handled once, the reply queued, sent by the outbox sender."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from html import escape

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.domain.incoming import Incoming, InputKind
from bot.domain.outbound import OutboundMessage
from bot.ports.clock import SystemClock
from bot.ports.handling import HandleResult
from bot.ports.telegram import TelegramGateway, UpdateParser
from bot.runtime.inbox import InboxIntake, InboxWorker
from bot.runtime.polling import PollingLoop
from bot.runtime.sender import OutboxSender
from handlers.ptb.gateway import PtbGateway
from handlers.ptb.parse import PtbUpdateParser
from handlers.raw.gateway import RawGateway
from handlers.raw.parse import parse_update
from handlers.webhook import setup_webhook
from tests.fakes.memory_store import MemoryStore

TRANSPORTS: dict[str, tuple[Callable[..., TelegramGateway], UpdateParser]] = {
    "ptb": (PtbGateway, PtbUpdateParser()),
    "aiohttp": (RawGateway, parse_update),
}
HANAKO = 1001
SECRET = "e2e-secret"


class EchoCore:
    """Stands in for the core: echoes text, offers a button, answers a press."""

    def __init__(self) -> None:
        self.handled: list[int] = []

    async def __call__(self, uow, incoming: Incoming) -> HandleResult:
        self.handled.append(incoming.update_id)
        assert incoming.chat_id is not None
        clock = SystemClock()
        if incoming.kind is InputKind.BUTTON:
            data = escape(incoming.callback_data or "")
            edit = OutboundMessage(
                incoming.chat_id, f"pressed {data}", edit_message_id=incoming.message_id
            )
            await uow.outbox.add(edit, clock.now())
            return HandleResult(callback_answer="OK")
        if incoming.kind is InputKind.COMMAND:
            await uow.outbox.add(
                OutboundMessage(
                    incoming.chat_id,
                    f"command {incoming.command} [{escape(incoming.args)}]",
                    buttons=((("Yes", "answer:yes"),),),
                ),
                clock.now(),
            )
        else:
            await uow.outbox.add(
                OutboundMessage(incoming.chat_id, f"echo {escape(incoming.text)}"), clock.now()
            )
        return HandleResult()


@dataclass
class Kyodo:
    store: MemoryStore
    core: EchoCore
    gateway: TelegramGateway
    intake: InboxIntake


@pytest.fixture(params=list(TRANSPORTS))
def transport(request) -> str:
    return request.param


async def wired(sandbox, transport: str) -> tuple[Kyodo, InboxWorker, OutboxSender]:
    """The composition root in miniature: what kyodo/app.py wires for real."""
    make_gateway, parser = TRANSPORTS[transport]
    store, core, clock = MemoryStore(), EchoCore(), SystemClock()
    gateway = make_gateway(sandbox.token, sandbox.api_base_url)
    sender = OutboxSender(store.uow, gateway, clock, global_rate=30)
    worker = InboxWorker(store.uow, parser, core, gateway, clock, on_committed=sender.wake)
    intake = InboxIntake(store.uow, clock, on_stored=worker.wake)
    return Kyodo(store, core, gateway, intake), worker, sender


@pytest.fixture
async def polling_kyodo(sandbox, transport) -> AsyncIterator[Kyodo]:
    kyodo, worker, sender = await wired(sandbox, transport)
    polling = PollingLoop(kyodo.gateway, kyodo.intake, timeout=1)
    tasks = [asyncio.create_task(t.run()) for t in (polling, worker, sender)]
    yield kyodo
    sender.stop()
    for task in tasks[:2]:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await kyodo.gateway.close()


@pytest.fixture
async def webhook_kyodo(sandbox, transport) -> AsyncIterator[Kyodo]:
    kyodo, worker, sender = await wired(sandbox, transport)
    app = web.Application()
    setup_webhook(app, "/telegram/webhook", SECRET, kyodo.intake)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    await kyodo.gateway.set_webhook(str(server.make_url("/telegram/webhook")), SECRET)
    tasks = [asyncio.create_task(t.run()) for t in (worker, sender)]
    yield kyodo
    sender.stop()
    tasks[0].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await kyodo.gateway.delete_webhook()
    await server.close()
    await kyodo.gateway.close()


async def test_a_message_is_answered_through_polling(sandbox, polling_kyodo):
    sandbox.add_persona(HANAKO, "花子")

    sandbox.user_sends(HANAKO, "/start INV-7 <x>")
    [reply] = await sandbox.wait_for_messages(HANAKO, 1)

    assert reply.text == "command start [INV-7 <x>]"
    assert reply.reply_markup == {
        "inline_keyboard": [[{"text": "Yes", "callback_data": "answer:yes"}]]
    }


async def test_a_button_press_edits_and_is_answered(sandbox, polling_kyodo):
    sandbox.add_persona(HANAKO, "花子")
    sandbox.user_sends(HANAKO, "/menu")
    [menu] = await sandbox.wait_for_messages(HANAKO, 1)
    menu_id, menu_text = menu.message_id, menu.text

    sandbox.user_presses(HANAKO, menu_id, "answer:yes")
    await sandbox.wait_for_callback_answers(1)
    for _ in range(100):
        if sandbox.messages_to(HANAKO)[0].text != menu_text:
            break
        await asyncio.sleep(0.05)

    assert sandbox.callback_answers[0].get("text") == "OK"
    assert [m.text for m in sandbox.messages_to(HANAKO)] == ["pressed answer:yes"]


async def test_a_redelivered_update_is_handled_once(sandbox, polling_kyodo):
    sandbox.add_persona(HANAKO, "花子")
    update = sandbox.user_sends(HANAKO, "once")
    await sandbox.wait_for_messages(HANAKO, 1)

    sandbox.deliver_twice(update)
    sandbox.user_sends(HANAKO, "twice")
    messages = await sandbox.wait_for_messages(HANAKO, 2)

    assert [m.text for m in messages] == ["echo once", "echo twice"]
    assert polling_kyodo.core.handled.count(update["update_id"]) == 1


async def test_a_message_is_answered_through_the_webhook(sandbox, webhook_kyodo):
    sandbox.add_persona(HANAKO, "花子")

    sandbox.user_sends(HANAKO, "こんにちは & よろしく")
    [reply] = await sandbox.wait_for_messages(HANAKO, 1)

    assert reply.text == "echo こんにちは & よろしく"
    assert list(webhook_kyodo.store.state.inbox) != []


async def test_the_sender_keeps_within_telegrams_limits_so_the_sandbox_never_says_429(
    sandbox, transport
):
    make_gateway, _ = TRANSPORTS[transport]
    store, clock = MemoryStore(), SystemClock()
    gateway = make_gateway(sandbox.token, sandbox.api_base_url)
    async with store.uow() as uow:
        for i in range(3):
            await uow.outbox.add(OutboundMessage(HANAKO, f"m{i}"), clock.now())
        for chat in range(2000, 2045):
            await uow.outbox.add(OutboundMessage(chat, "broadcast"), clock.now())
        await uow.commit()
    try:
        await OutboxSender(store.uow, gateway, clock, global_rate=30).drain()
    finally:
        await gateway.close()

    assert [m.text for m in sandbox.messages_to(HANAKO)] == ["m0", "m1", "m2"]
    assert sandbox.stats["messages_sent"] == 48
    assert sandbox.stats["too_many_requests"] == 0
