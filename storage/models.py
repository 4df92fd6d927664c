"""The SQL schema as SQLAlchemy declarative models: the one source Alembic migrations match."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names keep migrations identical on SQLite and PostgreSQL, and let a later
# migration drop or alter a constraint by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only aliases the rowid (and so autoincrements) for a column declared exactly INTEGER.
Id = BigInteger().with_variant(Integer(), "sqlite")
# JSONB on PostgreSQL: compact, and comparable should we ever need to query inside it.
Json = JSON().with_variant(JSONB(), "postgresql")

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in, an aware UTC datetime out, on every dialect.

    PostgreSQL's timestamptz does this by itself. SQLite has no time zone type: the value is
    stored as naive UTC text (so that text order is time order) and UTC is re-attached on read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive time would be silently read as UTC later: refuse it where it enters.
            raise ValueError(f"naive datetime refused by the store: {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(35))
    telegram_language: Mapped[str | None] = mapped_column(String(35))
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PersonRoleRow(Base):
    __tablename__ = "person_roles"

    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class InviteRow(Base):
    """A one-time invite code, stored as its slow hash only (migration 0015): a backup of the
    database gives nobody a code to redeem (bot.domain.invites.code_hash says why slow)."""

    __tablename__ = "invites"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    # SET NULL: forgetting a person must not be blocked by the invites they issued or used.
    created_by: Mapped[int | None] = mapped_column(Id, ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(Id, ForeignKey("people.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An invitation letter's code is for one imported person (migration 0019): joining with it
    # makes the redeemer that person. CASCADE: forgetting them ends their letters' codes.
    person_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )


class MemberRosterRow(Base):
    """What a member import knows of a person beyond their person row (migration 0019): the
    reading of their name and a phone number (personal data: /forget deletes them), and the
    SHA-256 key that finds them at the next import (bot.domain.roster)."""

    __tablename__ = "member_roster"

    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    member_key: Mapped[str] = mapped_column(String(64), unique=True)
    kana: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PersonChatRow(Base):
    """A person's further chat (their second messenger), linked with a code (migration 0025,
    bot.services.links); the first is `PersonRow.telegram_user_id`. Gone with the person."""

    __tablename__ = "person_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LinkCodeRow(Base):
    """An open code to link a second messenger: its hash only, for ten minutes."""

    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DialogStateRow(Base):
    __tablename__ = "dialog_states"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    dialog: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboxRow(Base):
    __tablename__ = "inbox"
    # The pending scan reads unhandled rows in update order; pruning reads handled ones by age.
    __table_args__ = (Index("ix_inbox_handled_at_update_id", "handled_at", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set aside after its failed attempts, for staff to let go again (migration 0014): not
    # pending, not handled. The reason is the error's kind only.
    parked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    park_reason: Mapped[str | None] = mapped_column(String(100))


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        # The sender's claim filters on status first, then on when a row becomes due.
        Index("ix_outbox_status_not_before", "status", "not_before"),
        # A chat's rows of one status: the notices a LINE reply carries along, the earlier
        # edits a newer one replaces (migration 0026).
        Index("ix_outbox_chat_id_status", "chat_id", "status"),
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[list[list[str]]]] = mapped_column(Json)
    edit_message_id: Mapped[int | None] = mapped_column(BigInteger)
    parse_mode: Mapped[str | None] = mapped_column(String(16))
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Unique but nullable: NULLs never collide, so only messages that ask for it are deduplicated.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # What the text carries that must go once it is sent (bot.domain.outbound.Carries; 0015).
    carries: Mapped[str | None] = mapped_column(String(12))
    # Bulk (broadcast copies, reminders, digests) takes what people's answers leave of the
    # global rate (migration 0013).
    bulk: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    # A file handed to a staff member by its Telegram file_id: [kind, file_id] (0022).
    media: Mapped[list[str] | None] = mapped_column(Json)
    # A LINE multicast's rows share its name and go in one request (0021; NULL: on its own).
    line_batch: Mapped[str | None] = mapped_column(String(64), index=True)


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_person_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("people.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(Json)


class CentreRow(Base):
    __tablename__ = "business_centres"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Migration 0017: what `kyodo centres` and the desk's Centres page set.
    phone: Mapped[str | None] = mapped_column(String(30))
    kinds: Mapped[list[str]] = mapped_column(Json, server_default=text("'[]'"))  # WorkKind codes
    areas: Mapped[list[str]] = mapped_column(Json, server_default=text("'[]'"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When its phone is answered, as `mon-fri 09:00-17:00; sat 09:00-12:00` (0023).
    office_hours: Mapped[str | None] = mapped_column(String(200))
    # A head office, and the office a centre belongs to (0024; bot.domain.coop).
    is_office: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    office_id: Mapped[int | None] = mapped_column(Id, ForeignKey("business_centres.id"))


class CentreMembershipRow(Base):
    """A person belongs to a business centre (migration 0018): members, volunteers and staff,
    one row per centre. A staff member's scope is their centres (bot.domain.scope)."""

    __tablename__ = "centre_memberships"

    # CASCADE: forgetting a person forgets which centres they belonged to.
    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed for a centre's members (broadcast audiences, quorum, card recipients).
    centre_id: Mapped[int] = mapped_column(
        Id, ForeignKey("business_centres.id"), primary_key=True, index=True
    )


class ShiftRow(Base):
    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    centre_id: Mapped[int] = mapped_column(Id, ForeignKey("business_centres.id"), index=True)
    # Lists read a time window, so shifts are found by when they start.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    capacity: Mapped[int] = mapped_column(Integer)
    for_volunteers: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ShiftAssignmentRow(Base):
    __tablename__ = "shift_assignments"

    shift_id: Mapped[int] = mapped_column(
        Id, ForeignKey("shifts.id", ondelete="CASCADE"), primary_key=True
    )
    # CASCADE: forgetting a person takes them off their shifts. Indexed for "my shifts".
    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AssemblyRow(Base):
    __tablename__ = "assemblies"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    place_ja: Mapped[str] = mapped_column(String(200))
    place_en: Mapped[str] = mapped_column(String(200))
    answer_by: Mapped[datetime] = mapped_column(UTCDateTime)
    agenda_ja: Mapped[str] = mapped_column(Text, server_default="")
    agenda_en: Mapped[str] = mapped_column(Text, server_default="")
    quorum_numerator: Mapped[int] = mapped_column(Integer, server_default="1")
    quorum_denominator: Mapped[int] = mapped_column(Integer, server_default="2")
    # A business centre's meeting; NULL: the whole co-op's general assembly.
    centre_id: Mapped[int | None] = mapped_column(Id, ForeignKey("business_centres.id"))


class AssemblyAnswerRow(Base):
    """A member's current answer to a notice; changing it replaces the row."""

    __tablename__ = "assembly_answers"
    __table_args__ = (
        CheckConstraint("rsvp IN ('attending', 'absent', 'proxy')", name="rsvp_known"),
    )

    assembly_id: Mapped[int] = mapped_column(
        Id, ForeignKey("assemblies.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    rsvp: Mapped[str] = mapped_column(String(10))
    # NULL with rsvp 'proxy': the chair holds it (also what a forgotten holder's proxy becomes).
    proxy_to: Mapped[int | None] = mapped_column(Id, ForeignKey("people.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssemblyCheckInRow(Base):
    """A member checked in by staff on the day."""

    __tablename__ = "assembly_checkins"

    assembly_id: Mapped[int] = mapped_column(
        Id, ForeignKey("assemblies.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    checked_in_by: Mapped[int | None] = mapped_column(
        Id, ForeignKey("people.id", ondelete="SET NULL")
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HourReportRow(Base):
    __tablename__ = "hour_reports"
    __table_args__ = (
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_in_a_day"),
        CheckConstraint("minutes % 15 = 0", name="minutes_quarter_hours"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')", name="status_known"
        ),
        # A member's day (the 24-hour rule, the month view) and the staff's review queue.
        Index("ix_hour_reports_person_id_day", "person_id", "day"),
        Index("ix_hour_reports_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(Id, ForeignKey("people.id", ondelete="CASCADE"))
    centre_id: Mapped[int] = mapped_column(Id, ForeignKey("business_centres.id"))
    kind: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(Id, ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(300))
    # Volunteer hours (migration 0007): recorded like members' but counted apart from them.
    volunteer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class HourReportChangeRow(Base):
    """The history of a report: one row per change, never updated."""

    __tablename__ = "hour_report_changes"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(
        Id, ForeignKey("hour_reports.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_person_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("people.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(Json)


class ShiftReleaseRow(Base):
    """A member gave up their place on a shift, and who took the place afterwards."""

    __tablename__ = "shift_releases"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    shift_id: Mapped[int] = mapped_column(
        Id, ForeignKey("shifts.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(Id, ForeignKey("people.id", ondelete="CASCADE"))
    reason: Mapped[str | None] = mapped_column(String(200))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by: Mapped[int | None] = mapped_column(Id, ForeignKey("people.id", ondelete="SET NULL"))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarTokenRow(Base):
    """A person's secret calendar link, stored as the SHA-256 of the token only."""

    __tablename__ = "calendar_tokens"

    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Each part of Kyodo adds its tables under its own heading below (and the migration named there),
# so that work on one part does not edit the lines of another.

# --- Service requests from residents (migration 0006) ---


class ServiceRequestRow(Base):
    """A resident's request. Address, phone and details are NULL once purged after retention."""

    __tablename__ = "service_requests"
    __table_args__ = (
        CheckConstraint(
            "status IN ('received', 'under_review', 'accepted', 'scheduled', 'done', 'declined', "
            "'cancelled')",
            name="status_known",
        ),
        # The queues: open requests oldest first, all of them or one centre's.
        Index("ix_service_requests_status_created_at", "status", "created_at"),
        Index("ix_service_requests_centre_id_status", "centre_id", "status"),
        Index("ix_service_requests_requester_id_id", "requester_id", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    # SET NULL: forgetting a resident keeps a completed service's record, anonymised.
    requester_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("people.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(32))
    for_whom: Mapped[str] = mapped_column(String(10))
    days: Mapped[list[str]] = mapped_column(Json)  # ISO dates; empty: flexible
    time_window: Mapped[str] = mapped_column(String(10))
    area: Mapped[str] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[str | None] = mapped_column(Text)
    voice_file_ids: Mapped[list[str]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by: Mapped[int | None] = mapped_column(Id, ForeignKey("people.id", ondelete="SET NULL"))
    centre_id: Mapped[int | None] = mapped_column(Id, ForeignKey("business_centres.id"))
    contact_when: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(String(300))
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ServiceRequestChangeRow(Base):
    """A request's status history: one row per action, never updated."""

    __tablename__ = "service_request_changes"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        Id, ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_person_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("people.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(Json)


class ServiceRequestMessageRow(Base):
    """Staff's questions and the resident's answers; the text is NULL once purged."""

    __tablename__ = "service_request_messages"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        Id, ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_person_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("people.id", ondelete="SET NULL")
    )
    direction: Mapped[str] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(Text)
    voice_file_id: Mapped[str | None] = mapped_column(String(200))


class ServiceRequestDraftRow(Base):
    """A request dialog left halfway, per person: offered again for a day, then deleted."""

    __tablename__ = "service_request_drafts"

    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ServiceRequestSequenceRow(Base):
    """The reference counter of one month (`2611`): incremented in place, so never reused."""

    __tablename__ = "service_request_sequences"

    month: Mapped[str] = mapped_column(String(4), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


# --- Volunteers and personal data (migration 0007) ---


class VolunteerApplicationRow(Base):
    """A volunteer application; name, phone and skills_note are personal data (purged later)."""

    __tablename__ = "volunteer_applications"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status_known"),
        # The staff's queue reads pending ones oldest first; the purge reads declined by date.
        Index("ix_volunteer_applications_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    interests: Mapped[list[str]] = mapped_column(Json)
    availability: Mapped[list[str]] = mapped_column(Json)
    languages: Mapped[list[str]] = mapped_column(Json)
    skills: Mapped[list[str]] = mapped_column(Json)
    skills_note: Mapped[str | None] = mapped_column(String(300))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(Id, ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(300))
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- Broadcasts (migration 0008) ---


class BroadcastRow(Base):
    """One broadcast: its audience, its text in both languages, and how far sending has got."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint(
            "status IN ('scheduled', 'running', 'paused', 'cancelled', 'done')",
            name="status_known",
        ),
        # The pump and the scheduler look for due and running broadcasts.
        Index("ix_broadcasts_status_send_at", "status", "send_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    created_by: Mapped[int | None] = mapped_column(Id, ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))
    audience: Mapped[str] = mapped_column(String(16))
    centre_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("business_centres.id", ondelete="CASCADE")
    )
    assembly_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("assemblies.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    text_ja: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    coordinator_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    coordinator_locale: Mapped[str] = mapped_column(String(8))
    # The last person id whose outbox row exists: a restart continues after it.
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    materialised: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress_outbox_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress_text: Mapped[str] = mapped_column(Text, default="")
    planned: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    # The progress message shows a question (cancel?) awaiting an answer: progress edits wait
    # (migration 0013).
    asking: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)


class BroadcastDeliveryRow(Base):
    """A recipient of a broadcast and the outbox row that carries their copy."""

    __tablename__ = "broadcast_deliveries"

    broadcast_id: Mapped[int] = mapped_column(
        Id, ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    # Unique: progress counts join the outbox's few unsent rows to their broadcast through it.
    outbox_id: Mapped[int] = mapped_column(
        Id, ForeignKey("outbox.id", ondelete="CASCADE"), unique=True
    )


class BroadcastPreferenceRow(Base):
    """A person's choice for one kind of broadcast: receive (opted in) or not (opted out)."""

    __tablename__ = "broadcast_preferences"

    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    receive: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- Scheduled reminders (migration 0009) ---


class ScheduledSendRow(Base):
    """A reminder or digest to go out at `due_at`: the scheduler's source of truth.

    `key` is unique forever (e.g. `asm:12:7d`), so planning twice stores one row; the row's
    fan-out to recipients uses outbox dedupe keys derived from it, so running twice sends once.
    """

    __tablename__ = "scheduled_sends"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sent', 'cancelled', 'skipped')", name="status_known"
        ),
        Index("ix_scheduled_sends_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    useful_until: Mapped[datetime] = mapped_column(UTCDateTime)
    subject_id: Mapped[int | None] = mapped_column(Id)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[int | None] = mapped_column(Id, ForeignKey("people.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(200))


class ReminderPrefsRow(Base):
    """A person's choice about shift reminders: off entirely, or off on some weekdays."""

    __tablename__ = "reminder_prefs"

    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    all_off: Mapped[bool] = mapped_column(Boolean, server_default=false())
    weekdays_off: Mapped[int] = mapped_column(Integer, server_default="0")  # bit 0 = Monday
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- Staff web desk (migration 0010) ---


class DeskLoginRow(Base):
    """A one-time sign-in link to the desk: the SHA-256 of its token only."""

    __tablename__ = "desk_logins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(Id, ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeskSessionRow(Base):
    """A signed-in browser: the SHA-256 of its cookie, and its per-session CSRF token."""

    __tablename__ = "desk_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The desk's audit search: by who acted, by whom it concerned, by action, newest first.
Index("ix_audit_log_actor_person_id_id", AuditRow.actor_person_id, AuditRow.id)
Index("ix_audit_log_subject_id", AuditRow.subject, AuditRow.id)
Index("ix_audit_log_action_id", AuditRow.action, AuditRow.id)
Index("ix_audit_log_at", AuditRow.at)

# --- Personal data and credentials (migration 0015) ---


class InviteFailureRow(Base):
    """Wrong invite codes from one Telegram account, whichever way they came (the join button,
    `/start CODE`, `/join CODE`): one counter, and the lockout it led to. Deleted once the
    lockout is over, by a right code, by /forget and by the nightly purge."""

    __tablename__ = "invite_failures"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# --- Staff cards (migration 0011) ---


class StaffCardRow(Base):
    """One card in the staff chat per item waiting for staff; `version` grows with each change.

    `item_id` has no foreign key: it points into the table of its `kind`.
    """

    __tablename__ = "staff_cards"
    __table_args__ = (
        Index("ix_staff_cards_kind_item_id", "kind", "item_id", unique=True),
        # The card feed looks for cards left to edit and open cards whose item changed.
        Index("ix_staff_cards_is_behind", "is_behind"),
        Index("ix_staff_cards_is_open_kind", "is_open", "kind"),
        CheckConstraint("kind IN ('request', 'volunteer', 'hours')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    is_open: Mapped[bool] = mapped_column(Boolean)  # the item still waits for staff
    is_behind: Mapped[bool] = mapped_column(Boolean)  # a copy shows an older version
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffCardCopyRow(Base):
    """One copy of a card: the staff group, or one staff member's private chat."""

    __tablename__ = "staff_card_copies"

    card_id: Mapped[int] = mapped_column(
        Id, ForeignKey("staff_cards.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    locale: Mapped[str] = mapped_column(String(8))
    is_group: Mapped[bool] = mapped_column(Boolean)
    # The outbox row that put this copy on screen: its telegram_message_id is what gets edited.
    dedupe_key: Mapped[str] = mapped_column(String(200))
    shown_version: Mapped[int] = mapped_column(Integer)


# --- Desk and export indexes (migration 0012) ---

# Indexes on the tables above for what the payroll export and the desk's pages read at scale
# (bench/export.py measures them with 1,000,000 hour reports).

# The export reads one month of counted reports: a range of days, then the status.
Index("ix_hour_reports_day_status", HourReportRow.day, HourReportRow.status)
# The desk's hours queue filtered by centre, oldest first (keyset on id).
Index(
    "ix_hour_reports_status_centre_id_id",
    HourReportRow.status,
    HourReportRow.centre_id,
    HourReportRow.id,
)
# (The audit log's indexes for the desk's search came with the desk, migration 0010.)


# --- LINE (migration 0016) ---


class LineUserRow(Base):
    """A LINE user id and the surrogate chat id the core knows them by (bot.domain.channels:
    `LINE_CHAT_BASE + id`). Kept after /forget only until the farewell is delivered."""

    __tablename__ = "line_users"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(64), unique=True)
    forgotten: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)


class LineEventRow(Base):
    """A webhook event by its webhookEventId: its inbox id (a redelivery finds the same one),
    and its reply token until it is used or expires (bot/ports/line.py)."""

    __tablename__ = "line_events"
    __table_args__ = (
        # A chat's tokens, oldest first, for the sender; and the prune by age.
        Index("ix_line_events_chat_id_update_id", "chat_id", "update_id"),
        Index("ix_line_events_received_at", "received_at"),
    )

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reply_token: Mapped[str | None] = mapped_column(String(256))
    reply_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The outbox row that claimed the token (committed before the reply goes out), and whether
    # LINE took that reply (until then its fate is unknown).
    reply_outbox_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    reply_done: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)


class ConversationRow(Base):
    """A chat's conversation with the staff (migration 0020; bot/domain/conversations.py)."""

    __tablename__ = "conversations"
    __table_args__ = (
        # What waits for staff, the longest-waiting first; and the retention purge by age.
        Index("ix_conversations_waiting_last_at", "waiting", "last_at"),
        Index("ix_conversations_last_at", "last_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    # CASCADE: a deleted person's conversation goes with them (/forget deletes it first anyway).
    person_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    waiting: Mapped[bool] = mapped_column(Boolean, default=True)


class ConversationMessageRow(Base):
    """One message of a conversation: the person's (text, or a photo's or voice note's Telegram
    file_id, never the file) or a staff member's answer."""

    __tablename__ = "conversation_messages"
    __table_args__ = (CheckConstraint("direction IN ('in', 'out')", name="direction_known"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(
        Id, ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(3))
    # SET NULL: a forgotten staff member's answers stay with the person they answered.
    author_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    media: Mapped[str | None] = mapped_column(String(10))
    file_id: Mapped[str | None] = mapped_column(String(256))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
