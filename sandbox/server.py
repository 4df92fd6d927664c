"""``SandboxServer``: a local Telegram Bot API server, and the Python API that drives it.

It serves the Bot API (``/bot<token>/<method>``), a control API for tests and the chat page
(``/_sandbox/...``) and the page itself (``/``). Tests, ``python -m sandbox`` and ``kyodo run``
without a token all use this class.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.botapi import BotApi
from sandbox.faults import Fault, FaultInjector
from sandbox.gateway import Call, Gateway, Violation
from sandbox.http_api import setup_bot_api
from sandbox.http_control import SERVER_KEY, setup_control
from sandbox.line.standin import LineStandIn
from sandbox.page import setup_page
from sandbox.people import People
from sandbox.ratelimit import RateLimiter, RateLimits
from sandbox.reference import load_reference
from sandbox.schema import Spec, compact_spec
from sandbox.state import BotState, ChatMessage, Notifier, World
from sandbox.webhook import WebhookSender

log = logging.getLogger(__name__)

# Not a secret: the sandbox accepts any well-formed token; this one names its default bot.
DEFAULT_TOKEN = "123456789:SANDBOX_kyodo_local_token"  # noqa: S105

UserRef = dict[str, Any] | int


class SandboxServer:
    """A local Telegram: one server, any number of bots (one per token's numeric id).

    ``token`` names the default bot, the one the Python API and the page talk to unless told
    otherwise. ``reference``: True loads the full ``api.json`` when the file exists (see
    ``sandbox.reference``), False skips it, a Path loads that file.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "kyodo_coop_bot",
        bot_first_name: str = "Kyodo",
        rate_limits: RateLimits | None = None,
        reference: bool | Path = True,
        strict_chats: bool = False,
        webhook_retry_base: float = 0.2,
        webhook_max_attempts: int = 6,
        first_update_id: int = 1,
        line: LineStandIn | None = None,
    ) -> None:
        """`first_update_id`: where the default bot's update ids start. Telegram keeps counting
        for a week between a bot's sessions; a sandbox restarted on the same store is told where
        the last session stopped, so that its updates are new, not repeats of old ids."""
        self.token = token
        self.first_update_id = max(1, first_update_id)
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.world = World()
        self.notifier = Notifier()
        self.stats: Counter[str] = Counter()
        self.faults = FaultInjector()
        self.rate_limiter = RateLimiter(rate_limits or RateLimits())
        self.compact_spec: Spec = compact_spec()
        self.reference_spec: Spec | None = None
        if reference is not False:
            self.reference_spec = load_reference(None if reference is True else reference)
        self._closing = asyncio.Event()
        self.webhooks = WebhookSender(
            self.notifier,
            self.stats,
            retry_base=webhook_retry_base,
            max_attempts=webhook_max_attempts,
        )
        self.api = BotApi(
            self.world,
            self.notifier,
            self.faults,
            self.stats,
            self.webhooks.changed,
            strict_chats=strict_chats,
        )
        self.gateway = Gateway(
            self.api,
            self.world,
            self.compact_spec,
            self.reference_spec,
            self.faults,
            self.rate_limiter,
            self.stats,
            self._closing,
        )
        self.people = People(self.world, self.notifier)
        # LINE's stand-in, served on the same port (its paths are /v2/bot/..., /_sandbox/line/).
        self.line = line or LineStandIn()
        self._bots: dict[int, BotState] = {}
        self._runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app[SERVER_KEY] = self
        setup_bot_api(app, self.gateway, self.bot)
        setup_control(app)
        setup_page(app)
        self.line.setup(app)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._closing.clear()
        await self.webhooks.start()
        self._runner = web.AppRunner(
            self.make_app(), access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        self.port = int(self._runner.addresses[0][1])
        await self.line.open(self.base_url)
        log.info("sandbox Telegram listening on %s (chat page %s)", self.base_url, self.page_url)

    async def stop(self) -> None:
        self._closing.set()
        self.notifier.notify()
        await self.webhooks.stop()
        await self.line.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        """What python-telegram-bot takes as ``base_url`` (the token is appended to it)."""
        return f"{self.base_url}/bot"

    @property
    def page_url(self) -> str:
        return f"{self.base_url}/"

    # -- bots ----------------------------------------------------------------------------------

    def bot(self, bot_id: int | None = None) -> BotState:
        """The state of a bot (the default bot unless ``bot_id`` is given), made on first use."""
        bot_id = self.bot_id if bot_id is None else bot_id
        state = self._bots.get(bot_id)
        if state is None:
            default = bot_id == self.bot_id
            state = self._bots[bot_id] = BotState(
                user={
                    "id": bot_id,
                    "is_bot": True,
                    "first_name": self.bot_first_name if default else f"Bot {bot_id}",
                    "username": self.bot_username if default else f"sandbox{bot_id}_bot",
                    "can_join_groups": True,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                    "can_connect_to_business": False,
                    "has_main_web_app": False,
                },
                next_update_id=self.first_update_id if default else 1,
            )
        return state

    @property
    def violations(self) -> list[Violation]:
        return self.gateway.violations

    @property
    def calls(self) -> list[Call]:
        return list(self.gateway.calls)

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.gateway.calls if call.method == method]

    # -- people --------------------------------------------------------------------------------

    def add_persona(
        self,
        id: int,
        first_name: str,
        language_code: str = "ja",
        label: str | None = None,
        **extra: str,
    ) -> dict[str, Any]:
        """Register someone the page can chat as; ``label`` is how the picker shows them."""
        user = self.world.user(
            {"id": id, "first_name": first_name, "language_code": language_code, **extra}
        )
        self.world.personas[user["id"]] = {**user, "label": label or first_name}
        self.notifier.notify()
        return self.world.personas[user["id"]]

    @property
    def personas(self) -> list[dict[str, Any]]:
        return list(self.world.personas.values())

    def new_stranger(self, language_code: str = "ja") -> dict[str, Any]:
        """A person the bot has never seen, with a fresh user id; listed as a persona."""
        user_id = self.world.next_stranger_id
        self.world.next_stranger_id += 1
        name = "ゲスト" if language_code == "ja" else "Guest"
        return self.add_persona(user_id, name, language_code, label=f"{name} {user_id}")

    def _user(self, user: UserRef) -> dict[str, Any]:
        if isinstance(user, dict):
            return user
        known = self.world.users.get(user)
        if known is None:
            raise LookupError(f"unknown user {user}: pass a dict or add a persona first")
        return known

    def user_sends(
        self,
        user: UserRef,
        text: str,
        chat: dict[str, Any] | None = None,
        *,
        bot_id: int | None = None,
    ) -> dict[str, Any]:
        """A person sends ``text`` (privately, or in ``chat`` {"id": -..., "title"}); returns
        the update."""
        return self.people.sends(self.bot(bot_id), self._user(user), text, chat)

    def user_sends_sticker(
        self,
        user: UserRef,
        emoji: str = "👍",
        chat: dict[str, Any] | None = None,
        *,
        bot_id: int | None = None,
    ) -> dict[str, Any]:
        return self.people.sends_sticker(self.bot(bot_id), self._user(user), emoji, chat)

    def user_sends_photo(
        self,
        user: UserRef,
        caption: str | None = None,
        chat: dict[str, Any] | None = None,
        *,
        bot_id: int | None = None,
    ) -> dict[str, Any]:
        return self.people.sends_photo(self.bot(bot_id), self._user(user), caption, chat)

    def user_presses(
        self,
        user: UserRef,
        message_id: int,
        callback_data: str,
        *,
        chat_id: int | None = None,
        bot_id: int | None = None,
    ) -> dict[str, Any]:
        """A person taps a button (any data: forged data is allowed); returns the update."""
        return self.people.presses(
            self.bot(bot_id), self._user(user), message_id, callback_data, chat_id
        )

    def restart_update_ids(self, first_update_id: int, *, bot_id: int | None = None) -> None:
        """As Telegram does after a week without updates: the bot's next update id is
        `first_update_id` (a random value there), lower than the last one, say."""
        self.bot(bot_id).next_update_id = max(1, first_update_id)

    def redeliver(self, update_id: int, *, bot_id: int | None = None) -> dict[str, Any]:
        """Deliver an update once more, as Telegram does when a confirmation was lost."""
        return self.people.redeliver(self.bot(bot_id), update_id)

    def deliver_twice(self, update: dict[str, Any], *, bot_id: int | None = None) -> None:
        self.redeliver(int(update["update_id"]), bot_id=bot_id)

    def pending_updates(self, *, bot_id: int | None = None) -> list[dict[str, Any]]:
        return [p.update for p in self.bot(bot_id).pending]

    # -- what the bot did ----------------------------------------------------------------------

    def transcript(self, chat_id: int, *, bot_id: int | None = None) -> list[ChatMessage]:
        """Every message of a chat, people's and the bot's, deleted ones included."""
        return list(self.bot(bot_id).messages.get(chat_id, []))

    def messages_to(
        self, chat_id: int, *, include_deleted: bool = False, bot_id: int | None = None
    ) -> list[ChatMessage]:
        """The bot's messages in a chat, edits applied (earlier versions in ``.history``)."""
        return [
            m
            for m in self.transcript(chat_id, bot_id=bot_id)
            if m.from_bot and (include_deleted or not m.deleted)
        ]

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0, *, bot_id: int | None = None
    ) -> list[ChatMessage]:
        """Wait until the bot has sent ``count`` messages to a chat; TimeoutError otherwise."""
        ready = await self.notifier.wait_until(
            lambda: len(self.messages_to(chat_id, bot_id=bot_id)) >= count, timeout
        )
        messages = self.messages_to(chat_id, bot_id=bot_id)
        if not ready:
            raise TimeoutError(
                f"chat {chat_id}: expected {count} bot messages within {timeout}s,"
                f" got {len(messages)}: {[m.text for m in messages]}"
            )
        return messages

    async def wait_for_text(
        self, chat_id: int, contains: str, timeout: float = 5.0, *, bot_id: int | None = None
    ) -> ChatMessage:
        """Wait until a bot message in a chat contains ``contains`` (edits count); TimeoutError
        otherwise. Counting messages races with notices still on their way; this does not."""

        def found() -> ChatMessage | None:
            return next(
                (m for m in self.messages_to(chat_id, bot_id=bot_id) if contains in (m.text or "")),
                None,
            )

        await self.notifier.wait_until(lambda: found() is not None, timeout)
        message = found()
        if message is None:
            texts = [m.text for m in self.messages_to(chat_id, bot_id=bot_id)]
            raise TimeoutError(
                f"chat {chat_id}: no bot message with {contains!r} in {timeout}s: {texts}"
            )
        return message

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        return self.bot().callback_answers

    async def wait_for_callback_answers(
        self, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        if not await self.notifier.wait_until(lambda: len(self.callback_answers) >= count, timeout):
            raise TimeoutError(f"expected {count} callback answers within {timeout}s")
        return self.callback_answers

    # -- faults --------------------------------------------------------------------------------

    def inject_fault(
        self,
        kind: str,
        *,
        method: str | None = None,
        count: int = 1,
        retry_after: int = 1,
        delay: float | None = None,
    ) -> Fault:
        """The next ``count`` calls of ``method`` (any method if None) fail with ``kind``:
        "429", "500", "403" or "timeout" (no answer; or a late one after ``delay`` seconds)."""
        return self.faults.inject(
            kind, method=method, count=count, retry_after=retry_after, delay=delay
        )

    def clear_faults(self) -> None:
        self.faults.clear()

    def block_user(self, user_id: int, blocked: bool = True) -> None:
        """The person blocks (or unblocks) the bot: sending to them answers 403."""
        if blocked:
            self.faults.blocked_users.add(user_id)
        else:
            self.faults.blocked_users.discard(user_id)
