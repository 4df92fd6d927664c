"""Simulated people: what they send to a bot becomes updates, exactly as Telegram shapes them."""

from __future__ import annotations

import re
import secrets
from typing import Any

from sandbox.entities import utf16_len
from sandbox.state import (
    BotState,
    CallbackQuery,
    ChatMessage,
    Notifier,
    Pending,
    World,
    now,
    telegram_message,
)

_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,64})?")


class People:
    def __init__(self, world: World, notifier: Notifier) -> None:
        self.world = world
        self.notifier = notifier

    def _chat(self, user: dict[str, Any], chat: dict[str, Any] | None) -> dict[str, Any]:
        return self.world.private_chat(user) if chat is None else self.world.group_chat(chat)

    def _message(
        self,
        bot: BotState,
        user_spec: dict[str, Any],
        chat_spec: dict[str, Any] | None,
        kind: str,
        text: str | None,
        entities: list[dict[str, Any]],
        media: dict[str, Any],
        text_key: str,
    ) -> dict[str, Any]:
        user = self.world.user(user_spec)
        chat = self._chat(user, chat_spec)
        message = bot.add_message(
            ChatMessage(
                chat_id=chat["id"],
                message_id=bot.new_message_id(chat["id"]),
                from_bot=False,
                sender=user,
                date=now(),
                kind=kind,
                text=text,
                entities=entities,
                media=media,
            )
        )
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "from": user,
            "chat": chat,
            "date": message.date,
            **media,
        }
        if text is not None:
            body[text_key] = text
            if entities:
                body["entities" if text_key == "text" else "caption_entities"] = entities
        update = bot.enqueue({"message": body})
        self.notifier.notify()
        return update

    def sends(
        self, bot: BotState, user: dict[str, Any], text: str, chat: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A person types ``text``; a leading command gets its ``bot_command`` entity."""
        if not text:
            raise ValueError("Telegram does not send empty messages")
        entities = []
        match = _COMMAND.match(text)
        if match:
            entities.append(
                {"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}
            )
        return self._message(bot, user, chat, "text", text, entities, {}, "text")

    def sends_sticker(
        self,
        bot: BotState,
        user: dict[str, Any],
        emoji: str = "👍",
        chat: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        unique = secrets.token_hex(6)
        sticker = {
            "file_id": f"sticker-{unique}",
            "file_unique_id": unique,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._message(bot, user, chat, "sticker", None, [], {"sticker": sticker}, "text")

    def sends_photo(
        self,
        bot: BotState,
        user: dict[str, Any],
        caption: str | None = None,
        chat: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        unique = secrets.token_hex(6)
        photo = [
            {
                "file_id": f"photo-{unique}-{size}",
                "file_unique_id": f"{unique}{size}",
                "width": size,
                "height": size,
                "file_size": size * 40,
            }
            for size in (90, 320, 1280)
        ]
        return self._message(bot, user, chat, "photo", caption, [], {"photo": photo}, "caption")

    def presses(
        self,
        bot: BotState,
        user_spec: dict[str, Any],
        message_id: int,
        callback_data: str,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """A person taps a button of a bot message. ``callback_data`` is not checked against the
        message's buttons, so tests can forge it as a malicious client could."""
        user = self.world.user(user_spec)
        chat_id = user["id"] if chat_id is None else chat_id
        message = bot.find_message(chat_id, message_id)
        if message is None or not message.from_bot:
            raise LookupError(f"no bot message {message_id} in chat {chat_id}")
        query_id = str(secrets.randbits(62))
        bot.callback_queries[query_id] = CallbackQuery(
            query_id, user["id"], chat_id, message_id, callback_data
        )
        message_body = telegram_message(self.world, bot, message)
        update = bot.enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message_body,
                    "chat_instance": str(abs(hash((bot.id, chat_id))) % 10**18),
                    "data": callback_data,
                }
            }
        )
        self.notifier.notify()
        return update

    def redeliver(self, bot: BotState, update_id: int) -> dict[str, Any]:
        """Deliver an update once more, as Telegram does when it missed the confirmation."""
        update = bot.sent_updates.get(update_id)
        if update is None:
            raise LookupError(f"no update {update_id}")
        bot.pending.append(Pending(update, forced=True))
        self.notifier.notify()
        return update
