"""The desk's Undo after the actions that tell other people (handlers/desk/undo.py), over plain
HTTP: declining, accepting or closing a request, deciding a volunteer application and "send now"
of a broadcast each answer with an Undo on the page. Within the few minutes it puts things back
through the same service call as Telegram's Undo, audited, and the held notices are withdrawn
(nobody told, no broadcast row started); later the page says it can no longer be undone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.domain.undo import HELD_PREFIX
from storage.models import (
    AuditRow,
    BroadcastRow,
    OutboxRow,
    PersonRoleRow,
    PersonRow,
    ServiceRequestChangeRow,
    ServiceRequestRow,
    VolunteerApplicationRow,
)
from tests.desk.conftest import (
    MARIA,
    RESIDENT,
    TANAKA,
    Answer,
    Desk,
    DeskClient,
    statuses,
)
from tests.fixtures.browser import needs_chromium, on_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]

UNDO = "元に戻す"
ALREADY = "これはもう元に戻してあります。"
LATE = "元に戻せる時間を過ぎたため、取り消せません。"


async def held(desk: Desk, prefix: str) -> list[str]:
    async with await desk.store() as store, store.engine.connect() as db:
        keys = await db.scalars(
            select(OutboxRow.dedupe_key).where(OutboxRow.dedupe_key.startswith(prefix))
        )
        return [k for k in keys.all() if k is not None]


async def one(desk: Desk, column, row_id: int):  # type: ignore[no-untyped-def]
    async with await desk.store() as store, store.engine.connect() as db:
        return await db.scalar(select(column).where(column.table.c.id == row_id))


async def audited(desk: Desk, action: str) -> list[str]:
    async with await desk.store() as store, store.engine.connect() as db:
        rows = await db.scalars(select(AuditRow.subject).where(AuditRow.action == action))
        return list(rows.all())


async def five_minutes_ago(desk: Desk, request_id: int) -> None:
    """The request's last change happened five minutes ago (the app runs on the real clock)."""
    async with await desk.store() as store, store.engine.begin() as db:
        rows = (
            await db.execute(
                select(ServiceRequestChangeRow.id, ServiceRequestChangeRow.at).where(
                    ServiceRequestChangeRow.request_id == request_id
                )
            )
        ).all()
        for row in rows:
            await db.execute(
                update(ServiceRequestChangeRow)
                .where(ServiceRequestChangeRow.id == row.id)
                .values(at=row.at - timedelta(minutes=5))
            )


async def post_ids(web: DeskClient, path: str, csrf: str, ids: list[int], **more: str) -> Answer:
    """A form with several ids, as the hours page's checkboxes send it."""
    pairs = [("csrf", csrf), *(("ids", str(i)) for i in ids), *more.items()]
    async with web.http.post(web._url(path), data=pairs) as response:
        return Answer(
            response.status, str(response.url), await response.text(), response.content_type
        )


async def test_a_declined_request_is_undone_on_its_page_and_the_resident_never_told(
    desk: Desk, web: DeskClient
):
    request_id = await desk.service_request()
    await web.sign_in()
    page = f"/requests/{request_id}"
    csrf = await web.csrf(page)
    declined = await web.post(f"{page}/decline", {"csrf": csrf, "reason": "地域の外のため"})
    assert UNDO in declined.main and "undo=decline" in declined.url
    assert await one(desk, ServiceRequestRow.status, request_id) == "declined"
    key = f"{HELD_PREFIX}rx:{request_id}:"
    assert len(await held(desk, key)) == 1  # the resident's notice waits for the window
    undone = await web.post(f"{page}/undo/decline", {"csrf": csrf})
    assert "元に戻しました。ご依頼は前の状態に戻りました。" in undone.main
    assert UNDO not in undone.main
    assert await one(desk, ServiceRequestRow.status, request_id) == "received"
    assert await one(desk, ServiceRequestRow.decline_reason, request_id) is None
    assert await held(desk, key) == []  # withdrawn: never sent
    assert f"service_request:{request_id}" in await audited(desk, "request.undone")
    again = await web.post(f"{page}/undo/decline", {"csrf": csrf})
    assert ALREADY in again.main


async def test_accept_and_done_are_undone_on_the_page_and_late_is_refused(
    desk: Desk, web: DeskClient
):
    request_id = await desk.service_request()
    await web.sign_in()
    page = f"/requests/{request_id}"
    csrf = await web.csrf(page)
    shown = await web.get(page)
    centre = re.search(r'id="accept_centre" name="centre"><option value="(\d+)"', shown.html)
    assert centre is not None
    day = (desk.today() + timedelta(days=1)).isoformat()
    accept = {"csrf": csrf, "centre": centre[1], "day": day, "time": "10:00"}
    accepted = await web.post(f"{page}/accept", accept)
    assert UNDO in accepted.main and "undo=accept" in accepted.url
    assert len(await held(desk, f"{HELD_PREFIX}ra:{request_id}:")) == 1
    await web.post(f"{page}/undo/accept", {"csrf": csrf})
    assert await one(desk, ServiceRequestRow.status, request_id) == "received"
    assert await one(desk, ServiceRequestRow.contact_when, request_id) is None
    assert await held(desk, f"{HELD_PREFIX}ra:{request_id}:") == []
    await web.post(f"{page}/accept", accept)
    done = await web.post(f"{page}/done", {"csrf": csrf})
    assert UNDO in done.main and "undo=done" in done.url
    assert await one(desk, ServiceRequestRow.status, request_id) == "done"
    await five_minutes_ago(desk, request_id)
    late = await web.post(f"{page}/undo/done", {"csrf": csrf})
    assert LATE in late.main
    assert await one(desk, ServiceRequestRow.status, request_id) == "done"


async def test_a_volunteer_decision_is_undone_on_the_page(desk: Desk, web: DeskClient):
    application_id = await desk.volunteer_application()
    await web.sign_in()
    csrf = await web.csrf("/volunteers")
    approved = await web.post(f"/volunteers/{application_id}/approve", {"csrf": csrf})
    assert UNDO in approved.main
    assert await one(desk, VolunteerApplicationRow.status, application_id) == "approved"
    key = f"{HELD_PREFIX}vd:{application_id}:"
    assert len(await held(desk, key)) >= 1  # the notice (and the short menu) wait
    undone = await web.post(f"/volunteers/{application_id}/undo", {"csrf": csrf})
    assert "元に戻しました。申し込みは確認待ちに戻りました。" in undone.main
    assert await one(desk, VolunteerApplicationRow.status, application_id) == "pending"
    assert await held(desk, key) == []
    async with await desk.store() as store, store.engine.connect() as db:
        roles = await db.scalars(
            select(PersonRoleRow.role)
            .join(PersonRow, PersonRow.id == PersonRoleRow.person_id)
            .where(PersonRow.telegram_user_id == RESIDENT)
        )
        assert "volunteer" not in roles.all()
    assert f"volunteer_application:{application_id}" in await audited(desk, "volunteer.undone")
    declined = await web.post(
        f"/volunteers/{application_id}/decline", {"csrf": csrf, "reason": "定員に達しました"}
    )
    assert UNDO in declined.main
    await desk.undo_window_over()  # its notice went out; the decision stands
    decided_at = await one(desk, VolunteerApplicationRow.decided_at, application_id)
    async with await desk.store() as store, store.engine.begin() as db:
        await db.execute(
            update(VolunteerApplicationRow)
            .where(VolunteerApplicationRow.id == application_id)
            .values(decided_at=decided_at - timedelta(minutes=5))
        )
    late = await web.post(f"/volunteers/{application_id}/undo", {"csrf": csrf})
    assert LATE in late.main
    assert await one(desk, VolunteerApplicationRow.status, application_id) == "declined"


async def test_send_now_from_the_desk_waits_and_is_undone_before_anyone_receives_it(
    desk: Desk, web: DeskClient
):
    await web.sign_in()
    csrf = await web.csrf("/broadcasts/new")
    form = {
        "csrf": csrf,
        "audience": "members",
        "kind": "notice",
        "text_ja": "総会のお知らせです",
        "text_en": "The general assembly",
        "when": "now",
        "send": "1",
    }
    sent = await web.post("/broadcasts/new", form)
    assert "送信は少しあとに始まります" in sent.main and UNDO in sent.main
    broadcast_id = int(sent.url.split("/broadcasts/")[1].split("?")[0])
    assert await one(desk, BroadcastRow.status, broadcast_id) == "scheduled"
    assert await one(desk, BroadcastRow.started_at, broadcast_id) is None
    undone = await web.post(f"/broadcasts/{broadcast_id}/undo", {"csrf": csrf})
    assert "一斉連絡は取りやめ、だれにも送っていません。" in undone.main
    assert await one(desk, BroadcastRow.status, broadcast_id) == "cancelled"
    assert await one(desk, BroadcastRow.started_at, broadcast_id) is None
    assert f"broadcast:{broadcast_id}" in await audited(desk, "broadcast.undone")
    again = await web.post(f"/broadcasts/{broadcast_id}/undo", {"csrf": csrf})
    assert ALREADY in again.main


async def test_a_selection_of_hours_is_confirmed_with_its_count_and_undone_as_one(
    desk: Desk, web: DeskClient
):
    first = await desk.report(TANAKA, 1, 480)
    second = await desk.report(MARIA, 2, 360)
    await web.sign_in()
    csrf = await web.csrf("/hours")
    asked = await post_ids(web, "/hours/approve", csrf, [first, second])
    assert "勤務時間の報告2件を承認し、組合員2人にお知らせします。" in asked.main
    assert (await statuses(desk))[first] == ("pending", None)  # asking changes nothing
    approved = await post_ids(web, "/hours/approve", csrf, [first, second], confirmed="1")
    assert "2件を承認しました" in approved.main and UNDO in approved.main
    assert {(await statuses(desk))[i][0] for i in (first, second)} == {"approved"}
    assert len(await held(desk, f"{HELD_PREFIX}hd:")) == 2
    undone = await post_ids(web, "/hours/undo", csrf, [first, second])
    assert "元に戻しました。勤務時間の報告2件は確認待ちに戻りました。" in undone.main
    assert {(await statuses(desk))[i][0] for i in (first, second)} == {"pending"}
    assert await held(desk, f"{HELD_PREFIX}hd:") == []
    again = await post_ids(web, "/hours/undo", csrf, [first, second])
    assert ALREADY in again.main
