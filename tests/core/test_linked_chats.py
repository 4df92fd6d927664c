"""The desk's linked chats (issue 16), as the service gives them: people with both messengers
linked, listed for staff (admins: everyone; other staff: the people of their centres), and an
admin unlinking one chat: the row gone, audited, the person told in their language in the chat
they keep and in the unlinked one (which is nobody's then: a stranger there, and the message to
it keeps no chat id once sent). Anyone but an admin is refused and audited."""

from __future__ import annotations

import re

import pytest

from bot.domain.channels import line_chat_id
from bot.domain.errors import NotFound, PermissionDenied
from bot.domain.outbound import Carries
from bot.domain.people import Actor, NewPerson, Role
from bot.services import links
from tests.fakes.chat import User
from tests.fixtures.people import HANAKO, MARIA, TANAKA, demo

TANAKA_ON_LINE = User(line_chat_id(11), "たなか", "ja")
MARIA_ON_LINE = User(line_chat_id(12), "Maria", "en")


@pytest.fixture
async def chat(chat, memory_store, clock):
    """The shared chat (tests/fixtures/core.py) over the demo co-op, two people also on LINE."""
    await demo(memory_store, clock)
    harness = chat
    for user, there in ((TANAKA, TANAKA_ON_LINE), (MARIA, MARIA_ON_LINE)):
        shown = await harness.send(user, "/link")
        [code] = re.findall(r"/link ([A-Z0-9]{4}-[A-Z0-9]{4})", shown.text)
        await harness.send(there, f"/link {code}")
    return harness


def actor_of(store, telegram_id: int, locale: str = "ja") -> Actor:
    person = next(p for p in store.state.people.values() if p.telegram_user_id == telegram_id)
    return Actor(person.id, person.roles, locale)


async def test_an_admin_sees_both_people_and_unlinks_one_who_is_told(chat, memory_store, clock):
    admin = actor_of(memory_store, HANAKO.id)
    async with memory_store.uow() as uow:
        page = await links.linked(uow, admin, clock.now())
    assert [(p.person.display_name, p.linked) for p in page.items] == [
        ("田中 一郎", (TANAKA_ON_LINE.id,)),
        ("Maria Santos", (MARIA_ON_LINE.id,)),
    ]
    chat._drain()
    async with memory_store.uow() as uow:
        person = await links.unlink(uow, admin, MARIA_ON_LINE.id, clock.now())
        await uow.commit()
    assert person.display_name == "Maria Santos"
    assert MARIA_ON_LINE.id not in memory_store.state.person_chats
    assert ("person.unlinked", f"person:{person.id}") in [
        (a.action, a.subject) for a in memory_store.state.audit
    ]
    # What was kept under the unlinked chat went with it (her /forget could not reach it now):
    # of the messages to it only the notice below is left.
    to_there = [
        r for r in memory_store.state.outbox.values() if r.message.chat_id == MARIA_ON_LINE.id
    ]
    assert [r.dedupe_key.rsplit(":", 1)[-1] for r in to_there if r.dedupe_key] == ["there"]
    assert len(to_there) == 1
    told = chat._drain()
    [kept] = told[MARIA.id]
    assert "An administrator unlinked your LINE from Kyodo" in kept.text  # her language
    [there] = told[MARIA_ON_LINE.id]
    assert "An administrator unlinked this chat from Kyodo" in there.text
    assert there.carries is Carries.FAREWELL  # its chat id goes once sent
    # The LINE chat is nobody's now; Maria on Telegram is still Maria.
    assert "join Kyodo first" in (await chat.send(MARIA_ON_LINE, "/link")).text
    assert "Maria Santos" in (await chat.send(MARIA, "/mydata")).text
    async with memory_store.uow() as uow:
        with pytest.raises(NotFound):  # twice: nothing left to unlink
            await links.unlink(uow, admin, MARIA_ON_LINE.id, clock.now())


async def test_staff_see_their_centres_people_only_and_may_not_unlink(chat, memory_store, clock):
    async with memory_store.uow() as uow:
        staff = await uow.people.add(
            NewPerson(3999, "佐々木", "ja", clock.now(), roles=frozenset({Role.STAFF}))
        )
        await uow.commit()
    actor = Actor(staff.id, staff.roles, "ja")  # of no centre: nobody else is theirs
    async with memory_store.uow() as uow:
        assert (await links.linked(uow, actor, clock.now())).items == []
        with pytest.raises(PermissionDenied):
            await links.unlink(uow, actor, TANAKA_ON_LINE.id, clock.now())
        await uow.commit()
    member = actor_of(memory_store, TANAKA.id)
    async with memory_store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await links.linked(uow, member, clock.now())
        await uow.commit()
    assert TANAKA_ON_LINE.id in memory_store.state.person_chats
    refused = [a for a in memory_store.state.audit if a.action == "desk.links_refused"]
    assert len(refused) == 2

    # Given Tanaka's centre (and only his), the staff member sees him, not Maria.
    tanaka = actor_of(memory_store, TANAKA.id)
    async with memory_store.uow() as uow:
        tanakas = await uow.memberships.centres_of(tanaka.person_id or 0)
        maria = await uow.memberships.centres_of(actor_of(memory_store, MARIA.id).person_id or 0)
        await uow.memberships.replace(staff.id, tanakas - maria)
        await uow.commit()
    assert tanakas - maria
    async with memory_store.uow() as uow:
        page = await links.linked(uow, actor, clock.now())
    assert [p.person.display_name for p in page.items] == ["田中 一郎"]
