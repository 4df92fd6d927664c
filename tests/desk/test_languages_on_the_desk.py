"""The desk names the language a resident or member reads (a request's page, a person's page)
and, when it is another than the page's, says so where staff write to them and how to write
both (the person gets their language's part); the assembly page lists the proxies that cannot
be used. Over plain HTTP against Kyodo running for real."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.domain.assemblies import Rsvp
from bot.domain.people import Actor
from bot.ports.clock import SystemClock
from bot.services import assemblies
from storage.models import OutboxRow
from tests.desk.conftest import MARIA, RESIDENT, TANAKA, Desk, DeskClient, writes
from tests.fixtures.browser import needs_chromium, on_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]

REASON_JA = "その日は人手が足りないため、お受けできません。"
REASON_EN = "We are short of staff that day and cannot take it."


async def test_an_english_resident_s_request_names_their_language_and_gets_the_english_reason(
    desk: Desk, web: DeskClient
):
    request_id = await desk.service_request(MARIA)
    await web.sign_in()
    page = await web.get(f"/requests/{request_id}")
    assert "言語 英語" in page.main
    assert "Maria Santosさんは英語で読みます。英語でも書きますか？" in page.main
    declined = await web.post(
        f"/requests/{request_id}/decline",
        {"reason": f"{REASON_JA}\n---\n{REASON_EN}", "csrf": page.input("csrf")},
    )
    assert declined.status == 200
    # The notice waits in the outbox while the decline may be undone (bot/domain/undo.py).
    async with await desk.store() as store, store.engine.connect() as db:
        rows = await db.execute(select(OutboxRow.text).where(OutboxRow.chat_id == MARIA))
        texts = [row.text for row in rows]
    [told] = [text for text in texts if REASON_EN in text]
    assert REASON_JA not in told and "---" not in told
    after = await web.get(f"/requests/{request_id}")
    assert REASON_JA in after.main and REASON_EN in after.main  # staff see both

    person = await web.get(f"/people/{await _id(desk, MARIA)}")
    assert "言語 英語" in person.main


async def test_a_japanese_resident_s_request_asks_for_nothing_more(desk: Desk, web: DeskClient):
    request_id = await desk.service_request(RESIDENT)
    await web.sign_in()
    page = await web.get(f"/requests/{request_id}")
    assert "言語 日本語" in page.main and "でも書きますか" not in page.main


async def test_a_conversation_with_an_english_member_offers_to_write_both(
    desk: Desk, web: DeskClient
):
    conversation_id, _ = await writes(desk, MARIA, "I lost my code")
    await web.sign_in()
    page = await web.get(f"/conversations/{conversation_id}")
    assert "Maria Santosさんは英語で読みます。英語でも書きますか？" in page.main


async def test_the_assembly_page_lists_a_proxy_whose_holder_is_absent(desk: Desk, web: DeskClient):
    now = SystemClock().now()
    async with await desk.store() as store, store.uow() as uow:
        assembly = (await uow.assemblies.upcoming(now, 1))[0]
        maria = await uow.people.by_telegram_id(MARIA)
        tanaka = await uow.people.by_telegram_id(TANAKA)
        assert maria is not None and tanaka is not None
        await assemblies.answer(
            uow, Actor(maria.id, maria.roles, "en"), assembly.id, Rsvp.PROXY, now, tanaka.id
        )
        await assemblies.answer(
            uow, Actor(tanaka.id, tanaka.roles, "ja"), assembly.id, Rsvp.ABSENT, now
        )
        await uow.commit()
    await web.sign_in()
    page = await web.get(f"/assemblies/{assembly.id}")
    assert "使えない委任状" in page.main
    assert "⚠️ Maria Santos さんの委任は使えません（受任者が欠席）" in page.main


async def _id(desk: Desk, telegram_id: int) -> int:
    async with await desk.store() as store, store.uow() as uow:
        person = await uow.people.by_telegram_id(telegram_id)
    assert person is not None
    return person.id
