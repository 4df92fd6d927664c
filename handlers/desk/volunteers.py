"""Volunteer applications on the desk: the waiting ones, oldest first, each with what the
applicant ticked; approve, or decline with a reason the person reads. Each decision is the one
service call the Telegram card makes (bot.services.volunteers), whose consequences tell the
applicant and edit the staff cards (bot.notices.volunteers); seeing the list is audited there,
as it shows names and phone numbers."""

from __future__ import annotations

from aiohttp import web

from bot.domain.errors import DomainError, PermissionDenied
from bot.services import volunteers as service
from handlers.desk.context import (
    config,
    int_arg,
    locale_of,
    now,
    redirect,
    render,
    translator,
    unit,
    user,
)
from handlers.desk.undo import offer, take_back

SHOWN = 30  # the service has no cursor: the oldest waiting applications, a screenful


async def index(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    async with unit(request) as uow:
        views = await service.pending(uow, user(request).actor, now(request), limit=SHOWN)
        await uow.commit()  # the views of personal details are audited
    # Undo of the decision just made (the service decides if it still may).
    decided = int_arg(request.query.get("undo") or None)
    undo = offer(None if decided is None else f"/desk/volunteers/{decided}/undo")
    context = {"views": views, "error": error, **undo}
    return render(request, "volunteers.html", context, status=status)


async def decide(request: web.Request) -> web.StreamResponse:
    application_id = int_arg(request.match_info["id"])
    if application_id is None:
        raise web.HTTPNotFound()
    form = await request.post()
    action = request.match_info["action"]
    desk = config(request)
    try:
        async with unit(request) as uow:
            if action == "approve":
                await service.approve(uow, user(request).actor, application_id, now(request))
            else:
                reason = str(form.get("reason") or "")
                await service.decline(
                    uow, user(request).actor, application_id, reason, now(request)
                )
            await uow.commit()
    except PermissionDenied:
        raise
    except DomainError as error:
        key = f"volunteers.error.{error.code}"
        if not desk.i18n.has(key, locale_of(request)):
            key = "desk.rq.error.other"
        details = {k: v for k, v in error.details.items() if isinstance(v, str | int)}
        message = str(translator(request)(key, **{"limit": "", "length": "", **details}))
        return await index(request, message, 400)
    raise redirect("/desk/volunteers", done=f"vol_{action}", undo=application_id)


async def undo(request: web.Request) -> web.StreamResponse:
    """Undo of the staff member's own decision within its few minutes: the application waits
    again (an approval's volunteer role goes) and the applicant is never told."""
    application_id = int_arg(request.match_info["id"])
    if application_id is None:
        raise web.HTTPNotFound()
    await take_back(
        request, service.undo_decision, application_id, "/desk/volunteers", "vol_undone"
    )


def setup_volunteers(app: web.Application) -> None:
    app.router.add_get("/volunteers", index)
    app.router.add_post("/volunteers/{id:[0-9]+}/{action:approve|decline}", decide)
    app.router.add_post("/volunteers/{id:[0-9]+}/undo", undo)
