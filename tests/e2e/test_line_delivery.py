"""End to end over LINE: what LINE's webhook and Messaging API make hard, through the stand-in.

A bad or missing signature stores nothing; a redelivered event is handled once; events that
arrive out of order are handled in the order they were sent; an answer whose reply token
expired goes as a push with the row's retry key; a push repeated after a kill (the row claimed
again before its sent mark was committed) is not delivered twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, update

from bot.domain.broadcasts import Audience, AudienceKind, BroadcastKind, BroadcastStatus, Draft
from bot.domain.people import NewPerson, Role
from kyodo.app import KyodoApp, open_store
from sandbox.line import events as line_events
from sandbox.line import ids
from sandbox.line.webhook import encode, sign
from sandbox.server import SandboxServer
from storage.models import InboxRow, OutboxRow
from tests.fixtures.line_kyodo import LinePerson, kyodo_with_line, settled

MEMBER = frozenset({Role.MEMBER})


@pytest.fixture
async def kyodo(sandbox: SandboxServer, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    async with kyodo_with_line(sandbox, kyodo_db) as app:
        yield app


async def inbox_rows(kyodo: KyodoApp) -> int:
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        return int(await db.scalar(select(func.count()).select_from(InboxRow)) or 0)


async def test_a_bad_or_missing_signature_is_refused_and_nothing_is_stored(kyodo, sandbox):
    hana = sandbox.line.add_person("花子")
    assert await sandbox.line.post_bad_signature(hana.user_id, "hello") == "403"
    assert await sandbox.line.post_bad_signature(hana.user_id, "hello", signature=None) == "403"
    assert await sandbox.line.post_connection_check() == "200"
    assert await inbox_rows(kyodo) == 0
    assert sandbox.line.received(hana.user_id) == []


async def test_a_redelivered_event_is_handled_once(kyodo, sandbox):
    hana = LinePerson(sandbox, kyodo, sandbox.line.add_person("花子").user_id)
    first = await hana.says("/help")
    [record] = sandbox.line.events
    again = sandbox.line.redeliver(record.id)
    await settled(sandbox, kyodo, again)
    assert again is record and record.redelivery and len(record.answers) == 2
    assert len(hana.received) == len(first)  # no second answer
    assert await inbox_rows(kyodo) == 1


async def test_events_are_handled_in_the_order_they_were_sent(kyodo, sandbox):
    """LINE may deliver a later event first: the earlier one is handled first all the same."""
    hana = sandbox.line.add_person("花子", "en")
    now = sandbox.line.clock.millis()

    def typed(text: str, at: int) -> dict:
        return line_events.event(
            "message",
            hana.user_id,
            at,
            replyToken=ids.reply_token(),
            message=line_events.text(text),
        )

    raw = encode(
        {
            "destination": sandbox.line.channel.bot_user_id,
            "events": [typed("/language", now + 1), typed("/help", now)],
        }
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            kyodo.line_webhook_url,
            data=raw,
            headers={"x-line-signature": sign(raw, sandbox.line.channel_secret)},
        ) as answer,
    ):
        assert answer.status == 200
    await settled(sandbox, kyodo)
    texts = [entry.text or "" for entry in sandbox.line.received(hana.user_id)]
    assert len(texts) == 2
    assert texts[0].startswith("Help")
    assert texts[1] == "Which language would you like?"


async def test_an_answer_after_the_reply_token_expired_is_a_push_with_a_retry_key(kyodo, sandbox):
    hana = LinePerson(sandbox, kyodo, sandbox.line.add_person("花子").user_id)
    sandbox.line.webhook_url = None  # LINE holds the event back ...
    record = sandbox.line.sends_text(hana.user_id, "/help")
    sandbox.line.clock.advance(61)  # ... past its reply token's minute
    sandbox.line.webhook_url = kyodo.line_webhook_url
    await settled(sandbox, kyodo, record)
    [answer] = hana.received
    assert answer.via == "push"
    # LINE's answers told Kyodo its time (Date): the expired token was not even tried.
    assert not sandbox.line.calls_of("replyMessage")
    [push] = sandbox.line.calls_of("pushMessage")
    assert push.status == 200 and push.retry_key is not None


async def test_a_push_repeated_after_a_kill_is_not_delivered_twice(kyodo, sandbox):
    hana = LinePerson(sandbox, kyodo, sandbox.line.add_person("花子").user_id)
    sandbox.line.webhook_url = None
    record = sandbox.line.sends_text(hana.user_id, "/help")
    sandbox.line.clock.advance(61)
    sandbox.line.webhook_url = kyodo.line_webhook_url
    await settled(sandbox, kyodo, record)
    assert [e.via for e in hana.received] == ["push"]
    # As if Kyodo had been killed between LINE's 200 and the sent mark: the row goes again.
    async with open_store(kyodo.settings) as store, store.engine.begin() as db:
        await db.execute(update(OutboxRow).values(status="pending", sent_at=None))
    assert kyodo.sender is not None
    kyodo.sender.wake()
    await settled(sandbox, kyodo)
    assert [e.via for e in hana.received] == ["push"]
    first, second = sandbox.line.calls_of("pushMessage")
    assert (first.status, second.status) == (200, 409)
    assert first.retry_key == second.retry_key


async def test_a_broadcast_reaches_line_members_by_one_multicast_per_language(kyodo, sandbox):
    line = sandbox.line
    people = {line.add_person(f"M{i}", "ja" if i % 2 else "en").user_id: i for i in range(6)}
    async with open_store(kyodo.settings) as store, store.uow() as uow:
        now = datetime.now(UTC)
        for user, number in people.items():
            language = "ja" if number % 2 else "en"
            chat_id = await uow.line.chat_for(user)
            member = NewPerson(chat_id, f"M{number}", language, now, language, MEMBER)
            await uow.people.add(member)
        await uow.broadcasts.add(
            Draft(Audience(AudienceKind.MEMBERS), BroadcastKind.NOTICE, "総会です", "AGM"),
            status=BroadcastStatus.SCHEDULED,
            created_by=None,
            created_at=now,
            send_at=now,
            coordinator_chat_id=None,
            coordinator_locale="ja",
        )
        await uow.commit()
    arrived = await line.notifier.wait_until(lambda: all(map(line.received, people)), 15)
    assert arrived, {user: line.received(user) for user in people}
    await settled(sandbox, kyodo)
    calls = line.calls_of("multicast")
    assert sorted((c.status, len(c.body["to"])) for c in calls) == [(200, 3), (200, 3)]
    assert all(c.retry_key for c in calls) and not line.calls_of("pushMessage")
    for user, number in people.items():
        texts = [e.text or "" for e in line.received(user)]
        assert any(("総会です" if number % 2 else "AGM") in text for text in texts), texts
        assert {e.via for e in line.received(user)} == {"multicast"}
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        statuses = (await db.scalars(select(OutboxRow.status))).all()
    assert statuses and set(statuses) == {"sent"}
