"""Transcripts of an approved volunteer's work: taking and giving up a slot, reporting hours."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.dialogs.runner import FloodGuard
from bot.domain.coop import NewShift, WorkKind
from tests.fakes.chat import User
from tests.fixtures.people import HANAKO, TANAKA, demo, person_id
from tests.fixtures.shift_swaps import take

JIRO = User(3001, "鈴木 次郎", "ja")  # the demo's volunteer


@pytest.fixture
async def volunteer_slot(chat, memory_store, clock):
    """The demo co-op, and a slot marked for volunteers tomorrow at the first centre."""
    await demo(memory_store, clock)
    chat.conversation.flood = FloodGuard(limit=1000)
    start = clock.now() + timedelta(days=1)
    async with memory_store.uow() as uow:
        centre = (await uow.centres.all())[0]
        shift = await uow.shifts.add(
            NewShift(centre.id, start, start + timedelta(hours=3), WorkKind.ELDERLY_CARE, 2, True)
        )
        await uow.commit()
    return shift.id


async def test_a_volunteers_menu_has_slots_and_hours(chat, volunteer_slot):
    menu = await chat.send(JIRO, "/menu")
    data = {d for _, d in menu.buttons}
    assert "hrm" in data  # slots, shifts and hours are keys under the chat
    assert chat.keyboard(JIRO)[:3] == ["⏱ 時間", "📅 シフト", "🙋 空きシフト"]
    assert "vol" not in data  # already a volunteer


async def test_a_volunteer_takes_and_gives_up_a_slot(chat, memory_store, volunteer_slot):
    listed = await chat.press(JIRO, "shifts:open")
    assert f"shift:take:{volunteer_slot}" in {d for _, d in listed.buttons}
    await take(chat, JIRO, volunteer_slot)
    me = person_id(memory_store, JIRO.id)
    assert (volunteer_slot, me) in memory_store.state.shift_assignments
    mine = await chat.tap(JIRO, "📅 わたしのシフト")
    assert f"shift:who:{volunteer_slot}" in {d for _, d in mine.buttons}
    who = await chat.press(JIRO, f"shift:who:{volunteer_slot}")
    assert f"shift:cant:{volunteer_slot}" in {d for _, d in who.buttons}
    await chat.press(JIRO, f"shift:cant:{volunteer_slot}")
    await chat.tap(JIRO, "はい、シフトを外れます")
    assert (volunteer_slot, me) not in memory_store.state.shift_assignments
    chat.wait(minutes=5)
    assert any(HANAKO.id == chat_id for chat_id in chat.delivered)  # the staff were told


async def test_a_volunteer_cannot_take_a_members_only_shift(chat, memory_store, volunteer_slot):
    members_only = next(s for s in memory_store.state.shifts.values() if not s.for_volunteers)
    refused = await take(chat, JIRO, members_only.id)
    assert "その操作は行えません" in refused.text or "取れません" in refused.text
    me = person_id(memory_store, JIRO.id)
    assert (members_only.id, me) not in memory_store.state.shift_assignments


async def test_volunteer_hours_are_recorded_flagged_and_shown_as_such(
    chat, memory_store, volunteer_slot
):
    await chat.press(JIRO, "hr")
    await chat.tap(JIRO, "今日 11月22日（日）")
    other = await chat.tap(JIRO, "🏢 ほかのセンター")  # no shifts of his own yet: every centre
    centre = next(d for _, d in other.buttons if d.startswith("hr:cc:"))
    kinds = await chat.press(JIRO, centre)
    await chat.press(JIRO, next(d for _, d in kinds.buttons if d.startswith("hr:c:")))
    await chat.press(JIRO, "hr:h:180")
    sent = await chat.press_shown(JIRO, "hr:ok")
    assert "3時間" in sent.text
    [report] = [
        r
        for r in memory_store.state.hour_reports.values()
        if r.person_id == person_id(memory_store, JIRO.id)
    ]
    assert report.volunteer and report.minutes == 180
    month = await chat.tap(JIRO, "📊 今月の勤務")
    assert "🙋ボランティア" in month.text
    review = await chat.press(HANAKO, "hrq")
    assert "鈴木 次郎" in review.text and "🙋ボランティア" in review.text
    # A member's hours stay members' hours.
    await chat.press(TANAKA, "hr")
    await chat.tap(TANAKA, "今日 11月22日（日）")
    member = [
        r
        for r in memory_store.state.hour_reports.values()
        if r.person_id == person_id(memory_store, TANAKA.id)
    ]
    assert all(not r.volunteer for r in member)
