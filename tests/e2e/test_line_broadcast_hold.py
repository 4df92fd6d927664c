"""End to end over LINE, through the stand-in: a scheduled broadcast whose time comes when
LINE's month no longer has the messages it costs is held by the running Kyodo (its broadcast
pump and scheduler are given LINE's quota), not sent to anyone, and the coordinator hears of
it in Telegram, in their language, with Resume and Cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.broadcasts import Audience, AudienceKind, BroadcastKind, BroadcastStatus, Draft
from bot.domain.people import Actor, NewPerson, Role
from bot.ports.clock import SystemClock
from bot.services import broadcasts as service
from kyodo.app import KyodoApp, open_store
from sandbox.server import SandboxServer
from tests.fixtures.kyodo import load
from tests.fixtures.line_kyodo import kyodo_with_line

HANAKO = 1001  # the demo's staff coordinator, on Telegram
DRAFT = Draft(Audience(AudienceKind.MEMBERS), BroadcastKind.NOTICE, "総会のお知らせ", "Assembly")


@pytest.fixture
async def kyodo(sandbox: SandboxServer, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    async with kyodo_with_line(sandbox, kyodo_db) as app:
        yield app


async def test_a_due_broadcast_past_the_months_line_messages_is_held(kyodo, sandbox, person):
    await load(kyodo)
    hanako = person(HANAKO, "花子", "ja")
    await hanako.says("/start")
    users = [sandbox.line.add_person(f"L{n}", "ja").user_id for n in range(3)]
    now = SystemClock().now()
    async with open_store(kyodo.settings) as store, store.uow() as uow:
        for number, user in enumerate(users):
            chat_id = await uow.line.chat_for(user)
            await uow.people.add(
                NewPerson(chat_id, f"L{number}", "ja", now, "ja", frozenset({Role.MEMBER}))
            )
        staff = await uow.people.by_telegram_id(HANAKO)
        assert staff is not None
        broadcast = await service.create(
            uow,
            Actor(staff.id, staff.roles, "ja"),
            DRAFT,
            now=now - timedelta(minutes=5),
            send_at=now - timedelta(minutes=1),  # due: the pump's next step starts it
            coordinator_chat_id=HANAKO,
        )
        sandbox.line.quota.spend(199)  # one of the plan's 200 left; it costs three
        await uow.commit()
    told = await sandbox.wait_for_text(HANAKO, "今月の LINE メッセージの残りが足りないため", 15)
    assert f"一斉連絡 #{broadcast.id}" in (told.text or "")
    assert [b["text"] for b in told.buttons] == ["▶️ 再開", "✖️ 中止"]
    async with open_store(kyodo.settings) as store, store.uow() as uow:
        held = await uow.broadcasts.get(broadcast.id)
    assert held is not None and held.status is BroadcastStatus.PAUSED
    assert all(sandbox.line.received(user) == [] for user in users)  # nothing went to LINE
    assert not sandbox.line.calls_of("multicast")
