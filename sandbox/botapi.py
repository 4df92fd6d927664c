"""The Bot API methods themselves, applied to the sandbox's state.

Parameters arrive validated and decoded. Errors a correct client can meet in normal operation
(a message that is not modified, a query that is too old, a blocked user, a conflict) are raised
as ``ApiError`` without the violation mark.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.entities import EntityParseError, plain_text
from sandbox.errors import ApiError, bad_request
from sandbox.faults import FaultInjector
from sandbox.state import (
    BotState,
    ChatMessage,
    Notifier,
    Webhook,
    World,
    now,
    telegram_message,
)
from sandbox.validation import UploadedFile

_SECRET_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


def _state_error(detail: str) -> ApiError:
    return bad_request(detail, violation=False)


# The file ids the sandbox hands out (photo-<hex>-<size>, document-<hex>, ...): getFile knows them.
SANDBOX_FILE = re.compile(r"(photo|document|sticker|voice|audio)-[0-9a-f]{16}(-[0-9]{1,4})?")


def file_bytes(file_id: str) -> bytes:
    """The stand-in contents of a sandbox file: the same bytes for the same id, every time."""
    return f"sandbox file {file_id}\n".encode() * 64


class BotApi:
    def __init__(
        self,
        world: World,
        notifier: Notifier,
        faults: FaultInjector,
        stats: Counter[str],
        on_webhook_change: Callable[[BotState], Awaitable[None]],
        *,
        strict_chats: bool = False,
    ) -> None:
        self.world = world
        self.notifier = notifier
        self.faults = faults
        self.stats = stats
        self.on_webhook_change = on_webhook_change
        self.strict_chats = strict_chats

    async def call(self, bot: BotState, method: str, params: dict[str, Any]) -> Any:
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            raise bad_request(f"method {method} is not implemented by the sandbox")
        result = await handler(bot, params)
        self.notifier.notify()
        return result

    # -- helpers -------------------------------------------------------------------------------

    def message_dict(self, bot: BotState, message: ChatMessage) -> dict[str, Any]:
        return telegram_message(self.world, bot, message)

    def _chat_id(self, raw: Any) -> int:
        if isinstance(raw, str) and raw.lstrip("-").isdigit():
            raw = int(raw)
        if not isinstance(raw, int) or (self.strict_chats and raw not in self.world.chats):
            raise _state_error("chat not found")
        return raw

    def _reachable(self, chat_id: int) -> dict[str, Any]:
        chat = self.world.chat_for(chat_id)
        if chat["type"] == "private" and chat_id in self.faults.blocked_users:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    @staticmethod
    def _rendered(params: dict[str, Any], key: str) -> tuple[str, list[dict[str, Any]]]:
        try:
            text, entities = plain_text(params.get(key, ""), params.get("parse_mode"))
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from error
        if "entities" in params or "caption_entities" in params:
            entities = params.get("entities") or params.get("caption_entities") or []
        return text, entities

    def _send(
        self,
        bot: BotState,
        params: dict[str, Any],
        kind: str,
        text: str | None,
        entities: list[dict[str, Any]],
        media: dict[str, Any],
    ) -> dict[str, Any]:
        chat_id = self._chat_id(params["chat_id"])
        self._reachable(chat_id)
        message = bot.add_message(
            ChatMessage(
                chat_id=chat_id,
                message_id=bot.new_message_id(chat_id),
                from_bot=True,
                sender=bot.user,
                date=now(),
                kind=kind,
                text=text,
                entities=entities,
                reply_markup=params.get("reply_markup"),
                media=media,
            )
        )
        self.stats["messages_sent"] += 1
        return self.message_dict(bot, message)

    def _own_message(self, bot: BotState, params: dict[str, Any], verb: str) -> ChatMessage:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the sandbox")
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request("chat_id and message_id are required without inline_message_id")
        message = bot.find_message(self._chat_id(params["chat_id"]), params["message_id"])
        if message is None or (verb == "edit" and not message.from_bot):
            raise _state_error(f"message to {verb} not found")
        return message

    # -- methods -------------------------------------------------------------------------------

    async def _getMe(self, bot: BotState, params: dict[str, Any]) -> Any:
        return bot.user

    async def _logOut(self, bot: BotState, params: dict[str, Any]) -> Any:
        return True

    async def _close(self, bot: BotState, params: dict[str, Any]) -> Any:
        return True

    async def _getUpdates(self, bot: BotState, params: dict[str, Any]) -> Any:
        if bot.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        limit = params.get("limit", 100)
        if not 1 <= limit <= 100:
            limit = 100
        if "allowed_updates" in params:
            bot.allowed_updates = params["allowed_updates"] or None
        offset = params.get("offset")
        if offset is not None and offset < 0:
            keep = bot.pending[offset:] if -offset < len(bot.pending) else bot.pending
            bot.pending = list(keep)
        elif offset is not None:
            bot.confirm_below(offset)
        # Telegram answers an earlier poll with 409 when a newer one arrives for the same bot.
        if bot.poller is not None and not bot.poller.done():
            bot.poller.set_result(None)
        poller: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        bot.poller = poller
        timeout = max(0, min(params.get("timeout", 0), 50))

        def ready() -> bool:
            return bool(self._deliverable(bot)) or poller.done()

        await self.notifier.wait_until(ready, timeout)
        if poller.done():
            self.stats["conflicts"] += 1
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure "
                "that only one bot instance is running",
            )
        poller.cancel()
        if bot.poller is poller:
            bot.poller = None
        chosen = self._deliverable(bot)[:limit]
        # A redelivered update goes out once more, then it is gone again.
        bot.pending = [p for p in bot.pending if not (p.forced and p in chosen)]
        self.stats["updates_delivered_by_polling"] += len(chosen)
        return [p.update for p in chosen]

    @staticmethod
    def _deliverable(bot: BotState) -> list[Any]:
        # Like Telegram, allowed_updates filters updates created after it was set; ones already
        # queued still go out.
        return sorted(bot.pending, key=lambda p: (not p.forced, p.update_id))

    async def _setWebhook(self, bot: BotState, params: dict[str, Any]) -> Any:
        url = params["url"]
        if params.get("drop_pending_updates"):
            bot.pending.clear()
        if "allowed_updates" in params:
            bot.allowed_updates = params["allowed_updates"] or None
        if url == "":
            bot.webhook = None
        else:
            if not url.startswith(("http://", "https://")):
                raise bad_request("bad webhook: invalid URL")
            secret = params.get("secret_token")
            if secret is not None and not set(secret) <= _SECRET_TOKEN_CHARS:
                raise bad_request("secret token contains unallowed characters")
            max_connections = params.get("max_connections", 40)
            if not 1 <= max_connections <= 100:
                raise bad_request("bad webhook: max_connections must be 1-100")
            bot.webhook = Webhook(url, secret, max_connections)
            if bot.poller is not None and not bot.poller.done():
                bot.poller.set_result(None)
        await self.on_webhook_change(bot)
        return True

    async def _deleteWebhook(self, bot: BotState, params: dict[str, Any]) -> Any:
        if params.get("drop_pending_updates"):
            bot.pending.clear()
        bot.webhook = None
        await self.on_webhook_change(bot)
        return True

    async def _getWebhookInfo(self, bot: BotState, params: dict[str, Any]) -> Any:
        hook = bot.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(bot.pending),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        if bot.allowed_updates:
            info["allowed_updates"] = bot.allowed_updates
        return info

    async def _sendMessage(self, bot: BotState, params: dict[str, Any]) -> Any:
        text, entities = self._rendered(params, "text")
        return self._send(bot, params, "text", text, entities, {})

    async def _sendPhoto(self, bot: BotState, params: dict[str, Any]) -> Any:
        caption, entities = self._rendered(params, "caption")
        unique = secrets.token_hex(8)
        photo = [
            {
                "file_id": f"photo-{unique}-{size}",
                "file_unique_id": f"{unique}{size}",
                "width": size,
                "height": size,
            }
            for size in (90, 320, 800)
        ]
        if isinstance(params["photo"], UploadedFile):  # its size, as Telegram tells it
            photo[-1]["file_size"] = params["photo"].size
        return self._send(bot, params, "photo", caption or None, entities, {"photo": photo})

    async def _sendVoice(self, bot: BotState, params: dict[str, Any]) -> Any:
        caption, entities = self._rendered(params, "caption")
        voice = params["voice"]
        file_id = voice if isinstance(voice, str) else f"voice-{secrets.token_hex(8)}"
        unique = file_id.split("-")[1] if file_id.startswith("voice-") else secrets.token_hex(8)
        found: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique, "duration": 1}
        if isinstance(voice, UploadedFile):
            found["file_size"] = voice.size
        return self._send(bot, params, "voice", caption or None, entities, {"voice": found})

    async def _getFile(self, bot: BotState, params: dict[str, Any]) -> Any:
        """A file the sandbox handed out (a person's photo, voice note, sticker or a document):
        its path under /file/bot<token>/, where its stand-in bytes are served."""
        file_id = str(params["file_id"])
        if not SANDBOX_FILE.fullmatch(file_id):
            raise bad_request("invalid file_id", violation=False)
        return {
            "file_id": file_id,
            "file_unique_id": file_id.split("-")[1],
            "file_size": len(file_bytes(file_id)),
            "file_path": f"{file_id.split('-')[0]}s/{file_id}",
        }

    async def _sendDocument(self, bot: BotState, params: dict[str, Any]) -> Any:
        caption, entities = self._rendered(params, "caption")
        upload = params["document"]
        name = getattr(upload, "filename", None) or "document"
        unique = secrets.token_hex(8)
        document = {
            "file_id": f"document-{unique}",
            "file_unique_id": unique,
            "file_name": name,
            "file_size": getattr(upload, "size", 0),
        }
        return self._send(
            bot, params, "document", caption or None, entities, {"document": document}
        )

    async def _sendChatAction(self, bot: BotState, params: dict[str, Any]) -> Any:
        self._reachable(self._chat_id(params["chat_id"]))
        return True

    async def _editMessageText(self, bot: BotState, params: dict[str, Any]) -> Any:
        message = self._own_message(bot, params, "edit")
        text, entities = self._rendered(params, "text")
        markup = params.get("reply_markup")
        if (message.text, message.entities, message.reply_markup) == (text, entities, markup):
            raise _state_error(_NOT_MODIFIED)
        message.history.append(message.version())
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.edit_date = now()
        self.stats["messages_edited"] += 1
        return self.message_dict(bot, message)

    async def _editMessageReplyMarkup(self, bot: BotState, params: dict[str, Any]) -> Any:
        message = self._own_message(bot, params, "edit")
        markup = params.get("reply_markup")
        if message.reply_markup == markup or (not message.reply_markup and not markup):
            raise _state_error(_NOT_MODIFIED)
        message.history.append(message.version())
        message.reply_markup = markup
        message.edit_date = now()
        self.stats["messages_edited"] += 1
        return self.message_dict(bot, message)

    async def _deleteMessage(self, bot: BotState, params: dict[str, Any]) -> Any:
        message = self._own_message(bot, params, "delete")
        message.deleted = True
        return True

    async def _answerCallbackQuery(self, bot: BotState, params: dict[str, Any]) -> Any:
        query = bot.callback_queries.get(params["callback_query_id"])
        if query is None or query.answered:
            raise _state_error(_QUERY_TOO_OLD)
        query.answered = True
        bot.callback_answers.append(
            {
                "callback_query_id": query.id,
                "chat_id": query.chat_id,
                "message_id": query.message_id,
                "text": params.get("text"),
                "show_alert": params.get("show_alert", False),
                "url": params.get("url"),
                "cache_time": params.get("cache_time", 0),
            }
        )
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code", "")], sort_keys=True)

    async def _setMyCommands(self, bot: BotState, params: dict[str, Any]) -> Any:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands: at most 100 can be specified")
        for command in commands:
            name = command["command"]
            if not all(c.islower() or c.isdigit() or c == "_" for c in name) or not name.isascii():
                raise bad_request("BOT_COMMAND_INVALID")
        bot.commands[self._commands_key(params)] = commands
        return True

    async def _getMyCommands(self, bot: BotState, params: dict[str, Any]) -> Any:
        return bot.commands.get(self._commands_key(params), [])

    async def _deleteMyCommands(self, bot: BotState, params: dict[str, Any]) -> Any:
        bot.commands.pop(self._commands_key(params), None)
        return True

    async def _setChatMenuButton(self, bot: BotState, params: dict[str, Any]) -> Any:
        bot.menu_buttons[params.get("chat_id")] = params.get("menu_button") or {"type": "default"}
        return True

    async def _getChatMenuButton(self, bot: BotState, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        return bot.menu_buttons.get(chat_id) or bot.menu_buttons.get(None) or {"type": "default"}

    async def _getChat(self, bot: BotState, params: dict[str, Any]) -> Any:
        chat = dict(self.world.chat_for(self._chat_id(params["chat_id"])))
        chat["accent_color_id"] = 0
        chat["max_reaction_count"] = 11
        return chat
