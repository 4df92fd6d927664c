"""What the sandbox's Telegram knows: users, chats, messages, pending updates, per bot.

Plain data plus a ``Notifier`` that wakes whoever waits for a change (a long-polling
``getUpdates``, the webhook sender, the browser page, a test). No I/O happens here.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.schema import NOT_SENT_BY_DEFAULT


def now() -> int:
    return int(time.time())


class Notifier:
    """A change counter whose waiters wake on every change."""

    def __init__(self) -> None:
        self.version = 0
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        self.version += 1
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` holds (True) or ``timeout`` seconds pass (False)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait({waiter}, timeout=remaining)
            finally:
                self._waiters.discard(waiter)
        return True


@dataclass
class ChatMessage:
    """One message in a chat, from the bot or from a simulated person, with its edits."""

    chat_id: int
    message_id: int
    from_bot: bool
    sender: dict[str, Any]
    date: int
    kind: str = "text"  # "text", "sticker", "photo", "document"
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    media: dict[str, Any] = field(default_factory=dict)
    edit_date: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row after row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def version(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "entities": copy.deepcopy(self.entities),
            "reply_markup": copy.deepcopy(self.reply_markup),
            "edit_date": self.edit_date,
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly view for the control API and the page."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "from_bot": self.from_bot,
            "sender": self.sender,
            "date": self.date,
            "kind": self.kind,
            "text": self.text,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "media": self.media,
            "edit_date": self.edit_date,
            "history": self.history,
            "deleted": self.deleted,
        }


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class Pending:
    """An update waiting for delivery. ``forced``: a redelivery, exempt from offset confirms."""

    update: dict[str, Any]
    forced: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


@dataclass
class BotState:
    user: dict[str, Any]
    pending: list[Pending] = field(default_factory=list)
    sent_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_update_id: int = 1
    allowed_updates: list[str] | None = None
    webhook: Webhook | None = None
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)
    messages: dict[int, list[ChatMessage]] = field(default_factory=dict)
    next_message_id: dict[int, int] = field(default_factory=dict)
    callback_queries: dict[str, CallbackQuery] = field(default_factory=dict)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    poller: asyncio.Future[None] | None = None
    # Called with every message the bot sends, as it arrives (benchmarks time replies this way).
    listeners: list[Callable[[ChatMessage], None]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def allows(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_SENT_BY_DEFAULT

    def enqueue(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create an update with the next id; one the bot did not ask for is never queued."""
        update = {"update_id": self.next_update_id, **body}
        self.next_update_id += 1
        self.sent_updates[update["update_id"]] = update
        pending = Pending(update)
        if self.allows(pending.kind):
            self.pending.append(pending)
        return update

    def confirm_below(self, offset: int) -> None:
        self.pending = [p for p in self.pending if p.forced or p.update_id >= offset]

    def new_message_id(self, chat_id: int) -> int:
        message_id = self.next_message_id.get(chat_id, 1)
        self.next_message_id[chat_id] = message_id + 1
        return message_id

    def add_message(self, message: ChatMessage) -> ChatMessage:
        self.messages.setdefault(message.chat_id, []).append(message)
        if message.from_bot:
            for listener in self.listeners:
                listener(message)
        return message

    def find_message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        return None


@dataclass
class World:
    """People and chats, shared by every bot the sandbox serves."""

    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    personas: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_stranger_id: int = 7_000_000_001

    def user(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Register (or update) a person from ``{"id", "first_name", "language_code", ...}``."""
        if "id" not in spec or "first_name" not in spec:
            raise ValueError("a user needs at least an id and a first_name")
        user_id = int(spec["id"])
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": str(spec["first_name"]),
        }
        for key in ("last_name", "username", "language_code"):
            if spec.get(key):
                user[key] = str(spec[key])
        self.users[user_id] = user
        return user

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        self.chats[chat["id"]] = chat
        return chat

    def group_chat(self, spec: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(spec["id"])
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = {
            "id": chat_id,
            "type": spec.get("type", "group"),
            "title": str(spec.get("title", f"Group {-chat_id}")),
        }
        self.chats[chat_id] = chat
        return chat

    def chat_for(self, chat_id: int) -> dict[str, Any]:
        """The chat with this id, made up on first use (Telegram knows every chat)."""
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            user = self.users.get(chat_id) or self.user({"id": chat_id, "first_name": "User"})
            return self.private_chat(user)
        return self.group_chat({"id": chat_id})


def telegram_message(world: World, bot: BotState, message: ChatMessage) -> dict[str, Any]:
    """The Bot API ``Message`` object for a message of this bot's chats."""
    body: dict[str, Any] = {
        "message_id": message.message_id,
        "from": bot.user if message.from_bot else message.sender,
        "chat": world.chat_for(message.chat_id),
        "date": message.date,
    }
    if message.edit_date is not None:
        body["edit_date"] = message.edit_date
    if message.kind == "text":
        body["text"] = message.text or ""
        if message.entities:
            body["entities"] = message.entities
    else:
        body.update(message.media)
        if message.text:
            body["caption"] = message.text
            if message.entities:
                body["caption_entities"] = message.entities
    if message.reply_markup and "inline_keyboard" in message.reply_markup:
        body["reply_markup"] = message.reply_markup
    return body
