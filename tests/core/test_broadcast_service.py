"""The broadcast service's API as the scheduler and the web desk call it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.dialogs.engine import DialogSettings
from bot.domain.broadcasts import Audience, AudienceKind, BroadcastKind, BroadcastStatus, Draft
from bot.domain.errors import InvalidInput, PermissionDenied
from bot.domain.people import Actor, Role
from bot.notices.broadcasts import BroadcastCopies
from bot.notices.bus import Consequences
from bot.rendering import Renderer
from bot.runtime.broadcast_pump import BroadcastPump
from bot.services import broadcasts as service
from tests.fixtures.people import HANAKO, TANAKA, demo, person_id

DRAFT = Draft(Audience(AudienceKind.MEMBERS), BroadcastKind.NOTICE, "本文", "Text")
SETTINGS = DialogSettings(
    bot_username="kyodo_test_bot", invite_ttl_hours=72, max_text_length=1000, default_locale="ja"
)


@pytest.fixture
async def staff(memory_store, clock):
    await demo(memory_store, clock)
    return Actor(
        person_id(memory_store, HANAKO.id), frozenset({Role.STAFF, Role.COORDINATOR}), "ja"
    )


async def test_starting_due_broadcasts_twice_starts_each_once(memory_store, clock, staff):
    async with memory_store.uow() as uow:
        later = await service.create(
            uow, staff, DRAFT, now=clock.now(), send_at=clock.now() + timedelta(hours=1)
        )
        await uow.commit()
    assert await service.start_due_broadcasts(memory_store.uow, clock.now()) == []
    clock.advance(hours=1)
    assert await service.start_due_broadcasts(memory_store.uow, clock.now()) == [later.id]
    assert await service.start_due_broadcasts(memory_store.uow, clock.now()) == []
    started = memory_store.state.broadcasts[later.id]
    assert started.status is BroadcastStatus.RUNNING and started.planned == 2


async def test_two_pumps_queue_each_person_once(memory_store, clock, i18n, staff):
    async with memory_store.uow() as uow:
        broadcast = await service.create(uow, staff, DRAFT, now=clock.now())
        await uow.commit()
    memory_store.publish = Consequences(Renderer(i18n), SETTINGS)  # as the app wires it
    copies = BroadcastCopies(Renderer(i18n), SETTINGS)
    pumps = [BroadcastPump(memory_store.uow, copies, clock, chunk=1) for _ in range(2)]
    for _ in range(4):
        for pump in pumps:
            await pump.step()
    keys = [r.dedupe_key or "" for r in memory_store.state.outbox.values()]
    copies = [k for k in keys if k.split(":")[-1].isdigit()]
    members = [person_id(memory_store, TANAKA.id), person_id(memory_store, 2002)]
    assert sorted(copies) == sorted(f"bc:{broadcast.id}:{pid}" for pid in members)


async def test_the_desk_api_counts_previews_and_refuses_non_staff(memory_store, clock, staff):
    async with memory_store.uow() as uow:
        count = await service.audience_count(uow, staff, DRAFT.audience, DRAFT.kind, clock.now())
        previews = service.preview(Draft(DRAFT.audience, DRAFT.kind, "本文", ""))
        member = Actor(person_id(memory_store, TANAKA.id), frozenset({Role.MEMBER}), "ja")
        with pytest.raises(PermissionDenied):
            await service.create(uow, member, DRAFT, now=clock.now())
        with pytest.raises(InvalidInput):
            service.preview(Draft(DRAFT.audience, DRAFT.kind, "", ""))
        await uow.commit()
    assert (count.recipients, count.opted_out) == (2, 0)
    assert previews["en"].parts[0].args["text"] == "本文"  # the fallback, never blank
    refused = [a for a in memory_store.state.audit if a.action.startswith("broadcast.")]
    assert [(a.action, a.actor_person_id) for a in refused] == [
        ("broadcast.refused", person_id(memory_store, TANAKA.id))
    ]
