"""End to end over LINE, through the stand-in: a volunteer applies by tapping quick replies and
hears in LINE that staff approved them; a staff member who uses LINE acts on what waits for
them from LINE's buttons, and the member concerned is told."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.domain.people import Actor, Role
from bot.ports.clock import SystemClock
from bot.services import memberships
from kyodo.app import KyodoApp, open_store
from sandbox.line.state import ChatEntry
from sandbox.server import SandboxServer
from storage.models import HourReportRow, PersonRoleRow, PersonRow, VolunteerApplicationRow
from tests.fixtures.held import undo_window_over
from tests.fixtures.kyodo import invite_code, load
from tests.fixtures.line_kyodo import LinePerson, button_labels, kyodo_with_line, said

NAME = "渡辺 みどり"
PHONE = "080-9876-5432"


@pytest.fixture
async def kyodo(sandbox: SandboxServer, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    async with kyodo_with_line(sandbox, kyodo_db, KYODO_STAFF_CARDS="on") as app:
        yield app


async def application(kyodo: KyodoApp) -> tuple[str, str | None] | None:
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        row = (
            await db.execute(select(VolunteerApplicationRow.status, VolunteerApplicationRow.phone))
        ).first()
    return None if row is None else (row[0], row[1])


async def roles_of(kyodo: KyodoApp, chat_id: int) -> set[str]:
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        found = await db.scalars(
            select(PersonRoleRow.role)
            .join(PersonRow, PersonRow.id == PersonRoleRow.person_id)
            .where(PersonRow.telegram_user_id == chat_id)
        )
        return set(found.all())


async def test_a_volunteer_applies_over_line_and_hears_of_the_approval(kyodo, sandbox, person):
    await load(kyodo)
    midori = LinePerson(sandbox, kyodo, sandbox.line.add_person("みどり", "ja").user_id)
    menu = await midori.says("/start")
    assert any("ボランティア" in label for label in button_labels(menu[-1]))
    asked = await midori.taps("ボランティア")
    assert "お名前を入力してください" in said(asked)  # with the welcome, in one free reply
    await midori.says(NAME)
    bad = await midori.says("123")
    assert "電話番号として読み取れませんでした" in said(bad)
    await midori.says("０８０－９８７６－５４３２")
    for choice in ("災害支援", "土曜日の午前", "日本語", "運転免許"):
        ticked = await midori.taps(choice)
        assert f"✅ {choice}" in button_labels(ticked[-1]), button_labels(ticked[-1])
        await midori.taps("次へ")
    summary = await midori.taps("同意します")
    assert f"お名前：{NAME}" in said(summary) and f"電話：{PHONE}" in said(summary)
    sent = await midori.taps("この内容で申し込む")
    assert "お申し込みを受け付けました" in said(sent)
    assert await application(kyodo) == ("pending", PHONE)
    assert {entry.via for entry in midori.received} == {"reply"}

    hanako = person(1001, "花子", "ja")
    card = await hanako_card(hanako, sandbox, "ボランティアの申し込み #")
    assert NAME in card.text
    [approve] = [b["callback_data"] for b in card.buttons if "承認" in b["text"]]
    before = len(hanako.messages)
    sandbox.user_presses(hanako.user, card.message_id, approve)
    asked = await hanako.is_told(before)
    assert "本当にこのボランティアの申し込みを承認しますか" in asked.text
    done = await hanako.taps("はい、承認します")
    assert "元に戻す" in " ".join(b["text"] for b in done.buttons), done.text
    await undo_window_over(kyodo.settings)  # the notice is held while staff may undo
    told = await sandbox.line.wait_for_text(midori.user_id, "承認されました", 10)
    assert "ボランティアのお申し込みが承認されました" in (told.text or "")
    assert told.via == "push"
    assert await application(kyodo) == ("approved", PHONE)
    [(chat_id,)] = await line_people(kyodo)
    assert "volunteer" in await roles_of(kyodo, chat_id)


async def hanako_card(hanako, sandbox, text: str):
    def found():
        return next((m for m in hanako.messages if m.text and text in m.text), None)

    assert await sandbox.notifier.wait_until(lambda: found() is not None, 10), text
    return found()


async def line_people(kyodo: KyodoApp) -> list[tuple[int]]:
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        rows = await db.execute(
            select(PersonRow.telegram_user_id).where(PersonRow.telegram_user_id > 2**53)
        )
        return [tuple(r) for r in rows]


async def staff_and_a_report(
    kyodo: KyodoApp, sandbox: SandboxServer
) -> tuple[LinePerson, LinePerson, list[ChatEntry]]:
    """木村 joins as staff of 中央ケアセンター over LINE, then Ken, a member there, reports
    8 hours over LINE: the two, and what 木村 was told on joining."""
    await load(kyodo)
    kimura = LinePerson(sandbox, kyodo, sandbox.line.add_person("木村", "ja").user_id)
    await kimura.follows()
    joined = await kimura.says(await invite_code(kyodo.settings, Role.STAFF))
    [(staff_chat,)] = await line_people(kyodo)
    await belongs_to(kyodo, staff_chat, "中央ケアセンター")
    ken = LinePerson(sandbox, kyodo, sandbox.line.add_person("Ken Mori", "en").user_id)
    await ken.says("hello")
    await ken.taps("I'm a member")
    await ken.says(await invite_code(kyodo.settings, Role.MEMBER))
    await ken.taps("Report hours")
    for step in ("Today", "Another centre", "Chuo Care Centre", "Elderly day care", "8 h", "Send"):
        await ken.taps(step)
    return kimura, ken, joined


async def test_staff_on_line_approve_a_members_hours_from_line(kyodo, sandbox):
    kimura, ken, joined = await staff_and_a_report(kyodo, sandbox)
    assert "スタッフとして登録しました" in said(joined)
    assert await hours(kyodo) == ["pending"]

    # The staff card reaches the staff member's LINE (a push: nothing of theirs is answered).
    card = await sandbox.line.wait_for_text(kimura.user_id, "⏱ 勤務時間 #1 Ken Mori", 10)
    assert card.via == "push" and "状態：承認待ち" in (card.text or "")
    assert button_labels(card) == ["✅ 承認", "↩️ 差し戻す"]
    listed = await kimura.says("/queue")  # the same, from the queue
    assert "勤務時間 1件" in said(listed) and "⏱ 勤務 #1" in button_labels(listed[-1])
    opened = await kimura.taps("⏱ 勤務 #1")
    assert "状態：承認待ち" in said(opened)
    assert button_labels(opened[-1]) == ["✅ 承認", "↩️ 差し戻す"]
    asked = await kimura.taps("✅ 承認")
    assert "本当にこの勤務時間を承認しますか" in said(asked)
    assert button_labels(asked[-1]) == ["はい、承認します", "いいえ、やめます"]
    done = await kimura.taps("はい、承認します")
    # The Undo is a bubble after the answer (it outlasts the messages after it).
    assert "承認しました" in said(done[:1]) and button_labels(done[1])[0] == "↩️ 元に戻す"
    # LINE cannot edit the card: its new state comes as a new message.
    assert "状態：承認済み" in said(done[2:])
    assert await hours(kyodo) == ["approved"]
    await undo_window_over(kyodo.settings)  # the member's notice is held while it may be undone
    told = await sandbox.line.wait_for_text(ken.user_id, "Your hours were approved", 10)
    assert told.via == "push"


async def hours(kyodo: KyodoApp) -> list[str]:
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        return list((await db.scalars(select(HourReportRow.status))).all())


async def belongs_to(kyodo: KyodoApp, chat_id: int, centre_name: str) -> None:
    """What an admin does with `kyodo members centres`: the person works at the centre."""
    admin = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale="ja")
    async with open_store(kyodo.settings) as store, store.uow() as uow:
        person = await uow.people.by_telegram_id(chat_id)
        [centre] = [c for c in await uow.centres.all() if c.name_ja == centre_name]
        assert person is not None
        await memberships.set_centres(uow, admin, person.id, [centre.id], SystemClock().now())
        await uow.commit()


async def test_staff_on_line_can_undo_an_approval_from_line(kyodo, sandbox):
    kimura, _, _ = await staff_and_a_report(kyodo, sandbox)
    await kimura.says("/queue")
    await kimura.taps("⏱ 勤務 #1")
    await kimura.taps("✅ 承認")
    await kimura.taps("はい、承認します")
    # The card's new state arrived after the answer; the Undo is a bubble that stays.
    undone = await kimura.taps("元に戻す")
    assert "元に戻しました" in said(undone)
    assert await hours(kyodo) == ["pending"]
