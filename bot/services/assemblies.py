"""Use cases of assembly notices: staff publish and edit, members answer, coordinators count,
ask those who have not answered, and check in.

Members entitled to vote (`entitled_voters`): at a general assembly every person holding the
member role; at a business centre's meeting the members who belong to that centre (membership,
migration 0018). The quorum and its forecast count those; only they are sent the notice, may
answer, hold a proxy or be checked in. Staff organise the meetings of centres in their scope
(bot.services.access); a general assembly is the whole co-op's (admins, coordinators). Every
request is authorised here, whatever button it came from: an unknown notice, a proxy holder who
is not entitled, or a staff-only action asked for by someone else (or for another centre) is
refused and written to the audit log.

An edit changes titles, places, agenda and quorum, in both languages; the date and the answer
deadline stay as published: members' reminders are planned from them
(`bot.services.reminders`), and a new date deserves a new notice. Asking for answers reaches
each member once a day however often it is asked (`bot.notices.assemblies` composes the message).

A member named as a proxy holder is told (`AssemblyProxyGiven`) and may decline: the proxy then
passes to the chair, so the giver's vote is not lost, and the giver is told and asked to choose
again (`AssemblyProxyDeclined`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.assemblies import (
    MAX_PROXIES_HELD,
    Answer,
    Quorum,
    Rsvp,
    Tally,
    Unusable,
    check_dates,
    tally,
)
from bot.domain.coop import Assembly, NewAssembly
from bot.domain.errors import DomainError
from bot.domain.events import (
    ActionUndone,
    AssemblyAnswerRequested,
    AssemblyProxyDeclined,
    AssemblyProxyGiven,
)
from bot.domain.people import STAFF_ROLES, Actor, Person, Role
from bot.domain.reminders import DEFAULT_OFFSETS
from bot.domain.undo import UNDO_WINDOW, UndoKind
from bot.ports.store import UnitOfWork
from bot.services import memberships
from bot.services.access import refuse, require_in_scope
from bot.services.reminders import schedule_assembly

MAY_READ: frozenset[Role] = frozenset({Role.MEMBER, Role.STAFF, Role.ADMIN})
MAY_ORGANISE: frozenset[Role] = STAFF_ROLES


@dataclass(frozen=True)
class NoticeView:
    """A notice as one person sees it: their own answer, and the proxy holder's name."""

    assembly: Assembly
    answer: Answer | None
    proxy_name: str | None
    may_answer: bool  # the person is entitled to vote


@dataclass(frozen=True)
class Count:
    """A coordinator's view of a notice's answers and check-ins."""

    assembly: Assembly
    tally: Tally
    not_answered: Sequence[Person]
    not_checked_in: Sequence[Person]
    # The proxies the forecast leaves out, with their givers, in the tally's order.
    unusable: Sequence[tuple[Person, Unusable]] = ()


async def _require(
    uow: UnitOfWork, actor: Actor, roles: frozenset[Role], now: datetime, assembly_id: int | None
) -> Assembly | None:
    subject = f"assembly:{assembly_id}" if assembly_id is not None else f"person:{actor.person_id}"
    if actor.person_id is None or not actor.has_any(roles):
        await refuse(uow, actor, now, "assemblies.refused", subject)
    if assembly_id is None:
        return None
    assembly = await uow.assemblies.get(assembly_id)
    if assembly is None:
        await refuse(uow, actor, now, "assembly.refused", subject)
    return assembly


async def _get(
    uow: UnitOfWork, actor: Actor, roles: frozenset[Role], now: datetime, aid: int
) -> Assembly:
    assembly = await _require(uow, actor, roles, now, aid)
    assert assembly is not None  # noqa: S101 -- _require refuses an unknown id
    return assembly


# The voters of an assembly: bot.services.memberships (the reminders read them too).
entitled_voters = memberships.voters
_is_entitled = memberships.is_voter


async def _organise(uow: UnitOfWork, actor: Actor, now: datetime, assembly_id: int) -> Assembly:
    """The assembly, for staff whose scope covers it (a centre meeting: its centre; a general
    assembly: the whole co-op); anyone else is refused and audited."""
    assembly = await _get(uow, actor, MAY_ORGANISE, now, assembly_id)
    await require_in_scope(
        uow,
        actor,
        now,
        assembly.centre_id,
        refused="assembly.refused",
        subject=f"assembly:{assembly_id}",
    )
    return assembly


async def publish(
    uow: UnitOfWork,
    actor: Actor,
    draft: NewAssembly,
    now: datetime,
    reminder_offsets: Sequence[timedelta] = DEFAULT_OFFSETS,
) -> Assembly:
    """Staff publish a notice. Errors: the date codes of `check_dates`, centre_unknown.

    The shell's administrator (no person) may publish too: `kyodo assembly publish`. Members
    are sent the notice, and reminded at `reminder_offsets` before it: both are scheduled sends
    (bot/services/reminders), the notice due at once, so that the clock sends each copy once
    (its consequence is `AssemblyPublished`, when the notice's send goes out).
    """
    if not actor.has_any(MAY_ORGANISE):
        await refuse(uow, actor, now, "assemblies.refused", f"person:{actor.person_id}")
    await require_in_scope(
        uow,
        actor,
        now,
        draft.centre_id,
        refused="assemblies.refused",
        subject=f"person:{actor.person_id}",
    )
    check_dates(draft.starts_at, draft.answer_by, now)
    if draft.centre_id is not None and draft.centre_id not in {
        centre.id for centre in await uow.centres.all()
    }:
        raise DomainError("centre_unknown")
    assembly = await uow.assemblies.add(draft)
    await uow.audit.add(
        now,
        actor.person_id,
        "assembly.published",
        f"assembly:{assembly.id}",
        {"quorum": str(draft.quorum)},
    )
    await schedule_assembly(uow, assembly, reminder_offsets, now)
    return assembly


async def notices(uow: UnitOfWork, actor: Actor, now: datetime, limit: int = 5) -> list[NoticeView]:
    """The coming notices, each with the actor's answer."""
    await _require(uow, actor, MAY_READ, now, None)
    return [await _view(uow, actor, a) for a in await uow.assemblies.upcoming(now, limit)]


async def notice(uow: UnitOfWork, actor: Actor, assembly_id: int, now: datetime) -> NoticeView:
    return await _view(uow, actor, await _get(uow, actor, MAY_READ, now, assembly_id))


async def _view(uow: UnitOfWork, actor: Actor, assembly: Assembly) -> NoticeView:
    assert actor.person_id is not None  # noqa: S101 -- callers checked the actor first
    answer = await uow.assemblies.answer_of(assembly.id, actor.person_id)
    holder = None
    if answer is not None and answer.proxy_to is not None:
        holder = await uow.people.get(answer.proxy_to)
    me = await uow.people.get(actor.person_id)
    return NoticeView(
        assembly,
        answer,
        holder.display_name if holder else None,
        me is not None and await _is_entitled(uow, assembly, me),
    )


async def proxy_candidates(
    uow: UnitOfWork, actor: Actor, assembly_id: int, now: datetime
) -> tuple[Assembly, list[Person]]:
    """The members who may hold the actor's written proxy: every other entitled voter."""
    assembly = await _get(uow, actor, frozenset({Role.MEMBER}), now, assembly_id)
    await _require_entitled(uow, actor, assembly, now)
    voters = await entitled_voters(uow, assembly)
    return assembly, [p for p in voters if p.id != actor.person_id]


async def _require_entitled(
    uow: UnitOfWork, actor: Actor, assembly: Assembly, now: datetime
) -> None:
    """A centre meeting is answered by its centre's members only; anyone else is refused."""
    me = None if actor.person_id is None else await uow.people.get(actor.person_id)
    if me is None or not await _is_entitled(uow, assembly, me):
        await refuse(uow, actor, now, "assembly.refused", f"assembly:{assembly.id}")


async def answer(
    uow: UnitOfWork,
    actor: Actor,
    assembly_id: int,
    rsvp: Rsvp,
    now: datetime,
    proxy_to: int | None = None,
) -> NoticeView:
    """A member answers or changes their answer until the deadline. Errors: answer_closed,
    proxy_holder_full (the named holder already represents `MAX_PROXIES_HELD` others: a proxy
    more would count for nothing, so the giver is asked to choose someone else)."""
    assembly = await _get(uow, actor, frozenset({Role.MEMBER}), now, assembly_id)
    assert actor.person_id is not None  # noqa: S101 -- _get refuses an actor without a person
    await _require_entitled(uow, actor, assembly, now)
    if rsvp is Rsvp.PROXY and proxy_to is not None:
        holder = await uow.people.get(proxy_to)
        if (
            holder is None
            or not await _is_entitled(uow, assembly, holder)
            or holder.id == actor.person_id
        ):
            await refuse(uow, actor, now, "assembly.proxy_refused", f"person:{proxy_to}")
    if not assembly.is_open(now):
        raise DomainError("answer_closed", answer_by=assembly.answer_by)
    before = await uow.assemblies.answer_of(assembly.id, actor.person_id)
    if (
        rsvp is Rsvp.PROXY
        and proxy_to is not None
        and (before is None or before.proxy_to != proxy_to)
    ):
        held = sum(
            1
            for a in await uow.assemblies.answers(assembly.id)
            if a.proxy_to == proxy_to and a.person_id != actor.person_id
        )
        if held >= MAX_PROXIES_HELD:
            holder = await uow.people.get(proxy_to)
            name = holder.display_name if holder is not None else ""
            raise DomainError("proxy_holder_full", name=name, max=MAX_PROXIES_HELD)
    holder_id = proxy_to if rsvp is Rsvp.PROXY else None
    await uow.assemblies.put_answer(Answer(assembly.id, actor.person_id, rsvp, holder_id, now))
    # A holder hears of a proxy once, not again when the giver presses the same button twice.
    if holder_id is not None and (before is None or before.proxy_to != holder_id):
        uow.record(AssemblyProxyGiven(now, assembly.id, actor.person_id, holder_id))
    await uow.audit.add(
        now, actor.person_id, "assembly.answered", f"assembly:{assembly.id}", {"rsvp": rsvp.value}
    )
    return await _view(uow, actor, assembly)


async def count(uow: UnitOfWork, actor: Actor, assembly_id: int, now: datetime) -> Count:
    """Live counts for coordinators; whether the quorum is expected, or met on the day, of the
    entitled voters (`entitled_voters`)."""
    assembly = await _organise(uow, actor, now, assembly_id)
    members = await entitled_voters(uow, assembly)
    answers = list(await uow.assemblies.answers(assembly.id))
    present = await uow.assemblies.checked_in(assembly.id)
    answered = {a.person_id for a in answers}
    counted = tally(assembly.quorum, {p.id for p in members}, answers, set(present))
    by_id = {p.id: p for p in members}
    return Count(
        assembly,
        counted,
        [p for p in members if p.id not in answered],
        [p for p in members if p.id not in present],
        [(by_id[giver], why) for giver, why in counted.unusable],
    )


async def decline_proxy(
    uow: UnitOfWork, actor: Actor, assembly_id: int, giver_id: int, now: datetime
) -> Person | None:
    """The holder declines the proxy `giver_id` gave them: it passes to the chair and the giver
    is asked to choose again. Returns the giver, or None when there is nothing to decline (the
    giver changed their answer, or the assembly has begun). Errors: none."""
    assembly = await _get(uow, actor, frozenset({Role.MEMBER}), now, assembly_id)
    assert actor.person_id is not None  # noqa: S101 -- _get refuses an actor without a person
    given = await uow.assemblies.answer_of(assembly.id, giver_id)
    if given is None or given.proxy_to != actor.person_id or assembly.starts_at <= now:
        return None
    giver = await uow.people.get(giver_id)
    if giver is None:
        return None
    await uow.assemblies.put_answer(replace(given, proxy_to=None, answered_at=now))
    uow.record(AssemblyProxyDeclined(now, assembly.id, giver_id, actor.person_id))
    await uow.audit.add(
        now,
        actor.person_id,
        "assembly.proxy_declined",
        f"assembly:{assembly.id}",
        {"giver": giver_id},
    )
    return giver


async def check_in(
    uow: UnitOfWork, actor: Actor, assembly_id: int, person_id: int, now: datetime, tz: ZoneInfo
) -> tuple[Count, Person]:
    """Staff check a member in on the assembly's day. Errors: check_in_not_today."""
    assembly = await _organise(uow, actor, now, assembly_id)
    member = await uow.people.get(person_id)
    if member is None or not await _is_entitled(uow, assembly, member):
        await refuse(uow, actor, now, "assembly.check_in_refused", f"person:{person_id}")
    if now.astimezone(tz).date() != assembly.starts_at.astimezone(tz).date():
        raise DomainError("check_in_not_today", day=assembly.starts_at)
    if await uow.assemblies.check_in(assembly.id, member.id, actor.person_id, now):
        await uow.audit.add(
            now,
            actor.person_id,
            "assembly.checked_in",
            f"assembly:{assembly.id}",
            {"person": member.id},
        )
    return await count(uow, actor, assembly_id, now), member


async def undo_check_in(
    uow: UnitOfWork, actor: Actor, assembly_id: int, person_id: int, now: datetime
) -> tuple[Count, Person]:
    """Staff take back their own check-in of a member within the undo window (a wrong name
    pressed at the door). Errors: undo_expired (too late, or not theirs to take back),
    undo_already (not checked in any more)."""
    assembly = await _organise(uow, actor, now, assembly_id)
    member = await uow.people.get(person_id)
    if member is None:
        await refuse(uow, actor, now, "assembly.check_in_refused", f"person:{person_id}")
    if member.id not in await uow.assemblies.checked_in(assembly.id):
        raise DomainError("undo_already")  # Undo pressed again, or someone else undid it
    since = now - UNDO_WINDOW
    if not await uow.assemblies.undo_check_in(assembly.id, member.id, actor.person_id, since):
        raise DomainError("undo_expired")
    await uow.audit.add(
        now,
        actor.person_id,
        "assembly.check_in_undone",
        f"assembly:{assembly.id}",
        {"person": member.id},
    )
    uow.record(
        ActionUndone(
            at=now, kind=UndoKind.CHECK_IN, subject=assembly.id, person_id=actor.person_id or 0
        )
    )
    return await count(uow, actor, assembly_id, now), member


async def edit_notice(
    uow: UnitOfWork,
    actor: Actor,
    assembly_id: int,
    *,
    title_ja: str,
    title_en: str,
    place_ja: str,
    place_en: str,
    agenda_ja: str,
    agenda_en: str,
    quorum: Quorum,
    now: datetime,
) -> Assembly:
    """Errors: assembly_over (it has begun). Refusals are those of the coordinators' count."""
    current = (await count(uow, actor, assembly_id, now)).assembly
    if current.starts_at <= now:
        raise DomainError("assembly_over")
    edited = replace(
        current,
        title_ja=title_ja,
        title_en=title_en,
        place_ja=place_ja,
        place_en=place_en,
        agenda_ja=agenda_ja,
        agenda_en=agenda_en,
        quorum=quorum,
    )
    await uow.assemblies.update(edited)
    await uow.audit.add(
        now, actor.person_id, "assembly.edited", f"assembly:{assembly_id}", {"quorum": str(quorum)}
    )
    return edited


def answer_request_key(assembly_id: int, person_id: int, day: date) -> str:
    """The outbox dedupe key of one member's "please answer" from the desk on `day`."""
    return f"desk:asm_remind:{assembly_id}:{person_id}:{day.isoformat()}"


async def request_answers(
    uow: UnitOfWork, actor: Actor, assembly_id: int, now: datetime, tz: ZoneInfo
) -> int:
    """Asks every member who has not answered, and has not been asked today, to answer; returns
    how many are asked now. Refusals are those of the coordinators' count."""
    counted = await count(uow, actor, assembly_id, now)
    day = now.astimezone(tz).date()
    reachable = [
        p for p in counted.not_answered if p.telegram_user_id is not None and not p.unreachable
    ]
    keys = [answer_request_key(assembly_id, p.id, day) for p in reachable]
    asked_today = await uow.outbox.deliveries(keys) if keys else {}
    asked = tuple(p.id for p, key in zip(reachable, keys, strict=True) if key not in asked_today)
    if asked:
        uow.record(AssemblyAnswerRequested(now, assembly_id, asked, day))
    await uow.audit.add(
        now, actor.person_id, "assembly.reminded", f"assembly:{assembly_id}", {"sent": len(asked)}
    )
    return len(asked)
