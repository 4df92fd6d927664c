"""Sending what is due: assembly notices and reminders, shift reminders, the staff digest.

Runs `ReminderRunner` on the memory store with a fake clock, and reads the outbox as the people
would receive it. Includes the restart cases (a send due while Kyodo was down goes out if still
useful, and is skipped with a log line if not) and "a send that runs twice queues once".
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.dialogs.engine import DialogSettings
from bot.domain.assemblies import Answer, Rsvp
from bot.domain.coop import NewAssembly, NewShift, WorkKind
from bot.domain.hours import NewHourReport
from bot.domain.people import Actor, NewPerson, Role
from bot.domain.reminders import ReminderPrefs, SendStatus
from bot.domain.volunteers import Choices, NewApplication
from bot.notices.bus import Consequences
from bot.rendering import Renderer
from bot.services import assemblies
from bot.services.reminders import ReminderRunner, ReminderSettings
from tests.fakes.memory_store import MemoryStore

TOKYO = ZoneInfo("Asia/Tokyo")
T0 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # Sunday 10:00 in Tokyo
STAFF_ID, TANAKA_ID, MARIA_ID, KEN_ID, JIRO_ID = 1001, 2001, 2002, 2003, 3001
ADMIN = Actor(None, frozenset({Role.ADMIN}), "ja")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """`day` days after 2026-11-22, at `hour`:`minute` in Tokyo."""
    return datetime(2026, 11, 22, hour, minute, tzinfo=TOKYO) + timedelta(days=day)


@pytest.fixture
def store(i18n) -> MemoryStore:
    """A store whose events have their consequences, as the composition root wires them."""
    store = MemoryStore()
    settings = DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
    )
    store.publish = Consequences(Renderer(i18n), settings)
    return store


@pytest.fixture
def runner(store) -> ReminderRunner:
    return ReminderRunner(store.uow, ReminderSettings(TOKYO))


async def people(store) -> dict[int, int]:
    """Telegram id -> person id: a coordinator, three members (one English), a volunteer."""
    ids = {}
    async with store.uow() as uow:
        for tg, name, lang, role in (
            (STAFF_ID, "佐藤 花子", "ja", Role.STAFF),
            (TANAKA_ID, "田中 一郎", "ja", Role.MEMBER),
            (MARIA_ID, "Maria Santos", "en", Role.MEMBER),
            (KEN_ID, "Ken", "en", Role.MEMBER),
            (JIRO_ID, "鈴木 次郎", "ja", Role.VOLUNTEER),
        ):
            # The staff member is a coordinator: the whole co-op's digest (docs/centres.md).
            roles = {role, Role.COORDINATOR} if role is Role.STAFF else {role}
            person = await uow.people.add(NewPerson(tg, name, lang, T0, None, frozenset(roles)))
            ids[tg] = person.id
        await uow.commit()
    return ids


async def publish(store, starts_at: datetime, answer_by: datetime, now: datetime = T0) -> int:
    async with store.uow() as uow:
        assembly = await assemblies.publish(
            uow,
            ADMIN,
            NewAssembly(
                "第12回 通常総会", "12th General Assembly", starts_at, "本部", "HQ", answer_by
            ),
            now,
        )
        await uow.commit()
    return assembly.id


def inbox(store, telegram_id: int) -> list[str]:
    """What one person would receive, oldest first."""
    rows = sorted(store.state.outbox.values(), key=lambda r: r.id)
    return [r.message.text for r in rows if r.message.chat_id == telegram_id]


def reminded(store, telegram_id: int) -> list[str]:
    """The shift reminders (of the day before) among what one person received."""
    return [text for text in inbox(store, telegram_id) if text.startswith("🔔")]


def status_of(store, key: str):
    return next(s for s in store.state.scheduled_sends.values() if s.key == key)


async def answer(store, assembly_id: int, person_id: int, rsvp: Rsvp) -> None:
    async with store.uow() as uow:
        await uow.assemblies.put_answer(Answer(assembly_id, person_id, rsvp, None, T0))
        await uow.commit()


async def test_members_get_a_published_notice_once_in_their_language(store, runner):
    await people(store)
    aid = await publish(store, at(20, 14), at(13, 23, 59))
    report = await runner.run_due(T0)
    assert report.queued == 3  # three members; staff and the volunteer have no vote
    assert "総会のお知らせです" in inbox(store, TANAKA_ID)[0]
    assert "第12回 通常総会" in inbox(store, TANAKA_ID)[0]
    assert "A new assembly notice" in inbox(store, MARIA_ID)[0]
    assert "12th General Assembly" in inbox(store, MARIA_ID)[0]
    assert inbox(store, STAFF_ID) == inbox(store, JIRO_ID) == []
    button = store.state.outbox[min(store.state.outbox)].message.buttons[0][0]
    assert button == ("📋 お知らせを見て回答する", f"asm:o:{aid}")
    # Nothing more is due until the first reminder.
    assert (await runner.run_due(T0 + timedelta(hours=1))).queued == 0
    assert status_of(store, f"asm:{aid}:notice").status is SendStatus.SENT


async def test_a_send_that_runs_twice_queues_each_message_once(store, runner):
    await people(store)
    await publish(store, at(20, 14), at(13, 23, 59))
    # A second runner (another replica, a retry) working from the same list of due sends.
    twin = ReminderRunner(store.uow, ReminderSettings(TOKYO))
    async with store.uow() as uow:
        [send] = await uow.reminders.due(T0, 10)
    first = await runner._run_one(send, T0, set())
    second = await twin._run_one(send, T0, set())
    assert first is not None and first.queued == 3
    assert second is None  # it lost the conditional update and rolled back its copies
    assert len(store.state.outbox) == 3
    # Even a runner that ignores the send's status cannot queue a copy twice: dedupe keys.
    async with store.uow() as uow:
        assert await twin._fan_out(uow, send, T0) == 0


async def test_the_reminders_ask_those_who_have_not_answered_then_remind_those_attending(
    store, runner
):
    ids = await people(store)
    aid = await publish(store, at(20, 14), at(16, 23, 59))
    await runner.run_due(T0)
    await answer(store, aid, ids[TANAKA_ID], Rsvp.ATTENDING)
    await answer(store, aid, ids[KEN_ID], Rsvp.ABSENT)

    await runner.run_due(at(13, 14))  # 7 days before: only Maria has not answered
    assert len(inbox(store, MARIA_ID)) == 2
    assert "Please answer by" in inbox(store, MARIA_ID)[1]
    assert len(inbox(store, TANAKA_ID)) == len(inbox(store, KEN_ID)) == 1

    await runner.run_due(at(19, 14))  # 1 day before; answers closed on day 16
    assert len(inbox(store, TANAKA_ID)) == 2
    assert "ご出席ありがとうございます" in inbox(store, TANAKA_ID)[1]
    assert len(inbox(store, MARIA_ID)) == 2  # too late to ask her again

    await runner.run_due(at(20, 12))  # 2 hours before: those attending
    assert len(inbox(store, TANAKA_ID)) == 3
    assert len(inbox(store, KEN_ID)) == 1  # not attending: never reminded


async def test_a_reminder_due_while_down_goes_out_when_still_useful(store, runner):
    ids = await people(store)
    aid = await publish(store, at(20, 14), at(16, 23, 59))
    await runner.run_due(T0)
    await answer(store, aid, ids[TANAKA_ID], Rsvp.ATTENDING)
    # Down from before the 7-day reminder until two days after it: answers are still open.
    await runner.run_due(at(15, 9))
    assert status_of(store, f"asm:{aid}:7d").status is SendStatus.SENT
    assert len(inbox(store, MARIA_ID)) == 2


async def test_a_reminder_due_while_down_is_skipped_with_a_log_line_when_no_longer_useful(
    store, runner, caplog
):
    ids = await people(store)
    aid = await publish(store, at(20, 14), at(16, 23, 59))
    await runner.run_due(T0)
    await answer(store, aid, ids[TANAKA_ID], Rsvp.ATTENDING)
    before = len(store.state.outbox)
    # Down from day 12 until after the assembly began: nothing about it is useful any more.
    with caplog.at_level(logging.INFO, logger="bot.services.reminders"):
        report = await runner.run_due(at(20, 15))
    assert len(store.state.outbox) == before
    assert {o.status for o in report.outcomes} == {SendStatus.SKIPPED}
    for offset in ("7d", "1d", "2h"):
        send = status_of(store, f"asm:{aid}:{offset}")
        assert send.status is SendStatus.SKIPPED
        assert f"scheduled send asm:{aid}:{offset} skipped" in caplog.text
    assert "superseded" in status_of(store, f"asm:{aid}:7d").note
    assert "no longer useful" in status_of(store, f"asm:{aid}:2h").note


async def test_after_downtime_only_the_latest_due_reminder_goes_out(store, runner):
    ids = await people(store)
    aid = await publish(store, at(20, 14), at(19, 20))
    await runner.run_due(T0)
    await answer(store, aid, ids[TANAKA_ID], Rsvp.ATTENDING)
    # Down over both the 7-day and the 1-day reminder: Tanaka hears once, Maria is asked once.
    await runner.run_due(at(19, 16))
    assert status_of(store, f"asm:{aid}:7d").status is SendStatus.SKIPPED
    assert status_of(store, f"asm:{aid}:1d").status is SendStatus.SENT
    assert len(inbox(store, TANAKA_ID)) == 2
    assert len(inbox(store, MARIA_ID)) == 2


async def shifts(store, ids) -> dict[str, int]:
    """Tomorrow (Monday): Tanaka 9-13 and Maria 14-18 at Minato, Jiro (volunteer) 10-12."""
    async with store.uow() as uow:
        minato = await uow.centres.add("港ビル清掃センター", "Minato Building Cleaning Centre")
        out = {}
        for name, start, who in (
            ("tanaka", at(1, 9), [TANAKA_ID]),
            ("maria", at(1, 14), [MARIA_ID]),
            ("jiro", at(1, 10), [JIRO_ID]),
            ("later", at(2, 9), [TANAKA_ID]),
        ):
            shift = await uow.shifts.add(
                NewShift(minato.id, start, start + timedelta(hours=4), WorkKind.CLEANING, 2)
            )
            for tg in who:
                await uow.shifts.assign(shift.id, ids[tg])
            out[name] = shift.id
        await uow.commit()
    return out


async def test_shift_reminders_go_the_evening_before_except_to_those_who_opted_out(store, runner):
    ids = await people(store)
    shift_ids = await shifts(store, ids)
    async with store.uow() as uow:
        # Maria does not want reminders for Mondays; Jiro wants none at all.
        await uow.reminders.put_prefs(ReminderPrefs(ids[MARIA_ID], False, frozenset({0})), T0)
        await uow.reminders.put_prefs(ReminderPrefs(ids[JIRO_ID], True), T0)
        await uow.commit()
    await runner.plan_recurring(T0)
    await runner.run_due(at(0, 17, 59))
    assert inbox(store, TANAKA_ID) == []
    await runner.plan_recurring(at(0, 18))
    await runner.run_due(at(0, 18))
    [reminder] = inbox(store, TANAKA_ID)
    assert "明日 11月23日（月） のシフトのお知らせです" in reminder
    assert "9:00" in reminder
    assert inbox(store, MARIA_ID) == inbox(store, JIRO_ID) == []
    buttons = store.state.outbox[max(store.state.outbox)].message.buttons
    assert buttons[0][0][1] == f"shift:cant:{shift_ids['tanaka']}"
    assert buttons[-1][0][1] == "rem:prefs"


async def test_a_late_shift_reminder_leaves_out_shifts_that_have_begun(store, runner):
    ids = await people(store)
    await shifts(store, ids)
    await runner.plan_recurring(T0)
    # Down from 17:00 until 23:30 the evening before: still useful, sent late.
    await runner.run_due(at(0, 23, 30))
    assert len(reminded(store, TANAKA_ID)) == 1
    assert status_of(store, "shifts:2026-11-23").status is SendStatus.SENT
    # Down again over the next evening and past midnight: the day has begun, so no reminder.
    await runner.run_due(at(2, 0, 30))
    assert status_of(store, "shifts:2026-11-24").status is SendStatus.SKIPPED
    assert len(reminded(store, TANAKA_ID)) == 1


async def test_the_morning_digest_counts_what_waits_and_stays_quiet_when_nothing_does(
    store, runner
):
    ids = await people(store)
    await runner.plan_recurring(at(1, 10))
    await runner.run_due(at(2, 8))
    assert inbox(store, STAFF_ID) == []
    assert status_of(store, "digest:2026-11-24").note == "messages queued: 0"
    async with store.uow() as uow:
        centre = await uow.centres.add("港", "Minato")
        for days in (1, 2):
            await uow.hours.add(
                NewHourReport(
                    ids[TANAKA_ID], centre.id, WorkKind.CLEANING, date(2026, 11, 22 + days), 240
                ),
                at(days, 7),
            )
        await uow.volunteers.add(
            NewApplication(
                ids[JIRO_ID], "鈴木 次郎", "+819012345678", Choices((), (), (), ()), None, T0
            ),
            T0,
        )
        await uow.commit()
    await runner.plan_recurring(at(2, 9))
    await runner.run_due(at(3, 8))
    [digest] = inbox(store, STAFF_ID)
    assert "おはようございます" in digest
    assert "勤務時間の報告：2件" in digest
    assert "ボランティアの申し込み：1件" in digest
    assert "サービスの依頼" not in digest  # none waits: not mentioned
    assert inbox(store, TANAKA_ID) == []
    buttons = store.state.outbox[max(store.state.outbox)].message.buttons
    assert [row[0][1] for row in buttons] == ["tq:0:0", "hrq", "menu"]


async def test_each_staff_members_digest_counts_what_waits_in_their_own_scope(store, runner):
    """Hours wait at Chuo (two, one of them a Chuo staff member's own) and at Minato (one);
    Chuo is under the head office, Kita has nothing. Each staff member's digest has their own
    numbers; Kita's staff member gets none; the coordinator gets the whole co-op's."""
    ids = await people(store)
    async with store.uow() as uow:
        office = await uow.centres.add("東京本部", "Tokyo Head Office")
        await uow.centres.update(replace(office, is_office=True))
        chuo = await uow.centres.add("中央", "Chuo")
        await uow.centres.update(replace(chuo, office_id=office.id))
        minato = await uow.centres.add("港", "Minato")
        kita = await uow.centres.add("北", "Kita")
        staff = {}
        for tg, name, centre in (
            (5001, "中央 スタッフ", chuo),
            (5002, "港 スタッフ", minato),
            (5003, "北 スタッフ", kita),
            (5004, "本部 スタッフ", office),
        ):
            person = await uow.people.add(
                NewPerson(tg, name, "ja", T0, None, frozenset({Role.STAFF}))
            )
            await uow.memberships.add(person.id, centre.id)
            staff[tg] = person.id
        for person_id, centre in (
            (ids[TANAKA_ID], chuo),
            (staff[5001], chuo),
            (ids[MARIA_ID], minato),
        ):
            await uow.hours.add(
                NewHourReport(person_id, centre.id, WorkKind.CLEANING, date(2026, 11, 23), 240),
                at(1, 7),
            )
        await uow.volunteers.add(
            NewApplication(
                ids[JIRO_ID], "鈴木 次郎", "+819012345678", Choices((), (), (), ()), None, T0
            ),
            T0,
        )
        await uow.commit()
    await runner.plan_recurring(at(1, 9))
    await runner.run_due(at(2, 8))
    [chuo_digest] = inbox(store, 5001)
    assert "勤務時間の報告：1件" in chuo_digest  # not their own
    assert "ボランティア" not in chuo_digest  # applications are the whole co-op's
    [minato_digest] = inbox(store, 5002)
    assert "勤務時間の報告：1件" in minato_digest
    assert inbox(store, 5003) == []  # nothing waits at Kita: no digest
    [office_digest] = inbox(store, 5004)
    assert "勤務時間の報告：2件" in office_digest  # the office's centre, Chuo
    [whole] = inbox(store, STAFF_ID)
    assert "勤務時間の報告：3件" in whole and "ボランティアの申し込み：1件" in whole
    assert status_of(store, "digest:2026-11-24").note == "messages queued: 4"


async def test_a_fresh_start_plans_only_what_is_still_ahead(store, runner):
    await people(store)
    await runner.plan_recurring(at(1, 10))  # started at 10:00: this morning's digest is past
    keys = {s.key for s in store.state.scheduled_sends.values()}
    assert keys == {
        "digest:2026-11-24",
        "shifts:2026-11-24",
        "shifts:2026-11-25",
        "worked:2026-11-23",
        "worked:2026-11-24",
    }
    await runner.plan_recurring(at(1, 19))  # this evening's shift reminder has gone by now
    assert len(store.state.scheduled_sends) == 5  # nothing planned twice


async def test_no_digest_on_a_public_holiday_but_shift_reminders_still_go(store, runner):
    await people(store)
    # Monday 2026-11-23 is Labour Thanksgiving Day (勤労感謝の日).
    await runner.plan_recurring(at(0, 10))
    await runner.plan_recurring(at(1, 10))
    keys = {s.key for s in store.state.scheduled_sends.values()}
    assert "digest:2026-11-23" not in keys
    assert {"digest:2026-11-24", "shifts:2026-11-23", "shifts:2026-11-24"} <= keys
