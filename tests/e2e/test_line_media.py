"""End to end over LINE, through the stand-in: a resident's photo or voice note sent in LINE
reaches the staff as a Telegram one does. The staff member in Telegram presses Show / play and
gets the file itself, to them alone and audited: fetched from LINE's content API at that moment
and uploaded to Telegram in the same request (sendPhoto, sendVoice: LINE's M4A is a voice note
Telegram accepts), never stored. On the desk, signed in, the photo is fetched from LINE only
when asked, and streamed as LINE keeps it. And a letter's reader on LINE: adds the account (the
follow), types the code, and is the imported person."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.domain.people import Role
from kyodo.app import KyodoApp, open_store
from sandbox.line.events import m4a_stub, png
from sandbox.server import SandboxServer
from storage.models import AuditRow
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
    assert not sandbox.line.calls_of("getMessageContent")  # nothing fetched until asked
    shown = await hanako.taps("見る・聞く")
    assert shown.kind == "photo" and "トメ" in (shown.text or "")
    assert shown.media["photo"][-1]["file_size"] == len(png())  # the bytes LINE keeps
    assert len(sandbox.line.calls_of("getMessageContent")) == 1
    assert not sandbox.violations
    assert await handed(kyodo) == 1
    [talk] = re.findall(r"#(\d+)", card.text)
    page = f"{kyodo.desk_url}/conversations/{talk}"

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
    assert len(sandbox.line.calls_of("getMessageContent")) == 2


async def test_a_voice_note_from_line_is_played_to_telegram_staff_alone(kyodo, sandbox, person):
    await load(kyodo)
    hanako = person(HANAKO, "花子", "ja")
    await hanako.says("/start")
    tome = LinePerson(sandbox, kyodo, sandbox.line.add_person("トメ", "ja", friend=False).user_id)
    await tome.follows()
    voice = m4a_stub() + bytes(range(256)) * 800  # 200 kB: several chunks of the stream
    offered = await tome.sends_voice(voice)
    assert "スタッフに送りますか" in said(offered)
    before = len(hanako.messages)
    await tome.taps("はい、スタッフに送る")
    await sandbox.wait_for_messages(HANAKO, before + 1, timeout=10)
    played = await hanako.taps("見る・聞く")
    assert played.kind == "voice" and "トメ" in (played.text or "")
    assert played.media["voice"]["file_size"] == len(voice)
    [answer] = played.buttons  # the card's own button, sent in the same multipart request
    assert "返事を書く" in answer["text"]
    assert not sandbox.violations
    assert await handed(kyodo) == 1


async def handed(app: KyodoApp) -> int:
    """Files handed to staff, as the audit log counts them."""
    async with open_store(app.settings) as store, store.engine.connect() as db:
        return int(
            await db.scalar(
                select(func.count())
                .select_from(AuditRow)
                .where(AuditRow.action == "conversation.media_handed")
            )
            or 0
        )


async def test_a_letters_reader_adds_the_account_and_types_the_code(kyodo, sandbox):
    await load(kyodo)
    code = await invite_code(kyodo.settings, Role.MEMBER)
    ken = LinePerson(sandbox, kyodo, sandbox.line.add_person("Ken Mori", "en").user_id)
    await ken.follows()  # what the add-friend link leads to
    welcome = await ken.says(f"{code[:4]}-{code[4:]}".lower())
    assert "Welcome, Ken Mori! You are now registered as a member" in said(welcome)
    assert {entry.via for entry in ken.received} == {"reply"}
