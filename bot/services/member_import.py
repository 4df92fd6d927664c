"""Use cases of onboarding at scale: importing the co-op's roster from a CSV file, one
invitation letter's code per imported person, reprinting and revoking a letter, and joining
with a letter's code (the redeemer becomes the imported person).

What an import does (docs/members.md): each new row becomes a person (name, language, role;
no chat address yet), belongs to its centres (`uow.memberships`), and has a roster entry (kana,
phone, the key that finds them again: bot.domain.member_csv.MemberFields.key). A row whose key
is already on the roster is left as it is (a second import of the same file adds nobody). With
letters, each new person gets an invite bound to them (`Invite.person_id`) whose code is
returned once, in clear, for the letter, and stored as its slow hash only.

All or nothing, like the centres import: a file with any broken row imports nothing. Only
admins import, reprint and revoke (the shell acts as one). The caller commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import member_csv
from bot.domain.coop import BusinessCentre
from bot.domain.csv_rows import LineError, decode, normalise
from bot.domain.errors import DomainError, InvalidInput, NotFound
from bot.domain.events import MemberJoined
from bot.domain.invites import Invite, code_hash, new_code, roles_granted
from bot.domain.member_csv import MemberLine
from bot.domain.people import Actor, NewPerson, Person, Role
from bot.domain.roster import RosterEntry, Waiting
from bot.letters.render import Letter
from bot.ports.store import UnitOfWork
from bot.services import access
from bot.services.paging import PAGE, Page

MAY_IMPORT: frozenset[Role] = frozenset({Role.ADMIN})
# A letter goes by post and may wait on a kitchen table: its code works this long.
LETTER_TTL = timedelta(days=60)
# Codes hashed at once (scrypt, ~50 ms and 16 MiB each, off the event loop in threads).
_HASH_BATCH = 32


@dataclass(frozen=True)
class IssuedLetter:
    """What one invitation letter says: the code in clear is here and nowhere else."""

    person: Person
    role: Role
    code: str
    expires_at: datetime
    centre: BusinessCentre | None  # the person's first centre (its name and phone)


@dataclass
class MemberImportReport:
    good: list[MemberLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    already: int = 0  # rows whose person is on the roster already: left as they are
    imported: int = 0  # people added (0 for a dry run or a refused file)
    letters: list[IssuedLetter] = field(default_factory=list)


def _key(name: str) -> str:
    return normalise(name).casefold()


async def _require(uow: UnitOfWork, actor: Actor, now: datetime) -> None:
    # The shell acts as an admin without a person row, so a role is enough here.
    if not actor.has_any(MAY_IMPORT):
        await access.refuse(uow, actor, now, "members.refused", "members")


async def import_members(
    uow: UnitOfWork,
    actor: Actor,
    data: bytes,
    now: datetime,
    *,
    letters: bool = False,
    ttl: timedelta = LETTER_TTL,
    dry_run: bool = False,
) -> MemberImportReport:
    """Imports the roster in `data` (all or nothing); with `letters`, one code per new person.
    Raises InvalidInput for a file that cannot be read."""
    await _require(uow, actor, now)
    lines, errors = member_csv.parse(decode(data))
    report = MemberImportReport(errors=list(errors))
    centres: dict[str, BusinessCentre] = {}
    for centre in await uow.centres.all():
        centres.setdefault(_key(centre.name_ja), centre)
        centres.setdefault(_key(centre.name_en), centre)
    resolved: dict[int, list[BusinessCentre]] = {}
    for line in lines:
        found = [centres.get(_key(name)) for name in line.fields.centres]
        if any(centre is None for centre in found):
            report.errors.append(LineError(line.line, "unknown_centre"))
        elif any(centre is not None and not centre.is_open for centre in found):
            report.errors.append(LineError(line.line, "centre_closed"))
        else:
            resolved[line.line] = [centre for centre in found if centre is not None]
            report.good.append(line)
    report.errors.sort(key=lambda e: e.line)
    known = await uow.roster.by_keys([line.fields.key for line in report.good])
    new = [line for line in report.good if line.fields.key not in known]
    report.already = len(report.good) - len(new)
    if dry_run or report.errors:
        return report
    # The codes' slow hashes are nearly all of an import with letters: they start now, in
    # threads on the other core, while the people are written (they need no person).
    hashing = asyncio.ensure_future(new_codes(len(new))) if letters else None
    try:
        added = await _add_people(uow, new, resolved, now)
        report.imported = len(added)
        if hashing is not None:
            report.letters = await _issue(uow, actor, added, now, ttl, await hashing)
    finally:
        if hashing is not None and not hashing.done():
            hashing.cancel()  # the people could not be written: the codes are of no use
    await uow.audit.add(
        now,
        actor.person_id,
        "members.imported",
        "members",
        {"imported": report.imported, "already": report.already, "letters": len(report.letters)},
    )
    return report


async def _add_people(
    uow: UnitOfWork,
    new: Sequence[MemberLine],
    resolved: Mapping[int, list[BusinessCentre]],
    now: datetime,
) -> list[tuple[Person, Role, BusinessCentre | None]]:
    added: list[tuple[Person, Role, BusinessCentre | None]] = []
    for line in new:
        fields = line.fields
        person = await uow.people.add(
            NewPerson(
                telegram_user_id=None,
                display_name=fields.name,
                telegram_language=None,
                created_at=now,
                locale=fields.language,
                roles=roles_granted(fields.role),
            )
        )
        for centre in resolved[line.line]:
            await uow.memberships.add(person.id, centre.id)
        await uow.roster.add(RosterEntry(person.id, fields.key, fields.kana, fields.phone, now))
        added.append((person, fields.role, resolved[line.line][0]))
    return added


async def new_codes(count: int) -> list[tuple[str, str]]:
    """`count` new codes with their hashes, hashed `_HASH_BATCH` at a time in threads (scrypt
    releases the GIL: both cores work, and the event loop goes on)."""
    pairs: list[tuple[str, str]] = []
    for start in range(0, count, _HASH_BATCH):
        codes = [new_code() for _ in range(min(_HASH_BATCH, count - start))]
        hashes = await asyncio.gather(*(asyncio.to_thread(code_hash, c) for c in codes))
        pairs.extend(zip(codes, hashes, strict=True))
    return pairs


async def _issue(
    uow: UnitOfWork,
    actor: Actor,
    people: Sequence[tuple[Person, Role, BusinessCentre | None]],
    now: datetime,
    ttl: timedelta,
    codes: Sequence[tuple[str, str]] | None = None,
) -> list[IssuedLetter]:
    """One new bound invite per person (with `codes` already hashed, one per person, or new
    ones); its code is returned for the letter only."""
    if codes is None:
        codes = await new_codes(len(people))
    issued: list[IssuedLetter] = []
    expires_at = now + ttl
    for (person, role, centre), (code, hashed) in zip(people, codes, strict=True):
        if await uow.invites.get(hashed) is not None:
            # pragma: no cover - 31^8 codes: a collision is practically impossible
            code = new_code()
            hashed = await asyncio.to_thread(code_hash, code)
        await uow.invites.add(
            Invite(
                code_hash=hashed,
                role=role,
                created_by=actor.person_id,
                created_at=now,
                expires_at=expires_at,
                person_id=person.id,
            )
        )
        issued.append(IssuedLetter(person, role, code, expires_at, centre))
    return issued


def to_letters(
    issued: Sequence[IssuedLetter],
    *,
    bot_username: str,
    tz: ZoneInfo,
    default_locale: str,
    line_add_friend: str | None = None,
) -> list[Letter]:
    """What bot.letters prints for each issued code: the deep link, the person's name in their
    language, their first centre's name and phone, the last day the code works (in `tz`); with
    `line_add_friend` (the Official Account's add-friend link), a second QR code for LINE."""
    letters = []
    for one in issued:
        locale = one.person.locale or default_locale
        centre = one.centre
        centre_name = ""
        if centre is not None:
            centre_name = centre.name_en if locale == "en" else centre.name_ja
        last_day = (one.expires_at - timedelta(microseconds=1)).astimezone(tz).date()
        letters.append(
            Letter(
                locale=locale,
                name=one.person.display_name,
                code=one.code,
                telegram_link=f"https://t.me/{bot_username}?start={one.code}",
                line_link=line_add_friend,
                centre_name=centre_name,
                centre_phone=None if centre is None else centre.phone,
                expires=last_day,
            )
        )
    return letters


def _role_of(person: Person) -> Role:
    if roles_granted(Role.COORDINATOR) <= person.roles:
        return Role.COORDINATOR
    for role in (Role.STAFF, Role.VOLUNTEER, Role.MEMBER):
        if role in person.roles:
            return role
    return Role.MEMBER


async def _first_centre(uow: UnitOfWork, person_id: int) -> BusinessCentre | None:
    for centre_id in sorted(await uow.memberships.centres_of(person_id)):
        centre = await uow.centres.get(centre_id)
        if centre is not None:
            return centre
    return None


async def _waiting_person(uow: UnitOfWork, person_id: int) -> Person:
    person = await uow.people.get(person_id)
    if person is None or await uow.roster.get(person_id) is None:
        raise NotFound("member")
    if person.telegram_user_id is not None:
        raise DomainError("member_joined")
    return person


async def reprint(
    uow: UnitOfWork, actor: Actor, person_id: int, now: datetime, ttl: timedelta = LETTER_TTL
) -> IssuedLetter:
    """A new letter for someone who has not joined: a new code; the old ones stop working."""
    await _require(uow, actor, now)
    person = await _waiting_person(uow, person_id)
    revoked = await _revoke_open(uow, person.id, now)
    [letter] = await _issue(
        uow,
        actor,
        [(person, _role_of(person), await _first_centre(uow, person.id))],
        now,
        ttl,
    )
    await uow.audit.add(
        now, actor.person_id, "member.letter_reprinted", f"person:{person.id}", {"revoked": revoked}
    )
    return letter


async def letters_for_waiting(
    uow: UnitOfWork, actor: Actor, now: datetime, ttl: timedelta = LETTER_TTL
) -> list[IssuedLetter]:
    """A letter for everyone imported who has not joined and has no working code."""
    await _require(uow, actor, now)
    people: list[tuple[Person, Role, BusinessCentre | None]] = []
    after = 0
    while True:
        entries = await uow.roster.waiting(after, 1000)
        if not entries:
            break
        after = entries[-1].person_id
        open_codes = await uow.roster.open_code_until([e.person_id for e in entries], now)
        for entry in entries:
            if entry.person_id in open_codes:
                continue
            person = await uow.people.get(entry.person_id)
            if person is not None:
                people.append((person, _role_of(person), await _first_centre(uow, person.id)))
    issued = await _issue(uow, actor, people, now, ttl)
    details = {"letters": len(issued)}
    await uow.audit.add(now, actor.person_id, "members.letters", "members", details)
    return issued


async def _revoke_open(uow: UnitOfWork, person_id: int, now: datetime) -> int:
    revoked = 0
    for invite in await uow.invites.open_for(person_id, now):
        revoked += await uow.invites.revoke_invite(invite.code_hash, now)
    return revoked


async def revoke(uow: UnitOfWork, actor: Actor, person_id: int, now: datetime) -> int:
    """Ends every open code of someone who has not joined (a lost letter); how many."""
    await _require(uow, actor, now)
    person = await _waiting_person(uow, person_id)
    revoked = await _revoke_open(uow, person.id, now)
    if not revoked:
        raise DomainError("no_open_letter")
    await uow.audit.add(
        now, actor.person_id, "member.letter_revoked", f"person:{person.id}", {"revoked": revoked}
    )
    return revoked


async def waiting(uow: UnitOfWork, actor: Actor, now: datetime, after: int = 0) -> Page[Waiting]:
    """Imported people who have not joined, by person id (a page), with their letter's expiry."""
    await _require(uow, actor, now)
    entries = list(await uow.roster.waiting(after, PAGE + 1))
    more = entries[PAGE - 1].person_id if len(entries) > PAGE else None
    entries = entries[:PAGE]
    codes = await uow.roster.open_code_until([e.person_id for e in entries], now)
    found: list[Waiting] = []
    for entry in entries:
        person = await uow.people.get(entry.person_id)
        if person is not None:
            centres = await uow.memberships.centres_of(person.id)
            found.append(Waiting(person, entry, centres, codes.get(person.id)))
    return Page(found, more)


async def claim(
    uow: UnitOfWork,
    invite: Invite,
    telegram_user_id: int,
    telegram_language: str | None,
    now: datetime,
) -> Person:
    """The imported person a letter's code is for, given the redeemer's chat address.

    The redeemer may already have a person row: a placeholder made before they typed the code
    (they chose a language first, say). One with no role, no request and no volunteer
    application holds nothing of its own and is removed, in this transaction; anything more
    is someone's real account, and the code is refused (`invite_account_taken`) for staff to
    sort out, rather than merging two people's data. Errors: invite_used, _account_taken."""
    assert invite.person_id is not None  # noqa: S101 -- the caller checked
    person = await uow.people.get(invite.person_id)
    if person is None or person.telegram_user_id is not None:
        raise DomainError("invite_used")
    placeholder = await uow.people.by_telegram_id(telegram_user_id)
    if placeholder is not None:
        if (
            placeholder.roles
            or await uow.requests.for_requester(placeholder.id, 1)
            or await uow.volunteers.for_person(placeholder.id)
        ):
            raise DomainError("invite_account_taken")
        await uow.people.remove_placeholder(placeholder.id)
    if not await uow.people.attach(person.id, telegram_user_id, telegram_language):
        raise DomainError("invite_used")  # someone joined as them a moment before us
    await uow.audit.add(
        now,
        person.id,
        "member.joined",
        f"person:{person.id}",
        {"placeholder_removed": placeholder is not None},
    )
    uow.record(MemberJoined(at=now, person_id=person.id))
    joined = await uow.people.get(person.id)
    assert joined is not None  # noqa: S101 -- attached a moment ago in this transaction
    return joined


async def forget(uow: UnitOfWork, person_id: int) -> None:
    """Removes what the roster knows of a person (kana, phone, key) and their letters' codes:
    part of /forget (bot.services.personal_data)."""
    await uow.roster.forget(person_id)


async def purge_stale(uow: UnitOfWork, cutoff: datetime) -> int:
    """The nightly purge's part: people imported before `cutoff` who never joined and whose
    letters all ran out before it are deleted (person, centres, roster entry, codes); a new
    import brings them back. How many."""
    removed = 0
    while batch := await uow.roster.stale(cutoff, 500):
        for person_id in batch:
            await uow.roster.forget(person_id)
            await uow.privacy.delete_person(person_id)
            removed += 1
    return removed


def check_name(text: str) -> str:
    """A name typed at joining: the raw length first, then NFKC (bot.domain.member_csv)."""
    if len(text) > member_csv.MAX_RAW:
        raise InvalidInput("name_too_long")
    return member_csv.parse_name(text)


async def set_name(uow: UnitOfWork, person: Person, text: str, now: datetime) -> str:
    """The name someone gave themselves at joining (an ordinary invite)."""
    name = check_name(text)
    await uow.people.rename(person.id, name)
    await uow.audit.add(now, person.id, "person.named", f"person:{person.id}")
    return name
