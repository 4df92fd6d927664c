"""The desk's Undo of an hours decision (handlers/desk/hours.py), over plain HTTP: approving one
report is asked first on a page of its own; after approving or rejecting one, the page offers
Undo; within the few minutes it makes the report pending again through the same service call as
Telegram's Undo (`undo_decision`), and the held notice is withdrawn, so the member is never told;
later, the page says it can no longer be undone.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.domain.undo import HELD_PREFIX, UndoKind, held_key
from storage.models import HourReportChangeRow, OutboxRow
from tests.desk.conftest import TANAKA, Desk, DeskClient, statuses
from tests.fixtures.browser import needs_chromium, on_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]


async def held(desk: Desk, report_id: int) -> list[str]:
    key = held_key(UndoKind.HOURS_DECISION, report_id)
    async with await desk.store() as store, store.engine.connect() as db:
        rows = await db.scalars(
            select(OutboxRow.dedupe_key).where(OutboxRow.dedupe_key.startswith(key))
        )
        return [k for k in rows.all() if k is not None and k.startswith(HELD_PREFIX)]


async def test_approve_one_then_undo_on_the_page_leaves_it_pending_and_untold(
    desk: Desk, web: DeskClient
):
    report = await desk.report(TANAKA, 4, 300)
    await web.sign_in()
    csrf = await web.csrf("/hours")
    asked = await web.post("/hours/approve", {"csrf": csrf, "one": str(report)})
    assert asked.h1 == "この勤務時間を承認する" and "組合員1人にお知らせします" in asked.main
    assert "はい、承認します" in asked.main
    assert (await statuses(desk))[report] == ("pending", None)  # asking changes nothing
    approved = await web.post(
        "/hours/approve", {"csrf": csrf, "one": str(report), "confirmed": "1"}
    )
    assert "承認しました" in approved.main and "元に戻す" in approved.main
    assert f"undo={report}" in approved.url
    assert (await statuses(desk))[report] == ("approved", None)
    assert len(await held(desk, report)) == 1  # the member's notice waits for the window
    undone = await web.post(f"/hours/{report}/undo", {"csrf": csrf})
    assert "元に戻しました。報告は確認待ちに戻りました。" in undone.main
    assert (await statuses(desk))[report] == ("pending", None)
    assert await held(desk, report) == []  # withdrawn: never sent
    again = await web.post(f"/hours/{report}/undo", {"csrf": csrf})
    assert "これはもう元に戻してあります。" in again.main


async def test_a_rejection_undone_after_the_window_is_refused_on_the_page(
    desk: Desk, web: DeskClient
):
    report = await desk.report(TANAKA, 5, 240)
    await web.sign_in()
    csrf = await web.csrf("/hours")
    rejected = await web.post(f"/hours/{report}/reject", {"csrf": csrf, "reason": "日付が違います"})
    assert "元に戻す" in rejected.main
    async with await desk.store() as store, store.engine.begin() as db:
        # Five minutes have passed since the rejection (the app runs on the real clock).
        rows = (
            await db.execute(
                select(HourReportChangeRow.id, HourReportChangeRow.at).where(
                    HourReportChangeRow.report_id == report
                )
            )
        ).all()
        for row in rows:
            await db.execute(
                update(HourReportChangeRow)
                .where(HourReportChangeRow.id == row.id)
                .values(at=row.at - timedelta(minutes=5))
            )
    late = await web.post(f"/hours/{report}/undo", {"csrf": csrf})
    assert "元に戻せる時間を過ぎたため、取り消せません。" in late.main
    assert (await statuses(desk))[report] == ("rejected", "日付が違います")
