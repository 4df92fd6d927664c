"""Demo service requests for the sandbox: the demo resident's past requests, one done and one
declined, so that `/requests`, `/mydata` and the desk have something to show.

They are dated six weeks back (last month's reference numbers) and closed, so they never stand
in a staff queue. Idempotent: nothing is added when the resident has requests already.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.requests import (
    ForWhom,
    RequestAction,
    RequestChange,
    RequestForm,
    RequestStatus,
    ServiceKind,
    TimeWindow,
    format_reference,
    reference_month,
)
from bot.ports.store import UnitOfWork

DEMO_RESIDENT = 4001  # 山本 トメ
# (days ago, kind, what happened, the decline reason)
_PAST = (
    (45, ServiceKind.MEAL_DELIVERY, RequestStatus.DONE, None),
    (
        40,
        ServiceKind.HOME_CLEANING,
        RequestStatus.DECLINED,
        "担当できる清掃チームの空きがありません",
    ),
)


async def load_demo_requests(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> int:
    resident = await uow.people.by_telegram_id(DEMO_RESIDENT)
    if resident is None or await uow.requests.for_requester(resident.id, 1):
        return 0
    # The first business centre (not the head office: requests are a centre's work).
    centre = next((c for c in await uow.centres.all() if not c.is_office), None)
    for days_ago, kind, status, reason in _PAST:
        at = now - timedelta(days=days_ago)
        month = reference_month(at.astimezone(tz).date())
        reference = format_reference(month, await uow.requests.next_sequence(month))
        form = RequestForm(
            kind=kind,
            for_whom=ForWhom.SELF,
            days=(),
            time_window=TimeWindow.MORNING,
            area="chuo",
            address="中央区日本橋1-1-1(デモ)",
            phone="03-0000-0000",
            details="デモの依頼です",
        )
        request = await uow.requests.add(form, reference=reference, requester_id=resident.id, at=at)
        await uow.requests.add_change(
            RequestChange(
                request.id, at, resident.id, RequestAction.SUBMITTED, None, RequestStatus.RECEIVED
            )
        )
        closed = replace(
            request,
            status=status,
            updated_at=at + timedelta(days=3),
            centre_id=centre.id if centre and status is RequestStatus.DONE else None,
            decline_reason=reason,
        )
        await uow.requests.save(closed, was=RequestStatus.RECEIVED)
        action = RequestAction.DONE if status is RequestStatus.DONE else RequestAction.DECLINED
        await uow.requests.add_change(
            RequestChange(
                request.id, closed.updated_at, None, action, RequestStatus.RECEIVED, status
            )
        )
    return len(_PAST)
