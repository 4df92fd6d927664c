"""Repository contract of LINE's users and webhook events (`uow.line`), on memory, SQLite and
PostgreSQL: surrogate chat ids, inbox ids that dedupe and follow event times, reply tokens
claimed once and never kept after use, and forgetting."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.channels import LINE_CHAT_BASE, LINE_UPDATE_SLOTS, Channel
from bot.ports.line import LineAddress, LineEvent, ReplyClaim
from tests.fixtures.contract import LEASE, T0, message

U1 = "U" + "1" * 32
U2 = "U" + "2" * 32
MS = int(T0.timestamp() * 1000)
GOOD = T0 + timedelta(seconds=50)


def event(name: str, millis: int = MS, chat: int | None = None, token: str | None = None):
    return LineEvent(name, millis, chat, token, GOOD if token else None)


async def test_each_line_user_has_one_chat_id_out_of_telegrams_range(uow_factory):
    async with uow_factory() as uow:
        first, again, other = (
            await uow.line.chat_for(U1),
            await uow.line.chat_for(U1),
            await uow.line.chat_for(U2),
        )
        await uow.commit()
    assert first == again != other
    assert Channel.of(first) is Channel.LINE and Channel.of(other) is Channel.LINE
    async with uow_factory() as uow:
        assert await uow.line.address(first) == LineAddress(U1, forgotten=False)
        assert await uow.line.address(other) == LineAddress(U2, forgotten=False)
        assert await uow.line.address(LINE_CHAT_BASE + 999) is None
        assert await uow.line.address(1001) is None


async def test_a_webhooks_users_get_their_chat_ids_at_once_as_one_by_one(uow_factory):
    async with uow_factory() as uow:
        known = await uow.line.chat_for(U1)
        gone = await uow.line.chat_for(U2)
        await uow.line.forget(gone)
        await uow.commit()
    async with uow_factory() as uow:
        chats = await uow.line.chats_for([U1, "U-new-1", U2, "U-new-2", U1])
        await uow.commit()
    assert list(chats) == [U1, "U-new-1", U2, "U-new-2"]
    assert chats[U1] == known and chats[U2] == gone  # the forgotten one keeps theirs
    assert len(set(chats.values())) == 4
    assert all(Channel.of(chat) is Channel.LINE for chat in chats.values())
    async with uow_factory() as uow:
        assert await uow.line.address(gone) == LineAddress(U2, forgotten=False)
        assert await uow.line.address(chats["U-new-2"]) == LineAddress("U-new-2", forgotten=False)
        assert await uow.line.chat_for("U-new-1") == chats["U-new-1"]
        assert await uow.line.chats_for([]) == {}


async def test_an_event_keeps_its_inbox_id_and_ids_follow_event_times(uow_factory):
    async with uow_factory() as uow:
        later = await uow.line.record_events([event("E-later", MS + 5)], T0)
        await uow.commit()
    async with uow_factory() as uow:
        # Arrived later, sent earlier: a smaller id, so the worker handles it first.
        ids = await uow.line.record_events(
            [event("E-a"), event("E-later", MS + 5), event("E-b"), event("E-a")], T0
        )
        await uow.commit()
    a, again_later, b, again_a = ids
    assert again_later == later[0] and again_a == a
    assert 2**52 < a < b < later[0]  # one millisecond's events in turn, above Telegram's ids
    async with uow_factory() as uow:
        assert await uow.line.record_events([event("E-b"), event("E-c", MS)], T0) == [b, b + 1]
        await uow.commit()


async def test_a_full_millisecond_spills_over_into_the_next_ones(uow_factory):
    crowd = [event(f"E{n:04d}") for n in range(LINE_UPDATE_SLOTS + 2)]
    async with uow_factory() as uow:
        ids = await uow.line.record_events(crowd, T0)
        [next_ms] = await uow.line.record_events([event("F", MS + 1)], T0)
        await uow.commit()
    assert ids == list(range(ids[0], ids[0] + LINE_UPDATE_SLOTS + 2))
    assert next_ms == ids[-1] + 1  # still after them, still unique


async def test_a_reply_token_is_claimed_once_oldest_first_and_goes_once_used(uow_factory):
    async with uow_factory() as uow:
        chat = await uow.line.chat_for(U1)
        await uow.line.record_events(
            [event("E1", MS, chat, "token-1"), event("E2", MS + 1, chat, "token-2")], T0
        )
        await uow.commit()
    now = T0 + timedelta(seconds=1)
    async with uow_factory() as uow:
        first = await uow.line.claim_reply(chat, 11, now)
        second = await uow.line.claim_reply(chat, 12, now)
        none_left = await uow.line.claim_reply(chat, 13, now)
        await uow.commit()
    assert first == ReplyClaim("token-1", again=False, fresh=True)
    assert second == ReplyClaim("token-2", again=False, fresh=True)
    assert none_left is None
    async with uow_factory() as uow:
        # A retry of row 11 finds its own claim: its first try may have arrived.
        assert await uow.line.claim_reply(chat, 11, now) == ReplyClaim("token-1", True, True)
        assert await uow.line.claim_reply(chat, 11, GOOD) == ReplyClaim("token-1", True, False)
        await uow.line.spend_reply(11, delivered=True)
        await uow.line.release_reply(12)
        await uow.commit()
    async with uow_factory() as uow:
        # Taken by LINE: a retry of row 11 knows it was delivered; the token is gone.
        assert await uow.line.claim_reply(chat, 11, now) == ReplyClaim(None, True, False, True)
        # Released: free for another row.
        assert await uow.line.claim_reply(chat, 14, now) == ReplyClaim("token-2", False, True)
        await uow.line.spend_reply(14, delivered=False)  # refused: the claim goes too
        assert await uow.line.claim_reply(chat, 14, now) is None
        await uow.commit()


async def test_expired_tokens_are_not_claimed_and_go_at_the_prune(uow_factory):
    async with uow_factory() as uow:
        chat = await uow.line.chat_for(U1)
        await uow.line.record_events([event("E1", MS, chat, "token-1")], T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.line.claim_reply(chat, 11, GOOD) is None
        assert await uow.line.prune(GOOD, T0 - timedelta(days=3)) == 1
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.line.claim_reply(chat, 11, T0) is None  # the token is gone
        # The event is remembered (a redelivery is still a repeat) until it is old.
        [kept] = await uow.line.record_events([event("E1")], T0)
        assert await uow.line.prune(GOOD, T0 + timedelta(seconds=1)) == 1
        [new] = await uow.line.record_events([event("E1")], T0)
    assert new == kept  # the same time and slot: a new row with the same id


async def test_a_forgotten_user_is_kept_only_until_nothing_is_on_its_way(uow_factory):
    async with uow_factory() as uow:
        chat = await uow.line.chat_for(U1)
        other = await uow.line.chat_for(U2)
        await uow.line.record_events([event("E1", MS, chat, "token-1")], T0)
        await uow.line.forget(chat)
        await uow.outbox.add(message("さようなら", chat_id=chat), T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.line.address(chat) == LineAddress(U1, forgotten=True)
        assert await uow.line.claim_reply(chat, 11, T0) is None  # its events went
        assert await uow.line.prune(T0, T0 - timedelta(days=3)) == 0  # the farewell waits
        assert not await uow.line.drop_forgotten(other)
        [farewell] = await uow.outbox.claim(T0, T0 + LEASE, 10)
        await uow.outbox.mark_sent(farewell.id, T0, None)
        assert await uow.line.prune(T0, T0 - timedelta(days=3)) == 1
        assert await uow.line.address(chat) is None
        assert await uow.line.address(other) == LineAddress(U2, forgotten=False)
        await uow.commit()


async def test_a_forgotten_user_who_writes_again_keeps_the_chat_id(uow_factory):
    async with uow_factory() as uow:
        chat = await uow.line.chat_for(U1)
        await uow.line.forget(chat)
        assert await uow.line.chat_for(U1) == chat
        assert await uow.line.address(chat) == LineAddress(U1, forgotten=False)
        assert not await uow.line.drop_forgotten(chat)
        await uow.line.forget(chat)
        assert await uow.line.drop_forgotten(chat)
        assert await uow.line.address(chat) is None
        await uow.commit()
