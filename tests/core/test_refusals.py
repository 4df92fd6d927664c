"""Refusals are counted and audited with who tried (their Telegram id, strangers' too); wrong
invite codes count against the Telegram account whichever way they were typed."""

from __future__ import annotations

from bot.domain.invites import LOCKOUT, MAX_FAILURES
from bot.domain.people import Actor, Role
from bot.services.invites import issue_invite
from tests.fakes.chat import User
from tests.fixtures.people import TANAKA, demo

EVE = User(6666, "Eve", "en")  # a stranger guessing codes


async def _code(store, clock) -> str:
    admin = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale="en")
    async with store.uow() as uow:
        issued = await issue_invite(uow, admin, Role.MEMBER, clock.now(), 72)
        await uow.commit()
    return issued.code


def refusals(store, action: str) -> list[dict]:
    return [a.details or {} for a in store.state.audit if a.action == action]


async def test_one_counter_per_telegram_account_across_every_way_of_typing_a_code(
    chat, memory_store, clock
):
    good = await _code(memory_store, clock)
    await chat.send(EVE, "/start AAAA2222")
    await chat.send(EVE, "/join BBBB3333")
    await chat.press(EVE, "join")
    await chat.send(EVE, "CCCC4444")
    await chat.press(EVE, "join")  # tapping the button again starts no new count
    await chat.send(EVE, "DDDD5555")
    fifth = await chat.send(EVE, "EEEE6666")
    assert MAX_FAILURES == 5 and "could not find that invite code" in fifth.text
    refused = await chat.send(EVE, f"/start {good}")  # even the right code waits now
    assert "Too many codes were wrong" in refused.text
    assert EVE.id not in {p.telegram_user_id for p in memory_store.state.people.values()}
    tries = refusals(memory_store, "invite.refused")
    assert len(tries) == 6 and all(t["telegram_id"] == EVE.id for t in tries)
    assert [t["why"] for t in tries][-2:] == ["invite_unknown", "invite_locked"]
    assert tries[-2]["locked"] is True
    clock.advance(seconds=LOCKOUT.total_seconds() + 1)
    joined = await chat.send(EVE, f"/start {good}")
    assert "registered as a member" in joined.text
    assert memory_store.state.invite_failures == {}  # a right code clears the count


async def test_a_stranger_pressing_a_staff_button_is_refused_and_audited_with_their_id(
    chat, memory_store, clock
):
    await demo(memory_store, clock)
    await chat.press(EVE, "asm:new")
    await chat.press(TANAKA, "asm:new")
    await chat.press(EVE, "inv:admin")
    refused = [a for a in memory_store.state.audit if a.action.endswith("refused")]
    assert [(a.action, (a.details or {}).get("telegram_id")) for a in refused] == [
        ("assemblies.refused", EVE.id),
        ("assemblies.refused", TANAKA.id),
        ("invite.refused", EVE.id),
    ]
