"""Staff edit an assembly notice from the desk: its titles, places, agenda and quorum, in both
languages. The date and the answer deadline stay as published: members' reminders are planned
from them (bot.services.reminders), and a new date deserves a new notice."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.assemblies import Quorum
from bot.domain.coop import Assembly
from bot.domain.errors import DomainError
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
