"""Sending: reply, push, multicast and broadcast, with reply tokens, retry keys and the quota.

A reply spends its token (one use, within the token's life) and is free. Push, multicast and
broadcast count against the quota per person reached; with ``X-Line-Retry-Key`` a repeat of an
accepted request answers 409 (with the first request's id and, for a push, its
``sentMessages``) and delivers nothing. The order of checks: retry key, then quota, then
delivery, so that a repeat is a 409 even once the quota is spent. People who blocked the account
receive nothing and cost nothing; an unknown recipient of a push is an error, of a multicast is
skipped, as LINE does.
"""

from __future__ import annotations

from typing import Any

from sandbox.line import ids
from sandbox.line.context import Answer, ApiCall, Handler, Services
from sandbox.line.errors import LineError, invalid_reply_token, retry_key_accepted


def _repeat(services: Services, call: ApiCall) -> None:
    key = call.retry_key
    if key is None:
        return
    accepted = services.channel.accepted(key)
    if accepted is not None:
        services.record.stats["retry_key_conflicts"] += 1
        raise retry_key_accepted(accepted.request_id, accepted.sent)


def _accept(services: Services, call: ApiCall, sent: list[dict[str, Any]]) -> None:
    if call.retry_key is not None:
        services.channel.accept(call.retry_key, call.request_id, sent)


def _send(services: Services, user_ids: list[str], messages: list[Any], via: str) -> int:
    """Deliver to each person once; the number reached (the quota is spent before)."""
    channel = services.channel
    for user_id in user_ids:
        channel.deliver(user_id, messages, via)
    services.record.stats[f"{via}_messages"] += len(messages) * len(user_ids)
    return len(user_ids)


def _reachable(services: Services, user_ids: list[str]) -> list[str]:
    people = services.channel.people
    unique = list(dict.fromkeys(user_ids))
    return [u for u in unique if u in people and people[u].friend]


async def reply(services: Services, call: ApiCall) -> Answer:
    token, why = services.channel.use_reply_token(str(call.body["replyToken"]))
    if token is None:
        services.record.stats[f"reply_token_{why}"] += 1
        raise invalid_reply_token()
    messages = call.body["messages"]
    if token.user_id not in _reachable(services, [token.user_id]):
        return Answer(body={"sentMessages": [{"id": ids.message_id()} for _ in messages]})
    sent = services.channel.deliver(token.user_id, messages, "reply")
    services.record.stats["reply_messages"] += len(messages)
    return Answer(body={"sentMessages": sent})


async def push(services: Services, call: ApiCall) -> Answer:
    _repeat(services, call)
    to = str(call.body["to"])
    messages = call.body["messages"]
    if to not in services.channel.people:
        raise LineError(400, "Failed to send messages")
    if not _reachable(services, [to]):
        services.record.stats["sent_to_blocked"] += 1
        sent = [{"id": ids.message_id()} for _ in messages]
    else:
        services.quota.spend(1)
        sent = services.channel.deliver(to, messages, "push")
        services.record.stats["push_messages"] += len(messages)
    _accept(services, call, sent)
    return Answer(body={"sentMessages": sent})


async def multicast(services: Services, call: ApiCall) -> Answer:
    _repeat(services, call)
    reached = _reachable(services, [str(u) for u in call.body["to"]])
    services.quota.spend(len(reached))
    _send(services, reached, call.body["messages"], "multicast")
    _accept(services, call, [])
    return Answer(body={})


async def broadcast(services: Services, call: ApiCall) -> Answer:
    _repeat(services, call)
    reached = [p.user_id for p in services.channel.people.values() if p.friend]
    services.quota.spend(len(reached))
    _send(services, reached, call.body["messages"], "broadcast")
    _accept(services, call, [])
    return Answer(body={})


async def validated(services: Services, call: ApiCall) -> Answer:
    """The validate endpoints: the body was checked on arrival; a 400 there is their answer."""
    return Answer(body={})


HANDLERS: dict[str, Handler] = {
    "replyMessage": reply,
    "pushMessage": push,
    "multicast": multicast,
    "broadcast": broadcast,
    "validateReply": validated,
    "validatePush": validated,
    "validateMulticast": validated,
    "validateBroadcast": validated,
    "validateNarrowcast": validated,
}
# The validate endpoints answer 400 to a bad message by design: not a bug of the bot.
VALIDATION_ONLY = frozenset(name for name in HANDLERS if name.startswith("validate"))
