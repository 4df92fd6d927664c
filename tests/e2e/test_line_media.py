"""End to end over LINE, through the stand-in: a resident's photo sent in LINE reaches the staff
as a Telegram photo does. The staff member in Telegram presses Show / play and gets the desk's
page of the conversation (Telegram cannot send LINE's file); there, signed in, the photo is
fetched from LINE's content API only when asked, and streamed as LINE keeps it, never stored.
And a letter's reader on LINE: adds the account (the follow), types the code, and is the
imported person."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.domain.people import Role
from kyodo.app import KyodoApp
from sandbox.line.events import png
from sandbox.server import SandboxServer
from tests.fixtures.kyodo import invite_code, load
from tests.fixtures.line_kyodo import LinePerson, kyodo_with_line, said

HANAKO = 1001  # the demo's staff coordinator
SIGN_IN = re.compile(r"(http://\S+/desk/login/[A-Za-z0-9_-]+)")


@pytest.fixture
async def kyodo(sandbox: SandboxServer, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    # Staff cards on: the staff hear of a message to them as they would in production.
    async with kyodo_with_line(sandbox, kyodo_db, KYODO_STAFF_CARDS="on") as app:
        yield app


async def test_a_photo_from_line_is_shown_to_telegram_staff_on_the_desk(kyodo, sandbox, person):
    await load(kyodo)
    hanako = person(HANAKO, "花子", "ja")
    await hanako.says("/start")
    tome = LinePerson(sandbox, kyodo, sandbox.line.add_person("トメ", "ja", friend=False).user_id)
    await tome.follows()
    offered = await tome.sends_photo()
    assert "スタッフに送りますか" in said(offered)
    before = len(hanako.messages)
    await tome.taps("はい、スタッフに送る")
    messages = await sandbox.wait_for_messages(HANAKO, before + 1, timeout=10)
    card = next(m for m in messages[before:] if any("見る・聞く" in b["text"] for b in m.buttons))
    assert "トメ" in card.text
    shown = await hanako.taps("見る・聞く")
    assert "LINE から届いたため、ここでは表示できません" in shown.text
    [page] = re.findall(r"https?://\S+/desk/conversations/\d+", shown.text)
    assert not sandbox.line.calls_of("getMessageContent")  # nothing fetched until asked

    signed = await hanako.says("/desk")
    [link] = SIGN_IN.findall(signed.text)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as web:
        async with web.get(link) as opened:
            assert opened.status == 200
        async with web.post(link) as home:
            assert home.status == 200
        async with web.get(page) as thread:
            html = await thread.text()
        [media] = re.findall(r'src="(/desk/conversations/media/\d+)"', html)
        base = page.split("/desk/")[0]
        async with web.get(base + media) as photo:
            assert photo.status == 200 and photo.content_type == "image/png"
            assert photo.headers["Cache-Control"] == "no-store"
            assert await photo.read() == png()  # what the resident sent, from LINE
    assert len(sandbox.line.calls_of("getMessageContent")) == 1


async def test_a_letters_reader_adds_the_account_and_types_the_code(kyodo, sandbox):
    await load(kyodo)
    code = await invite_code(kyodo.settings, Role.MEMBER)
    ken = LinePerson(sandbox, kyodo, sandbox.line.add_person("Ken Mori", "en").user_id)
    await ken.follows()  # what the add-friend link leads to
    welcome = await ken.says(f"{code[:4]}-{code[4:]}".lower())
    assert "Welcome, Ken Mori! You are now registered as a member" in said(welcome)
    assert {entry.via for entry in ken.received} == {"reply"}
