"""Transcripts of /mydata and /forget: what a person sees of their data, and being forgotten."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.dialogs.runner import FloodGuard
from bot.domain.coop import WorkKind
from bot.domain.hours import NewHourReport, ReportStatus
from tests.fakes.chat import User
from tests.fixtures.forms import apply
from tests.fixtures.people import HANAKO, SATO, TANAKA, demo, person_id

MARIA = User(2002, "Maria Santos", "en")


@pytest.fixture
async def demo_chat(chat, memory_store, clock):
    await demo(memory_store, clock)
    chat.conversation.flood = FloodGuard(limit=1000)
    return chat


async def _report(store, telegram_id: int, approved: bool, note: str = "鍵は管理室") -> int:
    async with store.uow() as uow:
        me = await uow.people.by_telegram_id(telegram_id)
        centre = (await uow.centres.all())[0]
        assert me is not None
        report = await uow.hours.add(
            NewHourReport(me.id, centre.id, WorkKind.CLEANING, date(2026, 11, 20), 240, note),
            store_now(),
        )
        if approved:
            await uow.hours.save(
                replace(report, status=ReportStatus.APPROVED), was=ReportStatus.PENDING
            )
        await uow.commit()
    return report.id


def store_now():
    from tests.fixtures.core import FakeClock

    return FakeClock().now()


async def test_mydata_shows_profile_hours_shifts_and_the_volunteer_application(
    demo_chat, memory_store
):
    chat = demo_chat
    await _report(memory_store, TANAKA.id, approved=True)
    mine = await chat.send(TANAKA, "/mydata")
    text = mine.text
    assert "あなたについての情報です" in text
    assert "お名前：田中 一郎" in text and f"Telegram ID: {TANAKA.id}" in text
    assert "役割：組合員" in text
    assert "<b>勤務時間の報告</b>（1件）" in text and "11月20日（金） 4時間 承認済み" in text
    assert "鍵は管理室" in text
    assert "<b>シフト</b>" in text and "清掃" in text
    assert ("🗑 私のデータを消す", "pd:forget") in mine.buttons
    await apply(chat, SATO)
    await chat.press(SATO, "va:send")
    applicant = await chat.send(SATO, "/mydata")
    assert "<b>ボランティアの申し込み</b>（1件）" in applicant.text
    assert "電話：090-1234-5678" in applicant.text and "確認待ち" in applicant.text


async def test_mydata_in_english_and_for_someone_unknown(demo_chat):
    chat = demo_chat
    maria = await chat.send(MARIA, "/mydata")
    assert "This is everything Kyodo stores about you." in maria.text
    assert "Roles: member" in maria.text
    stranger = await chat.send(User(8888, "Who", "en"), "/mydata")
    assert stranger.text  # never silent


async def test_mydata_with_many_records_comes_in_several_messages(demo_chat, memory_store):
    chat = demo_chat
    async with memory_store.uow() as uow:
        me = await uow.people.by_telegram_id(MARIA.id)
        centre = (await uow.centres.all())[0]
        assert me is not None
        for day in range(1, 29):
            await uow.hours.add(
                NewHourReport(me.id, centre.id, WorkKind.CLEANING, date(2026, 10, day), 60),
                store_now(),
            )
        await uow.commit()
    shown = await chat.send(MARIA, "/mydata")
    hour_lines = [m for m in shown.messages if "1 h" in m.text]
    assert len(hour_lines) >= 2 and all(len(m.text) < 4096 for m in shown.messages)


async def test_forget_asks_first_and_cancel_keeps_everything(demo_chat, memory_store):
    chat = demo_chat
    ask = await chat.send(TANAKA, "/forget")
    assert "元に戻せません" in ask.text and ("はい、消してください", "pd:yes") in ask.buttons
    await chat.press(TANAKA, "cancel")
    late = await chat.press(TANAKA, "pd:yes")  # the confirmation of a dialog already left
    assert "この画面は古くなっています" in late.text  # out of date: the menu, nothing forgotten
    me = person_id(memory_store, TANAKA.id)
    assert memory_store.state.people[me].display_name == "田中 一郎"
    nobody = await chat.send(SATO, "/forget")  # a stranger: only copies of messages, at once
    assert "Kyodoにはあなたの登録はありませんでした" in nobody.text


async def test_forget_deletes_someone_the_coop_need_not_keep(demo_chat, memory_store):
    chat = demo_chat
    await apply(chat, SATO)
    await chat.press(SATO, "va:send")
    me = person_id(memory_store, SATO.id)
    await chat.send(SATO, "/forget")
    done = await chat.press(SATO, "pd:yes")
    assert "あなたのデータを削除しました。ご利用ありがとう" in done.text
    assert me not in memory_store.state.people
    assert memory_store.state.volunteer_applications == {}
    assert not [d for d in memory_store.state.dialogs if d[1] == SATO.id]
    forgotten = [a for a in memory_store.state.audit if a.action == "personal_data.forgotten"]
    assert forgotten[-1].subject == f"person:{me}"
    assert forgotten[-1].details == {"outcome": "deleted", "withdrawn": 0}
    # Afterwards Kyodo greets them as a stranger.
    again = await chat.send(SATO, "/start")
    assert ("🙋 ボランティアをしたい", "vol") in again.buttons or any(
        d == "vol" for _, d in again.buttons
    )


async def test_forget_anonymises_a_member_with_approved_hours(demo_chat, memory_store):
    chat = demo_chat
    kept = await _report(memory_store, TANAKA.id, approved=True)
    dropped = await _report(memory_store, TANAKA.id, approved=False)
    me = person_id(memory_store, TANAKA.id)
    await chat.send(TANAKA, "/forget")
    done = await chat.press(TANAKA, "pd:yes")
    assert "数字だけ残しました" in done.text
    person = memory_store.state.people[me]
    assert (person.display_name, person.telegram_user_id, person.roles) == ("—", None, frozenset())
    report = memory_store.state.hour_reports[kept]
    assert report.minutes == 240 and report.note is None
    assert dropped not in memory_store.state.hour_reports
    assert not [k for k in memory_store.state.shift_assignments if k[1] == me]
    # The member's Telegram account is a stranger now: the staff's menu is not theirs.
    menu = await chat.send(TANAKA, "/menu")
    assert "hr" not in {d for _, d in menu.buttons}
    assert HANAKO.id in {p.telegram_user_id for p in memory_store.state.people.values()}


async def test_help_tells_everyone_about_mydata(demo_chat):
    for user, text in ((SATO, "/mydata — 保存されている自分の情報"), (MARIA, "/mydata — see")):
        assert text in (await demo_chat.send(user, "/help")).text
    assert "/mydata" in (await demo_chat.send(HANAKO, "/help")).text
