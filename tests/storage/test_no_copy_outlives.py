"""No copy of personal data outlives its purpose: the WHOLE database, read after each path.

A marker is typed into everything a person can fill (their Telegram name, an address, a phone
number, details, an answer to staff, a reason, a note, a half-filled form), through the inbox as
Telegram delivers it, and the store is read table by table, column by column (reflected, so a
new table is read too) after /forget of a resident, of a volunteer and of a stranger, after the
retention purge and after an outbox prune. Nothing may be left: not the marker, not the phone
number, not the person's Telegram id. One more test proves the paths reach every table that can
hold text, or that the table is listed below with why a person's words never go there.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.coop import NewShift, WorkKind
from bot.domain.people import Actor, Role
from bot.domain.replies import Reply, msg
from bot.domain.undo import HELD_UNTIL
from bot.i18n import I18n
from bot.services import hours as hours_service
from bot.services import member_import, shift_swaps
from bot.services import requests as request_service
from bot.services.personal_data import purge_expired
from storage.models import OutboxRow, StaffCardCopyRow
from tests.fakes.chat import User
from tests.fixtures.forms import apply
from tests.fixtures.people import HANAKO
from tests.fixtures.whole_db import DEMO_T0, SqlChat, demo_chat, scan, text_tables, tg_user

MARKER = "Zqxmark"
PHONE = "090-7777-0123"
PHONE_NEEDLES = ("7777-0123", "77770123")
RESIDENT = User(7770001, f"{MARKER} 太郎", "ja")
VOLUNTEER = User(7770002, f"{MARKER} 花子", "ja")
STRANGER = User(7770003, f"{MARKER} Sam", "en")

# Tables a person's words and Telegram id never reach, and why. A table missing from here and
# from every path's reach fails `test_the_paths_reach_every_table_that_can_hold_text`.
NO_FREE_TEXT = {
    "person_roles": "role names only",
    "invites": "a hash of the code and a role; who used it is a person id",
    "business_centres": "the co-op's centres, named by staff",
    "shifts": "times, a kind and a capacity",
    "assemblies": "notices written by staff",
    "assembly_answers": "an enumerated answer; deleted with the person",
    "calendar_tokens": "the SHA-256 of a link's token",
    "service_request_sequences": "a month and a counter",
    "service_request_changes": "status history: ids, codes and times (free text stays on the "
    "request, where forget and the purge clear it)",
    "broadcasts": "texts written by staff for everyone",
    "broadcast_preferences": "a kind of broadcast and yes or no",
    "scheduled_sends": "reminder plans: ids and times",
    "desk_logins": "the SHA-256 of a sign-in token",
    "desk_sessions": "the SHA-256 of a cookie and a random CSRF token",
    "staff_cards": "a kind and an item id",
    "staff_card_copies": "a staff chat, a language and an outbox key",
    "audit_log": "ids and codes; a Telegram id only in refusals (stripped by forget and purge)",
    "invite_failures": "a Telegram id and a count, for 15 minutes",
    # LINE (handlers/line): no text a person types is kept there; a LINE user's own rows go
    # when that user is forgotten (bot.services.personal_data._forget_chat).
    "line_users": "a LINE user id and the chat number Kyodo knows them by",
    "line_events": "LINE's webhook event ids, to recognise a redelivery",
    # One person, two messengers (bot.services.links): chat ids, gone with the person's /forget.
    "person_chats": "a person's further chat id and when it was linked",
    "link_codes": "the hash of a ten-minute code, a person id and a chat id",
}

T0 = DEMO_T0


def needles(user: User) -> tuple[str, ...]:
    return (MARKER, *PHONE_NEEDLES, str(user.id))


@pytest.fixture
async def chat(sql_engine: AsyncEngine, i18n: I18n) -> SqlChat:
    return await demo_chat(sql_engine, i18n)


async def actor_of(chat: SqlChat, user: User) -> Actor:
    async with chat.store.uow() as uow:
        person = await uow.people.by_telegram_id(user.id)
    assert person is not None
    return Actor(person.id, person.roles, "ja")


def item_id(data: str) -> int:
    return int(data.rsplit(":", 1)[1])


async def request_form(chat: SqlChat, user: User, address: str) -> None:
    """Taps through a service request up to the address, and types it."""
    for data in (
        "svc",
        "rq:cat:elderly_care",
        "rq:k:home_help",
        "rq:w:self",
        "rq:d:20261124",
        "rq:d:ok",
        "rq:t:morning",
        "rq:a:chuo",
        "rq:ok:yes",
    ):
        await chat.press(user, data)
    await chat.send(user, address)


async def forget(chat: SqlChat, user: User) -> str:
    """/forget, confirmed when asked; returns what Kyodo said."""
    asked = await chat.send(user, "/forget")
    said = [m.text for m in asked]
    if any(data == "pd:yes" for m in asked for row in m.buttons for _, data in row):
        said += [m.text for m in await chat.press(user, "pd:yes")]
    await chat.deliver()
    return "\n".join(said)


async def resident_asks_for_help(chat: SqlChat, resident: User = RESIDENT) -> int:
    """A resident's request with an address, phone and details; staff ask, the resident answers;
    a second form is left halfway; /mydata. Returns the request id."""
    await chat.send(resident, "/start")
    await request_form(chat, resident, f"{MARKER} 中央区1-2-3")
    await chat.send(resident, PHONE)
    await chat.send(resident, f"{MARKER} 車いすを使っています")
    await chat.press(resident, chat.data_for(resident.id, "rq:send"))
    request_id = item_id(chat.data_for(HANAKO.id, "tc:r:info"))
    await chat.press(HANAKO, f"tc:r:info:{request_id}")
    await chat.press(HANAKO, f"tc:r:ask:{request_id}")
    await chat.send(HANAKO, "何時ごろご在宅ですか")
    await chat.press(resident, chat.data_for(resident.id, "rq:ans"))
    await chat.send(resident, f"{MARKER} 午後なら在宅です")
    # Text Kyodo cannot read, sent to the staff as a conversation, and the staff's answer.
    await chat.send(resident, f"{MARKER} 電話で相談したいです {PHONE}")
    await chat.press(resident, "need:y")
    await chat.press(HANAKO, chat.data_for(HANAKO.id, "conv:r"))
    await chat.send(HANAKO, f"{MARKER} さんにお電話します")
    # A voice note sent to the staff, and handed to the staff member who asks for it.
    await voice_note(chat, resident, f"{MARKER}AwACvoice")
    await chat.press(resident, "need:y")
    await chat.press(HANAKO, chat.data_for(HANAKO.id, "conv:m"))
    await request_form(chat, resident, f"{MARKER} 別の住所 4-5-6")  # left halfway
    await chat.send(resident, "/mydata")
    return request_id


async def voice_note(chat: SqlChat, user: User, file_id: str) -> None:
    """A voice note as Telegram delivers it (its file id is all Kyodo keeps of it)."""
    body = {
        "message_id": next(chat._message_ids),
        "date": 1_700_000_000,
        "chat": {"id": user.id, "type": "private", "first_name": user.name},
        "from": tg_user(user),
        "voice": {"file_id": file_id, "file_unique_id": "u1", "duration": 3},
    }
    await chat.raw({"update_id": next(chat._ids), "message": body})


async def volunteer_works(chat: SqlChat) -> None:
    """A volunteer applies, is approved, reports hours with a note (approved: kept for payroll),
    gives up a shift with a reason and gets a calendar link."""
    await chat.send(VOLUNTEER, "/start")
    await apply(chat, VOLUNTEER, name=f"{MARKER} 花子", phone=PHONE)
    await chat.press(VOLUNTEER, "va:send")
    await chat.press(HANAKO, chat.data_for(HANAKO.id, "tc:v:ok"))
    await chat.press(HANAKO, chat.data_for(HANAKO.id, "cf:yes"))  # approving asks first
    volunteer = await actor_of(chat, VOLUNTEER)
    staff = await actor_of(chat, HANAKO)
    now = chat.clock.now()
    async with chat.store.uow() as uow:
        centre = (await uow.centres.all())[0]
        report = await hours_service.report_hours(
            uow,
            volunteer,
            day=date(2026, 11, 21),
            centre_id=centre.id,
            kind=WorkKind.CLEANING,
            minutes=120,
            note=f"{MARKER} 鍵は管理室",
            today=date(2026, 11, 22),
            window_days=31,
            now=now,
        )
        await hours_service.approve_reports(uow, staff, [report.id], now)
        shift = await uow.shifts.add(
            NewShift(
                centre.id,
                now + timedelta(days=2),
                now + timedelta(days=2, hours=3),
                WorkKind.CLEANING,
                3,
                for_volunteers=True,
            )
        )
        await uow.shifts.assign(shift.id, volunteer.person_id)
        released = await shift_swaps.release_shift(uow, volunteer, shift.id, now)
        await shift_swaps.give_reason(uow, volunteer, released.release.id, f"{MARKER} 通院", now)
        await uow.commit()
    await chat.deliver()
    await chat.look()
    await chat.press(VOLUNTEER, "shifts:ical")


async def stranger_writes(chat: SqlChat) -> None:
    await chat.send(STRANGER, "/start")
    await chat.send(STRANGER, f"{MARKER} hello, I live at 1-2-3 Chuo, call {PHONE}")
    await chat.press(STRANGER, "need:y")  # sent to the staff, as Kyodo offers
    await chat.send(STRANGER, "/start ABCD2345")  # a wrong invite code


KANA = "ゾヌマーク イチロウ"  # the kana reading an import gives (a marker in kana)
IMPORTED = User(7770005, "ゲスト", "ja")


async def member_imported(chat: SqlChat, user: User = IMPORTED, join: bool = True) -> None:
    """The co-op imports a member (name, kana, phone) with a letter; they join with its code."""
    text = f"name,kana,centres,phone\n{MARKER} 一郎,{KANA},中央ケアセンター,{PHONE}\n"
    admin = Actor(None, frozenset({Role.ADMIN}), "ja")
    async with chat.store.uow() as uow:
        report = await member_import.import_members(
            uow, admin, text.encode(), chat.clock.now(), letters=True
        )
        await uow.commit()
    await chat.look()
    if join:
        await chat.send(user, f"/start {report.letters[0].code}")


async def assert_nothing_left(chat: SqlChat, user: User) -> None:
    # Notices of what the person did before /forget that are held for its undo window (a
    # released shift, its reason) still reach the staff entitled to them, minutes later; once
    # sent they keep nothing of the person (bot.domain.undo, bot.domain.outbound.Carries).
    chat.clock.advance(seconds=HELD_UNTIL.total_seconds())
    await chat.deliver()
    left = await scan(chat.engine, needles(user))
    assert left == {}, f"personal data left in: {left}"


# --- The paths ------------------------------------------------------------------------------


async def test_forget_of_a_resident_leaves_nothing_in_any_table(chat: SqlChat):
    chat.needles = needles(RESIDENT)
    request_id = await resident_asks_for_help(chat)
    assert {"service_requests", "outbox", "inbox", "people", "conversation_messages"} <= (
        chat.seen.keys()
    )
    assert "media" in chat.seen["outbox"]  # the voice note's file id went out to staff
    staff_saw = len(chat.delivered[HANAKO.id])
    said = await forget(chat, RESIDENT)
    assert "受付中のご依頼1件を取り下げました" in said and "監査記録" in said
    assert "承認済みの勤務時間の報告" not in said  # nothing of a resident is kept
    await assert_nothing_left(chat, RESIDENT)
    # Staff see the request withdrawn, on its card and in the desk's status; nobody can ask
    # its requester anything any more.
    told = "\n".join(m.text for m in chat.delivered[HANAKO.id][staff_saw:])
    assert "依頼者が取り下げ" in told and "K-2611-0001" in told
    asked = await chat.press(HANAKO, f"tc:r:ask:{request_id}")
    assert "ご依頼者への質問を入力してください" not in "\n".join(m.text for m in asked)


async def test_forget_of_a_volunteer_leaves_nothing_in_any_table(chat: SqlChat):
    chat.needles = needles(VOLUNTEER)
    await volunteer_works(chat)
    assert {"volunteer_applications", "hour_reports", "shift_releases"} <= chat.seen.keys()
    said = await forget(chat, VOLUNTEER)
    # the hours stay, as numbers only
    assert "承認済みの勤務時間の報告1件（給与計算のため）" in said
    await assert_nothing_left(chat, VOLUNTEER)


async def test_forget_of_a_stranger_leaves_nothing_and_says_what_it_deleted(chat: SqlChat):
    chat.needles = needles(STRANGER)
    await stranger_writes(chat)
    assert {"inbox", "outbox", "conversations", "conversation_messages"} <= chat.seen.keys()
    said = await forget(chat, STRANGER)
    # The truth, not "Kyodo stores nothing about you": it held copies of the conversation.
    assert "Kyodo had no record of you as a person" in said
    copies = int(said.split("Deleted: ")[1].split(" stored cop")[0])
    assert copies >= 3
    await assert_nothing_left(chat, STRANGER)


async def test_forget_of_an_imported_member_leaves_nothing_of_the_import(chat: SqlChat):
    chat.needles = (*needles(IMPORTED), KANA)
    await member_imported(chat)
    assert {"member_roster", "people"} <= chat.seen.keys()
    await forget(chat, IMPORTED)
    left = await scan(chat.engine, chat.needles)
    assert left == {}, f"personal data left in: {left}"


async def test_the_retention_purge_removes_an_imported_member_who_never_joined(chat: SqlChat):
    chat.needles = (MARKER, *PHONE_NEEDLES, KANA)
    await member_imported(chat, join=False)
    assert {"member_roster", "people"} <= chat.seen.keys()
    chat.clock.advance(days=300)  # the letter's code ran out, but not a retention period ago
    counts = await purge_expired(chat.store.uow, chat.clock.now(), timedelta(days=365))
    assert counts.unjoined == 0
    chat.clock.advance(days=130)
    counts = await purge_expired(chat.store.uow, chat.clock.now(), timedelta(days=365))
    assert counts.unjoined == 1
    left = await scan(chat.engine, chat.needles)
    assert left == {}, f"personal data left after the purge in: {left}"


async def test_the_retention_purge_leaves_nothing_of_what_closed_long_ago(chat: SqlChat):
    # The resident stays a person (their name is theirs until they leave or are forgotten);
    # what they typed into the declined request, the half-filled form and every copy must go.
    resident = User(7770004, "山田 トメ", "ja")
    chat.needles = (MARKER, *PHONE_NEEDLES)
    request_id = await resident_asks_for_help(chat, resident)
    staff = await actor_of(chat, HANAKO)
    async with chat.store.uow() as uow:
        await request_service.decline(uow, staff, request_id, "対象地域外です", chat.clock.now())
        await uow.commit()
    await chat.deliver()
    chat.clock.advance(days=400)
    await purge_expired(chat.store.uow, chat.clock.now(), timedelta(days=365))
    left = await scan(chat.engine, chat.needles)
    assert left == {}, f"personal data left after the purge in: {left}"


async def test_the_paths_reach_every_table_that_can_hold_text(chat: SqlChat):
    chat.needles = (MARKER, *PHONE_NEEDLES, str(RESIDENT.id), str(VOLUNTEER.id))
    await resident_asks_for_help(chat)
    await volunteer_works(chat)
    await member_imported(chat)
    unreached = await text_tables(chat.engine) - chat.seen.keys() - NO_FREE_TEXT.keys()
    assert unreached == set(), f"no path puts a marker into {unreached}: add one, or say why"


async def test_an_outbox_prune_keeps_only_the_rows_still_needed(chat: SqlChat):
    chat.needles = needles(RESIDENT)
    await resident_asks_for_help(chat)
    now = chat.clock.now()
    async with chat.store.uow() as uow:  # a personal message that failed: kept, to send again
        greeting = Reply((msg("welcome", name=RESIDENT.name),))
        failed = await uow.outbox.add(chat.renderer.render(greeting, RESIDENT.id, "ja"), now)
        assert failed is not None
        await uow.outbox.mark_failed(failed, now, "bad request")
        await uow.commit()
    assert "text" in (await scan(chat.engine, (MARKER,)))["outbox"]
    chat.clock.advance(days=8)
    counts = await purge_expired(chat.store.uow, chat.clock.now(), timedelta(days=365))
    assert counts.messages > 10
    left = await scan(chat.engine, needles(RESIDENT))
    assert "outbox" not in left
    async with chat.engine.connect() as connection:
        kept = await connection.execute(
            select(OutboxRow.dedupe_key, OutboxRow.text).where(
                or_(
                    OutboxRow.dedupe_key.is_(None),
                    OutboxRow.dedupe_key.not_in(select(StaffCardCopyRow.dedupe_key)),
                )
            )
        )
        assert kept.all() == []  # what stays: the staff cards' copies, to edit them later
