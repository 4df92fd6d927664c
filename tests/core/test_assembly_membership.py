"""A centre meeting's voters are that centre's members; a general assembly's, every member.

The quorum and its forecast count those voters only; a member of another centre may not answer
a centre's meeting, hold a proxy at it or be checked in, and its notice reaches its members only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.assemblies import Quorum, Rsvp
from bot.domain.coop import NewAssembly
from bot.domain.errors import PermissionDenied
from bot.domain.people import Actor, NewPerson, Role
from bot.services import assemblies
from bot.services.reminders import ReminderRunner, ReminderSettings
from tests.fakes.memory_store import MemoryStore

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")
SHELL = Actor(None, frozenset({Role.ADMIN}), "ja")  # the shell publishes


async def _coop(store: MemoryStore) -> dict[str, int]:
    """Centre A has three members (one also of B), centre B two, and one member belongs to no
    centre: six members in all. Returns ids by name."""
    ids: dict[str, int] = {}
    async with store.uow() as uow:
        a = await uow.centres.add("中央", "Chuo")
        b = await uow.centres.add("港", "Minato")
        ids |= {"A": a.id, "B": b.id}
        for n, (name, centres) in enumerate(
            (("a1", (a,)), ("a2", (a,)), ("ab", (a, b)), ("b1", (b,)), ("b2", (b,)), ("none", ()))
        ):
            person = await uow.people.add(
                NewPerson(3000 + n, name, "ja", NOW, roles=frozenset({Role.MEMBER}))
            )
            ids[name] = person.id
            for centre in centres:
                await uow.memberships.add(person.id, centre.id)
        admin = await uow.people.add(
            NewPerson(3999, "admin", "ja", NOW, roles=frozenset({Role.ADMIN}))
        )
        ids["admin"] = admin.id
        await uow.commit()
    return ids


def _admin(ids: dict[str, int]) -> Actor:
    return Actor(ids["admin"], frozenset({Role.ADMIN}), "ja")


async def _meeting(store: MemoryStore, centre_id: int | None) -> int:
    async with store.uow() as uow:
        meeting = await uow.assemblies.add(
            NewAssembly(
                "会議",
                "Meeting",
                NOW + timedelta(days=10),
                "本部",
                "HQ",
                NOW + timedelta(days=8),
                quorum=Quorum(1, 2),
                centre_id=centre_id,
            )
        )
        await uow.commit()
    return meeting.id


def _member(ids: dict[str, int], name: str) -> Actor:
    return Actor(ids[name], frozenset({Role.MEMBER}), "ja")


async def test_a_centre_meetings_quorum_counts_its_centres_members_only():
    store = MemoryStore()
    ids = await _coop(store)
    meeting = await _meeting(store, ids["A"])
    general = await _meeting(store, None)
    async with store.uow() as uow:
        for name in ("a1", "ab"):
            await assemblies.answer(uow, _member(ids, name), meeting, Rsvp.ATTENDING, NOW)
        await uow.commit()
    async with store.uow() as uow:
        at_a = await assemblies.count(uow, _admin(ids), meeting, NOW)
        at_all = await assemblies.count(uow, _admin(ids), general, NOW)
    # Three of A's members are entitled; half of three rounds up to two, and two attend.
    assert (at_a.tally.entitled, at_a.tally.required) == (3, 2)
    assert at_a.tally.attending == 2 and at_a.tally.quorum_expected
    assert [p.id for p in at_a.not_answered] == [ids["a2"]]
    # The general assembly: all six members, nobody answered yet.
    assert (at_all.tally.entitled, at_all.tally.required) == (6, 3)
    assert not at_all.tally.quorum_expected


async def test_a_member_of_another_centre_may_not_answer_hold_a_proxy_or_be_checked_in():
    store = MemoryStore()
    ids = await _coop(store)
    meeting = await _meeting(store, ids["A"])
    async with store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await assemblies.answer(uow, _member(ids, "b1"), meeting, Rsvp.ATTENDING, NOW)
        view = await assemblies.notice(uow, _member(ids, "b1"), meeting, NOW)
        assert view.may_answer is False
        with pytest.raises(PermissionDenied):
            await assemblies.answer(
                uow, _member(ids, "a1"), meeting, Rsvp.PROXY, NOW, proxy_to=ids["b1"]
            )
        _, candidates = await assemblies.proxy_candidates(uow, _member(ids, "a1"), meeting, NOW)
        assert [p.id for p in candidates] == [ids["a2"], ids["ab"]]
        on_the_day = NOW + timedelta(days=10)
        with pytest.raises(PermissionDenied):
            await assemblies.check_in(uow, _admin(ids), meeting, ids["b1"], on_the_day, TOKYO)
        await uow.commit()
    refused = [(r.action, r.subject) for r in store.state.audit]
    assert refused == [
        ("assembly.refused", f"assembly:{meeting}"),
        ("assembly.proxy_refused", f"person:{ids['b1']}"),
        ("assembly.check_in_refused", f"person:{ids['b1']}"),
    ]


async def test_a_centre_meetings_notice_is_sent_to_its_members_only():
    store = MemoryStore()
    ids = await _coop(store)
    async with store.uow() as uow:
        meeting = await assemblies.publish(
            uow,
            SHELL,
            NewAssembly(
                "中央会議",
                "Chuo meeting",
                NOW + timedelta(days=10),
                "中央",
                "Chuo",
                NOW + timedelta(days=8),
                centre_id=ids["A"],
            ),
            NOW,
        )
        await uow.commit()
    recorded: list[object] = []

    async def keep(uow, event) -> None:  # the consequences: here, only what was recorded
        recorded.append(event)

    store.publish = keep
    await ReminderRunner(store.uow, ReminderSettings(TOKYO)).run_due(NOW)
    published = [e for e in recorded if type(e).__name__ == "AssemblyPublished"]
    assert len(published) == 1 and published[0].assembly_id == meeting.id
    assert sorted(published[0].members) == sorted([ids["a1"], ids["a2"], ids["ab"]])
