"""The README's table of taps for the five most common tasks, measured (issue 15).

Each task is done here the way a member does it in the sandbox, from the main menu (/menu, which
also puts the short menu under the chat), tapping buttons and keys by their labels; every step
checks the screen it leads to, and the end checks what the person would notice (a report stored,
a shift given up, an answer recorded, a message to the staff). The counts are then compared with
the README's table, so a change that adds a tap to a common task fails here until the README
says so. The same tasks read in English and in Easy Japanese take the same taps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.people import TANAKA, demo

README = Path(__file__).resolve().parents[2] / "README.md"


@dataclass(frozen=True)
class Step:
    """A tap on the button whose label holds `tap` (with `key`, the key of the short menu under
    the chat: a tap too, though Telegram sends it as its label's text), or a typed message;
    then `expect` is on screen."""

    tap: str | None
    expect: str
    typed: str | None = None
    key: bool = False


TASKS: dict[str, tuple[Step, ...]] = {
    "Report a day's hours": (
        Step("⏱ 時間", "いつの勤務ですか", key=True),
        Step("今日", "どこで、どんな仕事をしましたか"),
        Step("清掃・港ビル清掃センター", "何時間働きましたか"),
        Step("4時間", "この内容で送りますか"),
        Step("送信する", "報告しました"),
    ),
    "See my shifts": (Step("📅 シフト", "あなたのシフト", key=True),),
    "Give up a shift": (
        Step("📅 シフト", "あなたのシフト", key=True),
        Step("11月24日（火） 8:00 の一緒に働く人", "11月24日（火） 8:00〜12:00"),
        Step("行けなくなりました", "本当にこのシフトを外れますか"),
        Step("はい、シフトを外れます", "このシフトを外れました"),
    ),
    "Answer an assembly notice": (
        Step("📣 総会", "総会のお知らせ", key=True),
        Step("第12回 通常総会", "定足数"),
        Step("出席します", "お返事を受け付けました"),
    ),
    "Ask for help": (
        Step("🆘 困ったとき", "スタッフがお手伝いします", key=True),
        Step("スタッフに書く", "スタッフへのメッセージを書いて送ってください"),
        Step(None, "スタッフに届けました", typed="電話で相談したいです"),
    ),
}


# The same tasks read in English and in Easy Japanese: the same taps, the README's one table.
IN_OTHER_LANGUAGES: dict[str, dict[str, tuple[Step, ...]]] = {
    "en": {
        "Report a day's hours": (
            Step("⏱ Hours", "Which day did you work?", key=True),
            Step("Today", "Where did you work, and what kind of work?"),
            Step("Cleaning · Minato Building Cleaning Centre", "How many hours did you work?"),
            Step("4 h", "Send this report?"),
            Step("Send", "Reported"),
        ),
        "See my shifts": (Step("📅 Shifts", "Your shifts", key=True),),
        "Give up a shift": (
            Step("📅 Shifts", "Your shifts", key=True),
            Step("Who else: Tue, Nov 24, 8:00", "Tue, Nov 24, 8:00"),
            Step("I can't make it", "Do you really want to give up this shift?"),
            Step("Yes, give up the shift", "You are off this shift."),
        ),
        "Answer an assembly notice": (
            Step("📣 Assembly", "Assembly notices", key=True),
            Step("12th Annual General Assembly", "Quorum"),
            Step("I will attend", "your answer is saved"),
        ),
        "Ask for help": (
            Step("🆘 Help", "Our staff will help you.", key=True),
            Step("Write to the staff", "Please type your message to the staff"),
            Step(None, "Your message has reached the staff", typed="I'd like to talk on the phone"),
        ),
    },
    "ja-easy": {
        "Report a day's hours": (
            Step("じかん", "いつ働きましたか？", key=True),
            Step("今日", "どこで、どんな仕事をしましたか？"),
            Step("そうじ・港ビル清掃センター", "何時間働きましたか？"),
            Step("4時間", "これを送りますか？"),
            Step("送る", "スタッフが見て、承認（しょうにん）します。"),
        ),
        "See my shifts": (Step("シフト", "あなたのシフト", key=True),),
        "Give up a shift": (
            Step("シフト", "あなたのシフト", key=True),
            Step("11月24日（火） 8:00 にいっしょに働く人", "11月24日（火） 8:00〜12:00"),
            Step("行けなくなった", "ほんとうに、このシフトから外れますか？"),
            Step("はい、外れます", "このシフトから外れました。"),
        ),
        "Answer an assembly notice": (
            Step("そうかい", "総会（そうかい）のお知らせ", key=True),
            Step("第12回 通常総会", "定足数（ていそくすう）"),
            Step("出ます", "答えを受け取りました。"),
        ),
        "Ask for help": (
            Step("こまったとき", "スタッフが手伝", key=True),
            Step("スタッフに書", "スタッフへのメッセージを書"),
            Step(None, "スタッフに送", typed="電話で相談したいです"),
        ),
    },
}


def readme_rows() -> dict[str, tuple[int, int]]:
    """Task -> (taps, typed messages) as the README's table states them."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| (.+?) \| (\d+) \| (\d+) \|", line)
        if match and match[1] in TASKS:
            rows[match[1]] = (int(match[2]), int(match[3]))
    return rows


@pytest.fixture
async def member(chat, memory_store, clock):
    await demo(memory_store, clock)
    clock.advance(hours=4)  # 13:00 on Sunday: the morning's shift is over, a day to report
    return chat


async def do(chat, steps: tuple[Step, ...], language: str = "ja") -> tuple[int, int]:
    """(taps, typed messages) the task took from the main menu, read in `language`."""
    if language != "ja":
        await chat.press(TANAKA, f"lang:{language}")
        chat.clock.advance(minutes=2)  # a person's pace: not a flood of messages
    await chat.send(TANAKA, "/menu")
    taps = typed = 0
    for step in steps:
        if step.typed is not None:
            turn = await chat.send(TANAKA, step.typed)
            typed += 1
        else:
            assert step.tap is not None
            turn = await (chat.key if step.key else chat.tap)(TANAKA, step.tap)
            taps += 1
        assert step.expect in turn.text, (step, turn.text)
    return taps, typed


@pytest.mark.parametrize("task", list(TASKS))
async def test_the_readme_states_the_taps_each_common_task_takes(member, memory_store, task):
    measured = await do(member, TASKS[task])
    assert readme_rows().get(task) == measured, (
        f"README.md's table of taps says {readme_rows().get(task)} for {task!r}; measured "
        f"(taps, typed) = {measured}"
    )


@pytest.mark.parametrize("language", list(IN_OTHER_LANGUAGES))
@pytest.mark.parametrize("task", list(TASKS))
async def test_each_task_takes_the_same_taps_in_another_language(member, task, language):
    measured = await do(member, IN_OTHER_LANGUAGES[language][task], language)
    assert readme_rows().get(task) == measured, (language, task, measured)


async def test_each_task_did_what_its_person_wanted(member, memory_store):
    state = memory_store.state
    await do(member, TASKS["Report a day's hours"])
    assert [r.minutes for r in state.hour_reports.values()] == [240]
    before = len(state.shift_assignments)
    await do(member, TASKS["Give up a shift"])
    assert len(state.shift_assignments) == before - 1
    await do(member, TASKS["Answer an assembly notice"])
    assert [a.rsvp.value for a in state.assembly_answers.values()] == ["attending"]


def test_every_task_has_a_row_in_the_readme():
    assert set(readme_rows()) == set(TASKS)
