"""People on the desk: lists by role, one person's data (each view audited; staff of some
centres see the people of those centres only), roles and the centres a person belongs to
(admins only), and invite codes (issue and revoke)."""

from __future__ import annotations

from aiohttp import web

from bot.domain.errors import DomainError, InvalidInput
from bot.domain.invites import display_code
from bot.domain.people import Role
from bot.i18n import resolve_locale
from bot.services import centres, memberships, people
from bot.services.invites import invitable_roles, issue_invite, open_invites, revoke_invite
from handlers.desk.context import config, int_arg, now, redirect, render, translator, unit, user

ROLES = (Role.MEMBER, Role.VOLUNTEER, Role.RESIDENT, Role.STAFF, Role.COORDINATOR, Role.ADMIN)


async def index(request: web.Request) -> web.Response:
    raw = request.query.get("role", "")
    role = Role(raw) if raw in {r.value for r in Role} else None
    after = int_arg(request.query.get("after")) or 0
    actor = user(request).actor
    async with unit(request) as uow:
        page = await people.page(uow, actor, now(request), role=role, after=after)
        counts = await people.role_counts(uow, actor, now(request))
    context = {"page": page, "role": role, "roles": ROLES, "role_counts": counts}
    return render(request, "people.html", context)


async def _show(
    request: web.Request, person_id: int, error: str | None, status: int
) -> web.Response:
    desk = config(request)
    async with unit(request) as uow:
        data = await people.person_data(
            uow,
            user(request).actor,
            person_id,
            now(request).astimezone(desk.tz).date(),
            now(request),
        )
        belongs = await memberships.centres_of(uow, user(request).actor, person_id, now(request))
        every = await centres.listing(uow, user(request).actor, now(request))
        await uow.commit()  # the view is audited
    context = {
        "data": data,
        "centres": [c for c in every if c.id in belongs],
        # What an admin may tick: open centres, and closed ones the person still belongs to.
        "choosable": [c for c in every if c.is_open or c.id in belongs],
        "belongs": belongs,
        "roles": ROLES,
        "is_admin": Role.ADMIN in user(request).actor.roles,
        "error": error,
        "reads": resolve_locale(
            data.person.locale, data.person.telegram_language, desk.default_locale
        ),
    }
    return render(request, "person.html", context, status=status)


async def show(request: web.Request) -> web.Response:
    person_id = int_arg(request.match_info["id"])
    if person_id is None:
        raise web.HTTPNotFound()
    return await _show(request, person_id, None, 200)


async def roles(request: web.Request) -> web.StreamResponse:
    person_id = int_arg(request.match_info["id"])
    if person_id is None:
        raise web.HTTPNotFound()
    form = await request.post()
    wanted = {str(v) for v in form.getall("roles", [])}
    actor = user(request).actor
    try:
        async with unit(request) as uow:
            for role in ROLES:
                await people.change_role(
                    uow, actor, person_id, role, grant=role.value in wanted, now=now(request)
                )
            await uow.commit()
    except DomainError as error:
        if error.code != "own_admin":
            raise
        return await _show(
            request, person_id, str(translator(request)("desk.person.own_admin")), 400
        )
    raise redirect(f"/desk/people/{person_id}", done="roles_saved")


async def person_centres(request: web.Request) -> web.StreamResponse:
    """An admin sets the centres a person belongs to (for staff: their scope)."""
    person_id = int_arg(request.match_info["id"])
    if person_id is None:
        raise web.HTTPNotFound()
    form = await request.post()
    wanted = [int_arg(str(v)) for v in form.getall("centres", [])]
    if None in wanted:
        raise web.HTTPBadRequest()
    try:
        async with unit(request) as uow:
            await memberships.set_centres(
                uow,
                user(request).actor,
                person_id,
                [c for c in wanted if c is not None],
                now(request),
            )
            await uow.commit()
    except InvalidInput as error:
        if error.code != "unknown_centre":
            raise
        message = str(translator(request)("desk.person.centre_unknown"))
        return await _show(request, person_id, message, 400)
    raise redirect(f"/desk/people/{person_id}", done="centres_saved")


async def invites(request: web.Request) -> web.Response:
    actor = user(request).actor
    async with unit(request) as uow:
        found = await open_invites(uow, actor, now(request))
    context = {
        "invites": found,
        "invitable": [r for r in ROLES if r in invitable_roles(actor)],
        "new_code": None,
    }
    return render(request, "invites.html", context)


async def issue(request: web.Request) -> web.Response:
    form = await request.post()
    raw = str(form.get("role") or "")
    role = Role(raw) if raw in {r.value for r in Role} else Role.MEMBER
    desk = config(request)
    actor = user(request).actor
    async with unit(request) as uow:
        invite = await issue_invite(uow, actor, role, now(request), desk.invite_ttl_hours)
        await uow.commit()
        found = await open_invites(uow, actor, now(request))
    context = {
        "invites": found,
        "invitable": [r for r in ROLES if r in invitable_roles(actor)],
        "new_code": display_code(invite.code),
        "new_link": f"https://t.me/{desk.bot_username}?start={invite.code}",
        "line_link": desk.line_add_friend,
    }
    return render(request, "invites.html", context)


async def revoke(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    code = str(form.get("code") or "")[:64]  # the invite's hash: the list shows no codes
    try:
        async with unit(request) as uow:
            await revoke_invite(uow, user(request).actor, code, now(request))
            await uow.commit()
    except DomainError as error:
        if error.code != "invite_gone":
            raise
        raise redirect("/desk/invites", done="invite_gone") from None
    raise redirect("/desk/invites", done="revoked")


def setup_people(app: web.Application) -> None:
    app.router.add_get("/people", index)
    app.router.add_get("/people/{id:[0-9]+}", show)
    app.router.add_post("/people/{id:[0-9]+}/roles", roles)
    app.router.add_post("/people/{id:[0-9]+}/centres", person_centres)
    app.router.add_get("/invites", invites)
    app.router.add_post("/invites", issue)
    app.router.add_post("/invites/revoke", revoke)
