"""Use cases of volunteer applications: apply, and staff approve or decline.

Anyone known to Kyodo who is not a volunteer yet may apply once at a time. Staff see pending
applications (each view of an applicant's personal details is audited) and decide; an
application belongs to no centre yet, so only whole-co-op staff (admins, coordinators: see
bot.services.access) see and decide it; an approval
gives them the volunteer role. What happened is recorded (`bot.domain.events`): telling the
applicant in their language and the staff cards are its consequences (`bot.notices.volunteers`).
Every staff action is re-authorised here: a forged or replayed button of someone who is not
staff is refused and audited. Telegram's staff cards and the web desk call these same functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.events import ActionUndone, VolunteerApplied, VolunteerDecided
from bot.domain.people import Actor, Person, Role
from bot.domain.requests import parse_phone
from bot.domain.undo import UndoKind, may_undo
from bot.domain.volunteers import (
    Application,
    ApplicationStatus,
    NewApplication,
    check_name,
    check_note,
    check_reason,
    make_choices,
)
from bot.ports.store import UnitOfWork
from bot.services import access
from bot.services.personal_data import record_view

PENDING_LIMIT = 10
REFUSED = "volunteer.refused"


@dataclass(frozen=True)
class ApplicationForm:
    """What the sign-up dialog (or the desk) gathered, as typed and tapped."""

    name: str
    phone: str
    interests: Iterable[str]
    availability: Iterable[str]
    languages: Iterable[str]
    skills: Iterable[str]
    skills_note: str | None
    consent: bool


@dataclass(frozen=True)
class ApplicationView:
    """An application with its applicant (None once they were forgotten)."""

    application: Application
    person: Person | None


async def _view(uow: UnitOfWork, application: Application) -> ApplicationView:
    person = None if application.person_id is None else await uow.people.get(application.person_id)
    return ApplicationView(application, person)


def check_form(form: ApplicationForm) -> NewApplication:
    """The form checked field by field (person id 0: filled in by `submit`)."""
    if not form.consent:
        raise DomainError("consent_required")
    return NewApplication(
        person_id=0,
        name=check_name(form.name),
        phone=parse_phone(form.phone),
        choices=make_choices(form.interests, form.availability, form.languages, form.skills),
        skills_note=check_note(form.skills_note),
        consented_at=datetime.min,
    )


async def can_apply(uow: UnitOfWork, actor: Actor) -> None:
    """Raises `already_volunteer` or `application_pending` when a new application makes no sense."""
    if Role.VOLUNTEER in actor.roles:
        raise DomainError("already_volunteer")
    if actor.person_id is not None:
        mine = await uow.volunteers.for_person(actor.person_id)
        if any(a.status is ApplicationStatus.PENDING for a in mine):
            raise DomainError("application_pending")


async def submit(
    uow: UnitOfWork, actor: Actor, form: ApplicationForm, now: datetime
) -> Application:
    """Stores the application (consent first). Staff learn of it from its staff card (a
    consequence of `VolunteerApplied`), the desk and the Telegram review list."""
    if actor.person_id is None:
        raise PermissionDenied("volunteer.refused")
    await can_apply(uow, actor)
    checked = check_form(form)
    application = await uow.volunteers.add(
        NewApplication(
            person_id=actor.person_id,
            name=checked.name,
            phone=checked.phone,
            choices=checked.choices,
            skills_note=checked.skills_note,
            consented_at=now,
        ),
        now,
    )
    # Counts and ids only: the audit log is no place for a name or a phone number.
    await uow.audit.add(
        now, actor.person_id, "volunteer.applied", f"volunteer_application:{application.id}"
    )
    uow.record(VolunteerApplied(at=now, application_id=application.id))
    return application


async def mine(uow: UnitOfWork, actor: Actor) -> list[Application]:
    if actor.person_id is None:
        return []
    return list(await uow.volunteers.for_person(actor.person_id))


async def pending(
    uow: UnitOfWork, actor: Actor, now: datetime, limit: int = PENDING_LIMIT
) -> list[ApplicationView]:
    """Applications waiting for a decision, oldest first (staff only; names shown are audited)."""
    await access.require_staff(uow, actor, now, refused=REFUSED, subject="volunteer_applications")
    if not (await access.scope_of(uow, actor)).is_whole:
        return []  # staff of some centres: applications are no centre's yet
    views = [await _view(uow, a) for a in await uow.volunteers.pending(limit)]
    for view in views:
        if view.person is not None:
            await record_view(uow, actor, view.person.id, "volunteer_application", now)
    return views


async def for_review(
    uow: UnitOfWork, actor: Actor, application_id: int, now: datetime
) -> ApplicationView:
    """One application with its personal details, for staff; the view is audited."""
    subject = f"volunteer_application:{application_id}"
    await access.require_staff(uow, actor, now, refused=REFUSED, subject=subject)
    await access.require_in_scope(uow, actor, now, None, refused=REFUSED, subject=subject)
    application = await uow.volunteers.get(application_id)
    if application is None:
        await access.refuse(uow, actor, now, REFUSED, subject)
    view = await _view(uow, application)
    if view.person is not None:
        await record_view(uow, actor, view.person.id, "volunteer_application", now)
    return view


async def _decide(
    uow: UnitOfWork,
    actor: Actor,
    application_id: int,
    status: ApplicationStatus,
    reason: str | None,
    now: datetime,
) -> ApplicationView:
    subject = f"volunteer_application:{application_id}"
    staff_id = await access.require_staff(uow, actor, now, refused=REFUSED, subject=subject)
    await access.require_in_scope(uow, actor, now, None, refused=REFUSED, subject=subject)
    application = await uow.volunteers.get(application_id)
    if application is None:
        await access.refuse(uow, actor, now, REFUSED, subject)
    if application.person_id == staff_id:
        await access.refuse(uow, actor, now, REFUSED, subject)  # nobody approves themselves
    if not await uow.volunteers.decide(application_id, status, staff_id, now, reason):
        current = await _view(uow, application)
        raise DomainError("application_decided", view=current)
    await uow.audit.add(now, staff_id, f"volunteer.{status}", subject)
    decided = await uow.volunteers.get(application_id)
    assert decided is not None  # noqa: S101 -- decided just above, in this transaction
    uow.record(VolunteerDecided(at=now, application_id=application_id))
    return await _view(uow, decided)


async def approve(
    uow: UnitOfWork, actor: Actor, application_id: int, now: datetime
) -> ApplicationView:
    """Approves a pending application: the person becomes a volunteer and is told."""
    view = await _decide(uow, actor, application_id, ApplicationStatus.APPROVED, None, now)
    if view.person is not None:
        await uow.people.add_role(view.person.id, Role.VOLUNTEER)
    return view


async def preview_approval(
    uow: UnitOfWork, actor: Actor, application_id: int, now: datetime
) -> ApplicationView:
    """The application staff would approve (asked before it is); the view is audited.
    Errors: application_decided."""
    view = await for_review(uow, actor, application_id, now)
    if view.application.status is not ApplicationStatus.PENDING:
        raise DomainError("application_decided", view=view)
    return view


async def undo_decision(
    uow: UnitOfWork, actor: Actor, application_id: int, now: datetime
) -> ApplicationView:
    """Takes back the actor's own approval or decline within the undo window, before the
    applicant was told: the application waits again, and an approval's volunteer role goes
    (unless another approved application of the person gave it). `ActionUndone` withdraws the
    held notices. Errors: undo_expired, undo_already; another's decision is refused, audited."""
    subject = f"volunteer_application:{application_id}"
    staff_id = await access.require_staff(uow, actor, now, refused=REFUSED, subject=subject)
    application = await uow.volunteers.get(application_id)
    if application is None:
        await access.refuse(uow, actor, now, REFUSED, subject)
    if application.status is ApplicationStatus.PENDING:
        raise DomainError("undo_already")
    if application.decided_by != staff_id:
        await access.refuse(uow, actor, now, REFUSED, subject)
    if application.decided_at is None or not may_undo(application.decided_at, now):
        raise DomainError("undo_expired")
    if not await uow.volunteers.reopen(application_id, application.status, staff_id):
        raise DomainError("undo_acted")
    person_id = application.person_id
    if application.status is ApplicationStatus.APPROVED and person_id is not None:
        others = [
            a
            for a in await uow.volunteers.for_person(person_id)
            if a.id != application_id and a.status is ApplicationStatus.APPROVED
        ]
        if not others:
            await uow.people.remove_role(person_id, Role.VOLUNTEER)
    await uow.audit.add(
        now, staff_id, "volunteer.undone", subject, {"was": application.status.value}
    )
    uow.record(
        ActionUndone(
            at=now, kind=UndoKind.VOLUNTEER_DECISION, subject=application_id, person_id=staff_id
        )
    )
    reopened = await uow.volunteers.get(application_id)
    assert reopened is not None  # noqa: S101 -- reopened just above, in this transaction
    return await _view(uow, reopened)


async def decline(
    uow: UnitOfWork,
    actor: Actor,
    application_id: int,
    reason: str,
    now: datetime,
) -> ApplicationView:
    """Declines a pending application with a reason, which the person reads."""
    await access.require_staff(
        uow, actor, now, refused=REFUSED, subject=f"volunteer_application:{application_id}"
    )
    reason = check_reason(reason)
    return await _decide(uow, actor, application_id, ApplicationStatus.DECLINED, reason, now)
