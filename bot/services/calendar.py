"""The co-op's calendar for people: public holidays named in their language, and whose secret
calendar link a token is, while its owner may still have one."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import holidays

from bot.domain.languages import is_japanese
from bot.domain.people import Person, Role
from bot.ports.store import UnitOfWork
from bot.services.shift_swaps import calendar_owner

# Who may have a calendar link: those who may hold shifts (bot.services.shift_swaps).
CALENDAR_ROLES: frozenset[Role] = frozenset({Role.MEMBER, Role.STAFF, Role.ADMIN, Role.VOLUNTEER})


@lru_cache(maxsize=4)
def _japan(language: str) -> holidays.HolidayBase:
    # The language is always given: without it the package follows the process's locale.
    return holidays.country_holidays("JP", language=language)


def holiday_name(day: date, locale: str) -> str | None:
    """The name of the public holiday on `day` (勤労感謝の日 / Labor Thanksgiving Day), or None."""
    name: str | None = _japan("ja" if is_japanese(locale) else "en_US").get(day)
    return name


async def feed_owner(uow: UnitOfWork, token: str, now: datetime) -> Person | None:
    """Whose calendar link this is, if it still works: a link dies with its owner's last role
    that may hold shifts (the refusal is audited once per look, with the owner's id only)."""
    person = await calendar_owner(uow, token)
    if person is None:
        return None
    if not person.roles & CALENDAR_ROLES:
        await uow.audit.add(now, None, "calendar.refused", f"person:{person.id}", {"why": "role"})
        return None
    return person
