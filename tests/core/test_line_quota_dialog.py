"""Transcripts: composing a broadcast shows what it costs of LINE's monthly messages and what is
left, as LINE's stand-in tells it (GET quota, quota/consumption); one that would go past it is
not started, and staff may choose fewer people (bot/services/line_quota.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.domain.people import NewPerson, Role
from handlers.line.client import LineClient
from handlers.line.quota import LineQuotaReader
from sandbox.line.standin import LineStandIn
from tests.fixtures.people import HANAKO, demo

LINE_MEMBERS = 3  # besides the demo co-op's two members on Telegram


@pytest.fixture
async def line_chat(chat, memory_store, clock, line: LineStandIn) -> AsyncIterator[object]:
    await demo(memory_store, clock)
    async with memory_store.uow() as uow:
        for number in range(LINE_MEMBERS):
            user = line.add_person(f"L{number}", "ja").user_id
            chat_id = await uow.line.chat_for(user)
            await uow.people.add(
                NewPerson(chat_id, f"L{number}", "ja", clock.now(), "ja", frozenset({Role.MEMBER}))
            )
        await uow.commit()
    client = LineClient(line.access_token, line.api_base_url)
    quota = LineQuotaReader(client)
    chat.conversation.settings = replace(chat.conversation.settings, line_quota=quota)
    try:
        yield chat
    finally:
        await client.close()


async def compose(chat, audience: str = "bc:a:members"):
    await chat.send(HANAKO, "/broadcast")
    await chat.press(HANAKO, audience)
    await chat.press(HANAKO, "bc:k:notice")
    await chat.send(HANAKO, "総会のお知らせです")
    return await chat.send(HANAKO, "General assembly notice")


def broadcasts(store) -> list[object]:
    return list(store.state.broadcasts.values())


async def test_the_preview_says_what_it_costs_on_line_and_what_is_left(
    line_chat, line: LineStandIn, memory_store
):
    line.quota.spend(50)  # this month's pushes so far (the Communication plan: 200)
    preview = await compose(line_chat)
    assert "5 人に届きます" in preview.text  # two on Telegram, three on LINE
    assert (
        "LINE: この連絡は LINE のメッセージ 3 通になります（今月の残り 150 通／上限 200 通）"
        in (preview.text)
    )
    assert {"bc:now", "bc:later"} <= {data for _, data in preview.buttons}
    started = await line_chat.press(HANAKO, "bc:now")
    assert "#1 を 5 人に送ります" in started.text
    assert len(broadcasts(memory_store)) == 1


@pytest.mark.line_options(quota=None)
async def test_a_plan_without_a_limit_says_so(line_chat, line: LineStandIn):
    preview = await compose(line_chat)
    assert "LINE のメッセージ 3 通になります（上限のないプランです。今月の送信 0 通）" in (
        preview.text
    )


async def test_a_broadcast_beyond_the_months_quota_is_not_offered_for_sending(
    line_chat, line: LineStandIn, memory_store
):
    line.quota.spend(198)  # 2 left, 3 needed
    preview = await compose(line_chat)
    assert "今月の残り 2 通／上限 200 通" in preview.text
    assert "今月の LINE メッセージの残り（2 通）では足りないため、送信できません" in preview.text
    assert "送る相手を選び直すか、中止してください" in preview.text
    offered = {data for _, data in preview.buttons}
    assert "bc:now" not in offered and "bc:later" not in offered
    narrower = await line_chat.press_shown(HANAKO, "bc")  # choose other recipients
    assert "だれに送りますか" in narrower.text
    assert broadcasts(memory_store) == []


async def test_a_quota_spent_between_the_preview_and_send_stops_the_start(
    line_chat, line: LineStandIn, memory_store
):
    preview = await compose(line_chat)
    assert "今月の残り 200 通" in preview.text
    line.quota.spend(199)  # others' pushes meanwhile: 1 left
    refused = await line_chat.press(HANAKO, "bc:now")
    assert "残り（1 通）では足りないため、送信できません" in refused.text
    assert broadcasts(memory_store) == []
    assert line.quota.used == 199  # nothing was sent
