"""The desk's Letters page over plain HTTP, against Kyodo running for real: an admin sees the
imported people who have not joined, reprints a letter (a PDF comes back; the old code stops
working and the new one works), and revokes it; a form without its CSRF token changes nothing."""

from __future__ import annotations

import re

import pytest

from bot.domain.invites import code_hash
from bot.domain.people import Actor, NewPerson, Role
from bot.ports.clock import SystemClock
from bot.services import member_import
from tests.desk.conftest import Desk, DeskClient
from tests.fixtures.browser import needs_chromium, on_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]

CSV = "name,kana,centres,language\n田中 一郎,タナカ イチロウ,中央ケアセンター,ja\n"


async def test_an_admin_reprints_and_revokes_a_letter(desk: Desk, web: DeskClient):
    admin = Actor(None, frozenset({Role.ADMIN}), "ja")
    async with await desk.store() as store, store.uow() as uow:
        report = await member_import.import_members(
            uow, admin, CSV.encode(), SystemClock().now(), letters=True
        )
        await uow.commit()
    [first] = report.letters
    person_id = first.person.id

    await web.sign_in()
    listed = await web.get("/members")
    assert listed.status == 200 and listed.h1 == "組合員の案内状"
    assert "田中 一郎 タナカ イチロウ 中央ケアセンター" in listed.main

    forged = await web.post(f"/members/{person_id}/reprint")
    assert forged.status == 403

    csrf = await web.csrf("/members")
    async with web.http.post(
        f"{desk.base}/members/{person_id}/reprint", data={"csrf": csrf}
    ) as answer:
        assert answer.status == 200 and answer.content_type == "application/pdf"
        assert answer.headers["Cache-Control"] == "no-store"
        pdf = await answer.read()
    assert pdf.startswith(b"%PDF")
    async with await desk.store() as store, store.uow() as uow:
        old = await uow.invites.get(code_hash(first.code))
        assert old is not None and old.is_expired(SystemClock().now())
        [new] = await uow.invites.open_for(person_id, SystemClock().now())
        assert new.code_hash != old.code_hash

    revoked = await web.post(f"/members/{person_id}/revoke", {"csrf": csrf})
    assert revoked.status == 200 and revoked.url.endswith("/members?done=letter_revoked")
    assert "案内状のコードを取り消しました。" in revoked.main
    assert re.search(r"田中 一郎 タナカ イチロウ 中央ケアセンター コードなし", revoked.main)
    again = await web.post(f"/members/{person_id}/revoke", {"csrf": csrf})
    assert again.status == 400 and "取り消せる案内状のコードがありません" in again.main


async def test_staff_who_are_not_admins_see_no_letters_and_are_refused(desk: Desk, web: DeskClient):
    async with await desk.store() as store, store.uow() as uow:
        if await uow.people.by_telegram_id(9101) is None:
            await uow.people.add(
                NewPerson(9101, "伊藤 職員", "ja", SystemClock().now(), roles={Role.STAFF})
            )
            await uow.commit()
    home = await web.sign_in(9101)
    assert 'href="/desk/members"' not in home.html
    refused = await web.get("/members")
    assert refused.status == 403
    assert "田中 一郎" not in refused.main
