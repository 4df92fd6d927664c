"""End to end, over both transports: the shell publishes a notice, members answer it in Telegram,
the coordinator sees the counts; staff publish one from Telegram; forged buttons are refused."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta

from tests.fixtures.kyodo import load


def publish_from_the_shell(kyodo, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("KYODO_", "TELE", "LC_"))
    }
    environment.update(DATABASE_URL=kyodo.settings.database_url, LANG="en_US.UTF-8")
    return subprocess.run(
        [sys.executable, "-m", "kyodo.cli", "assembly", "publish", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_the_shell_publishes_members_answer_and_the_coordinator_counts(kyodo, person):
    today = await load(kyodo)
    at = today + timedelta(days=30)
    done = await asyncio.to_thread(
        publish_from_the_shell,
        kyodo,
        "--title-ja",
        "臨時総会",
        "--title-en",
        "Extraordinary assembly",
        "--at",
        f"{at.isoformat()}T10:00",
        "--place-ja",
        "本部",
        "--place-en",
        "Head office",
        "--quorum",
        "2/3",
        "--answer-by",
        (at - timedelta(days=7)).isoformat(),
    )
    assert done.returncode == 0, done.stderr
    assert "Published notice" in done.stdout

    maria = person(2002, "Maria", "en")
    await maria.says("/start")
    await maria.presses_key("📣 Assembly")
    notice = await maria.taps("Extraordinary assembly")
    assert "Quorum: 2/3 of the members entitled to vote" in notice.text
    answered = await maria.taps("I will attend")
    assert "Your answer: attending." in answered.text

    tanaka = person(2001, "一郎", "ja")
    await tanaka.says("/start")
    await tanaka.presses_key("📣 総会")
    await tanaka.taps("臨時総会")
    await tanaka.taps("委任状を出す")
    proxy = await tanaka.taps("Maria Santos")
    assert "委任状（Maria Santos さんに委任）" in proxy.text

    hanako = person(1001, "花子", "ja")
    await hanako.says("/start")
    await hanako.presses_key("📣 総会")
    await hanako.taps("臨時総会")
    counts = await hanako.taps("出欠の集計")
    assert "議決権のある組合員：2 人\n定足数（2/3）：2 人" in counts.text
    assert "✅ 出席：1\n📝 委任状：1\n❌ 欠席：0\n❔ 未回答：0" in counts.text
    assert "定足数に達する見込みです" in counts.text


async def test_staff_publish_a_notice_from_telegram(kyodo, person):
    today = await load(kyodo)
    at = today + timedelta(days=40)
    hanako = person(1001, "花子", "ja")
    await hanako.says("/start")
    await hanako.presses_key("📣 総会")
    await hanako.taps("お知らせを出す")
    await hanako.says("ブロック会議 / Block meeting")
    await hanako.says("港ビル / Minato building")
    await hanako.says(f"{at.year}年{at.month}月{at.day}日 18時")
    await hanako.taps("3日前")
    await hanako.taps("1/2")
    english = await hanako.says("1. 次年度の計画")
    assert "英語の議案" in english.text
    confirm = await hanako.says("1. Next year's plan")
    assert "ブロック会議" in confirm.text
    published = await hanako.taps("📣")
    assert "お知らせを出しました" in published.text

    maria = person(2002, "Maria", "en")
    await maria.says("/start")
    notices = await maria.presses_key("📣 Assembly")
    assert "Block meeting" in notices.text
    assert "Minato building" in notices.text
    notice = await maria.taps("Block meeting")
    assert "1. Next year's plan" in notice.text
    assert "次年度" not in notice.text


async def test_forged_assembly_buttons_are_refused(kyodo, person):
    await load(kyodo)
    tanaka = person(2001, "一郎", "ja")
    await tanaka.says("/start")
    counts = await tanaka.presses_data("asm:t:1")
    assert "その操作は行えません" in counts.text
    nobody = await tanaka.presses_data("asm:pm:1:999")
    assert "その操作は行えません" in nobody.text
