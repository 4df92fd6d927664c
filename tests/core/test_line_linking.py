"""One person, two messengers: `/link` in one shows a code, `/link CODE` in the other makes that
chat the same person's, at once and audited; /forget in either removes both. Transcripts over
the core's chat harness, rows in the store (a LINE chat is one whose id is LINE's)."""

from __future__ import annotations

import re

import pytest

from bot.domain.channels import line_chat_id
from bot.domain.people import NewPerson, Role
from tests.fakes.chat import User
from tests.fixtures.people import HANAKO, TANAKA, demo

ON_LINE = User(line_chat_id(11), "たなか", "ja")


@pytest.fixture
async def chat(chat, memory_store, clock):
    """The shared chat (tests/fixtures/core.py) over the demo co-op."""
    await demo(memory_store, clock)
    return chat


def person_id(store, telegram_id: int) -> int:
    return next(p.id for p in store.state.people.values() if p.telegram_user_id == telegram_id)


async def code_of(chat, user: User) -> str:
    shown = await chat.send(user, "/link")
    [code] = re.findall(r"/link ([A-Z0-9]{4}-[A-Z0-9]{4})", shown.text)
    assert "1回だけ" in shown.text
    return code


async def test_a_member_links_line_and_is_the_same_person_there(chat, memory_store):
    code = await code_of(chat, TANAKA)
    assert code.replace("-", "") not in str(memory_store.state.link_codes)  # its hash only
    done = await chat.send(ON_LINE, f"/link {code.lower()}")
    assert "連携しました。田中 一郎さん" in done.text
    tanaka = person_id(memory_store, TANAKA.id)
    assert {k: v.person_id for k, v in memory_store.state.person_chats.items()} == {
        ON_LINE.id: tanaka
    }
    assert memory_store.state.link_codes == {}
    assert ("person.linked", f"person:{tanaka}") in [
        (a.action, a.subject) for a in memory_store.state.audit
    ]
    # On LINE they are Tanaka: their /mydata is Tanaka's, no new person was made.
    mine = await chat.send(ON_LINE, "/mydata")
    assert "田中 一郎" in mine.text
    assert len([p for p in memory_store.state.people.values() if "田中" in p.display_name]) == 1
    again = await chat.send(ON_LINE, f"/link {code}")  # a code works once
    assert "使用済みか、期限切れ" in again.text


async def test_wrong_expired_and_same_messenger_codes_are_refused(chat, memory_store, clock):
    assert "連携コードではないようです" in (await chat.send(ON_LINE, "/link hello")).text
    assert "期限切れ" in (await chat.send(ON_LINE, "/link ABCD-EFGH")).text
    code = await code_of(chat, TANAKA)
    same = await chat.send(User(7777, "誰か", "ja"), f"/link {code}")
    assert "もう一つのメッセンジャーで送って" in same.text
    code = await code_of(chat, TANAKA)
    clock.advance(minutes=11)
    assert "期限切れ" in (await chat.send(ON_LINE, f"/link {code}")).text
    assert memory_store.state.person_chats == {}


async def test_a_chat_that_is_someone_elses_cannot_be_linked(chat, memory_store, clock):
    async with memory_store.uow() as uow:
        await uow.people.add(
            NewPerson(ON_LINE.id, "別の人", "ja", clock.now(), roles={Role.MEMBER})
        )
        await uow.commit()
    code = await code_of(chat, TANAKA)
    taken = await chat.send(ON_LINE, f"/link {code}")
    assert "すでに Kyodo の別の方のもの" in taken.text
    assert memory_store.state.person_chats == {}


async def test_a_roleless_row_of_the_line_chat_gives_way(chat, memory_store, clock):
    async with memory_store.uow() as uow:
        await uow.people.add(NewPerson(ON_LINE.id, "たなか", "ja", clock.now()))
        await uow.commit()
    code = await code_of(chat, TANAKA)
    await chat.send(ON_LINE, f"/link {code}")
    assert [
        p.display_name
        for p in memory_store.state.people.values()
        if p.telegram_user_id == ON_LINE.id
    ] == []
    assert memory_store.state.person_chats[ON_LINE.id].person_id == person_id(
        memory_store, TANAKA.id
    )


async def test_a_stranger_has_nothing_to_link(chat):
    said = await chat.send(User(8888, "誰か", "ja"), "/link")
    assert "まず招待コードで Kyodo に参加してから" in said.text


async def test_forget_on_line_removes_both_identities(chat, memory_store):
    code = await code_of(chat, TANAKA)
    await chat.send(ON_LINE, f"/link {code}")
    await chat.send(ON_LINE, "/forget")
    await chat.press(ON_LINE, "pd:yes")
    assert memory_store.state.person_chats == {}
    assert [p for p in memory_store.state.people.values() if p.telegram_user_id == TANAKA.id] == []
    # Both chats are strangers now: /link has nothing to link in either.
    for user in (TANAKA, ON_LINE):
        assert "まず招待コードで" in (await chat.send(user, "/link")).text
    assert person_id(memory_store, HANAKO.id)  # nobody else was touched
