"""Use cases of hour reports: report, change or withdraw while pending, the review queue (one for
every door, chosen in SQL) and the decisions, the month's view.

Members report their own hours; staff approve or reject them (never their own). Every change is
written to the report's history in the same transaction. A refusal of someone acting beyond
their role, or on a report that is not theirs, is audited: a forged id learns nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.coop import BusinessCentre, Shift, WorkKind
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.events import ActionUndone, HoursDecided, HoursReported, HoursWithdrawn
from bot.domain.hours import (
    REASON_LIMIT,
    ChangeAction,
    HourChange,
    HourReport,
    NewHourReport,
    ReportStatus,
    check_day,
    check_day_total,
    check_minutes,
    check_note,
)
from bot.domain.people import Actor, Person, Role
from bot.domain.undo import UndoKind, may_undo
from bot.ports.store import UnitOfWork
from bot.services import access
from bot.services.paging import PAGE, Page

# Volunteers report the hours of the slots they took; theirs are flagged as volunteer hours.
MAY_REPORT: frozenset[Role] = frozenset({Role.MEMBER, Role.VOLUNTEER})
# How far around today a member's shifts count as "their own centres".
OWN_CENTRES_BEFORE = timedelta(days=62)
OWN_CENTRES_AFTER = timedelta(days=14)
# Audited when someone who is not staff asks for the review queue: from Telegram, or on the desk
# (its own action, so the log says which door was knocked on).
REVIEW_REFUSED = "hours.review_refused"
DESK_REVIEW_REFUSED = "desk.hours_refused"


@dataclass(frozen=True)
class WorkOption:
    """A centre and a kind of work one can report hours for."""

    centre: BusinessCentre
    kind: WorkKind


@dataclass(frozen=True)
class ReportView:
    """A report with the centre and the person it belongs to, as lists and notices show it."""

    report: HourReport
    centre: BusinessCentre
    person: Person


@dataclass(frozen=True)
class CentreHours:
    centre: BusinessCentre
    minutes: int


@dataclass(frozen=True)
class MonthSummary:
    first_day: date
    reports: list[ReportView]  # every report of the month, by day
    days: int  # days with pending or approved hours
    per_centre: list[CentreHours]  # pending and approved hours, by centre id
    pending: int  # minutes
    approved: int
    rejected: int


async def _own_report(uow: UnitOfWork, actor: Actor, report_id: int, now: datetime) -> HourReport:
    """The actor's own report; another's, or an unknown id, is refused alike and audited."""
    person_id = await access.require(uow, actor, now, MAY_REPORT, refused="hours.refused")
    report = await uow.hours.get(report_id)
    if report is None or report.person_id != person_id:
        await access.refuse(uow, actor, now, "hours.report_refused", f"hour_report:{report_id}")
    return report


async def _centre(uow: UnitOfWork, centre_id: int) -> BusinessCentre:
    for centre in await uow.centres.all():
        if centre.id == centre_id:
            return centre
    raise InvalidInput("unknown_centre")


async def _change(
    uow: UnitOfWork,
    report: HourReport,
    actor: Actor,
    action: ChangeAction,
    now: datetime,
    **details: object,
) -> None:
    await uow.hours.add_change(HourChange(report.id, now, actor.person_id, action, dict(details)))
    event = _EVENTS.get(action)
    if event is not None:  # an undone decision records ActionUndone itself
        uow.record(event(at=now, report_id=report.id))


# What each change tells others of (`bot.notices.hours` renders it).
_EVENTS: dict[ChangeAction, type[HoursReported | HoursWithdrawn | HoursDecided]] = {
    ChangeAction.REPORTED: HoursReported,
    ChangeAction.EDITED: HoursReported,
    ChangeAction.WITHDRAWN: HoursWithdrawn,
    ChangeAction.REPLACED: HoursWithdrawn,
    ChangeAction.APPROVED: HoursDecided,
    ChangeAction.REJECTED: HoursDecided,
}


def _facts(report: HourReport) -> dict[str, object]:
    """What a history row records of a report: plain JSON values."""
    return {
        "day": report.day.isoformat(),
        "centre_id": report.centre_id,
        "kind": report.kind.value,
        "minutes": report.minutes,
        "note": report.note,
    }


async def work_options(
    uow: UnitOfWork, actor: Actor, now: datetime
) -> tuple[list[WorkOption], list[BusinessCentre]]:
    """The centres and kinds of work of the actor's shifts (their own, first), and every centre."""
    person_id = await access.require(uow, actor, now, MAY_REPORT, refused="hours.refused")
    centres = {centre.id: centre for centre in await uow.centres.all()}
    shifts = await uow.shifts.for_person(
        person_id, now - OWN_CENTRES_BEFORE, now + OWN_CENTRES_AFTER
    )
    own: dict[tuple[int, WorkKind], WorkOption] = {}
    # The most recent shift first: what one worked lately is what one reports.
    for shift in sorted(shifts, key=lambda s: abs((s.starts_at - now).total_seconds())):
        key = (shift.centre_id, shift.kind)
        if key not in own and shift.centre_id in centres:
            own[key] = WorkOption(centres[shift.centre_id], shift.kind)
    # One's own centres stay (hours worked before a centre closed are still reported); a closed
    # centre is not offered among the others.
    return list(own.values()), [c for c in centres.values() if c.is_open]


async def report_hours(
    uow: UnitOfWork,
    actor: Actor,
    *,
    day: date,
    centre_id: int,
    kind: WorkKind,
    minutes: int,
    note: str | None,
    today: date,
    window_days: int,
    now: datetime,
    replaces: int | None = None,
) -> HourReport:
    """A new pending report. A second report of the same kind of work on the same day at the
    same centre must name the first (`replaces`), which is then withdrawn; without it,
    `hours_duplicate` carries the first. Two kinds of work at one centre are two reports."""
    person_id = await access.require(uow, actor, now, MAY_REPORT, refused="hours.refused")
    check_day(day, today, window_days)
    check_minutes(minutes)
    note = check_note(note)
    await _centre(uow, centre_id)
    same_day = await uow.hours.for_person(person_id, day, day + timedelta(days=1))
    first = next(
        (r for r in same_day if r.is_active and (r.centre_id, r.kind) == (centre_id, kind)), None
    )
    old: HourReport | None = None
    if replaces is not None:
        old = await _own_report(uow, actor, replaces, now)
        if first is None or old.id != first.id:
            raise DomainError("hours_replace_stale")
    if first is not None:
        if old is None:
            raise DomainError("hours_duplicate", report=first)
        if first.status is not ReportStatus.PENDING:
            raise DomainError("hours_already_approved", report=first)
    check_day_total(minutes, [r for r in same_day if old is None or r.id != old.id])
    if old is not None:
        withdrawn = replace(old, status=ReportStatus.WITHDRAWN, updated_at=now)
        if not await uow.hours.save(withdrawn, was=ReportStatus.PENDING):
            raise DomainError("hours_not_pending")
    # A member who also volunteers reports as a member: their hours are the co-op's work.
    volunteer = Role.MEMBER not in actor.roles
    report = await uow.hours.add(
        NewHourReport(person_id, centre_id, WorkKind(kind), day, minutes, note, volunteer), now
    )
    await _change(uow, report, actor, ChangeAction.REPORTED, now, **_facts(report))
    if old is not None:
        await _change(uow, old, actor, ChangeAction.REPLACED, now, replaced_by=report.id)
    return report


@dataclass(frozen=True)
class PlannedWork:
    """A shift that is over, as the hours it would report: its day, centre, kind and length."""

    shift: Shift
    centre: BusinessCentre
    day: date
    minutes: int


def _planned(shift: Shift, centre: BusinessCentre, tz: ZoneInfo) -> PlannedWork:
    minutes = int((shift.ends_at - shift.starts_at).total_seconds() // 60)
    return PlannedWork(shift, centre, shift.starts_at.astimezone(tz).date(), minutes)


async def planned_work(
    uow: UnitOfWork, actor: Actor, shift_id: int, *, now: datetime, tz: ZoneInfo, window_days: int
) -> PlannedWork:
    """ "Worked as planned": the hours of one of the actor's shifts that is over, checked as any
    report is (the day in the window, steps of 15 minutes). Someone else's shift, or an unknown
    id, is refused alike and audited."""
    person_id = await access.require(uow, actor, now, MAY_REPORT, refused="hours.refused")
    shift = await uow.shifts.get(shift_id)
    if shift is None or not shift.is_assigned(person_id):
        await access.refuse(uow, actor, now, "hours.shift_refused", f"shift:{shift_id}")
    if shift.ends_at > now:
        raise DomainError("shift_not_over", ends=shift.ends_at)
    planned = _planned(shift, await _centre(uow, shift.centre_id), tz)
    check_day(planned.day, now.astimezone(tz).date(), window_days)
    check_minutes(planned.minutes)
    return planned


async def unreported_shifts(
    uow: UnitOfWork, actor: Actor, *, now: datetime, tz: ZoneInfo, days: int
) -> list[PlannedWork]:
    """The actor's shifts that ended in the last `days` days with no pending or approved report
    of their day, centre and kind yet, earliest first: what "worked as planned" may report."""
    person_id = await access.require(uow, actor, now, MAY_REPORT, refused="hours.refused")
    shifts = [
        s
        for s in await uow.shifts.for_person(person_id, now - timedelta(days=days), now)
        if s.ends_at <= now
    ]
    if not shifts:
        return []
    centres = {centre.id: centre for centre in await uow.centres.all()}
    planned = [_planned(s, centres[s.centre_id], tz) for s in shifts if s.centre_id in centres]
    first = min(p.day for p in planned) if planned else now.date()
    reports = await uow.hours.for_person(
        person_id, first, now.astimezone(tz).date() + timedelta(days=1)
    )
    reported = {(r.day, r.centre_id, r.kind) for r in reports if r.is_active}
    return sorted(
        (p for p in planned if (p.day, p.centre.id, p.shift.kind) not in reported),
        key=lambda p: p.shift.starts_at,
    )


async def my_report(uow: UnitOfWork, actor: Actor, report_id: int, now: datetime) -> ReportView:
    report = await _own_report(uow, actor, report_id, now)
    return await _view(uow, report)


async def edit_report(
    uow: UnitOfWork,
    actor: Actor,
    report_id: int,
    *,
    minutes: int,
    note: str | None,
    now: datetime,
) -> HourReport:
    """Changes the hours and note of one's own report while it is pending."""
    report = await _own_report(uow, actor, report_id, now)
    if report.status is not ReportStatus.PENDING:
        raise DomainError("hours_not_pending")
    check_minutes(minutes)
    note = check_note(note)
    same_day = await uow.hours.for_person(
        report.person_id, report.day, report.day + timedelta(days=1)
    )
    check_day_total(minutes, [r for r in same_day if r.id != report.id])
    edited = replace(report, minutes=minutes, note=note, updated_at=now)
    if not await uow.hours.save(edited, was=ReportStatus.PENDING):
        raise DomainError("hours_not_pending")
    await _change(
        uow,
        edited,
        actor,
        ChangeAction.EDITED,
        now,
        minutes=minutes,
        note=note,
        was_minutes=report.minutes,
        was_note=report.note,
    )
    return edited


async def withdraw_report(
    uow: UnitOfWork, actor: Actor, report_id: int, now: datetime
) -> HourReport:
    report = await _own_report(uow, actor, report_id, now)
    withdrawn = replace(report, status=ReportStatus.WITHDRAWN, updated_at=now)
    if report.status is not ReportStatus.PENDING or not await uow.hours.save(
        withdrawn, was=ReportStatus.PENDING
    ):
        raise DomainError("hours_not_pending")
    await _change(uow, withdrawn, actor, ChangeAction.WITHDRAWN, now)
    return withdrawn


async def waiting_for_review(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    *,
    centre_id: int | None = None,
    after: int = 0,
    limit: int = PAGE,
    refused: str = REVIEW_REFUSED,
) -> Page[ReportView]:
    """Others' reports waiting for a decision, oldest first (one's own go to another staff).

    The one review queue: the Telegram review list (`bot.dialogs.hours`), `/queue` and the
    desk's hours page all list it with this function. A page of `limit` reports after the
    report id `after`, optionally of one centre, chosen in SQL by the store (pending, not the
    staff member's own, keyset-paged), with the cursor of the next page (None on the last).
    `refused` is the audit action of a refusal, which says which door was knocked on.
    Only reports of centres in the staff member's scope are listed (bot.services.access).
    """
    staff_id = await access.require_staff(uow, actor, now, refused=refused)
    scope = await access.scope_of(uow, actor)
    reports = list(
        await uow.hours.pending(
            limit + 1,
            centre_id=centre_id,
            exclude_person=staff_id,
            after=after,
            centres=scope.centres,
        )
    )
    by_centre = {centre.id: centre for centre in await uow.centres.all()}
    views: list[ReportView] = []
    people: dict[int, Person | None] = {}
    for report in reports[:limit]:
        if report.person_id not in people:
            people[report.person_id] = await uow.people.get(report.person_id)
        person = people[report.person_id]
        if person is not None and report.centre_id in by_centre:
            views.append(ReportView(report, by_centre[report.centre_id], person))
    more = reports[limit - 1].id if len(reports) > limit else None
    return Page(views, more)


async def count_waiting(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    *,
    centre_id: int | None = None,
    refused: str = REVIEW_REFUSED,
) -> int:
    """How many reports `waiting_for_review` lists in all, counted by the store."""
    staff_id = await access.require_staff(uow, actor, now, refused=refused)
    scope = await access.scope_of(uow, actor)
    return await uow.hours.count_pending(centre_id, staff_id, centres=scope.centres)


async def for_review(uow: UnitOfWork, actor: Actor, report_id: int, now: datetime) -> ReportView:
    """One report a staff member may decide on (staff only; never their own)."""
    return await _view(uow, await _decidable(uow, actor, report_id, now))


async def _decidable(uow: UnitOfWork, actor: Actor, report_id: int, now: datetime) -> HourReport:
    staff_id = await access.require_staff(uow, actor, now, refused=REVIEW_REFUSED)
    report = await uow.hours.get(report_id)
    if report is None:
        await access.refuse(uow, actor, now, REVIEW_REFUSED, f"hour_report:{report_id}")
    # Another centre's report is refused alike: a staff member decides within their scope.
    await access.require_in_scope(
        uow,
        actor,
        now,
        report.centre_id,
        refused=REVIEW_REFUSED,
        subject=f"hour_report:{report_id}",
    )
    if report.person_id == staff_id:
        # Hours are money: nobody approves their own.
        await access.refuse(uow, actor, now, "hours.own_review_refused", f"hour_report:{report_id}")
    return report


async def approve_reports(
    uow: UnitOfWork, actor: Actor, report_ids: Sequence[int], now: datetime
) -> list[ReportView]:
    """Approves those of the reports still pending; returns the ones this call approved."""
    approved: list[ReportView] = []
    for report_id in dict.fromkeys(report_ids):
        report = await _decidable(uow, actor, report_id, now)
        decided = replace(
            report,
            status=ReportStatus.APPROVED,
            decided_by=actor.person_id,
            decided_at=now,
            updated_at=now,
        )
        if report.status is ReportStatus.PENDING and await uow.hours.save(
            decided, was=ReportStatus.PENDING
        ):
            await _change(uow, decided, actor, ChangeAction.APPROVED, now)
            approved.append(await _view(uow, decided))
    return approved


async def preview_approval(
    uow: UnitOfWork, actor: Actor, report_id: int, now: datetime
) -> ReportView:
    """The report a staff member would approve (asked before it is). Errors: hours_not_pending."""
    report = await _decidable(uow, actor, report_id, now)
    if report.status is not ReportStatus.PENDING:
        raise DomainError("hours_not_pending")
    return await _view(uow, report)


async def approve_report(
    uow: UnitOfWork, actor: Actor, report_id: int, now: datetime
) -> ReportView:
    """Approves one pending report (confirmed first). Errors: hours_not_pending."""
    approved = await approve_reports(uow, actor, [report_id], now)
    if not approved:
        raise DomainError("hours_not_pending")
    return approved[0]


async def undo_decision(uow: UnitOfWork, actor: Actor, report_id: int, now: datetime) -> ReportView:
    """Takes back the actor's own approval or rejection within the undo window, while nobody has
    acted on the report since (its member has not been told yet): it is pending again, as before,
    and a history row says so. Errors: undo_expired, undo_acted, undo_already."""
    report = await _decidable(uow, actor, report_id, now)
    history = await uow.hours.history(report.id)
    last = history[-1] if history else None
    if (
        last is not None
        and last.action is ChangeAction.UNDONE
        and last.actor_person_id == actor.person_id
    ):
        raise DomainError("undo_already")  # Undo pressed again
    decisions = (ChangeAction.APPROVED, ChangeAction.REJECTED)
    if last is None or last.action not in decisions or report.status is ReportStatus.PENDING:
        raise DomainError("undo_acted")
    if last.actor_person_id != actor.person_id:
        if any(c.actor_person_id == actor.person_id and c.action in decisions for c in history):
            raise DomainError("undo_acted")  # the actor's decision, since decided by another
        # Another staff member's Undo button: only the decider may take it back.
        await access.refuse(uow, actor, now, REVIEW_REFUSED, f"hour_report:{report.id}")
    if not may_undo(last.at, now):
        raise DomainError("undo_expired")
    back = replace(
        report,
        status=ReportStatus.PENDING,
        decided_by=None,
        decided_at=None,
        reason=None,
        updated_at=now,
    )
    if not await uow.hours.save(back, was=report.status):
        raise DomainError("undo_acted")
    await _change(uow, back, actor, ChangeAction.UNDONE, now, undone=last.action.value)
    uow.record(
        ActionUndone(
            at=now,
            kind=UndoKind.HOURS_DECISION,
            subject=report.id,
            person_id=actor.person_id or 0,
        )
    )
    return await _view(uow, back)


async def preview_approvals(
    uow: UnitOfWork, actor: Actor, report_ids: Sequence[int], now: datetime
) -> list[ReportView]:
    """The reports among `report_ids` still pending, which "approve all" would approve (asked
    before it is)."""
    views: list[ReportView] = []
    for report_id in dict.fromkeys(report_ids):
        report = await _decidable(uow, actor, report_id, now)
        if report.status is ReportStatus.PENDING:
            views.append(await _view(uow, report))
    return views


async def undo_approvals(
    uow: UnitOfWork, actor: Actor, report_ids: Iterable[int], now: datetime
) -> list[ReportView]:
    """Takes back together the actor's own approvals among `report_ids` (one "approve all"),
    each as `undo_decision` would; a report another staff member acted on since stays as it is.
    The batch is the actor's newest approvals among them, all made at one moment (one
    transaction): `report_ids` may be a range of ids, and a report in it that the actor
    approved on its own before stays approved. Errors, when none could be undone: the first
    refusal's (undo_expired, undo_acted, undo_already)."""
    await access.require_staff(uow, actor, now, refused=REVIEW_REFUSED)
    approved_at: dict[int, datetime] = {}
    for report_id in dict.fromkeys(report_ids):
        if await uow.hours.get(report_id) is None:
            continue
        mine = [
            c.at
            for c in await uow.hours.history(report_id)
            if (c.action, c.actor_person_id) == (ChangeAction.APPROVED, actor.person_id)
        ]
        if mine:
            approved_at[report_id] = max(mine)
    batch_at = max(approved_at.values(), default=None)
    undone: list[ReportView] = []
    refused: DomainError | None = None
    for report_id, at in approved_at.items():
        if at != batch_at:
            continue
        try:
            undone.append(await undo_decision(uow, actor, report_id, now))
        except PermissionDenied:
            raise
        except DomainError as error:
            refused = refused or error
    if not undone:
        raise refused or DomainError("undo_acted")
    return undone


async def reject_report(
    uow: UnitOfWork, actor: Actor, report_id: int, reason: str, now: datetime
) -> ReportView:
    report = await _decidable(uow, actor, report_id, now)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason_required")
    if len(reason) > REASON_LIMIT:
        raise InvalidInput("reason_too_long", length=len(reason), limit=REASON_LIMIT)
    decided = replace(
        report,
        status=ReportStatus.REJECTED,
        decided_by=actor.person_id,
        decided_at=now,
        updated_at=now,
        reason=reason,
    )
    if report.status is not ReportStatus.PENDING or not await uow.hours.save(
        decided, was=ReportStatus.PENDING
    ):
        raise DomainError("hours_not_pending")
    await _change(uow, decided, actor, ChangeAction.REJECTED, now, reason=reason)
    return await _view(uow, decided)


async def report_history(
    uow: UnitOfWork, actor: Actor, report_id: int, now: datetime
) -> tuple[ReportView, list[tuple[HourChange, Person | None]]]:
    """Every change to a report with who made it: for its member and for staff."""
    if actor.is_staff:
        report = await uow.hours.get(report_id)
        if report is None:
            await access.refuse(uow, actor, now, "hours.report_refused", f"hour_report:{report_id}")
        if report.person_id != actor.person_id:
            await access.require_in_scope(
                uow,
                actor,
                now,
                report.centre_id,
                refused="hours.report_refused",
                subject=f"hour_report:{report_id}",
            )
    else:
        report = await _own_report(uow, actor, report_id, now)
    changes = await uow.hours.history(report_id)
    people = {c.actor_person_id for c in changes if c.actor_person_id is not None}
    found = {pid: await uow.people.get(pid) for pid in people}
    rows = [
        (c, found.get(c.actor_person_id) if c.actor_person_id is not None else None)
        for c in changes
    ]
    return await _view(uow, report), rows


async def month_summary(
    uow: UnitOfWork, actor: Actor, first_day: date, now: datetime
) -> MonthSummary:
    """The actor's month: every report, days worked, hours per centre, totals by status."""
    person_id = await access.require(uow, actor, now, MAY_REPORT, refused="hours.refused")
    first_day = first_day.replace(day=1)
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    reports = await uow.hours.for_person(person_id, first_day, next_month)
    views = [await _view(uow, r) for r in reports]
    active = [v for v in views if v.report.is_active]
    per_centre: dict[int, CentreHours] = {}
    for view in active:
        held = per_centre.get(view.centre.id, CentreHours(view.centre, 0))
        per_centre[view.centre.id] = CentreHours(view.centre, held.minutes + view.report.minutes)

    def total(status: ReportStatus) -> int:
        return sum(r.minutes for r in reports if r.status is status)

    return MonthSummary(
        first_day=first_day,
        reports=views,
        days=len({v.report.day for v in active}),
        per_centre=[per_centre[k] for k in sorted(per_centre)],
        pending=total(ReportStatus.PENDING),
        approved=total(ReportStatus.APPROVED),
        rejected=total(ReportStatus.REJECTED),
    )


async def report_view(uow: UnitOfWork, report_id: int) -> ReportView | None:
    """The report with its centre and person, for its consequences (no actor: not a door)."""
    report = await uow.hours.get(report_id)
    return None if report is None else await _view(uow, report)


async def _view(uow: UnitOfWork, report: HourReport) -> ReportView:
    centre = await _centre(uow, report.centre_id)
    person = await uow.people.get(report.person_id)
    if person is None:  # the foreign key keeps this from happening
        raise DomainError("not_found")
    return ReportView(report, centre, person)
