"""A member's shifts as an iCalendar feed, in their language: what `kyodo shifts ical` prints and
the secret calendar link serves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import unescape

from bot.domain.people import Person
from bot.domain.shift_ical import Event, calendar
from bot.i18n import I18n, resolve_locale
from bot.ports.store import UnitOfWork
from bot.services.coop import ShiftView
from bot.services.shift_swaps import feed_shifts


def render(i18n: I18n, person: Person, views: Sequence[ShiftView], now: datetime) -> str:
    locale = resolve_locale(person.locale, person.telegram_language, i18n.default_locale)
    events = [
        Event(
            uid=f"shift-{v.shift.id}-person-{person.id}@kyodo",
            starts_at=v.shift.starts_at,
            ends_at=v.shift.ends_at,
            summary=unescape(i18n.text(f"work.{v.shift.kind}", locale)),
            location=v.centre.name(locale),
        )
        for v in views
    ]
    name = unescape(i18n.text("shifts.calendar_name", locale, {"name": person.display_name}))
    return calendar(name, events, now)


async def feed(uow: UnitOfWork, i18n: I18n, person: Person, now: datetime) -> str:
    return render(i18n, person, await feed_shifts(uow, person.id, now), now)
