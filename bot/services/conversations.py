"""Conversations with the staff: a person writes (or sends a photo or voice note), staff answer.

One function per use case, one transaction each; every door (Telegram, the desk) calls these.
Staff see and answer the conversations of the people in their scope (bot.services.access): the
staff of the person's centres, and staff of the whole co-op (coordinators, admins) for everyone,
strangers included. Every look at a conversation, every answer and every file handed to a staff
member is audited (ids only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.conversations import (
    TEXT_LIMIT,
    Conversation,
    ConversationMessage,
    Direction,
    MediaKind,
)
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.events import ConversationAnswered, ConversationWritten
from bot.domain.people import STAFF_ROLES, Actor, Person, Role
from bot.domain.scope import Scope, is_whole_coop
from bot.ports.store import UnitOfWork
from bot.services import access

REFUSED = "conversations.refused"
_SCAN = 500  # conversations looked at for one staff member's list (a co-op waits on far fewer)


@dataclass(frozen=True)
class Thread:
    """A conversation and its messages, as staff read it."""

    conversation: Conversation
    messages: Sequence[ConversationMessage]


def check_text(text: str, *, required: bool) -> str:
    """A message's text within `TEXT_LIMIT` characters (refused, never cut)."""
    text = text.strip()
    if required and not text:
        raise InvalidInput("empty")
    if len(text) > TEXT_LIMIT:
        raise InvalidInput("too_long", length=len(text), limit=TEXT_LIMIT)
    return text


async def write(
    uow: UnitOfWork,
    actor: Actor,
    chat_id: int,
    name: str,
    text: str,
    now: datetime,
    *,
    media: MediaKind | None = None,
    file_id: str | None = None,
) -> ConversationMessage:
    """The person in `chat_id` writes to the staff (anyone may: strangers too). `name`: how
    Telegram knows a stranger; a known person is named as Kyodo knows them."""
    text = check_text(text, required=file_id is None)
    person = None if actor.person_id is None else await uow.people.get(actor.person_id)
    shown = person.display_name if person is not None else (name.strip() or "?")[:200]
    conversation = await uow.conversations.open_for(
        chat_id, actor.person_id, shown, actor.locale, now
    )
    message = await uow.conversations.add_message(
        conversation.id,
        Direction.IN,
        None,
        text,
        now,
        None if file_id is None else (media or MediaKind.OTHER),
        file_id,
    )
    uow.record(ConversationWritten(now, conversation.id, message.id))
    return message


async def _scope_covers(uow: UnitOfWork, scope: Scope, conversation: Conversation) -> bool:
    """A stranger's conversation, or that of a person of no centre, is the whole co-op's."""
    if scope.is_whole:
        return True
    if conversation.person_id is None:
        return False
    return scope.covers_any(await uow.memberships.centres_of(conversation.person_id))


async def _in_scope(
    uow: UnitOfWork, actor: Actor, now: datetime, conversation_id: int, action: str
) -> Conversation:
    await access.require_staff(
        uow, actor, now, refused=REFUSED, subject=f"conversation:{conversation_id}"
    )
    conversation = await uow.conversations.get(conversation_id)
    if conversation is None:
        raise NotFound("conversation_gone")
    if not await _scope_covers(uow, await access.scope_of(uow, actor), conversation):
        await access.refuse(uow, actor, now, REFUSED, f"conversation:{conversation_id}")
    await uow.audit.add(now, actor.person_id, action, f"conversation:{conversation_id}", None)
    return conversation


async def thread(uow: UnitOfWork, actor: Actor, now: datetime, conversation_id: int) -> Thread:
    """A conversation with its messages, for a staff member in scope (the look is audited)."""
    conversation = await _in_scope(uow, actor, now, conversation_id, "conversation.viewed")
    return Thread(conversation, await uow.conversations.messages(conversation_id))


async def answer(
    uow: UnitOfWork, actor: Actor, now: datetime, conversation_id: int, text: str
) -> ConversationMessage:
    """A staff member answers; Kyodo carries it to the person (ConversationAnswered)."""
    text = check_text(text, required=True)
    await _in_scope(uow, actor, now, conversation_id, "conversation.answered")
    message = await uow.conversations.add_message(
        conversation_id, Direction.OUT, actor.person_id, text, now
    )
    await uow.conversations.answered(conversation_id, now)
    uow.record(ConversationAnswered(now, conversation_id, message.id))
    return message


async def media_for_staff(
    uow: UnitOfWork, actor: Actor, now: datetime, message_id: int
) -> ConversationMessage:
    """A photo or voice note a person sent, for one staff member in scope to see or hear (the
    hand-over is audited: which file, to whom)."""
    await access.require_staff(uow, actor, now, refused=REFUSED, subject=f"message:{message_id}")
    message = await uow.conversations.message(message_id)
    if message is None or message.file_id is None:
        raise NotFound("conversation_gone")
    await _in_scope(uow, actor, now, message.conversation_id, "conversation.media_handed")
    return message


async def waiting(
    uow: UnitOfWork, actor: Actor, now: datetime, limit: int = 50
) -> list[Conversation]:
    """Conversations waiting for an answer that the staff member may answer, longest first."""
    await access.require_staff(uow, actor, now, refused=REFUSED, subject="conversations")
    scope = await access.scope_of(uow, actor)
    found = [
        c for c in await uow.conversations.waiting(_SCAN) if await _scope_covers(uow, scope, c)
    ]
    return found[:limit]


async def recent(
    uow: UnitOfWork, actor: Actor, now: datetime, limit: int = 100
) -> list[Conversation]:
    """Every conversation the staff member may see, the latest first (the desk's list)."""
    await access.require_staff(uow, actor, now, refused=REFUSED, subject="conversations")
    scope = await access.scope_of(uow, actor)
    found = [c for c in await uow.conversations.recent(_SCAN) if await _scope_covers(uow, scope, c)]
    return found[:limit]


async def staff_of(uow: UnitOfWork, conversation: Conversation) -> list[Person]:
    """The staff who look after this conversation's person: those whose scope covers them,
    reachable in a private chat."""
    centres = (
        frozenset()
        if conversation.person_id is None
        else await uow.memberships.centres_of(conversation.person_id)
    )
    found: dict[int, Person] = {}
    for role in sorted(STAFF_ROLES):
        for person in await uow.people.with_role(Role(role)):
            if person.telegram_user_id is None or person.unreachable:
                continue
            if not is_whole_coop(person.roles):
                theirs = await uow.memberships.centres_of(person.id)
                if not Scope.of(theirs).covers_any(centres):
                    continue
            found[person.id] = person
    return [found[k] for k in sorted(found)]
