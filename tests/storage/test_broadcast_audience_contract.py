"""Who receives a broadcast: audience x kind x the person's choice, one table, every store.

Every audience (members, volunteers, one centre, members who have not answered a notice,
opted in) is crossed with every kind (notices, events, the newsletter) over people of every
profile having made every choice (none, on, off) for every kind. What the store's pages give
(`recipients`) and what the preview counts (`count_audience`: recipients, left out) must agree
with the two tables below, which say the rule in full: the newsletter is opt-in, the other kinds
opt-out, and /notifications shows exactly that (bot.services.broadcasts.preferences).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.assemblies import Answer, Rsvp
from bot.domain.broadcasts import Audience, AudienceKind, BroadcastKind
from bot.domain.coop import NewAssembly, NewShift, WorkKind
from bot.domain.people import Actor, NewPerson, Role
from bot.ports.store import UnitOfWorkFactory
from bot.services import broadcasts as service

T0 = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
A = AudienceKind
K = BroadcastKind

# Profiles: (roles, has Telegram, belongs to the centre, works a shift there, answered the
# notice) and the audiences each one is in (OPTED_IN is decided by the choice alone). A centre's
# audience is its membership (migration 0018): a shift there alone does not make one of it.
PROFILES = {
    "member": ({Role.MEMBER}, True, False, False, False),
    "member who answered": ({Role.MEMBER}, True, False, False, True),
    "volunteer of the centre": ({Role.VOLUNTEER}, True, True, True, False),
    "member of the centre, no shift": ({Role.MEMBER}, True, True, False, False),
    "member of another centre, on a shift here": ({Role.MEMBER}, True, False, True, False),
    "no role": (set(), True, False, False, False),
    "member without Telegram": ({Role.MEMBER}, False, False, False, False),
}
IN_AUDIENCE = {
    "member": {A.MEMBERS, A.NO_ANSWER},
    "member who answered": {A.MEMBERS},
    "volunteer of the centre": {A.VOLUNTEERS, A.CENTRE},
    "member of the centre, no shift": {A.MEMBERS, A.NO_ANSWER, A.CENTRE},
    "member of another centre, on a shift here": {A.MEMBERS, A.NO_ANSWER},
    "no role": set(),
    "member without Telegram": {A.MEMBERS, A.NO_ANSWER},
}
# (kind, choice) -> whether their settings show the kind on; None: never chose.
WANTS = {
    (K.NOTICE, None): True,
    (K.NOTICE, True): True,
    (K.NOTICE, False): False,
    (K.EVENTS, None): True,
    (K.EVENTS, True): True,
    (K.EVENTS, False): False,
    (K.NEWS, None): False,  # the newsletter is opt-in
    (K.NEWS, True): True,
    (K.NEWS, False): False,
}
CHOICES = (None, True, False)
# One person whose choices differ by kind: a kind's choice never leaks into another's.
MIXED = {K.NOTICE: False, K.EVENTS: None, K.NEWS: True}


def expected(
    profile: str,
    choices: dict[BroadcastKind, bool | None],
    audience: AudienceKind,
    kind: BroadcastKind,
) -> str:
    """'gets', 'left out' (in the audience, settings off) or 'not addressed'."""
    reachable = PROFILES[profile][1]
    wants = WANTS[(kind, choices[kind])]
    if not reachable:
        return "not addressed"
    if audience is A.OPTED_IN:
        return "gets" if wants else "not addressed"
    if audience not in IN_AUDIENCE[profile]:
        return "not addressed"
    return "gets" if wants else "left out"


async def test_audience_kind_and_choice_in_every_combination(uow_factory: UnitOfWorkFactory):
    population: dict[int, tuple[str, dict[BroadcastKind, bool | None]]] = {}
    start = T0 + timedelta(days=2)
    async with uow_factory() as uow:
        centre = await uow.centres.add("港", "Minato")
        other = await uow.centres.add("中央", "Chuo")
        shift = await uow.shifts.add(
            NewShift(centre.id, start, start + timedelta(hours=4), WorkKind.CLEANING, 99)
        )
        assembly = await uow.assemblies.add(
            NewAssembly("総会", "Assembly", T0 + timedelta(days=9), "本部", "HQ", T0 + timedelta(7))
        )
        people = [
            (profile, {k: choice for k in K}) for profile in PROFILES for choice in CHOICES
        ] + [("member", MIXED)]
        for n, (profile, choices) in enumerate(people):
            roles, telegram, belongs, on_shift, answered = PROFILES[profile]
            person = await uow.people.add(
                NewPerson(
                    50_000 + n if telegram else None,
                    f"{profile} {n}",
                    "ja",
                    T0,
                    roles=frozenset(roles),
                )
            )
            population[person.id] = (profile, choices)
            await uow.memberships.add(person.id, centre.id if belongs else other.id)
            if on_shift:
                await uow.shifts.assign(shift.id, person.id)
            if answered:
                await uow.assemblies.put_answer(
                    Answer(assembly.id, person.id, Rsvp.ATTENDING, None, T0)
                )
            for kind, choice in choices.items():
                if choice is not None:
                    await uow.broadcasts.set_preference(person.id, kind, choice, T0)
        await uow.commit()

    audiences = {
        A.MEMBERS: Audience(A.MEMBERS),
        A.VOLUNTEERS: Audience(A.VOLUNTEERS),
        A.CENTRE: Audience(A.CENTRE, centre_id=centre.id),
        A.NO_ANSWER: Audience(A.NO_ANSWER, assembly_id=assembly.id),
        A.OPTED_IN: Audience(A.OPTED_IN),
    }
    assert set(audiences) == set(AudienceKind)  # every audience there is
    combinations = 0
    async with uow_factory() as uow:
        for audience_kind, audience in audiences.items():
            for kind in BroadcastKind:
                want = {
                    pid: expected(profile, choices, audience_kind, kind)
                    for pid, (profile, choices) in population.items()
                }
                gets = sorted(pid for pid, what in want.items() if what == "gets")
                left_out = sum(1 for what in want.values() if what == "left out")
                found = [
                    r.person_id for r in await uow.broadcasts.recipients(audience, kind, 0, 1000)
                ]
                assert found == gets, (audience_kind, kind)
                counted = await uow.broadcasts.count_audience(audience, kind)
                assert counted == (len(gets), left_out), (audience_kind, kind)
                # After a person id (what a cancel counts as never reached): the same rule.
                middle = sorted(population)[len(population) // 2]
                later = await uow.broadcasts.count_audience(audience, kind, after=middle)
                assert later[0] == sum(1 for pid in gets if pid > middle), (audience_kind, kind)
                combinations += 1
        # /notifications says what the query does, for every choice of every kind.
        for pid, (_, choices) in population.items():
            shown = await service.preferences(uow, Actor(pid, frozenset(), "ja"))
            assert shown == {k: WANTS[(k, choices[k])] for k in BroadcastKind}, pid
    assert combinations == len(AudienceKind) * len(BroadcastKind)
