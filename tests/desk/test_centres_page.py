"""The desk's Centres page over plain HTTP, against Kyodo running for real: an admin lists the
demo's centres, adds one (a bad phone number is answered in Japanese and what was typed is
kept), renames and describes it, and closes it; a form without its CSRF token changes nothing.
Every change is in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import AuditRow
from tests.desk.conftest import Desk, DeskClient
from tests.fixtures.browser import needs_chromium, on_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]

KITA = {
    "name_ja": "北ケアセンター",
    "name_en": "Kita Care Centre",
    "phone": "03-9999-0000",
    "kinds": "childcare",
    "areas": "北区\r\n板橋区",
}


async def centre_named(desk: Desk, name_en: str):
    async with await desk.store() as store, store.uow() as uow:
        return next((c for c in await uow.centres.all() if c.name_en == name_en), None)


async def test_an_admin_adds_edits_and_closes_a_centre(desk: Desk, web: DeskClient):
    await web.sign_in()
    listed = await web.get("/centres")
    assert listed.status == 200 and listed.h1 == "センター"
    assert "中央ケアセンター" in listed.main

    forged = await web.post("/centres", KITA)
    assert forged.status == 403
    assert await centre_named(desk, "Kita Care Centre") is None

    csrf = await web.csrf("/centres")
    bad = await web.post("/centres", {**KITA, "phone": "call us", "csrf": csrf})
    assert bad.status == 400
    assert "電話番号は数字とハイフンで書いてください" in bad.main
    assert bad.input("name_ja") == "北ケアセンター"  # nothing typed is lost

    added = await web.post("/centres", {**KITA, "csrf": csrf})
    assert added.status == 200 and added.url.endswith("/centres?done=centre_added")
    assert "センターを追加しました。" in added.main
    row = "北ケアセンター / Kita Care Centre 03-9999-0000 保育・子育て支援 北区、板橋区"
    assert row in added.main
    kita = await centre_named(desk, "Kita Care Centre")
    assert kita is not None and kita.areas == ("北区", "板橋区")

    taken = await web.post(
        f"/centres/{kita.id}", {**KITA, "name_en": "Chuo Care Centre", "csrf": csrf}
    )
    assert taken.status == 400
    assert "その名前（日本語または英語）のセンターはもうあります" in taken.main

    saved = await web.post(
        f"/centres/{kita.id}",
        {**KITA, "name_ja": "北ケア", "name_en": "Kita Care", "phone": "", "csrf": csrf},
    )
    assert "センターの情報を保存しました。" in saved.main
    assert saved.input("name_en") == "Kita Care"

    closed = await web.post(f"/centres/{kita.id}/close", {"csrf": csrf})
    assert "センターを閉所にしました。記録は残っています。" in closed.main
    assert "北ケア / Kita Care （閉所）" in closed.main
    stored = await centre_named(desk, "Kita Care")
    assert stored is not None and not stored.is_open and stored.phone is None

    async with await desk.store() as store, store.engine.connect() as db:
        rows = await db.execute(
            select(AuditRow.action, AuditRow.subject).where(AuditRow.action.like("centre%"))
        )
        actions = [(row.action, row.subject) for row in rows]
    subject = f"centre:{kita.id}"
    assert actions == [
        ("centre.created", subject),
        ("centre.renamed", subject),
        ("centre.described", subject),
        ("centre.closed", subject),
    ]


async def test_an_admin_adds_a_head_office_and_puts_a_centre_under_it_or_takes_it_out(
    desk: Desk, web: DeskClient
):
    await web.sign_in()
    listed = await web.get("/centres")
    # The demo's two centres are under its head office.
    assert "中央ケアセンター / Chuo Care Centre 所属する本部: 東京本部" in listed.main
    assert "東京本部 / Tokyo Head Office 本部" in listed.main
    csrf = await web.csrf("/centres")
    office = {"name_ja": "神奈川本部", "name_en": "Kanagawa Head Office", "is_office": "1"}
    added = await web.post("/centres", {**office, "csrf": csrf})
    assert added.status == 200 and "神奈川本部 / Kanagawa Head Office 本部" in added.main
    kanagawa = await centre_named(desk, "Kanagawa Head Office")
    assert kanagawa is not None and kanagawa.is_office

    under = {**KITA, "office_id": str(kanagawa.id), "csrf": csrf}
    added = await web.post("/centres", under)
    assert "北ケアセンター / Kita Care Centre 所属する本部: 神奈川本部" in added.main
    kita = await centre_named(desk, "Kita Care Centre")
    assert kita is not None and kita.office_id == kanagawa.id

    wrong = await web.post(f"/centres/{kita.id}", {**under, "office_id": str(kita.id)})
    assert wrong.status == 400 and "その本部はありません" in wrong.main
    out = await web.post(f"/centres/{kita.id}", {**under, "office_id": ""})
    assert "センターの情報を保存しました。" in out.main
    stored = await centre_named(desk, "Kita Care Centre")
    assert stored is not None and stored.office_id is None
    async with await desk.store() as store, store.engine.connect() as db:
        rows = await db.execute(
            select(AuditRow.details).where(AuditRow.action == "centre.office_set")
        )
        assert [row.details for row in rows] == [{"office": None}]
