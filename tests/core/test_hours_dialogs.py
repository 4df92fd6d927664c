"""Transcripts of reporting hours: tapping, typing, the rules, changes, review and the month."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogs.engine import DialogSettings
from bot.domain.hours import ChangeAction, ReportStatus
from bot.domain.people import NewPerson, Role
from bot.rendering import Renderer
from tests.fakes.chat import ChatHarness, User
from tests.fixtures.core import conversation_on
from tests.fixtures.hours import TODAY, reports, tap_report
from tests.fixtures.people import (
    HANAKO,
    MARIA,
    REFUSED_JA,
    TANAKA,
    TOME,
    demo,
    person_id,
    plain,
)

CANCELLED = "操作をやめました。"


@pytest.fixture
async def demo_chat(chat, memory_store, clock):
    await demo(memory_store, clock)
    return chat


def history(store, report_id: int) -> list[ChangeAction]:
    changes = sorted(store.state.hour_changes.items())
    return [c.action for _, c in changes if c.report_id == report_id]


def audited(store, action: str) -> list[str]:
    return [a.subject for a in store.state.audit if a.action == action]


# Tapping ------------------------------------------------------------------------------------


async def test_members_have_report_and_month_buttons_and_staff_a_review_button(demo_chat):
    member = await demo_chat.send(TANAKA, "/menu")
    # Reporting is a key under the chat (⏱ 時間, tests/core/test_short_menu.py); the month stays.
    assert "⏱ 時間" in demo_chat.keyboard(TANAKA)
    assert member.buttons[0] == ("📊 今月の勤務", "hrm")
    assert "hrq" not in {d for _, d in member.buttons}
    await demo_chat.send(HANAKO, "/menu")
    assert "✅ 承認" in demo_chat.keyboard(HANAKO)
    resident = await demo_chat.send(TOME, "/menu")
    assert not {"hr", "hrm", "hrq"} & {d for _, d in resident.buttons}


async def test_a_typical_report_takes_four_taps_after_opening(demo_chat, memory_store):
    opened = await demo_chat.press(TANAKA, "hr")
    assert "いつの勤務ですか" in opened.text
    assert opened.buttons[:2] == [
        ("今日 11月22日（日）", "hr:d:0"),
        ("昨日 11月21日（土）", "hr:d:1"),
    ]
    for data in ["hr:d:0", "hr:c:2:cleaning", "hr:h:480"]:
        await demo_chat.press(TANAKA, data)
    turn = await demo_chat.tap(TANAKA, "送信する")
    assert "✅ 報告しました：11月22日（日） 8時間。" in turn.text
    assert "スタッフの承認をお待ちください" in turn.text
    [report] = reports(memory_store, TANAKA.id)
    assert (report.day, report.minutes, report.status) == (TODAY, 480, ReportStatus.PENDING)
    assert (report.kind, report.note) == ("cleaning", None)
    assert history(memory_store, report.id) == [ChangeAction.REPORTED]
    assert memory_store.state.dialogs == {}


async def test_the_members_own_centres_come_first(demo_chat, memory_store):
    await demo_chat.press(TANAKA, "hr")
    ja = await demo_chat.tap(TANAKA, "今日 11月22日（日）")
    options = [label for label, data in ja.buttons if data.startswith("hr:c:")]
    # Tanaka cleans at Minato today, and works childcare and elderly care at Chuo this week.
    assert options == [
        "清掃・港ビル清掃センター",
        "保育・子育て支援・中央ケアセンター",
        "高齢者デイサービス・中央ケアセンター",
    ]
    await demo_chat.press(MARIA, "hr")
    en = await demo_chat.tap(MARIA, "Yesterday Sat, Nov 21")
    assert "<b>Sat, Nov 21</b>\nWhere did you work" in en.text
    assert en.buttons[0] == ("Elderly day care · Chuo Care Centre", "hr:c:1:elderly_care")
    assert ("🏢 Another centre", "hr:oc") in en.buttons
    assert en.buttons[-2:] == [("◀ Back", "hr:back"), ("✖ Cancel", "cancel")]


async def test_another_centre_and_kind_can_be_chosen(demo_chat, memory_store):
    await demo_chat.press(MARIA, "hr")
    await demo_chat.tap(MARIA, "Today Sun, Nov 22")
    centres = await demo_chat.tap(MARIA, "🏢 Another centre")
    assert centres.buttons[:2] == [
        ("Chuo Care Centre", "hr:cc:1"),
        ("Minato Building Cleaning Centre", "hr:cc:2"),
    ]
    kinds = await demo_chat.tap(MARIA, "Minato Building Cleaning Centre")
    assert "<b>Minato Building Cleaning Centre</b>\nWhat kind of work was it?" in kinds.text
    await demo_chat.tap(MARIA, "Cleaning")
    other = await demo_chat.tap(MARIA, "✏️ Other")
    assert "<code>7h30</code>" in other.text
    confirm = await demo_chat.send(MARIA, "3:15")
    assert "⏱ 3 h 15 min" in confirm.text and "🏢 Minato Building Cleaning Centre" in confirm.text
    sent = await demo_chat.press_shown(MARIA, "hr:ok")
    assert "✅ Reported: Sun, Nov 22, 3 h 15 min." in sent.text
    assert reports(memory_store, MARIA.id)[0].centre_id == 2


async def test_the_date_picker_offers_the_window_page_by_page(demo_chat, memory_store):
    await demo_chat.press(TANAKA, "hr")
    first = await demo_chat.tap(TANAKA, "📅 ほかの日")
    days = [d for _, d in first.buttons if d.startswith("hr:d:")]
    assert days == [f"hr:d:{n}" for n in range(14)]
    assert "31日前まで報告できます" in first.text
    assert ("11月20日（金）", "hr:d:2") in first.buttons
    last = await demo_chat.press(TANAKA, "hr:days:2")
    assert [d for _, d in last.buttons if d.startswith("hr:d:")] == [
        "hr:d:28",
        "hr:d:29",
        "hr:d:30",
        "hr:d:31",
    ]
    assert ("◀ さらに前", "hr:days:3") not in last.buttons
    oldest = await demo_chat.tap(TANAKA, "10月22日（木）")
    assert "<b>10月22日（木）</b>" in oldest.text
    await demo_chat.tap(TANAKA, "◀ 戻る")  # to the day again, where day buttons belong
    beyond = await demo_chat.press(TANAKA, "hr:d:32")
    assert beyond.toast == "このボタンは使えなくなりました。メニューを表示します。"


async def test_a_note_is_typed_at_the_last_step_or_skipped(demo_chat, memory_store):
    await demo_chat.press(TANAKA, "hr")
    for data in ("hr:d:0", "hr:c:2:cleaning", "hr:h:240"):
        confirm = await demo_chat.press(TANAKA, data)
    assert "メモを付けるときは、そのまま入力して送ってください（200文字まで）" in confirm.text
    asked = await demo_chat.tap(TANAKA, "📝 メモを付ける")
    assert "メモを入力してください（200文字まで）" in asked.text
    assert ("スキップ", "hr:skip") in asked.buttons
    too_long = await demo_chat.send(TANAKA, "あ" * 201)
    assert "メモが長すぎます（201文字）。200文字以内にしてください。" in too_long.text
    noted = await demo_chat.send(TANAKA, "ワックスがけ <b>追加</b>")
    assert "📝 メモ：ワックスがけ &lt;b&gt;追加&lt;/b&gt;" in noted.text
    await demo_chat.press_shown(TANAKA, "hr:ok")
    assert reports(memory_store, TANAKA.id)[0].note == "ワックスがけ <b>追加</b>"


async def test_every_step_goes_back_and_cancel_forgets_the_report(demo_chat, memory_store):
    await demo_chat.press(TANAKA, "hr")
    await demo_chat.tap(TANAKA, "昨日 11月21日（土）")
    await demo_chat.tap(TANAKA, "清掃・港ビル清掃センター")
    back_to_centre = await demo_chat.tap(TANAKA, "◀ 戻る")
    assert "どこで、どんな仕事をしましたか" in back_to_centre.text
    back_to_day = await demo_chat.tap(TANAKA, "◀ 戻る")
    assert "いつの勤務ですか" in back_to_day.text
    await demo_chat.tap(TANAKA, "今日 11月22日（日）")
    await demo_chat.tap(TANAKA, "清掃・港ビル清掃センター")
    await demo_chat.tap(TANAKA, "2時間")
    back_to_hours = await demo_chat.tap(TANAKA, "◀ 戻る")
    assert "何時間働きましたか" in back_to_hours.text
    cancelled = await demo_chat.tap(TANAKA, "✖ やめる")
    assert CANCELLED in cancelled.text
    assert memory_store.state.dialogs == {}
    assert reports(memory_store) == []
    stale = await demo_chat.press_shown(TANAKA, "hr:ok")
    assert stale.toast is not None and "この画面は古くなっています" in stale.toast
    assert "この画面は古くなっています" in stale.text and "組合員メニュー" in stale.text
    assert reports(memory_store) == []


# Typing -------------------------------------------------------------------------------------


async def test_hours_typed_with_the_command_skip_the_hours_step(demo_chat, memory_store):
    asked_day = await demo_chat.send(TANAKA, "/hours 7.5")
    assert "いつの勤務ですか" in asked_day.text
    await demo_chat.tap(TANAKA, "昨日 11月21日（土）")
    confirm = await demo_chat.tap(TANAKA, "清掃・港ビル清掃センター")
    assert "📅 11月21日（土）" in confirm.text and "⏱ 7時間30分" in confirm.text
    await demo_chat.press_shown(TANAKA, "hr:ok")
    assert [(r.day, r.minutes) for r in reports(memory_store, TANAKA.id)] == [
        (date(2026, 11, 21), 450)
    ]


@pytest.mark.parametrize(
    ("typed", "day", "minutes"),
    [
        ("/hours 7:30 yesterday", date(2026, 11, 21), 450),
        ("今日 7時間30分", TODAY, 450),
        ("昨日 7h30", date(2026, 11, 21), 450),
        ("11/20 ６", date(2026, 11, 20), 360),
    ],
)
async def test_hours_and_a_day_typed_go_straight_to_the_centre(
    demo_chat, memory_store, typed, day, minutes
):
    centre = await demo_chat.send(TANAKA, typed)
    assert "どこで、どんな仕事をしましたか" in centre.text
    await demo_chat.tap(TANAKA, "清掃・港ビル清掃センター")
    await demo_chat.press_shown(TANAKA, "hr:ok")
    [report] = reports(memory_store, TANAKA.id)
    assert (report.day, report.minutes) == (day, minutes)


async def test_full_width_hours_alone_start_a_report(demo_chat):
    turn = await demo_chat.send(TANAKA, "７．５")
    assert "いつの勤務ですか" in turn.text


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("/hours 7.1", "時間は15分単位で入力してください"),
        ("/hours 25", "1日は24時間までです。25時間は報告できません。"),
        ("/hours 0", "0時間は報告できません。"),
        ("/hours 2026-11-23 4", "11月23日（月）はまだ来ていません。"),
        ("/hours 2026-10-01 4", "10月22日（木）より前の勤務は報告できません（31日前まで）"),
        ("/hours 2/30 4", "その日付はありません"),
        ("/hours abc", "時間が読み取れませんでした"),
        ("25時間", "1日は24時間までです。25時間は報告できません。"),
    ],
)
async def test_bad_hours_get_a_clear_answer(demo_chat, memory_store, typed, answer):
    turn = await demo_chat.send(TANAKA, typed)
    assert answer in turn.text
    assert reports(memory_store) == []


async def test_bad_typed_hours_inside_the_dialog_keep_the_step(demo_chat):
    await demo_chat.press(MARIA, "hr")
    await demo_chat.tap(MARIA, "Today Sun, Nov 22")
    await demo_chat.tap(MARIA, "Elderly day care · Chuo Care Centre")
    await demo_chat.tap(MARIA, "✏️ Other")
    wrong = await demo_chat.send(MARIA, "7:10")
    assert "steps of 15 minutes" in wrong.text
    right = await demo_chat.send(MARIA, "7:15")
    assert "⏱ 7 h 15 min" in right.text


async def test_text_that_is_not_hours_is_answered_as_before(demo_chat):
    turn = await demo_chat.send(TANAKA, "こんにちは")
    assert "いつの勤務ですか" not in turn.text
    resident = await demo_chat.send(TOME, "7.5")
    assert "いつの勤務ですか" not in resident.text


async def test_non_members_get_a_polite_refusal_for_hours(demo_chat, memory_store):
    for user in (TOME, User(9, "X", "en")):
        turn = await demo_chat.send(user, "/hours 7.5")
        assert "Only co-op members" in turn.text or "組合員の方だけ" in turn.text
    pressed = await demo_chat.press(TOME, "hr")
    assert pressed.toast == REFUSED_JA
    assert len(audited(memory_store, "hours.refused")) == 3


# The rules ----------------------------------------------------------------------------------


async def test_a_day_holds_at_most_24_hours_across_all_reports(demo_chat, memory_store):
    await demo_chat.send(TANAKA, "/hours 今日 16")
    await demo_chat.tap(TANAKA, "清掃・港ビル清掃センター")
    await demo_chat.press_shown(TANAKA, "hr:ok")
    await demo_chat.send(TANAKA, "/hours 今日 10")
    await demo_chat.tap(TANAKA, "保育・子育て支援・中央ケアセンター")
    refused = await demo_chat.press_shown(TANAKA, "hr:ok")
    over = "この日はすでに16時間報告しています。10時間を足すと1日の24時間を超えます。"
    assert over in refused.text
    await demo_chat.tap(TANAKA, "◀ 戻る")
    fits = await demo_chat.tap(TANAKA, "8時間")
    assert "⏱ 8時間" in fits.text
    await demo_chat.press_shown(TANAKA, "hr:ok")
    assert [r.minutes for r in reports(memory_store, TANAKA.id)] == [960, 480]


async def test_a_second_report_for_the_same_day_and_centre_must_replace_the_first(
    demo_chat, memory_store
):
    await tap_report(demo_chat, MARIA, hours="hr:h:360")
    await demo_chat.tap(MARIA, "⏱ Report hours")
    await demo_chat.tap(MARIA, "Today Sun, Nov 22")
    await demo_chat.tap(MARIA, "Elderly day care · Chuo Care Centre")
    await demo_chat.tap(MARIA, "8 h")
    asked = await demo_chat.press_shown(MARIA, "hr:ok")
    assert (
        "You already reported 6 h of Elderly day care at Chuo Care Centre on Sun, Nov 22 "
        "(pending)." in asked.text
    )
    assert any(label == "🔁 Replace it" for label, _ in asked.buttons)
    assert len(reports(memory_store, MARIA.id)) == 1
    replaced = await demo_chat.press_shown(MARIA, "hr:rep")
    assert "Your earlier report was withdrawn and replaced by this one." in replaced.text
    first, second = reports(memory_store, MARIA.id)
    assert (first.status, second.status) == (ReportStatus.WITHDRAWN, ReportStatus.PENDING)
    assert second.minutes == 480
    assert history(memory_store, first.id) == [ChangeAction.REPORTED, ChangeAction.REPLACED]


async def test_an_approved_day_cannot_be_reported_again(demo_chat, memory_store):
    await tap_report(demo_chat, MARIA)
    await approve(demo_chat, reports(memory_store, MARIA.id)[0].id)
    again = await tap_report(demo_chat, MARIA, hours="hr:h:240")
    assert "already reported" in again.text
    refused = await demo_chat.press_shown(MARIA, "hr:rep")
    assert "already approved; please ask a staff member" in refused.text
    assert len(reports(memory_store, MARIA.id)) == 1


# Changing one's own reports -----------------------------------------------------------------


async def test_a_pending_report_can_be_changed_and_its_history_shows_it(demo_chat, memory_store):
    await tap_report(demo_chat, TANAKA)
    [report] = reports(memory_store, TANAKA.id)
    month = await demo_chat.tap(TANAKA, "📊 今月の勤務")
    view = await demo_chat.press(TANAKA, month.data_for("11月22日（日） 8時間"))
    assert "状態：承認待ち" in view.text
    assert ("✏️ 時間を直す", f"hr:e:{report.id}") in view.buttons
    asked = await demo_chat.press(TANAKA, f"hr:e:{report.id}")
    assert "何時間働きましたか" in asked.text
    await demo_chat.tap(TANAKA, "6時間")
    done = await demo_chat.press_shown(TANAKA, "hr:ok")
    assert "報告を直しました：11月22日（日） 6時間。" in done.text
    [changed] = reports(memory_store, TANAKA.id)
    assert changed.minutes == 360 and changed.id == report.id
    assert history(memory_store, report.id) == [ChangeAction.REPORTED, ChangeAction.EDITED]
    shown = await demo_chat.press(TANAKA, f"hr:v:{report.id}")
    assert "11月22日（日） 9:00 田中 一郎: 報告" in shown.text
    assert "11月22日（日） 9:00 田中 一郎: 変更" in shown.text


async def test_a_pending_report_can_be_withdrawn(demo_chat, memory_store):
    await tap_report(demo_chat, MARIA)
    [report] = reports(memory_store, MARIA.id)
    asked = await demo_chat.press(MARIA, f"hr:w:{report.id}")
    assert "Withdraw this report?" in asked.text
    done = await demo_chat.press(MARIA, f"hr:wy:{report.id}")
    assert "Report withdrawn." in done.text
    assert reports(memory_store, MARIA.id)[0].status is ReportStatus.WITHDRAWN
    again = await demo_chat.press(MARIA, f"hr:wy:{report.id}")
    assert "no longer pending" in again.text


async def test_a_decided_report_can_no_longer_be_changed(demo_chat, memory_store):
    await tap_report(demo_chat, MARIA)
    [report] = reports(memory_store, MARIA.id)
    await approve(demo_chat, report.id)
    view = await demo_chat.press(MARIA, f"hr:v:{report.id}")
    assert "Status: approved" in view.text
    assert f"hr:e:{report.id}" not in {d for _, d in view.buttons}
    forced = await demo_chat.press(MARIA, f"hr:e:{report.id}")
    assert "no longer pending" in forced.text
    assert reports(memory_store, MARIA.id)[0].minutes == 480


async def test_another_members_report_is_refused_and_audited(demo_chat, memory_store):
    await tap_report(demo_chat, MARIA)
    [report] = reports(memory_store, MARIA.id)
    for data in (
        f"hr:v:{report.id}",
        f"hr:e:{report.id}",
        f"hr:w:{report.id}",
        f"hr:wy:{report.id}",
        "hr:v:999999",
    ):
        turn = await demo_chat.press(TANAKA, data)
        assert turn.toast == REFUSED_JA, data
        assert "Maria" not in turn.text
    assert len(audited(memory_store, "hours.report_refused")) == 5
    assert reports(memory_store, MARIA.id)[0].status is ReportStatus.PENDING


# Staff review -------------------------------------------------------------------------------


async def approve(harness, report_id: int) -> None:
    """Hanako approves one report from the review list: asked first, then Yes."""
    await harness.press(HANAKO, f"hr:a:{report_id}")
    await harness.tap(HANAKO, "はい、承認します")


async def test_staff_approve_one_and_the_member_is_told_in_their_language(demo_chat, memory_store):
    await tap_report(demo_chat, MARIA)
    [report] = reports(memory_store, MARIA.id)
    queue = await demo_chat.press(HANAKO, "hrq")
    assert f"<b>#{report.id}</b> Maria Santos\n11月22日（日）・中央ケアセンター" in queue.text
    assert ("✅ 表示中の1件をすべて承認", f"hr:aa:{report.id}:{report.id}") in queue.buttons
    asked = await demo_chat.press(HANAKO, f"hr:a:{report.id}")
    assert "本当にこの勤務時間を承認しますか？" in asked.text  # asked first (test_undo_hours.py)
    done = await demo_chat.tap(HANAKO, "はい、承認します")
    assert done.toast == "承認しました。本人に知らせます。"
    approved = reports(memory_store, MARIA.id)[0]
    assert approved.status is ReportStatus.APPROVED
    assert approved.decided_by == person_id(memory_store, HANAKO.id)
    assert approved.decided_at is not None
    demo_chat.wait(minutes=5)  # the notice is held while the approval may be undone
    notice = demo_chat.delivered[MARIA.id][-1]
    assert plain(notice.text) == (
        "✅ Your hours were approved: Sun, Nov 22, 8 h (Chuo Care Centre)"
    )
    again = await demo_chat.press(HANAKO, f"hr:a:{report.id}")
    assert again.toast is not None and "本当に" not in again.text  # decided: not asked again
    assert len([m for m in demo_chat.delivered[MARIA.id] if "approved" in m.text]) == 1


async def test_staff_approve_all_shown_at_once(demo_chat, memory_store):
    await tap_report(demo_chat, MARIA, day="hr:d:0")
    await tap_report(demo_chat, MARIA, day="hr:d:1")
    await tap_report(demo_chat, TANAKA)
    queue = await demo_chat.press(HANAKO, "hrq")
    data = queue.data_for("表示中の3件")
    asked = await demo_chat.press(HANAKO, data)  # one confirmation for all (test_undo_hours_batch)
    assert "勤務時間の報告3件を承認し" in asked.text
    done = await demo_chat.tap(HANAKO, "はい、まとめて承認します")
    assert done.toast == "✅ 3件を承認しました。"
    assert {r.status for r in reports(memory_store)} == {ReportStatus.APPROVED}
    demo_chat.wait(minutes=5)  # decisions' notices are held for the undo window
    assert len(demo_chat.delivered[TANAKA.id][-1].text) > 0
    assert "勤務時間が承認されました" in demo_chat.delivered[TANAKA.id][-1].text


async def test_rejecting_needs_a_reason_that_the_member_reads(demo_chat, memory_store):
    await tap_report(demo_chat, MARIA)
    [report] = reports(memory_store, MARIA.id)
    asked = await demo_chat.press(HANAKO, f"hr:r:{report.id}")
    assert "差し戻す理由を入力してください" in asked.text
    too_long = await demo_chat.send(HANAKO, "x" * 301)
    assert "理由が長すぎます（301文字）。300文字以内にしてください。" in too_long.text
    done = await demo_chat.send(HANAKO, "シフトは6時間でした")
    assert f"#{report.id} を差し戻しました" in done.text
    rejected = reports(memory_store, MARIA.id)[0]
    assert (rejected.status, rejected.reason) == (ReportStatus.REJECTED, "シフトは6時間でした")
    demo_chat.wait(minutes=5)  # held while the rejection may be undone
    notice = demo_chat.delivered[MARIA.id][-1].text
    assert "Your hours were rejected: Sun, Nov 22, 8 h (Chuo Care Centre)" in plain(notice)
    assert "Reason: シフトは6時間でした" in notice
    assert history(memory_store, report.id) == [ChangeAction.REPORTED, ChangeAction.REJECTED]


async def test_a_member_cannot_approve_or_reject_anything(demo_chat, memory_store):
    await tap_report(demo_chat, MARIA)
    [report] = reports(memory_store, MARIA.id)
    for data in ("hrq", f"hr:a:{report.id}", f"hr:r:{report.id}", f"hr:aa:1:{report.id}"):
        turn = await demo_chat.press(TANAKA, data)
        assert turn.toast == REFUSED_JA, data
    assert reports(memory_store, MARIA.id)[0].status is ReportStatus.PENDING
    assert len(audited(memory_store, "hours.review_refused")) == 4


async def test_nobody_approves_their_own_hours(chat, memory_store, clock):
    async with memory_store.uow() as uow:
        await uow.people.add(
            NewPerson(
                800, "Ken", "ja", clock.now(), "ja", {Role.MEMBER, Role.STAFF, Role.COORDINATOR}
            )
        )
        await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        await uow.commit()
    ken = User(800, "Ken", "ja")
    await chat.send(ken, "/hours 今日 4")
    await chat.tap(ken, "🏢 ほかのセンター")
    await chat.tap(ken, "中央ケアセンター")
    await chat.tap(ken, "清掃")
    await chat.press_shown(ken, "hr:ok")
    [report] = reports(memory_store, ken.id)
    queue = await chat.press(ken, "hrq")
    assert "承認待ちの報告はありません。" in queue.text
    refused = await chat.press(ken, f"hr:a:{report.id}")
    assert refused.toast == REFUSED_JA
    assert audited(memory_store, "hours.own_review_refused") == [f"hour_report:{report.id}"]


# The month ----------------------------------------------------------------------------------


async def test_my_month_shows_days_hours_per_centre_and_totals(demo_chat, memory_store, clock):
    await tap_report(demo_chat, MARIA, day="hr:d:0", hours="hr:h:480")
    await tap_report(demo_chat, MARIA, day="hr:d:1", hours="hr:h:360")
    await tap_report(demo_chat, MARIA, day="hr:d:2", hours="hr:h:240")
    first, _, third = reports(memory_store, MARIA.id)
    await approve(demo_chat, first.id)
    await demo_chat.press(HANAKO, f"hr:r:{third.id}")
    await demo_chat.send(HANAKO, "重複")
    month = await demo_chat.tap(MARIA, "📊 My month")
    text = plain(month.text)
    assert "📊 <b>Your hours, November 2026</b>" in text
    assert "Days worked: 2\n✅ Approved: 8 h\n⏳ Pending: 6 h\n✖ Rejected: 4 h" in text
    assert "🏢 Chuo Care Centre: 14 h" in text
    assert "Fri, Nov 20: 4 h · Chuo Care Centre (rejected)" in text
    assert ("◀ Previous month", "hrm:202610") in month.buttons
    october = await demo_chat.tap(MARIA, "◀ Previous month")
    assert "No hours reported for this month yet." in october.text
    assert ("Next month ▶", "hrm:202611") in october.buttons


async def test_a_smaller_window_is_honoured(memory_store, i18n, clock):
    settings = DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
        hours_window_days=7,
    )
    chat = ChatHarness(
        memory_store, conversation_on(memory_store, Renderer(i18n), settings, clock), clock
    )
    await demo(memory_store, clock)
    await chat.press(TANAKA, "hr")
    picker = await chat.tap(TANAKA, "📅 ほかの日")
    assert [d for _, d in picker.buttons if d.startswith("hr:d:")] == [
        f"hr:d:{n}" for n in range(8)
    ]
    assert "7日前まで" in picker.text
    too_old = await chat.send(TANAKA, "/hours 11/14 4")
    assert "11月15日（日）より前の勤務は報告できません（7日前まで）" in too_old.text


async def test_an_old_send_pressed_after_a_second_report_was_typed_sends_nothing(
    demo_chat, memory_store
):
    """The reported crash: confirm a typed report, send it, type a second one, then press the
    first message's Send again. It was `KeyError: 'centre'` and silence; now it is "out of
    date" with the step the new report is at, and the old Send never sends the new draft."""
    asked = await demo_chat.send(TANAKA, "11/20 1")
    assert "どこで、どんな仕事をしましたか" in asked.text
    await demo_chat.tap(TANAKA, "清掃・港ビル清掃センター")
    first_send = next(data for label, data in demo_chat.shown(TANAKA) if "送信する" in label)
    sent = await demo_chat.press(TANAKA, first_send)
    assert "✅ 報告しました：11月20日（金） 1時間。" in sent.text

    await demo_chat.send(TANAKA, "11/19 2")
    late = await demo_chat.press(TANAKA, first_send)
    assert late.toast == (
        "この画面は古くなっています（表示したあとに状況が変わりました）。いまできることを表示します。"
    )
    assert "この画面は古くなっています" in late.text
    assert "どこで、どんな仕事をしましたか" in late.text  # the second report's current step
    assert len(reports(memory_store, TANAKA.id)) == 1

    # Even when the second report reaches its own summary, the first Send does not send it.
    await demo_chat.tap(TANAKA, "清掃・港ビル清掃センター")
    again = await demo_chat.press(TANAKA, first_send)
    assert "この画面は古くなっています" in again.text and "11月19日（木）" in again.text
    assert len(reports(memory_store, TANAKA.id)) == 1
    done = await demo_chat.tap(TANAKA, "送信する")
    assert "✅ 報告しました：11月19日（木） 2時間。" in done.text
    assert [r.minutes for r in reports(memory_store, TANAKA.id)] == [60, 120]


async def test_old_back_and_replace_buttons_are_out_of_date_once_the_dialog_ended(
    demo_chat, memory_store
):
    await tap_report(demo_chat, MARIA, hours="hr:h:120")
    await demo_chat.tap(MARIA, "⏱ Report hours")
    await demo_chat.tap(MARIA, "Today Sun, Nov 22")
    await demo_chat.tap(MARIA, "Elderly day care · Chuo Care Centre")
    await demo_chat.tap(MARIA, "8 h")
    await demo_chat.press_shown(MARIA, "hr:ok")
    replace_data = next(d for label, d in demo_chat.shown(MARIA) if "Replace" in label)
    await demo_chat.tap(MARIA, "✖ Cancel")
    for data in (replace_data, "hr:back", "hr:skip", "hr:note"):
        late = await demo_chat.press(MARIA, data)
        assert late.toast == (
            "This screen is out of date: things have moved on since it was shown. "
            "Here is what you can do now."
        )
        assert "out of date" in late.text
    assert 480 not in [r.minutes for r in reports(memory_store, MARIA.id)]
