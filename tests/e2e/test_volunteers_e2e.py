"""End to end, over both transports: a volunteer application approved by staff, and the logs.

Kyodo runs for real against the sandbox on a SQLite file; a stranger applies by tapping and
typing, the coordinator opens the application from the notice and approves it, the new volunteer
is told. The same run, and a /forget afterwards, are logged at DEBUG: the applicant's name and
phone number must not appear in any of Kyodo's log records.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kyodo.app import KyodoApp, open_store
from storage.models import PersonRoleRow, PersonRow, VolunteerApplicationRow
from tests.fixtures.held import undo_window_over
from tests.fixtures.kyodo import kyodo_settings, labels, load

NAME = "渡辺 みどり"
PHONE_TYPED = "０８０－９８７６－５４３２"
PHONE = "080-9876-5432"


@pytest.fixture
async def kyodo(sandbox: Any, transport: str, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    """Kyodo with staff cards on: that is how staff learn of a new application."""
    app = KyodoApp(kyodo_settings(sandbox, transport, kyodo_db, KYODO_STAFF_CARDS="on"))
    await app.start()
    yield app
    await app.stop()


async def ticks(who, sandbox, label_part: str) -> None:
    """Taps a toggle button: Kyodo edits the message in place rather than sending a new one."""
    last = who.messages[-1]
    edits = len(last.history)
    [data] = [b["callback_data"] for b in last.buttons if label_part in b["text"]]
    sandbox.user_presses(who.user, last.message_id, data)
    changed = await sandbox.notifier.wait_until(lambda: len(who.messages[-1].history) > edits, 10)
    assert changed, f"the toggle {label_part!r} did not edit the message"
    assert f"✅ {label_part}" in [b["text"] for b in who.messages[-1].buttons]


async def arrives(who, sandbox, text: str):
    """The first message to `who` containing `text`, once it has arrived."""

    def found():
        return next((m for m in who.messages if m.text and text in m.text), None)

    assert await sandbox.notifier.wait_until(lambda: found() is not None, 10), text
    return found()


async def _application(kyodo) -> tuple[str, str | None] | None:
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        row = (
            await db.execute(select(VolunteerApplicationRow.status, VolunteerApplicationRow.phone))
        ).first()
    return None if row is None else (row[0], row[1])


async def test_a_volunteer_applies_staff_approve_and_nothing_personal_is_logged(
    kyodo, person, sandbox, caplog
):
    await load(kyodo)
    midori, hanako = person(7101, "みどり", "ja"), person(1001, "花子", "ja")
    with caplog.at_level(logging.DEBUG):
        menu = await midori.says("/start")
        assert any("ボランティア" in label for label in labels(menu))
        await midori.taps("ボランティア", expect=2)  # the welcome, then the first question
        await midori.says(NAME)
        bad = await midori.says("123")
        assert "電話番号として読み取れませんでした" in bad.text
        await midori.says(PHONE_TYPED)
        await ticks(midori, sandbox, "災害支援")
        await midori.taps("次へ")
        await ticks(midori, sandbox, "土曜日の午前")
        await midori.taps("次へ")
        await ticks(midori, sandbox, "日本語")
        await midori.taps("次へ")
        await ticks(midori, sandbox, "運転免許")
        await midori.taps("次へ")
        summary = await midori.taps("同意します")
        assert f"お名前：{NAME}" in summary.text and f"電話：{PHONE}" in summary.text
        sent = await midori.taps("この内容で申し込む")
        assert "お申し込みを受け付けました" in sent.text
        assert await _application(kyodo) == ("pending", PHONE)

        # The staff card (posted by the card feed) shows the application with its buttons.
        card = await arrives(hanako, sandbox, "ボランティアの申し込み #")
        assert NAME in card.text
        told_before = len(midori.messages)
        [approve] = [b["callback_data"] for b in card.buttons if "承認" in b["text"]]
        before = len(hanako.messages)
        sandbox.user_presses(hanako.user, card.message_id, approve)
        asked = await hanako.is_told(before)
        assert "本当にこのボランティアの申し込みを承認しますか" in asked.text
        await hanako.taps("はい、承認します")
        await undo_window_over(kyodo.settings)  # the notice is held while staff may undo
        told = await midori.is_told(told_before)  # past the short menu volunteers now get
        assert "ボランティアのお申し込みが承認されました" in told.text
        assert await _application(kyodo) == ("approved", PHONE)
        async with open_store(kyodo.settings) as store, store.engine.connect() as db:
            roles = (
                await db.scalars(
                    select(PersonRoleRow.role)
                    .join(PersonRow, PersonRow.id == PersonRoleRow.person_id)
                    .where(PersonRow.telegram_user_id == midori.id)
                )
            ).all()
        assert "volunteer" in roles

        volunteer_menu = await midori.says("/menu")
        assert any("募集中" in label or "シフト" in label for label in labels(volunteer_menu))
        await midori.says("/forget")
        gone = await midori.taps("はい、消してください")
        assert "あなたのデータを削除しました" in gone.text
    assert await _application(kyodo) is None
    ours = [r for r in caplog.records if not r.name.startswith("sandbox")]
    assert ours, "no log records were captured: the test would prove nothing"
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in ours)
    for secret in (NAME, PHONE, PHONE_TYPED, "9876"):
        assert secret not in logged, secret
