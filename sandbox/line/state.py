"""What the LINE stand-in knows: one channel's people, chats, tokens, rich menus and content.

Plain data and the bookkeeping on it (who received what, which reply token is still good,
which retry key was accepted); no I/O. ``notifier`` wakes whoever waits for a change (the
webhook sender, the page's long poll, a test).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sandbox.line import ids
from sandbox.line.clock import Clock
from sandbox.state import Notifier

REPLY_TOKEN_TTL = 60.0  # seconds: "about a minute" in LINE's documentation
RETRY_KEY_TTL = 24 * 3600.0
QUOTABLE = frozenset({"text", "textV2", "sticker", "image", "video"})


@dataclass
class Person:
    """A simulated LINE user; ``friend`` False before they add the account or once they block
    it (``blocked``)."""

    user_id: str
    display_name: str
    language: str = "ja"
    picture_url: str | None = None
    status_message: str | None = None
    friend: bool = True
    blocked: bool = False
    rich_menu_id: str | None = None

    def profile(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "displayName": self.display_name,
            "userId": self.user_id,
            "language": self.language,
        }
        if self.picture_url:
            body["pictureUrl"] = self.picture_url
        if self.status_message:
            body["statusMessage"] = self.status_message
        return body

    def to_dict(self) -> dict[str, Any]:
        return {**self.profile(), "friend": self.friend, "richMenuId": self.rich_menu_id}


@dataclass
class ChatEntry:
    """One message in a person's chat with the account: theirs, or the bot's as sent."""

    id: str
    sender: str  # "person" or "bot"
    message: dict[str, Any]
    at: int  # milliseconds, the stand-in's clock
    via: str | None = None  # the bot's: "reply", "push", "multicast" or "broadcast"
    quote_token: str | None = None
    quick_reply_used: bool = False

    @property
    def text(self) -> str | None:
        value = self.message.get("text")
        return value if isinstance(value, str) else None

    @property
    def quick_reply(self) -> list[dict[str, Any]]:
        return list((self.message.get("quickReply") or {}).get("items") or [])

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sender": self.sender,
            "message": self.message,
            "at": self.at,
            "via": self.via,
            "quickReplyUsed": self.quick_reply_used,
        }


@dataclass
class ReplyToken:
    token: str
    user_id: str
    issued: float
    webhook_event_id: str
    used: bool = False


@dataclass
class Accepted:
    """A request accepted with a retry key: a repeat within a day answers 409."""

    request_id: str
    at: float
    sent: list[dict[str, Any]]


@dataclass
class RichMenu:
    id: str
    body: dict[str, Any]
    image: bytes | None = None
    image_type: str | None = None

    def response(self) -> dict[str, Any]:
        return {"richMenuId": self.id, **copy.deepcopy(self.body)}


@dataclass
class Content:
    """What a person sent as an image or a voice message, served by the content API."""

    data: bytes
    content_type: str


@dataclass
class Channel:
    """One Messaging API channel (one LINE Official Account) and the people around it."""

    clock: Clock
    notifier: Notifier
    bot_user_id: str
    bot_name: str = "Kyodo"
    basic_id: str = "@kyodo"
    webhook_url: str | None = None
    people: dict[str, Person] = field(default_factory=dict)
    chats: dict[str, list[ChatEntry]] = field(default_factory=dict)
    reply_tokens: dict[str, ReplyToken] = field(default_factory=dict)
    retry_keys: dict[str, Accepted] = field(default_factory=dict)
    rich_menus: dict[str, RichMenu] = field(default_factory=dict)
    default_rich_menu: str | None = None
    contents: dict[str, Content] = field(default_factory=dict)
    reply_token_ttl: float = REPLY_TOKEN_TTL

    # -- people --------------------------------------------------------------------------------

    def person(self, user_id: str) -> Person:
        person = self.people.get(user_id)
        if person is None:
            raise LookupError(f"no LINE person {user_id}: add them first")
        return person

    def chat(self, user_id: str) -> list[ChatEntry]:
        return self.chats.setdefault(user_id, [])

    def effective_rich_menu(self, user_id: str) -> RichMenu | None:
        """The menu a person sees: theirs if linked, else the default (LINE's precedence)."""
        person = self.people.get(user_id)
        menu_id = (person.rich_menu_id if person else None) or self.default_rich_menu
        return self.rich_menus.get(menu_id) if menu_id else None

    # -- reply tokens --------------------------------------------------------------------------

    def issue_reply_token(self, user_id: str, webhook_event_id: str) -> str:
        token = ids.reply_token()
        self.reply_tokens[token] = ReplyToken(token, user_id, self.clock.now(), webhook_event_id)
        return token

    def use_reply_token(self, token: str) -> tuple[ReplyToken | None, str]:
        """The token's person, or None and why not: "unknown", "used" or "expired"."""
        found = self.reply_tokens.get(token)
        if found is None:
            return None, "unknown"
        if found.used:
            return None, "used"
        if self.clock.now() - found.issued > self.reply_token_ttl:
            return None, "expired"
        found.used = True
        return found, "ok"

    # -- retry keys ----------------------------------------------------------------------------

    def accepted(self, key: str) -> Accepted | None:
        found = self.retry_keys.get(key)
        if found is not None and self.clock.now() - found.at > RETRY_KEY_TTL:
            del self.retry_keys[key]
            return None
        return found

    def accept(self, key: str, request_id: str, sent: list[dict[str, Any]]) -> None:
        self.retry_keys[key] = Accepted(request_id, self.clock.now(), sent)

    # -- delivery ------------------------------------------------------------------------------

    def deliver(
        self, user_id: str, messages: list[dict[str, Any]], via: str
    ) -> list[dict[str, Any]]:
        """Put the bot's messages in a person's chat; LINE's ``sentMessages`` for them."""
        sent: list[dict[str, Any]] = []
        chat = self.chat(user_id)
        for message in messages:
            entry = ChatEntry(
                ids.message_id(), "bot", copy.deepcopy(message), self.clock.millis(), via
            )
            record: dict[str, Any] = {"id": entry.id}
            if message.get("type") in QUOTABLE:
                entry.quote_token = record["quoteToken"] = ids.quote_token()
            chat.append(entry)
            sent.append(record)
        self.notifier.notify()
        return sent

    def add_person_message(self, user_id: str, message: dict[str, Any]) -> ChatEntry:
        entry = ChatEntry(str(message["id"]), "person", message, self.clock.millis())
        self.chat(user_id).append(entry)
        self.notifier.notify()
        return entry
