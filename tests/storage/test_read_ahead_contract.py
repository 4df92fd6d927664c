"""Reading ahead for a batch of updates (`people.read_ahead`, `dialogs.read_ahead`): what
`of_chat` and `get` answer afterwards is what they would have answered without it, changes
made through the repository included.

Part of the contract suite: each test runs on the memory fake, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.channels import Channel, line_chat_id
from bot.domain.dialogs import DialogState
from bot.domain.people import NewPerson, Role
from bot.ports.store import UnitOfWorkFactory

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
TELEGRAM, LINE = Channel.TELEGRAM.value, Channel.LINE.value


async def test_people_read_ahead_answer_as_of_chat_does(uow_factory: UnitOfWorkFactory):
    line = line_chat_id(7)
    async with uow_factory() as uow:
        ichiro = await uow.people.add(
            NewPerson(11, "一郎", "ja", NOW, roles=frozenset({Role.MEMBER}))
        )
        await uow.people.add_role(ichiro.id, Role.STAFF)
        hanako = await uow.people.add(NewPerson(12, "花子", "en", NOW))
        await uow.links.attach(line, ichiro.id, NOW)
        await uow.commit()
    chats = [11, 12, 13, line]
    async with uow_factory() as uow:
        expected = [await uow.people.of_chat(chat) for chat in chats]
    assert expected[0] is not None and expected[0].roles == {Role.MEMBER, Role.STAFF}
    assert expected[1] is not None and expected[1].id == hanako.id
    assert expected[2] is None
    assert expected[3] == expected[0]  # the linked LINE chat is Ichiro's
    async with uow_factory() as uow:
        await uow.people.read_ahead([*chats, 11])
        assert [await uow.people.of_chat(chat) for chat in chats] == expected
        # Asked again (read ahead or not), the same answers.
        assert [await uow.people.of_chat(chat) for chat in chats] == expected


async def test_a_change_to_people_is_seen_after_reading_ahead(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        person = await uow.people.add(NewPerson(21, "三郎", "ja", NOW))
        await uow.commit()
    async with uow_factory() as uow:
        await uow.people.read_ahead([21, 22])
        await uow.people.add_role(person.id, Role.VOLUNTEER)
        await uow.people.add(NewPerson(22, "四郎", "ja", NOW))
        found = await uow.people.of_chat(21)
        newcomer = await uow.people.of_chat(22)
    assert found is not None and found.roles == {Role.VOLUNTEER}
    assert newcomer is not None and newcomer.display_name == "四郎"


async def test_dialogs_read_ahead_answer_as_get_does_and_see_writes(
    uow_factory: UnitOfWorkFactory,
):
    line = line_chat_id(8)
    menu = DialogState(dialog="menu", step="start", data={"page": 1})
    hours = DialogState(dialog="hours", step="date", data={})
    async with uow_factory() as uow:
        await uow.dialogs.put(TELEGRAM, 31, menu, NOW)
        await uow.dialogs.put(LINE, line, hours, NOW)
        await uow.dialogs.put(TELEGRAM, 32, hours, NOW)
        await uow.commit()
    keys = [(TELEGRAM, 31), (LINE, line), (TELEGRAM, 33), (LINE, 31)]
    async with uow_factory() as uow:
        await uow.dialogs.read_ahead(keys)
        assert [await uow.dialogs.get(*key) for key in keys] == [menu, hours, None, None]
    async with uow_factory() as uow:
        await uow.dialogs.read_ahead(keys)
        await uow.dialogs.put(TELEGRAM, 31, hours, NOW)
        await uow.dialogs.delete(LINE, line)
        await uow.dialogs.put(TELEGRAM, 33, menu, NOW)
        assert await uow.dialogs.get(TELEGRAM, 31) == hours
        assert await uow.dialogs.get(LINE, line) is None
        assert await uow.dialogs.get(TELEGRAM, 33) == menu
        state = await uow.dialogs.get(TELEGRAM, 31)
        assert state is not None
        state.data["changed"] = True  # a caller's change to what it got stays its own
        assert await uow.dialogs.get(TELEGRAM, 31) == hours


async def test_what_another_repository_changes_is_seen_after_reading_ahead(
    uow_factory: UnitOfWorkFactory,
):
    # A person forgotten, or a chat linked, earlier in the same batch: a later update of that
    # chat must not see what was read ahead (it would put a forgotten dialog's data back).
    line = line_chat_id(9)
    draft = DialogState(dialog="request", step="address", data={"address": "北区1-2-3"})
    async with uow_factory() as uow:
        forgotten = await uow.people.add(NewPerson(41, "五郎", "ja", NOW))
        linking = await uow.people.add(NewPerson(42, "六郎", "ja", NOW))
        await uow.dialogs.put(TELEGRAM, 41, draft, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        await uow.people.read_ahead([41, 42, line])
        await uow.dialogs.read_ahead([(TELEGRAM, 41), (LINE, line)])
        await uow.privacy.delete_person(forgotten.id)
        await uow.links.attach(line, linking.id, NOW)
        assert await uow.dialogs.get(TELEGRAM, 41) is None
        assert await uow.people.of_chat(41) is None
        found = await uow.people.of_chat(line)
        assert found is not None and found.id == linking.id
