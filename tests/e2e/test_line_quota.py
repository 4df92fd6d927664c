"""End to end over LINE with the month's messages spent, through the stand-in (its quota:
``sandbox.line.quota``): a broadcast's preview shows its cost and is refused; people who write
still get their answers (replies are free); a notice that had to be pushed is not dropped:
staff are told once, in their language, and the desk lists it with whom to call."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.domain.line_undelivered import QUOTA_SPENT
from bot.domain.people import Role
from bot.domain.roster import RosterEntry
from bot.domain.undo import UndoKind
from bot.ports.clock import SystemClock
from kyodo.app import KyodoApp, open_store
from sandbox.server import SandboxServer
from storage.models import AuditRow, OutboxRow
from tests.fixtures.held import undo_window_over
from tests.fixtures.kyodo import invite_code, load
from tests.fixtures.line_kyodo import LinePerson, kyodo_with_line, said

LINK = re.compile(r"(http://\S+/desk/login/[A-Za-z0-9_-]+)")
PLAN = 200  # the Communication plan's messages a month
KEN_PHONE = "090-5555-0123"


@pytest.fixture
async def kyodo(sandbox: SandboxServer, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    async with kyodo_with_line(sandbox, kyodo_db) as app:
        yield app


async def member_on_line(kyodo: KyodoApp, sandbox: SandboxServer) -> LinePerson:
    """Ken joins over LINE with an invite code; the roster has his phone, as a members import
    leaves it."""
    ken = LinePerson(sandbox, kyodo, sandbox.line.add_person("Ken Mori", "en").user_id)
    await ken.says("hello")
    await ken.taps("I'm a member")
    await ken.says(await invite_code(kyodo.settings, Role.MEMBER))
    async with open_store(kyodo.settings) as store, store.uow() as uow:
        chat_id = await uow.line.chat_for(ken.user_id)
        person = await uow.people.by_telegram_id(chat_id)
        assert person is not None
        await uow.roster.add(
            RosterEntry(person.id, "k" * 64, "ケン モリ", KEN_PHONE, SystemClock().now())
        )
        await uow.commit()
    return ken


async def reports_hours(ken: LinePerson, day: str = "Today") -> None:
    await ken.taps("Report hours")
    for step in (day, "Another centre", "Chuo Care Centre", "Elderly day care", "8 h", "Send"):
        await ken.taps(step)


async def approves_the_oldest(hanako) -> None:
    """The coordinator approves in Telegram, with the confirmation first."""
    await hanako.says("/start")
    await hanako.presses_key("✅ 承認")
    asked = await hanako.taps("表示中の1件")
    assert "まとめて承認しますか" in asked.text
    await hanako.taps("はい、まとめて承認します")


async def presses(sandbox: SandboxServer, who, data: str, *, then: str) -> None:
    """Presses a button of the latest message; waits until the answer (often the same message,
    edited) offers `then`."""
    sandbox.user_presses(who.user, who.messages[-1].message_id, data)

    def offered() -> bool:
        return any(b["callback_data"] == then for b in who.messages[-1].buttons)

    assert await sandbox.notifier.wait_until(offered, 10), (data, who.messages[-1].text)


async def test_a_broadcast_beyond_what_is_left_is_refused_at_its_preview(kyodo, sandbox, person):
    await load(kyodo)
    await member_on_line(kyodo, sandbox)
    sandbox.line.quota.limit = PLAN
    sandbox.line.quota.spend(PLAN)  # the month's pushes are gone
    hanako = person(1001, "花子", "ja")
    await hanako.says("/broadcast")
    await presses(sandbox, hanako, "bc:a:members", then="bc:k:notice")
    await presses(sandbox, hanako, "bc:k:notice", then="bc:skip")
    await hanako.says("総会のお知らせです")
    before = len(hanako.messages)
    last = await hanako.says("General assembly notice")
    preview = "\n".join(m.text or "" for m in hanako.messages[before:])
    assert "この連絡は LINE のメッセージ 1 通になります（今月の残り 0 通／上限 200 通）" in preview
    assert "今月の LINE メッセージの残り（0 通）では足りないため、送信できません" in preview
    offered = {b["callback_data"] for b in last.buttons}
    assert "bc:now" not in offered and "bc:later" not in offered
    assert sandbox.line.quota.used == PLAN


async def test_answers_still_go_and_an_undelivered_notice_reaches_staff_and_the_desk(
    kyodo, sandbox, person
):
    await load(kyodo)
    ken = await member_on_line(kyodo, sandbox)
    sandbox.line.quota.limit = PLAN
    sandbox.line.quota.spend(PLAN)
    await reports_hours(ken)  # every answer a reply: free, and delivered
    assert "✅ Reported:" in said(ken.received[-1:])
    assert {entry.via for entry in ken.received} == {"reply"}

    hanako = person(1001, "花子", "ja")
    await approves_the_oldest(hanako)

    # The notice to Ken must be pushed (nothing of his is being answered): LINE refuses it.
    await undo_window_over(kyodo.settings, UndoKind.HOURS_DECISION)
    alert = await told(sandbox, hanako, "LINE メッセージを使い切りました")
    assert "これまでにお知らせ1件が届けられず" in alert.text
    assert "/desk/deliveries/line" in alert.text
    [(status, error)] = await notices_to(kyodo, ken)
    assert status == "failed" and error.startswith(QUOTA_SPENT)
    assert "Your hours were approved" not in said(ken.received)

    # The desk lists the notice under Ken, with his phone to call him; the look is audited.
    page = await desk_page(kyodo, sandbox, hanako, "/deliveries/line")
    assert "届かなかった LINE のお知らせ" in page
    assert "Ken Mori" in page and KEN_PHONE in page and "Your hours were approved" in page
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        looked = (
            await db.scalars(select(AuditRow.action).where(AuditRow.action.startswith("line.")))
        ).all()
    assert looked == ["line.undelivered.viewed"]

    # Ken writes: his answer is a free reply, and the held notice goes with it, before it, once.
    answer = await ken.says("/help")
    assert {entry.via for entry in answer} == {"reply"}
    assert "✅ Your hours were approved" in said(answer[:1])
    assert "/link" in said(answer[1:])  # the help itself
    assert [status for status, _ in await notices_to(kyodo, ken)] == ["sent"]
    again = await ken.says("/help")
    assert "Your hours were approved" not in said(again)
    assert sandbox.line.quota.used == PLAN  # nothing more was counted
    page = await desk_page(kyodo, sandbox, hanako, "/deliveries/line")
    assert "LINE のお知らせはすべて届いています" in page and "Ken Mori" not in page

    # Another notice spent the same way this month: staff were told once already.
    await ken.taps("Menu")
    await reports_hours(ken, "Yesterday")
    await approves_the_oldest(hanako)
    await undo_window_over(kyodo.settings, UndoKind.HOURS_DECISION)
    await undelivered_count(kyodo, ken, 1)
    alerts = [m for m in hanako.messages if "LINE メッセージを使い切りました" in (m.text or "")]
    assert len(alerts) == 1


async def told(sandbox: SandboxServer, who, text: str):
    def found():
        return next((m for m in who.messages if m.text and text in m.text), None)

    assert await sandbox.notifier.wait_until(lambda: found() is not None, 10), text
    return found()


async def notices_to(kyodo: KyodoApp, ken: LinePerson) -> list[tuple[str, str]]:
    """Status and error of the rows to Ken other than his answers (those were replies)."""
    async with open_store(kyodo.settings) as store:
        async with store.uow() as uow:
            chat_id = await uow.line.chat_for(ken.user_id)
        async with store.engine.connect() as db:
            rows = await db.execute(
                select(OutboxRow.status, OutboxRow.last_error).where(
                    OutboxRow.chat_id == chat_id, OutboxRow.dedupe_key.is_not(None)
                )
            )
            return [(r.status, r.last_error or "") for r in rows]


async def undelivered_count(kyodo: KyodoApp, ken: LinePerson, count: int) -> None:
    """Waits until `count` notices to Ken have failed as undelivered."""
    for _ in range(500):
        rows = await notices_to(kyodo, ken)
        spent = [r for r in rows if r[0] == "failed" and r[1].startswith(QUOTA_SPENT)]
        if len(spent) >= count:
            assert len(spent) == count
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not {count} undelivered: {rows}")


async def desk_page(kyodo: KyodoApp, sandbox: SandboxServer, hanako, path: str) -> str:
    """The coordinator signs in with the link /desk sends and opens `path`."""
    before = len(hanako.messages)
    sandbox.user_sends(hanako.user, "/desk")
    link = None
    for count in range(before + 1, before + 20):
        messages = await sandbox.wait_for_messages(hanako.id, count, timeout=10)
        found = [LINK.search(m.text or "") for m in messages[before:]]
        link = next((f.group(1) for f in found if f), None)
        if link:
            break
    assert link is not None
    headers = {"Accept-Language": "ja"}
    jar = aiohttp.CookieJar(unsafe=True)  # the desk is at 127.0.0.1: an address, no host name
    async with aiohttp.ClientSession(headers=headers, cookie_jar=jar) as http:
        async with http.get(link) as opened:
            assert opened.status == 200
        async with http.post(link) as home:
            assert home.status == 200
        async with http.get(kyodo.desk_url + path) as page:
            assert page.status == 200
            return await page.text()
