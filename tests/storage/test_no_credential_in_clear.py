"""No credential in clear anywhere in the database: what a reader of a backup could use.

Staff issue an invite code and ask for a desk sign-in link, a member asks for their calendar
link, each through the chat; once the messages are sent, the whole database (every table, every
column, reflected) is read for the code (as typed and as shown), the sign-in token and the
calendar token. Only hashes may be there.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.i18n import I18n
from tests.fixtures.people import HANAKO, TANAKA
from tests.fixtures.whole_db import DEMO_T0, SqlChat, demo_chat, scan

T0 = DEMO_T0


@pytest.fixture
async def chat(sql_engine: AsyncEngine, i18n: I18n) -> SqlChat:
    return await demo_chat(sql_engine, i18n)


def one(pattern: str, text: str) -> str:
    found = re.findall(pattern, text)
    assert len(found) == 1, (pattern, text)
    return str(found[0])


async def test_links_and_codes_are_kept_only_as_hashes_once_sent(chat: SqlChat):
    invite = "\n".join(m.text for m in await chat.press(HANAKO, "inv:admin"))
    desk = "\n".join(m.text for m in await chat.send(HANAKO, "/desk"))
    calendar = "\n".join(m.text for m in await chat.press(TANAKA, "shifts:ical"))
    code = one(r"start=([A-Z0-9]{8})", invite)
    shown = one(r"<b>([A-Z0-9]{4}-[A-Z0-9]{4})</b>", invite)
    token = one(r"/desk/login/([A-Za-z0-9_-]+)", desk)
    feed = one(r"/calendar/([A-Za-z0-9_-]+)\.ics", calendar)
    assert shown.replace("-", "") == code
    left = await scan(chat.engine, (code, shown, token, feed))
    assert left == {}, f"a credential in clear in: {left}"
