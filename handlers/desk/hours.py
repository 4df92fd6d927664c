"""Hours waiting for approval: the oldest first, filtered by centre; approve one or a selection,
reject with a reason. Each decision is the same service call as the Telegram button; the member
hears of it from the decision's consequence (`bot.notices.hours`), as from every other door, once
the few minutes in which the page offers Undo for one decision are over (`undo_decision`, as the
Telegram Undo button)."""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

from bot.domain.errors import DomainError, InvalidInput
from bot.domain.undo import UNDO_WINDOW
from bot.services.coop import centres
from bot.services.hours import (
    DESK_REVIEW_REFUSED,
    approve_reports,
    count_waiting,
    for_review,
    preview_approvals,
    reject_report,
    undo_approvals,
    undo_decision,
    waiting_for_review,
)
from handlers.desk.context import (
    int_arg,
    now,
    redirect,
    render,
    translator,
    unit,
    user,
)

MAX_SELECTION = 100


async def queue(request: web.Request) -> web.Response:
    centre_id = int_arg(request.query.get("centre") or None)
    after = int_arg(request.query.get("after")) or 0
    actor = user(request).actor
    async with unit(request) as uow:
        # The review queue of Telegram's review list, audited as the desk's on a refusal.
        page = await waiting_for_review(
            uow, actor, now(request), centre_id=centre_id, after=after, refused=DESK_REVIEW_REFUSED
        )
        total = await count_waiting(
            uow, actor, now(request), centre_id=centre_id, refused=DESK_REVIEW_REFUSED
        )
        listed = await centres(uow)
    back = "/desk/hours" + (f"?centre={centre_id}" if centre_id else "")
    # Undo of the decision just made (after approve one or reject); the service decides if it may.
    undone = int_arg(request.query.get("undo") or None)
    batch = _ids(request.query.get("batch", "").split(","))  # after approving a selection
    return render(
        request,
        "hours.html",
        {
            "page": page,
            "total": total,
            "centres": listed,
            "centre_id": centre_id,
            "back": back,
            "undo": undone,
            "undo_batch": batch,
            "undo_minutes": int(UNDO_WINDOW.total_seconds() // 60),
        },
    )


def _ids(values: Iterable[object]) -> list[int]:
    found = (int_arg(str(v) or None) for v in values)
    return list(dict.fromkeys(i for i in found if i is not None))[:MAX_SELECTION]


async def approve(request: web.Request) -> web.StreamResponse:
    """Approve one or a selection: asked first on a page that names the reports and how many
    members are told (as Telegram asks), then approved with an Undo on the page (a selection
    approved and undone as one, as Telegram's "approve all")."""
    form = await request.post()
    one = int_arg(str(form.get("one") or "") or None)
    ids = [one] if one is not None else _ids(form.getall("ids", []))
    back = str(form.get("back") or "/desk/hours")
    back = back if back.startswith("/desk/hours") else "/desk/hours"
    if not ids:
        raise redirect(back, done="none_selected")
    actor = user(request).actor
    if not form.get("confirmed"):
        async with unit(request) as uow:
            views = await preview_approvals(uow, actor, ids, now(request))
        if not views:
            raise redirect(back, done="already_decided", n=0)
        context = {
            "views": views,
            "one": one,
            "people": len({v.person.id for v in views}),
            "back": back,
            "undo_minutes": int(UNDO_WINDOW.total_seconds() // 60),
        }
        return render(request, "hours_confirm.html", context)
    async with unit(request) as uow:
        approved = await approve_reports(uow, actor, ids, now(request))
        await uow.commit()
    if not approved:
        raise redirect(back, done="already_decided", n=0)
    if one is not None:
        raise redirect(back, done="approved", n=1, undo=one)  # one decision: Undo on the page
    batch = ",".join(str(v.report.id) for v in approved)
    raise redirect(back, done="approved", n=len(approved), batch=batch)


async def reject_form(request: web.Request) -> web.Response:
    report_id = int_arg(request.match_info["id"])
    if report_id is None:
        raise web.HTTPNotFound()
    async with unit(request) as uow:
        view = await for_review(uow, user(request).actor, report_id, now(request))
    if view.report.status != "pending":
        raise redirect("/desk/hours", done="already_decided", n=0)
    return render(request, "reject.html", {"view": view, "reason": "", "error": None})


async def reject(request: web.Request) -> web.StreamResponse:
    report_id = int_arg(request.match_info["id"])
    if report_id is None:
        raise web.HTTPNotFound()
    form = await request.post()
    reason = str(form.get("reason") or "")
    async with unit(request) as uow:
        try:
            await reject_report(uow, user(request).actor, report_id, reason, now(request))
        except InvalidInput as error:
            current = await for_review(uow, user(request).actor, report_id, now(request))
            t = translator(request)
            message = t(f"desk.reject.error.{error.code}", limit=300)
            return render(
                request,
                "reject.html",
                {"view": current, "reason": reason, "error": message},
                status=400,
            )
        except DomainError as error:
            if error.code == "hours_not_pending":
                raise redirect("/desk/hours", done="already_decided", n=0) from None
            raise
        await uow.commit()
    raise redirect("/desk/hours", done="rejected", n=1, undo=report_id)


# Why an undo is refused (the service's codes): each has its note on the page.
UNDO_REFUSALS = frozenset({"undo_expired", "undo_acted", "undo_already"})


async def undo(request: web.Request) -> web.StreamResponse:
    """Undo of the staff member's own decision, within its few minutes and while nobody else
    acted on the report: it is pending again and the member is never told."""
    report_id = int_arg(request.match_info["id"])
    if report_id is None:
        raise web.HTTPNotFound()
    async with unit(request) as uow:
        try:
            await undo_decision(uow, user(request).actor, report_id, now(request))
        except DomainError as error:
            if error.code in UNDO_REFUSALS:
                raise redirect("/desk/hours", done=error.code, n=0) from None
            raise
        await uow.commit()
    raise redirect("/desk/hours", done="undone", n=1)


async def undo_batch(request: web.Request) -> web.StreamResponse:
    """Undo of a selection approved together: each of the staff member's own approvals in it
    that nobody acted on since is pending again, and those members are never told."""
    ids = _ids((await request.post()).getall("ids", []))
    async with unit(request) as uow:
        try:
            undone = await undo_approvals(uow, user(request).actor, ids, now(request))
        except DomainError as error:
            if error.code in UNDO_REFUSALS:
                raise redirect("/desk/hours", done=error.code, n=0) from None
            raise
        await uow.commit()
    raise redirect("/desk/hours", done="undone_batch", n=len(undone))


def setup_hours(app: web.Application) -> None:
    app.router.add_get("/hours", queue)
    app.router.add_post("/hours/approve", approve)
    app.router.add_get("/hours/{id}/reject", reject_form)
    app.router.add_post("/hours/{id}/reject", reject)
    app.router.add_post("/hours/{id}/undo", undo)
    app.router.add_post("/hours/undo", undo_batch)
