"""A person to reach: the co-op's phone and office hours, and a business centre's own phone.

Whoever is stuck (a refusal, text Kyodo cannot read, a refused consent, a reference number to
quote) is told whom to call and when. The co-op's phone and hours are settings
(`KYODO_COOP_PHONE`, `KYODO_OFFICE_HOURS`); a centre's phone is its own (the desk's Centres page).
The messages themselves are built here as data (`Msg`), translated in `locales/*/help.po`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from bot.domain.errors import InvalidInput
from bot.domain.languages import is_japanese
from bot.domain.replies import Msg, msg

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# What a phone number may be written with: digits, +, spaces, hyphens (ASCII and full width
# after NFKC), parentheses; 6 to 20 characters.
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,18}[0-9]$")
_TIMES = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])-([01]?[0-9]|2[0-4]):([0-5][0-9])$")


@dataclass(frozen=True)
class OfficeHours:
    """One span of opening: from `first` to `last` weekday (0: Monday), `opens` to `closes`."""

    first: int
    last: int
    opens: time
    closes: time

    def code(self) -> str:
        days = (
            DAYS[self.first] if self.first == self.last else f"{DAYS[self.first]}-{DAYS[self.last]}"
        )
        return f"{days} {self.opens:%H:%M}-{self.closes:%H:%M}"


@dataclass(frozen=True)
class Contact:
    """Whom to call: a phone and, when known, its office hours; `centre`: the centre's name
    (ja, en) when it is a centre's own number."""

    phone: str
    hours: tuple[OfficeHours, ...] = ()
    centre: tuple[str, str] | None = None


def parse_phone(raw: str) -> str:
    """A phone number as people write it (`03-1234-5678`, `+81 3 1234 5678`); refused otherwise."""
    phone = raw.strip()
    if not _PHONE.fullmatch(phone):
        raise InvalidInput("phone_invalid")
    return phone


def parse_office_hours(spec: str) -> tuple[OfficeHours, ...]:
    """`mon-fri 09:00-17:00; sat 09:00-12:00` as the setting spells it; refused when malformed."""
    spans: list[OfficeHours] = []
    for item in filter(None, (part.strip() for part in spec.split(";"))):
        days, _, times = item.lower().partition(" ")
        first, _, last = days.partition("-")
        last = last or first
        clock = _TIMES.fullmatch(times.replace(" ", ""))
        if first not in DAYS or last not in DAYS or clock is None:
            raise InvalidInput("office_hours_invalid", item=item)
        h1, m1, h2, m2 = (int(g) for g in clock.groups())
        if h2 == 24 and m2:
            raise InvalidInput("office_hours_invalid", item=item)
        opens = time(h1, m1)
        closes = time(23, 59) if h2 == 24 else time(h2, m2)
        if DAYS.index(last) < DAYS.index(first) or closes <= opens:
            raise InvalidInput("office_hours_invalid", item=item)
        spans.append(OfficeHours(DAYS.index(first), DAYS.index(last), opens, closes))
    if not spans or len(spans) > 7:
        raise InvalidInput("office_hours_invalid", item=spec)
    return tuple(spans)


def _span(span: OfficeHours) -> Msg:
    days = (
        msg(f"help.day.{DAYS[span.first]}")
        if span.first == span.last
        else msg(
            "help.days",
            first=msg(f"help.day.{DAYS[span.first]}"),
            last=msg(f"help.day.{DAYS[span.last]}"),
        )
    )
    return msg(
        "help.hours.span",
        days=days,
        opens=f"{span.opens.hour}:{span.opens.minute:02d}",
        closes=f"{span.closes.hour}:{span.closes.minute:02d}",
    )


def hours_msg(hours: tuple[OfficeHours, ...]) -> Msg:
    """The office hours as one message: spans joined in the reader's language."""
    joined = _span(hours[-1])
    for span in reversed(hours[:-1]):
        joined = msg("help.hours.and", first=_span(span), rest=joined)
    return joined


def contact_msg(contact: Contact, locale: str) -> Msg:
    """ "📞 You can also call us: 03-... (Mon-Fri 9:00-17:00)", a centre's name first when the
    number is a centre's own."""
    if contact.centre is not None:
        name_ja, name_en = contact.centre
        centre = name_ja if is_japanese(locale) else name_en  # as bot.domain.coop.pick
        if contact.hours:
            return msg(
                "help.call.centre_hours",
                centre=centre,
                phone=contact.phone,
                hours=hours_msg(contact.hours),
            )
        return msg("help.call.centre", centre=centre, phone=contact.phone)
    if contact.hours:
        return msg("help.call.hours", phone=contact.phone, hours=hours_msg(contact.hours))
    return msg("help.call", phone=contact.phone)


def contact_lines(locale: str, *contacts: Contact | None) -> tuple[Msg, ...]:
    """One line per known contact (a centre's, then the co-op's), none when nobody is known."""
    lines: list[Msg] = []
    seen: set[str] = set()
    for contact in contacts:
        if contact is not None and contact.phone not in seen:
            seen.add(contact.phone)
            lines.append(contact_msg(contact, locale))
    return tuple(lines)


def coop_contact(phone: str | None, hours: tuple[OfficeHours, ...] | None) -> Contact | None:
    """The co-op's own contact from its settings; None when no phone is set (hours alone say
    nothing anyone can use)."""
    return None if phone is None else Contact(phone, hours or ())
