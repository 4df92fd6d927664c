"""End to end, over both transports: a member reports hours, staff decide, the member is told."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.undo import UndoKind
from kyodo.app import open_store
from storage.models import HourReportChangeRow, HourReportRow
from tests.fixtures.held import undo_window_over
from tests.fixtures.kyodo import load


async def stored(kyodo) -> list[tuple[str, int, str | None]]:
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        rows = await db.execute(
            select(HourReportRow.status, HourReportRow.minutes, HourReportRow.reason).order_by(
                HourReportRow.id
            )
        )
        return [tuple(row) for row in rows]


async def test_a_member_reports_by_tapping_and_staff_approve(kyodo, person, sandbox):
    await load(kyodo)
    maria, hanako = person(2002, "Maria", "en"), person(1001, "花子", "ja")
    await maria.says("/start")
    await maria.presses_key("⏱ Hours")
    await maria.taps("Today")
    await maria.taps("Elderly day care")
    confirm = await maria.taps("8 h")
    assert "Send this report?" in confirm.text and "⏱ 8 h" in confirm.text
    sent = await maria.taps("Send")
    assert "✅ Reported: " in sent.text and ", 8 h." in sent.text
    assert await stored(kyodo) == [("pending", 480, None)]

    await hanako.says("/start")
    queue = await hanako.presses_key("✅ 承認")
    assert "Maria Santos" in queue.text and "⏱ 8時間" in queue.text
    before = len(maria.messages)
    asked = await hanako.taps("表示中の1件")  # one confirmation for all shown, with the count
    assert "勤務時間の報告1件を承認し、組合員1人にお知らせします。" in asked.text
    done = await hanako.taps("はい、まとめて承認します")
    assert "1件を承認しました" in done.text
    assert any("元に戻す" in b["text"] for b in done.buttons)
    await undo_window_over(kyodo.settings, UndoKind.HOURS_DECISION)  # held while undoable
    notice = (await sandbox.wait_for_messages(maria.id, before + 1, timeout=10))[-1]
    assert "Your hours were approved" in notice.text and "8 h (Chuo Care Centre)" in notice.text
    assert await stored(kyodo) == [("approved", 480, None)]


async def test_a_typed_report_is_rejected_with_a_reason_the_member_reads(kyodo, person, sandbox):
    await load(kyodo)
    tanaka, hanako = person(2001, "一郎", "ja"), person(1001, "花子", "ja")
    centres = await tanaka.says("今日 7時間30分")
    assert "どこで、どんな仕事をしましたか" in centres.text
    confirm = await tanaka.taps("清掃")
    assert "⏱ 7時間30分" in confirm.text
    await tanaka.taps("送信する")
    await hanako.says("/start")
    await hanako.presses_key("✅ 承認")
    asked = await hanako.taps("差し戻し")
    assert "差し戻す理由を入力してください" in asked.text
    before = len(tanaka.messages)
    await hanako.says("シフトは4時間でした", expect=2)
    await undo_window_over(kyodo.settings, UndoKind.HOURS_DECISION)  # held while undoable
    notice = (await sandbox.wait_for_messages(tanaka.id, before + 1, timeout=10))[-1]
    assert "勤務時間が差し戻されました" in notice.text
    assert "理由：シフトは4時間でした" in notice.text
    assert await stored(kyodo) == [("rejected", 450, "シフトは4時間でした")]
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        actions = (await db.scalars(select(HourReportChangeRow.action))).all()
    assert actions == ["reported", "rejected"]


async def test_a_member_pressing_a_forged_approve_button_is_refused(kyodo, person):
    await load(kyodo)
    maria, tanaka = person(2002, "Maria", "en"), person(2001, "一郎", "ja")
    await maria.says("/hours 今日 6")
    await maria.taps("Elderly day care")
    await maria.taps("Send")
    await tanaka.says("/start")
    answer = await tanaka.presses_data("hr:a:1")
    assert "その操作は行えません" in answer.text
    assert await stored(kyodo) == [("pending", 360, None)]
