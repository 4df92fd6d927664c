"""Use cases of centre membership: who belongs to which business centres, and who votes.

Members, volunteers and staff belong to one or more centres (`uow.memberships`). A staff
member's centres are their scope (bot.services.access); a centre's members are its meeting's
voters (`voters`) and a centre broadcast's audience. Only admins change someone's centres
(here, and through the member import), and every change is audited with ids only.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.domain.coop import Assembly, BusinessCentre
from bot.domain.errors import InvalidInput
from bot.domain.people import Actor, Person, Role
from bot.domain.scope import is_whole_coop
from bot.ports.store import UnitOfWork
from bot.services import access

MAY_CHANGE: frozenset[Role] = frozenset({Role.ADMIN})
REFUSED = "membership.refused"


async def voters(uow: UnitOfWork, assembly: Assembly) -> list[Person]:
    """The members entitled to vote, by id: a centre meeting's are the members who belong to
    that centre; a general assembly's, every member."""
    if assembly.centre_id is not None:
        return list(await uow.memberships.members_of(assembly.centre_id, Role.MEMBER))
    return list(await uow.people.with_role(Role.MEMBER))


async def is_voter(uow: UnitOfWork, assembly: Assembly, person: Person) -> bool:
    """Whether `person` is entitled to vote at `assembly` (see `voters`)."""
    if Role.MEMBER not in person.roles:
        return False
    if assembly.centre_id is None:
        return True
    return assembly.centre_id in await uow.memberships.centres_of(person.id)


async def staff_for(uow: UnitOfWork, centre_id: int | None) -> list[Person]:
    """The staff whose scope covers `centre_id` (None: something of no centre yet, the whole
    co-op's): admins and coordinators, the staff who belong to that centre and those of its
    head office (bot.services.access.scope_of); by id."""
    found: dict[int, Person] = {}
    for role in (Role.STAFF, Role.ADMIN):
        for person in await uow.people.with_role(role):
            if is_whole_coop(person.roles):
                found[person.id] = person
    if centre_id is not None:
        centre = await uow.centres.get(centre_id)
        office = None if centre is None else centre.office_id
        for place in (centre_id, office):
            if place is None:
                continue
            for person in await uow.memberships.members_of(place, Role.STAFF):
                found[person.id] = person
    return [found[pid] for pid in sorted(found)]


async def centres_in_scope(uow: UnitOfWork, actor: Actor) -> list[BusinessCentre]:
    """The centres a staff member acts for, by id, as the desk's filters and forms offer them
    (every centre for admins and coordinators; none for anyone but staff). No audit: names only;
    what is then asked of a centre is checked by its service."""
    scope = await access.scope_of(uow, actor)
    return [c for c in await uow.centres.all() if scope.covers(c.id)]


async def centres_of(
    uow: UnitOfWork, actor: Actor, person_id: int, now: datetime
) -> frozenset[int]:
    """The centres a person belongs to, for staff whose scope covers them."""
    await access.require_staff(uow, actor, now, refused=REFUSED, subject=f"person:{person_id}")
    await access.require_person_in_scope(uow, actor, now, person_id, refused=REFUSED)
    return await uow.memberships.centres_of(person_id)


async def set_centres(
    uow: UnitOfWork, actor: Actor, person_id: int, centre_ids: Collection[int], now: datetime
) -> frozenset[int]:
    """Admins only: the person belongs to exactly `centre_ids` from now on (closed centres may
    stay, none may be added). Errors: unknown_centre. Audited as `membership.changed` with the
    centre ids added and removed."""
    subject = f"person:{person_id}"
    # The shell acts as an admin without a person row, so a role is enough here.
    if not actor.has_any(MAY_CHANGE):
        await access.refuse(uow, actor, now, REFUSED, subject)
    if await uow.people.get(person_id) is None:
        await access.refuse(uow, actor, now, REFUSED, subject)
    wanted = frozenset(centre_ids)
    have = await uow.memberships.centres_of(person_id)
    centres = {c.id: c for c in await uow.centres.all()}
    for centre_id in wanted - have:
        centre = centres.get(centre_id)
        if centre is None or not centre.is_open:
            raise InvalidInput("unknown_centre")
    if wanted == have:
        return have
    await uow.memberships.replace(person_id, wanted)
    await uow.audit.add(
        now,
        actor.person_id,
        "membership.changed",
        subject,
        {"added": sorted(wanted - have), "removed": sorted(have - wanted)},
    )
    return wanted
