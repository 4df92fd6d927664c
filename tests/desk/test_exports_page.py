"""The desk's Exports page in headless Chromium: a staff member signs in with a one-time link,
exports a month, and the downloaded file is parsed (csv module, openpyxl). Refusals too, over
plain HTTP."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from bot.domain.audit import AuditQuery
from bot.domain.coop import WorkKind
from bot.domain.hours import NewHourReport, ReportStatus
from kyodo.app import open_store
from tests.desk.conftest import MARIA, TANAKA, Desk, DeskClient
from tests.fixtures.browser import needs_chromium, on_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]

NOV = date(2026, 11, 1)


async def _a_month_of_hours(desk: Desk) -> None:
    """Tanaka: 8 h approved and 2.5 h pending; Maria: 7.75 h approved (November 2026)."""
    at = datetime(2026, 12, 1, tzinfo=UTC)
    async with open_store(desk.app.settings) as store, store.uow() as uow:
        tanaka = await uow.people.by_telegram_id(TANAKA)
        maria = await uow.people.by_telegram_id(MARIA)
        assert tanaka and maria
        chuo = min(await uow.centres.all(), key=lambda c: c.id)
        for person, day, minutes, status in (
            (tanaka, 2, 480, ReportStatus.APPROVED),
            (tanaka, 3, 150, ReportStatus.PENDING),
            (maria, 4, 465, ReportStatus.APPROVED),
        ):
            new = NewHourReport(person.id, chuo.id, WorkKind.CLEANING, date(2026, 11, day), minutes)
            report = await uow.hours.add(new, at)
            if status is ReportStatus.APPROVED:
                await uow.hours.save(replace(report, status=status), was=ReportStatus.PENDING)
        await uow.commit()


async def test_staff_export_a_month_as_excel_and_as_csv_from_the_desk(page, desk, tmp_path):
    await _a_month_of_hours(desk)
    await desk.sign_in(page)
    await page.goto(f"{desk.base}/exports")
    await page.get_by_label("月", exact=True).fill("2026-11")
    await page.get_by_label("Excel ブック").check()
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="書き出す").click()
    download = await download_info.value
    assert download.suggested_filename == "kyodo-hours-2026-11.xlsx"
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    sheet = load_workbook(saved).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["番号", "氏名", "センター", "区分", "日数", "時間"]
    assert [row[1:] for row in rows[1:3]] == [
        ["田中 一郎", "中央ケアセンター", "組合員", 1, 8],
        ["Maria Santos", "中央ケアセンター", "組合員", 1, 7.75],
    ]

    # The same month with pending hours, as UTF-8 CSV for Excel.
    await page.goto(f"{desk.base}/exports")
    await page.get_by_label("月", exact=True).fill("2026-11")
    await page.get_by_label("承認待ちの時間も含める").check()
    await page.get_by_label("CSV（UTF-8").check()
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="書き出す").click()
    download = await download_info.value
    assert download.suggested_filename == "kyodo-hours-2026-11-all.csv"
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    content = await asyncio.to_thread(saved.read_bytes)
    assert content.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert parsed[1][1:] == [
        "田中 一郎",
        "中央ケアセンター",
        "組合員",
        "2",
        "8.00",
        "2.50",
        "10.50",
    ]

    async with open_store(desk.app.settings) as store, store.uow() as uow:
        audit = await uow.audit.search(AuditQuery(action="export.hours"), None, 10)
    assert [entry.action for entry in audit] == ["export.hours", "export.hours"]


async def test_a_bad_month_is_explained_on_the_page(desk: Desk, web: DeskClient):
    # (The page passes axe in both languages: tests/desk/test_accessibility.py.)
    await _a_month_of_hours(desk)
    await web.sign_in()
    # A browser's month field only sends valid months; a hand-made request may not.
    form = {"csrf": await web.csrf("/exports"), "month": "2026-13", "scope": "approved"}
    form.update(format="csv")
    response = await web.post("/exports", form)
    assert response.status == 400
    assert "月は 2026-11 のように" in response.main
    form.update(month="2026-11", centre="999")
    response = await web.post("/exports", form)
    assert response.status == 400
    assert "その番号のセンターはありません" in response.main
    form.update(centre="", format="pdf")
    assert (await web.post("/exports", form)).status == 400
    form.update(format="cp932", csrf="forged")
    response = await web.post("/exports", form)
    assert response.status == 403
    assert response.content_type == "text/html"
