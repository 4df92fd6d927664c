"""The co-op's working life: business centres, the shifts worked there, and general assemblies.

Times are aware UTC datetimes; showing them in the co-op's zone is the formatter's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.domain.assemblies import Quorum
from bot.domain.contact import OfficeHours
from bot.domain.languages import is_japanese

# Half of the members entitled to vote, unless a notice says otherwise.
DEFAULT_QUORUM = Quorum(1, 2)


class WorkKind(StrEnum):
    """The kind of work a shift is: a stable code, translated as `work.<code>` when shown."""

    ELDERLY_CARE = "elderly_care"
    CHILDCARE = "childcare"
    AFTER_SCHOOL = "after_school"
    DISABILITY_SUPPORT = "disability_support"
    CLEANING = "cleaning"


def pick(locale: str, ja: str, en: str) -> str:
    """The Japanese or English text of a bilingual record, for a person's locale (Easy Japanese
    readers get the Japanese)."""
    return ja if is_japanese(locale) else en


@dataclass(frozen=True)
class BusinessCentre:
    """A local business centre: a care centre, a cleaning team's base."""

    id: int
    name_ja: str
    name_en: str
    phone: str | None = None
    kinds: frozenset[WorkKind] = frozenset()  # the kinds of work it offers
    areas: tuple[str, ...] = ()  # the towns or wards it serves, as staff wrote them
    # A closed centre stays for the history of its shifts, hours and requests, but is offered
    # for nothing new.
    closed_at: datetime | None = None
    # When its phone is answered (the desk's Centres page); none: the co-op's hours are no guide.
    office_hours: tuple[OfficeHours, ...] = ()
    # A head office (本部/事務局) is a centre row too; a centre may belong to one office, whose
    # staff then act for it as well (bot.services.access.scope_of). One level: an office
    # belongs to no office.
    is_office: bool = False
    office_id: int | None = None

    def name(self, locale: str) -> str:
        return pick(locale, self.name_ja, self.name_en)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class NewShift:
    """A shift about to be stored (the store assigns the id; people are assigned afterwards)."""

    centre_id: int
    starts_at: datetime
    ends_at: datetime
    kind: WorkKind
    capacity: int
    for_volunteers: bool = False  # volunteers, not only members, may take its open places

    def __post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValueError("a shift ends after it starts")
        if self.capacity < 1:
            raise ValueError("a shift has room for at least one person")


@dataclass(frozen=True)
class Shift:
    id: int
    centre_id: int
    starts_at: datetime
    ends_at: datetime
    kind: WorkKind
    capacity: int
    assigned: frozenset[int] = field(default_factory=frozenset)  # person ids
    for_volunteers: bool = False

    def is_assigned(self, person_id: int | None) -> bool:
        return person_id is not None and person_id in self.assigned

    @property
    def free_places(self) -> int:
        return max(self.capacity - len(self.assigned), 0)

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


@dataclass(frozen=True)
class NewAssembly:
    title_ja: str
    title_en: str
    starts_at: datetime
    place_ja: str
    place_en: str
    answer_by: datetime  # the RSVP deadline
    agenda_ja: str = ""
    agenda_en: str = ""
    quorum: Quorum = DEFAULT_QUORUM
    centre_id: int | None = None  # a centre meeting; None: the whole co-op's general assembly

    def __post_init__(self) -> None:
        if self.answer_by > self.starts_at:
            raise ValueError("answers are due before the assembly")


@dataclass(frozen=True)
class Assembly:
    """A general assembly (総会) of the co-op's members, or a business centre's meeting."""

    id: int
    title_ja: str
    title_en: str
    starts_at: datetime
    place_ja: str
    place_en: str
    answer_by: datetime
    agenda_ja: str = ""
    agenda_en: str = ""
    quorum: Quorum = DEFAULT_QUORUM
    centre_id: int | None = None

    def agenda(self, locale: str) -> str:
        return pick(locale, self.agenda_ja, self.agenda_en)

    def is_open(self, now: datetime) -> bool:
        """Answers may still be given or changed."""
        return now <= self.answer_by

    def title(self, locale: str) -> str:
        return pick(locale, self.title_ja, self.title_en)

    def place(self, locale: str) -> str:
        return pick(locale, self.place_ja, self.place_en)
