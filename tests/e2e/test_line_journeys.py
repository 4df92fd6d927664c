"""End to end over LINE, through the stand-in: the same inbox, dialogs, services and outbox as
Telegram. A resident asks for a service and gets a reference number; a member joins with an
invite code, reports hours by tapping quick replies, and hears in LINE when staff approve them
in Telegram. Every answer to something a person did goes as a (free) reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.domain.channels import Channel
from bot.domain.people import Role
from bot.domain.undo import UndoKind
from bot.ports.clock import SystemClock
from kyodo.app import KyodoApp, open_store
from sandbox.server import SandboxServer
from storage.models import HourReportRow, PersonRow, ServiceRequestRow
from tests.fixtures.held import undo_window_over
from tests.fixtures.kyodo import invite_code, load
from tests.fixtures.line_kyodo import LinePerson, button_labels, kyodo_with_line, said
from tests.fixtures.whole_db import scan

ADDRESS = "東京都中央区日本橋1-2-3"


@pytest.fixture
async def kyodo(sandbox: SandboxServer, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    async with kyodo_with_line(sandbox, kyodo_db) as app:
        yield app


async def people(kyodo: KyodoApp) -> list[tuple[int | None, str, str | None]]:
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        rows = await db.execute(
            select(PersonRow.telegram_user_id, PersonRow.display_name, PersonRow.telegram_language)
            .where(PersonRow.telegram_user_id > 2**53)
            .order_by(PersonRow.id)
        )
        return [tuple(row) for row in rows]


async def test_a_resident_asks_for_a_service_over_line(kyodo, sandbox):
    today = await load(kyodo)
    tome = LinePerson(sandbox, kyodo, sandbox.line.add_person("トメ", "ja", friend=False).user_id)
    welcome = await tome.follows()
    assert "トメさん、こんにちは" in said(welcome)
    assert "🤝 サービスを利用したい" in button_labels(welcome[-1])
    asked = await tome.taps("サービスを利用したい")
    assert "どのサービスをご希望ですか" in said(asked)
    assert asked[-1].quick_reply  # a few short choices: quick replies
    await tome.taps("高齢者の介護")
    await tome.taps("配食サービス")
    days = await tome.taps("自分")
    assert "ご希望の日を押してください" in said(days)
    assert days[-1].message["type"] == "flex"  # two weeks of days: a bubble
    day = today + timedelta(days=2)
    chosen = await tome.taps(f"{day.month}月{day.day}日")
    assert any(label.startswith("✅") for label in button_labels(chosen[-1]))
    await tome.taps("次へ")
    await tome.taps("午前")
    consent = await tome.taps("中央区")
    assert "個人情報の取り扱い" in said(consent)
    address = await tome.taps("同意する")
    assert "ご住所を入力してください" in said(address)
    await tome.says(ADDRESS)
    details = await tome.says("０９０－１２３４－５６７８")
    assert "ご要望" in said(details)
    summary = await tome.says("昼食を週3回")
    assert "090-1234-5678" in said(summary) and "配食サービス" in said(summary)
    sent = await tome.taps("この内容で送る")
    month = SystemClock().now().astimezone(kyodo.settings.tz).strftime("%y%m")
    assert f"K-{month}-0001" in said(sent)

    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        rows = await db.execute(
            select(
                ServiceRequestRow.reference, ServiceRequestRow.phone, ServiceRequestRow.address
            ).where(ServiceRequestRow.reference.startswith(f"K-{month}-"))
        )
        assert [tuple(r) for r in rows] == [(f"K-{month}-0001", "090-1234-5678", ADDRESS)]
    [(chat_id, name, language)] = await people(kyodo)
    assert Channel.of(chat_id) is Channel.LINE and (name, language) == ("トメ", "ja")
    # Every answer went as a reply: nothing of the month's push quota was spent.
    assert {entry.via for entry in tome.received} == {"reply"}
    assert sandbox.line.stats.get("push_messages", 0) == 0


async def test_a_member_joins_and_reports_hours_by_tapping_quick_replies(kyodo, sandbox, person):
    await load(kyodo)
    code = await invite_code(kyodo.settings, Role.MEMBER)
    ken = LinePerson(sandbox, kyodo, sandbox.line.add_person("Ken Mori", "en").user_id)
    menu = await ken.says("hello")
    assert "Kyodo could not read that." in said(menu)  # LINE's profile said English
    asked = await ken.taps("I'm a member")
    assert "invite code" in said(asked)
    welcome = await ken.says(code)
    assert "Ken Mori" in said(welcome)
    await ken.taps("Report hours")
    when = ken.received[-1]
    assert when.quick_reply and any(label.startswith("Today") for label in button_labels(when))
    await ken.taps("Today")
    await ken.taps("Another centre")
    await ken.taps("Chuo Care Centre")  # a long label: in a bubble
    await ken.taps("Elderly day care")
    confirm = await ken.taps("8 h")
    assert "Send this report?" in said(confirm) and "⏱ 8 h" in said(confirm)
    sent = await ken.taps("Send")
    assert "✅ Reported:" in said(sent)
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        reports = (await db.execute(select(HourReportRow.status, HourReportRow.minutes))).all()
    assert [tuple(r) for r in reports] == [("pending", 480)]
    assert {entry.via for entry in ken.received} == {"reply"}

    # Staff approve in Telegram; the member hears in LINE, by push (no token of theirs is
    # waiting: nothing they did is being answered).
    hanako = person(1001, "花子", "ja")
    await hanako.says("/start")
    await hanako.presses_key("✅ 承認")
    await hanako.taps("表示中の1件")  # asked once, with the count
    await hanako.taps("はい、まとめて承認します")
    await undo_window_over(kyodo.settings, UndoKind.HOURS_DECISION)  # held while undoable
    notice = await sandbox.line.wait_for_text(ken.user_id, "Your hours were approved", 10)
    assert notice.via == "push"
    [push] = sandbox.line.calls_of("pushMessage")
    assert push.retry_key is not None


async def test_forget_over_line_leaves_nothing_of_the_person(kyodo, sandbox):
    """After /forget (and the farewell), no table holds their LINE user id, name, words or the
    chat id that stood for them."""
    await load(kyodo)
    marker, phone = "Zqxmark", "090-7777-0123"
    tome = LinePerson(sandbox, kyodo, sandbox.line.add_person(f"{marker} トメ", "ja").user_id)
    await tome.says("/start")
    for step in ("サービスを利用したい", "清掃", "家の清掃", "自分", "いつでもよい"):
        await tome.taps(step)
    for step in ("いつでもよい", "中央区", "同意する"):
        await tome.taps(step)
    await tome.says(f"{marker} 東京都中央区日本橋1-2-3")
    await tome.says(phone)
    await tome.says(f"{marker} 週1回")
    await tome.taps("この内容で送る")
    [(chat_id, _, _)] = await people(kyodo)
    needles = [tome.user_id, marker, "7777-0123", str(chat_id)]
    async with open_store(kyodo.settings) as store:
        before = await scan(store.engine, needles)
    assert {"line_users", "people", "service_requests"} <= before.keys()
    asked = await tome.says("/forget")
    assert "はい、消してください" in button_labels(asked[-1])
    farewell = await tome.taps("はい、消してください")
    assert "あなたのデータを削除しました" in said(farewell)

    async with open_store(kyodo.settings) as store:
        found = await scan(store.engine, needles)
    assert found == {}
