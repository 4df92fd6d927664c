"""/forget of a person who linked their second messenger (bot.services.links), over the whole
database on SQLite and PostgreSQL: after it, no table holds their name, either chat's id, or
the link (person_chats, link_codes), whichever messenger they said /forget in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.channels import line_chat_id
from bot.domain.people import NewPerson, Role
from bot.domain.undo import HELD_UNTIL
from bot.i18n import I18n
from tests.fakes.chat import User
from tests.fixtures.whole_db import SqlChat, demo_chat, scan

MARKER = "Zqxlinked"
ON_TELEGRAM = User(7780001, f"{MARKER} 一郎", "ja")
ON_LINE = User(line_chat_id(78), "いちろう", "ja")
NEEDLES = (MARKER, str(ON_TELEGRAM.id), str(ON_LINE.id))


@pytest.fixture
async def chat(sql_engine: AsyncEngine, i18n: I18n) -> SqlChat:
    return await demo_chat(sql_engine, i18n)


async def linked(chat: SqlChat) -> None:
    async with chat.store.uow() as uow:
        await uow.people.add(
            NewPerson(ON_TELEGRAM.id, ON_TELEGRAM.name, "ja", chat.clock.now(), roles={Role.MEMBER})
        )
        await uow.commit()
    shown = "\n".join(m.text for m in await chat.send(ON_TELEGRAM, "/link"))
    [code] = re.findall(r"/link ([A-Z0-9]{4}-[A-Z0-9]{4})", shown)
    await chat.send(ON_LINE, "/link")  # a stranger still: nothing to link, a copy kept
    done = "\n".join(m.text for m in await chat.send(ON_LINE, f"/link {code}"))
    assert f"{MARKER} 一郎さん" in done
    await chat.send(ON_LINE, "/mydata")
    await chat.deliver()
    assert await scan(chat.engine, (str(ON_LINE.id),))  # the LINE chat's copies are there


@pytest.mark.parametrize("where", [ON_LINE, ON_TELEGRAM], ids=["on LINE", "on Telegram"])
async def test_forget_in_either_messenger_leaves_nothing_of_both(chat: SqlChat, where: User):
    await linked(chat)
    asked = await chat.send(where, "/forget")
    assert any(data == "pd:yes" for m in asked for row in m.buttons for _, data in row)
    await chat.press(where, "pd:yes")
    await chat.deliver()
    chat.clock.advance(seconds=HELD_UNTIL.total_seconds())
    await chat.deliver()
    left = await scan(chat.engine, NEEDLES)
    assert left == {}, f"personal data left in: {left}"
    async with chat.store.uow() as uow:
        assert await uow.links.person_of(ON_LINE.id) is None
