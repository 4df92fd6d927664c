"""Staff edit an assembly notice from the desk: its titles, places, agenda and quorum, in both
languages. The date and the answer deadline stay as published: members' reminders are planned
from them (bot.services.reminders), and a new date deserves a new notice.

Staff also ask, from the desk, the members who have not answered a notice to answer it: once a
day each, however often the button is pressed (bot.notices.assemblies composes the message)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.assemblies import Quorum
from bot.domain.coop import Assembly
from bot.domain.errors import DomainError
from bot.domain.events import AssemblyAnswerRequested
from bot.domain.people import Actor
from bot.ports.store import UnitOfWork
from bot.services.assemblies import count


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
    await uow.desk.update_assembly(edited)
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
