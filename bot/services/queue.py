"""What waits for staff, counted: hour reports to review, open service requests and volunteer
applications. The desk's navigation shows these numbers beside each queue on every page; the
lists themselves are each feature's (`hours.waiting_for_review`, `requests.queue`,
`volunteers.pending`), which Telegram's `/queue` lists too.

Staff only; a refusal is audited. Each number counts what the staff member's scope covers
(bot.services.access): hours and requests of their centres, applications for whole-co-op staff.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.people import Actor
from bot.domain.requests import OPEN
from bot.ports.store import UnitOfWork
from bot.services import access, hours, requests

REFUSED = "desk.counts_refused"
COUNT_CAP = 100  # applications counted at most: the store has no count of them


async def counts(uow: UnitOfWork, actor: Actor, now: datetime) -> dict[str, int]:
    """How many of each kind wait: "hours", "requests" and "volunteers"."""
    await access.require_staff(uow, actor, now, refused=REFUSED)
    by_status = await requests.counts(uow, actor, now)
    return {
        "hours": await hours.count_waiting(uow, actor, now, refused=REFUSED),
        "requests": sum(n for status, n in by_status.items() if status in OPEN),
        # The applications' store has no count: a queue of volunteers is short, 100 at most.
        # Applications are no centre's yet: counted for whole-co-op staff only.
        "volunteers": len(await uow.volunteers.pending(COUNT_CAP))
        if (await access.scope_of(uow, actor)).is_whole
        else 0,
    }
