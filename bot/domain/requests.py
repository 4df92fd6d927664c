"""Service requests from residents: what can be asked for, a request's life, its reference number.

A resident asks for elderly care, childcare or cleaning. The request moves through a small set of
statuses; which moves are allowed is one pure function (`next_status`), so the services, the
staff cards and the web desk agree. Personal fields (address, phone, details) are stored only
with the resident's consent and become None once purged after the retention period.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import phonenumbers

from bot.domain.coop import pick
from bot.domain.errors import InvalidInput

ADDRESS_LIMIT = 200  # characters; refused with the limit when longer, never cut
DETAILS_LIMIT = 1000
REASON_LIMIT = 300
QUESTION_LIMIT = 500
ANSWER_LIMIT = 1000
DAYS_AHEAD = 14  # the preferred-day buttons: the coming two weeks
DRAFT_TTL = timedelta(days=1)  # an abandoned dialog is offered again for a day


class ServiceCategory(StrEnum):
    ELDERLY_CARE = "elderly_care"
    CHILDCARE = "childcare"
    CLEANING = "cleaning"


class ServiceKind(StrEnum):
    """A stable code, translated as `requests.kind.<code>` when shown."""

    DAY_CARE = "day_care"
    HOME_HELP = "home_help"
    MEAL_DELIVERY = "meal_delivery"
    PREVENTIVE_CARE = "preventive_care"
    AFTER_SCHOOL = "after_school"
    TEMPORARY_CHILDCARE = "temp_childcare"
    CHILDCARE_SUPPORT = "childcare_support"
    HOME_CLEANING = "home_cleaning"
    BUILDING_CLEANING = "building_cleaning"
    OTHER_CLEANING = "other_cleaning"


KINDS: dict[ServiceCategory, tuple[ServiceKind, ...]] = {
    ServiceCategory.ELDERLY_CARE: (
        ServiceKind.DAY_CARE,
        ServiceKind.HOME_HELP,
        ServiceKind.MEAL_DELIVERY,
        ServiceKind.PREVENTIVE_CARE,
    ),
    ServiceCategory.CHILDCARE: (
        ServiceKind.AFTER_SCHOOL,
        ServiceKind.TEMPORARY_CHILDCARE,
        ServiceKind.CHILDCARE_SUPPORT,
    ),
    ServiceCategory.CLEANING: (
        ServiceKind.HOME_CLEANING,
        ServiceKind.BUILDING_CLEANING,
        ServiceKind.OTHER_CLEANING,
    ),
}


def category_of(kind: ServiceKind) -> ServiceCategory:
    return next(cat for cat, kinds in KINDS.items() if kind in kinds)


class ForWhom(StrEnum):
    SELF = "self"
    FAMILY = "family"


class TimeWindow(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    ANY = "any"


class RequestStatus(StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    DONE = "done"
    DECLINED = "declined"
    CANCELLED = "cancelled"


OPEN: frozenset[RequestStatus] = frozenset(
    {
        RequestStatus.RECEIVED,
        RequestStatus.UNDER_REVIEW,
        RequestStatus.ACCEPTED,
        RequestStatus.SCHEDULED,
    }
)
CLOSED: frozenset[RequestStatus] = frozenset(set(RequestStatus) - OPEN)


class RequestAction(StrEnum):
    """What a history row records; the staff and resident actions on a request."""

    SUBMITTED = "submitted"
    TAKEN = "taken"
    ASSIGNED = "assigned"  # to a business centre
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    DONE = "done"
    DECLINED = "declined"
    CANCELLED = "cancelled"  # by the resident
    ASKED = "asked"  # staff asked the resident a question
    ANSWERED = "answered"  # the resident answered
    PURGED = "purged"  # personal fields removed after the retention period
    UNDONE = "undone"  # staff undid their "done" in its undo window (bot/domain/undo.py)


_R, _U, _A, _S = (
    RequestStatus.RECEIVED,
    RequestStatus.UNDER_REVIEW,
    RequestStatus.ACCEPTED,
    RequestStatus.SCHEDULED,
)
# action -> (the statuses it may start from, the status it leads to; None: unchanged)
_MOVES: dict[RequestAction, tuple[frozenset[RequestStatus], RequestStatus | None]] = {
    RequestAction.TAKEN: (frozenset({_R}), _U),
    RequestAction.ASSIGNED: (frozenset({_R, _U}), _U),
    RequestAction.ACCEPTED: (frozenset({_R, _U}), _A),
    RequestAction.SCHEDULED: (frozenset({_A, _S}), _S),
    RequestAction.DONE: (frozenset({_A, _S}), RequestStatus.DONE),
    RequestAction.DECLINED: (OPEN, RequestStatus.DECLINED),
    RequestAction.CANCELLED: (OPEN, RequestStatus.CANCELLED),
    RequestAction.ASKED: (OPEN, None),
    RequestAction.ANSWERED: (OPEN, None),
}


def allowed(status: RequestStatus, action: RequestAction) -> bool:
    move = _MOVES.get(action)
    return move is not None and status in move[0]


def next_status(status: RequestStatus, action: RequestAction) -> RequestStatus:
    """The status after `action`; `request_transition` when the action does not fit now."""
    if not allowed(status, action):
        raise InvalidInput("request_transition", status=status.value, action=action.value)
    target = _MOVES[action][1]
    return status if target is None else target


def actions_from(status: RequestStatus) -> list[RequestAction]:
    """The actions possible in a status, in a stable order (what buttons a card shows)."""
    return [action for action in _MOVES if allowed(status, action)]


# --- Reference numbers ------------------------------------------------------------------------

REFERENCE_PREFIX = "K"
_REFERENCE = re.compile(r"^K-?(\d{2})(\d{2})-?(\d{4,})$")


def reference_month(local_day: date) -> str:
    """`2611` for November 2026: the per-month counter's key (the co-op's local date)."""
    return f"{local_day.year % 100:02d}{local_day.month:02d}"


def format_reference(month: str, sequence: int) -> str:
    """`K-2611-0042`: short, digits grouped, easy to read aloud on the phone."""
    if sequence < 1:
        raise ValueError("reference sequences start at 1")
    return f"{REFERENCE_PREFIX}-{month}-{sequence:04d}"


def parse_reference(text: str) -> str:
    """A reference as typed (`k26110042`, `Ｋ－２６１１－００４２`) in its canonical form."""
    folded = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "")
    found = _REFERENCE.match(folded.replace("ー", "-"))
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise InvalidInput("reference_invalid")
    return format_reference(found.group(1) + found.group(2), int(found.group(3)))


# --- Phone numbers ----------------------------------------------------------------------------

# Dashes people type between digit groups that NFKC leaves alone.
_DASHES = dict.fromkeys(map(ord, "ー‐‑‒–—―−﹣"), "-")
PHONE_INPUT_LIMIT = 30


def parse_phone(text: str) -> str:
    """A Japanese phone number in its national form (`090-1234-5678`), or `phone_invalid`.

    Full-width digits, hyphens of every kind, spaces, brackets and `+81` are accepted.
    """
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    if not folded or len(folded) > PHONE_INPUT_LIMIT or re.search(r"[^\d\s()+\-.]", folded):
        raise InvalidInput("phone_invalid")
    try:
        number = phonenumbers.parse(folded, "JP")
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("phone_invalid") from exc
    if number.country_code != 81 or not phonenumbers.is_valid_number(number):
        raise InvalidInput("phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


# --- Service areas ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceArea:
    code: str  # ASCII, short: it travels in callback data
    name_ja: str
    name_en: str

    def name(self, locale: str) -> str:
        return pick(locale, self.name_ja, self.name_en)


# The demo co-op's areas; an installation sets its own with KYODO_SERVICE_AREAS.
DEFAULT_AREAS: tuple[ServiceArea, ...] = (
    ServiceArea("chuo", "中央区", "Chuo"),
    ServiceArea("minato", "港区", "Minato"),
    ServiceArea("koto", "江東区", "Koto"),
    ServiceArea("shinagawa", "品川区", "Shinagawa"),
    ServiceArea("other", "その他の地域", "Another area"),
)


def parse_areas(spec: str) -> tuple[ServiceArea, ...]:
    """`code:名前:Name;code2:...` as the setting spells it; refused when malformed."""
    areas: list[ServiceArea] = []
    for item in filter(None, (part.strip() for part in spec.split(";"))):
        pieces = [piece.strip() for piece in item.split(":")]
        if len(pieces) != 3 or not all(pieces) or not re.fullmatch(r"[a-z0-9_]{1,20}", pieces[0]):
            raise ValueError(f"a service area is code:名前:Name, not {item!r}")
        areas.append(ServiceArea(*pieces))
    if not areas or len({a.code for a in areas}) != len(areas):
        raise ValueError("service areas need at least one area and distinct codes")
    return tuple(areas)


# --- Checks of what the resident typed --------------------------------------------------------


def check_text(text: str, limit: int, *, required: bool, code: str) -> str:
    """Stripped text within `limit` characters (refused, never cut); `<code>_empty` if required."""
    text = text.strip()
    if required and not text:
        raise InvalidInput(f"{code}_empty")
    if len(text) > limit:
        raise InvalidInput(f"{code}_too_long", length=len(text), limit=limit)
    return text


def check_days(days: list[date] | tuple[date, ...], today: date) -> tuple[date, ...]:
    """Preferred days within the coming two weeks (today included), sorted, no repeats."""
    for day in days:
        if day < today:
            raise InvalidInput("date_past")
        if day > today + timedelta(days=DAYS_AHEAD - 1):
            raise InvalidInput("date_too_far", days=DAYS_AHEAD)
    return tuple(sorted(set(days)))


# --- The request ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestForm:
    """What the resident filled in, checked; stored only with their consent."""

    kind: ServiceKind
    for_whom: ForWhom
    days: tuple[date, ...]  # empty: flexible
    time_window: TimeWindow
    area: str  # a ServiceArea code
    address: str
    phone: str
    details: str  # may be empty: a phone call can fill it in
    voice_file_ids: tuple[str, ...] = ()  # voice notes or photos for staff to listen to or see


@dataclass(frozen=True)
class ServiceRequest:
    id: int
    reference: str
    requester_id: int | None  # None once the resident was forgotten
    kind: ServiceKind
    for_whom: ForWhom
    days: tuple[date, ...]
    time_window: TimeWindow
    area: str
    address: str | None  # None once purged
    phone: str | None
    details: str | None
    voice_file_ids: tuple[str, ...]
    status: RequestStatus
    created_at: datetime
    updated_at: datetime
    consent_at: datetime
    taken_by: int | None = None
    centre_id: int | None = None
    contact_when: datetime | None = None  # when the centre will contact the resident
    scheduled_for: datetime | None = None
    decline_reason: str | None = None
    purged_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def category(self) -> ServiceCategory:
        return category_of(self.kind)


@dataclass(frozen=True)
class RequestChange:
    """One row of a request's status history: who did what, when."""

    request_id: int
    at: datetime
    actor_person_id: int | None
    action: RequestAction
    from_status: RequestStatus | None
    to_status: RequestStatus
    details: dict[str, Any] = field(default_factory=dict)


class MessageDirection(StrEnum):
    QUESTION = "question"  # staff to the resident
    ANSWER = "answer"  # the resident to staff


@dataclass(frozen=True)
class RequestMessage:
    """A question from staff or the resident's answer, kept with the request."""

    id: int
    request_id: int
    at: datetime
    author_person_id: int | None
    direction: MessageDirection
    text: str | None  # None once purged
    voice_file_id: str | None = None


@dataclass(frozen=True)
class RequestDraft:
    """A dialog left halfway: kept for a day and offered again, then gone."""

    person_id: int
    data: dict[str, Any]
    updated_at: datetime

    def expired(self, now: datetime) -> bool:
        return now - self.updated_at > DRAFT_TTL
