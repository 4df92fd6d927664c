"""Volunteer applications: who offers to help, with what, when, and the staff's decision.

An application holds personal data (name, phone, free text about skills), collected with the
person's consent to a stated purpose. It is pending until staff approve it (the person becomes a
volunteer) or decline it with a reason; a declined application's personal fields are purged after
the retention period, leaving the choices and the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from bot.domain.errors import InvalidInput

NAME_LIMIT = 100
NOTE_LIMIT = 300  # free text about skills and qualifications
REASON_LIMIT = 300
PURGED = "—"  # what a purged or forgotten name reads as

E = TypeVar("E", bound=StrEnum)


class ApplicationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Interest(StrEnum):
    """The service kinds residents ask for, plus the co-op's events and disaster support."""

    ELDERLY_CARE = "elderly_care"
    CHILDCARE = "childcare"
    CLEANING = "cleaning"
    EVENTS = "events"
    DISASTER = "disaster"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class DayPart(StrEnum):
    MORNING = "am"
    AFTERNOON = "pm"
    EVENING = "eve"


class Language(StrEnum):
    JA = "ja"
    EN = "en"
    ZH = "zh"
    KO = "ko"
    VI = "vi"
    PT = "pt"
    TL = "tl"
    JSL = "jsl"  # Japanese Sign Language


class Skill(StrEnum):
    CARE_CERTIFICATE = "care_cert"  # 介護職員初任者研修 and above
    NURSE = "nurse"
    CHILDCARE_LICENCE = "childcare_lic"  # 保育士
    DRIVING = "driving"
    FIRST_AID = "first_aid"
    COOKING = "cooking"


def slot(day: Weekday, part: DayPart) -> str:
    """One cell of the availability grid, as stored: `mon:am`."""
    return f"{day}:{part}"


ALL_SLOTS: frozenset[str] = frozenset(slot(d, p) for d in Weekday for p in DayPart)


@dataclass(frozen=True)
class Choices:
    """What an applicant ticked: plain values, each checked against its enum."""

    interests: tuple[Interest, ...]
    availability: tuple[str, ...]  # slots, `mon:am`
    languages: tuple[Language, ...]
    skills: tuple[Skill, ...]


@dataclass(frozen=True)
class NewApplication:
    person_id: int
    name: str
    phone: str  # E.164
    choices: Choices
    skills_note: str | None
    consented_at: datetime  # when the person agreed to the stated purpose of use


@dataclass(frozen=True)
class Application:
    id: int
    person_id: int | None  # None once the person was forgotten
    name: str
    phone: str | None  # None once purged
    choices: Choices
    skills_note: str | None
    consented_at: datetime
    status: ApplicationStatus
    created_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    reason: str | None = None  # why it was declined
    purged_at: datetime | None = None


def _ordered(kind: type[E], values: Iterable[str]) -> tuple[E, ...]:
    """The values as members of `kind`, in the enum's order, once each; anything else refused."""
    try:
        chosen = {kind(v) for v in values}
    except ValueError:
        raise InvalidInput("choice_unknown") from None
    return tuple(member for member in kind if member in chosen)


def make_choices(
    interests: Iterable[str],
    availability: Iterable[str],
    languages: Iterable[str],
    skills: Iterable[str],
) -> Choices:
    """Checked choices: at least one interest, one time slot and one language."""
    picked = _ordered(Interest, interests)
    if not picked:
        raise InvalidInput("interests_required")
    slots = set(availability)
    if not slots <= ALL_SLOTS:
        raise InvalidInput("choice_unknown")
    if not slots:
        raise InvalidInput("availability_required")
    ordered_slots = tuple(slot(d, p) for d in Weekday for p in DayPart if slot(d, p) in slots)
    spoken = _ordered(Language, languages)
    if not spoken:
        raise InvalidInput("languages_required")
    return Choices(picked, ordered_slots, spoken, _ordered(Skill, skills))


def check_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise InvalidInput("name_required")
    if len(name) > NAME_LIMIT:
        raise InvalidInput("name_too_long", length=len(name), limit=NAME_LIMIT)
    return name


def check_note(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    note = text.strip()
    if len(note) > NOTE_LIMIT:
        raise InvalidInput("note_too_long", length=len(note), limit=NOTE_LIMIT)
    return note


def check_reason(text: str) -> str:
    reason = text.strip()
    if not reason:
        raise InvalidInput("reason_required")
    if len(reason) > REASON_LIMIT:
        raise InvalidInput("reason_too_long", length=len(reason), limit=REASON_LIMIT)
    return reason
