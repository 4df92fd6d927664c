"""A person's centres on the desk, over plain HTTP against Kyodo running for real: an admin
gives a member a centre (audited; a centre that cannot be chosen is answered in Japanese), and
a staff member of another centre is refused that member's page (need-to-know), audited too."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.domain.people import NewPerson, Role
from bot.ports.clock import SystemClock
from storage.models import AuditRow
from tests.desk.conftest import Desk, DeskClient
from tests.fixtures.browser import needs_chromium, on_the_browser_loop
from tests.fixtures.people import TANAKA

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]

KEIKO = 1101  # staff of the demo's second centre only


async def _ids(desk: Desk) -> tuple[int, int, int]:
    """Tanaka's person id and the demo's two centres; Keiko is added as staff of the second."""
    async with await desk.store() as store, store.uow() as uow:
        tanaka = await uow.people.by_telegram_id(TANAKA.id)
        chuo, minato = [c.id for c in await uow.centres.all()][:2]
        keiko = await uow.people.by_telegram_id(KEIKO)
        if keiko is None:
            keiko = await uow.people.add(
                NewPerson(KEIKO, "中村 恵子", "ja", SystemClock().now(), roles={Role.STAFF})
            )
            await uow.memberships.add(keiko.id, minato)
        await uow.commit()
    assert tanaka is not None
    return tanaka.id, chuo, minato


async def _audit(desk: Desk, *actions: str) -> list[tuple[str, str]]:
    async with await desk.store() as store, store.engine.connect() as db:
        rows = await db.execute(
            select(AuditRow.action, AuditRow.subject).where(AuditRow.action.in_(actions))
        )
        return [(row.action, row.subject) for row in rows]


async def test_an_admin_gives_a_member_a_centre_and_staff_of_another_centre_cannot_see_them(
    desk: Desk, web: DeskClient
):
    tanaka, chuo, _ = await _ids(desk)
    await web.sign_in()
    page = await web.get(f"/people/{tanaka}")
    assert page.status == 200
    assert "コーディネーター（全センター）" in page.main  # the role admins may give staff

    csrf = await web.csrf(f"/people/{tanaka}")
    wrong = await web.post(f"/people/{tanaka}/centres", {"centres": "999", "csrf": csrf})
    assert wrong.status == 400
    assert "そのセンターは選べません（閉鎖されたか、ありません）。" in wrong.main

    saved = await web.post(f"/people/{tanaka}/centres", {"centres": str(chuo), "csrf": csrf})
    assert saved.status == 200 and saved.url.endswith(f"/people/{tanaka}?done=centres_saved")
    assert "所属センターを保存しました。" in saved.main
    assert "所属センター 中央ケアセンター" in saved.main
    assert await _audit(desk, "membership.changed") == [("membership.changed", f"person:{tanaka}")]

    # Keiko is staff of the other centre only: Tanaka's page (his contact details) is refused.
    web.forget_cookies()
    await web.sign_in(KEIKO)
    refused = await web.get(f"/people/{tanaka}")
    assert refused.status == 403
    # The desk keeps the refusal under the page asked for (handlers/desk: its own audit row).
    assert await _audit(desk, "person.view_refused") == [
        ("person.view_refused", f"desk:/desk/people/{tanaka}")
    ]
