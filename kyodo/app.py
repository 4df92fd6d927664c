"""The composition root: the one place that knows every part and wires them together.

`KyodoApp` is Kyodo running: store, transport, inbox worker, outbox sender, and either a
long-polling loop or a webhook listener. `run()` is what `kyodo run` calls; with no bot token it
first starts the local Telegram sandbox with the demo people, and points the transport at it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.config import Settings
from bot.dialogs.engine import DialogSettings
from bot.dialogs.runner import Conversation
from bot.domain.channels import Channel
from bot.domain.contact import coop_contact
from bot.i18n import CHOSEN_ONLY, SUPPORTED, I18n
from bot.log_privacy import quiet_payload_loggers
from bot.notices.broadcasts import BroadcastCopies
from bot.notices.bus import Consequences
from bot.ports.clock import Clock, SystemClock
from bot.ports.line import OutboxGateway
from bot.ports.telegram import GatewayError, TelegramGateway, UpdateParser
from bot.rendering import Renderer
from bot.runtime.broadcast_pump import BroadcastPump
from bot.runtime.card_feed import CardFeed
from bot.runtime.inbox import InboxIntake, InboxWorker
from bot.runtime.polling import PollingLoop
from bot.runtime.ratelimit import ChatLimits
from bot.runtime.sender import OutboxSender
from kyodo.demo import DEMO_PEOPLE, load_demo
from kyodo.listen import listen
from kyodo.scheduler import LeaderScheduler, make_scheduler
from storage.database import create_engine
from storage.migrate import upgrade
from storage.uow import SqlStore

log = logging.getLogger(__name__)

# Seconds between wakes of the broadcast pump by handled updates (see `committed` below).
PUMP_WAKE_EVERY = 0.25


def make_dialog_settings(
    settings: Settings,
    *,
    calendar_url: str = DialogSettings.calendar_url,
    desk_url: str = DialogSettings.desk_url,
) -> DialogSettings:
    """What dialogs and consequences need of the settings; the web addresses once known."""
    return DialogSettings(
        bot_username=settings.bot_username,
        line_add_friend=settings.line_add_friend,
        invite_ttl_hours=settings.invite_ttl_hours,
        max_text_length=settings.max_text_length,
        hours_window_days=settings.hours_window_days,
        assembly_reminders=settings.assembly_reminders,
        shift_reminder_hour=settings.shift_reminder_hour,
        default_locale=settings.default_locale,
        tz=settings.tz,
        staff_chat_id=settings.staff_chat_id,
        staff_cards=settings.staff_cards,
        service_areas=settings.service_areas,
        contact=coop_contact(settings.coop_phone, settings.office_hours),
        calendar_url=calendar_url,
        desk_url=desk_url,
    )


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[SqlStore]:
    """The store for a shell command: its use cases' consequences are wired as in `run`."""
    engine = create_engine(settings.database_url)
    renderer = Renderer(I18n(settings.tz, settings.default_locale))
    try:
        yield SqlStore(engine, Consequences(renderer, make_dialog_settings(settings)))
    finally:
        await engine.dispose()


def make_transport(settings: Settings) -> tuple[TelegramGateway, UpdateParser]:
    """The Telegram transport named by KYODO_TRANSPORT; both speak to any Bot API server."""
    token = settings.bot_token or ""
    if settings.transport == "aiohttp":
        from handlers.raw.gateway import RawGateway
        from handlers.raw.parse import parse_update

        return RawGateway(token, settings.api_base_url), parse_update
    from handlers.ptb.gateway import PtbGateway
    from handlers.ptb.parse import PtbUpdateParser

    return PtbGateway(token, settings.api_base_url), PtbUpdateParser()


# The commands Telegram lists in its "/" menu; each works in every state of every dialog.
COMMANDS = ("start", "menu", "hours", "reminders", "help", "language", "cancel")


async def register_commands(gateway: TelegramGateway, i18n: I18n, default_locale: str) -> None:
    """Telegram's command menu in each person's language (the default one for everyone else)."""
    # Telegram knows two-letter codes only; Easy Japanese readers are shown Japanese commands.
    for language in (None, *(lang for lang in SUPPORTED if lang not in CHOSEN_ONLY)):
        locale = language or default_locale
        commands = [(name, i18n.text(f"command.{name}", locale)) for name in COMMANDS]
        await gateway.set_commands(commands, language)


class KyodoApp:
    """Kyodo running against one Bot API server and one store; start() and stop() it."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        quiet_payload_loggers()  # before anything can log a resident's phone number
        self.settings = settings
        self.clock = clock or SystemClock()
        self._tasks: list[asyncio.Task[None]] = []
        self._engine: Any = None
        self._webhook_runner: Any = None
        self._web_runner: Any = None
        self.web_port: int | None = None  # where the web server listens (KYODO_WEB_PORT=0: any)
        self.desk_url = ""  # the staff web desk's address, known once the web server listens
        self.sender: OutboxSender | None = None
        self.scheduler: LeaderScheduler | None = None
        self.gateway: TelegramGateway | None = None
        self._line_webhook: Any = None  # handlers.line.webhook.LineWebhook, when LINE is on
        self._line_client: Any = None
        self.line_webhook_url: str | None = None  # where LINE is to post, once the web server runs
        self.line_menus: Any = None  # handlers.line.richmenus.RichMenus, when LINE is on
        self.line_multicaster: Any = None  # handlers.line.multicast.LineMulticaster, likewise
        self.line_quota: Any = None  # handlers.line.quota.LineQuotaReader, likewise

    async def start(self) -> None:
        settings = self.settings
        await upgrade(settings.database_url)
        self._engine = create_engine(settings.database_url)
        store = SqlStore(self._engine)
        gateway, parser = make_transport(settings)
        if settings.line_enabled:
            # Staff in Telegram get a LINE person's photo or voice note itself: uploaded from
            # LINE's content API as it is sent (handlers/telegram_uploads.py).
            from bot.domain.channels import is_line_file
            from handlers.line.content import LineContent
            from handlers.telegram_uploads import UploadingGateway

            content = LineContent(settings.line_access_token or "", settings.line_api_base_url)
            gateway = UploadingGateway(
                gateway, content, is_line_file, settings.api_base_url, settings.bot_token or ""
            )
        self.gateway = gateway
        channels: dict[Channel, OutboxGateway] = {}
        if settings.line_enabled:
            # LINE's events share the inbox, and its chats the outbox (handlers/line).
            from handlers.line.client import LineClient
            from handlers.line.gateway import LineGateway
            from handlers.line.parse import with_line
            from handlers.line.quota import LineQuotaReader
            from kyodo.line_menus import rich_menus

            parser = with_line(parser)
            self._line_client = LineClient(
                settings.line_access_token or "", settings.line_api_base_url
            )
            # A rich menu per role and language, made (or found) on LINE once the loops run.
            self.line_menus = rich_menus(
                self._line_client,
                I18n(settings.tz, settings.default_locale),
                settings.default_locale,
                store.uow,  # its people move to a changed menu's new version
            )
            # LINE's monthly quota, shown where a broadcast is composed (dialog and desk).
            self.line_quota = LineQuotaReader(self._line_client)
            channels[Channel.LINE] = LineGateway(
                store.uow, self._line_client, self.clock, menus=self.line_menus
            )
        i18n = I18n(settings.tz, settings.default_locale)
        calendar_url = await self._start_web(store, i18n)
        dialog_settings = replace(
            make_dialog_settings(settings, calendar_url=calendar_url, desk_url=self.desk_url),
            line_quota=self.line_quota,
        )
        # Every unit of work on this store runs its events' consequences before it commits
        # (the desk's, opened above, included: it reads `store.publish` per unit).
        store.publish = Consequences(Renderer(i18n), dialog_settings)
        conversation = Conversation(
            Renderer(i18n),
            dialog_settings,
            self.clock,
        )
        sender = OutboxSender(
            store.uow,
            gateway,
            self.clock,
            global_rate=settings.global_rate,
            chat_limits=ChatLimits(private_interval=settings.chat_interval),
            # A killed sender's claimed rows go out again once its lease ends: short enough
            # that a restart does not leave people waiting, long enough to hold no row twice.
            lease=timedelta(seconds=settings.outbox_lease),
            # A delivery brings a card copy's message id: a lagging copy can be edited now.
            on_settled=lambda: feed.wake(),
            # Sent marks go ahead of long transactions: a kill repeats only what was on the wire.
            marks_uow=store.uow_ahead,
            channels=channels,
        )
        self.sender = sender
        multicaster = None
        if self._line_client is not None:
            # Broadcast copies to LINE people go 500 a request (handlers/line/multicast.py).
            from handlers.line.multicast import MULTICAST_LIMIT, LineMulticaster

            multicaster = LineMulticaster(
                store.uow,
                self._line_client,
                self.clock,
                lease=timedelta(seconds=settings.outbox_lease),
            )
        self.line_multicaster = multicaster

        def queued() -> None:
            sender.wake()
            if multicaster is not None:
                multicaster.wake()

        # Running broadcasts become outbox rows, chunk by chunk (bot/runtime/broadcast_pump.py).
        pump = BroadcastPump(
            store.uow,
            BroadcastCopies(Renderer(i18n), dialog_settings),
            self.clock,
            rate=settings.global_rate,
            on_queued=queued,
            line_batch=MULTICAST_LIMIT if multicaster is not None else 0,
            line_quota=self.line_quota,  # a due broadcast's LINE cost is checked again
        )
        # Cards follow their items through events (bot/notices/cards.py); the feed only edits
        # copies whose first send had no message id yet, woken by the sender when deliveries
        # are recorded (bot/runtime/card_feed.py). It runs
        # whatever KYODO_STAFF_CARDS says: "off" sends no new card, but cards already out are
        # still edited as their items change, and such an edit may have to wait for an id.
        feed = CardFeed(
            store.uow, Renderer(i18n), self.clock, dialog_settings, on_committed=sender.wake
        )

        pump_woken: list[Any] = [0.0, None]  # when last woken; the wake planned, if any

        def wake_pump() -> None:
            pump_woken[:] = [time.monotonic(), None]
            pump.wake()

        def committed() -> None:
            sender.wake()
            # A broadcast sent just now starts at once, or within PUMP_WAKE_EVERY: each wake
            # is two units of work, and on SQLite, woken by every update at 50 updates/s,
            # they held the one writer as long as the answers did (bench/inbound_profile.py).
            if pump_woken[1] is not None:
                return
            wait = pump_woken[0] + PUMP_WAKE_EVERY - time.monotonic()
            if wait <= 0:
                wake_pump()
            else:
                pump_woken[1] = asyncio.get_running_loop().call_later(wait, wake_pump)

        worker = InboxWorker(
            store.uow, parser, conversation, gateway, self.clock, on_committed=committed
        )
        intake = InboxIntake(
            store.uow,
            self.clock,
            hand_to=worker.take,  # what was just stored goes to the lanes without a read
            max_text_length=settings.max_text_length,  # a longer text is not stored whole
        )
        if self._line_webhook is not None:
            from handlers.line.webhook import LineIntake

            self._line_webhook.intake = LineIntake(
                store.uow,
                # LINE's update ids follow event times and go back on a redelivery: no restarts.
                InboxIntake(store.uow, self.clock, on_stored=worker.wake, ids_restart=False),
                self._line_client,
                self.clock,
                max_text_length=settings.max_text_length,
            )
        self.scheduler = make_scheduler(
            settings, store.uow, self.clock, sender.wake, line_quota=self.line_quota
        )
        self._tasks = [
            asyncio.create_task(sender.run(), name="outbox-sender"),
            asyncio.create_task(worker.run(), name="inbox-worker"),
            asyncio.create_task(pump.run(), name="broadcast-pump"),
            asyncio.create_task(self.scheduler.run(), name="scheduler"),
            asyncio.create_task(feed.run(), name="card-feed"),
        ]
        if self.line_menus is not None:
            self._tasks.append(
                asyncio.create_task(self.line_menus.ensure(), name="line-rich-menus")
            )
        if multicaster is not None:
            self._tasks.append(asyncio.create_task(multicaster.run(), name="line-multicast"))
        try:
            await register_commands(gateway, i18n, settings.default_locale)
        except GatewayError as error:
            # A nicety, not a reason to stay down: the buttons work without it.
            log.warning("could not register the command menu: %s", type(error).__name__)
        if settings.webhook_url:
            await self._start_webhook(gateway, intake)
        else:
            await gateway.delete_webhook()
            loop = PollingLoop(gateway, intake)
            self._tasks.append(asyncio.create_task(loop.run(), name="long-polling"))
        log.info(
            "Kyodo is running (%s transport, %s)",
            settings.transport,
            "webhook" if settings.webhook_url else "long polling",
        )

    async def _start_web(self, store: SqlStore, i18n: I18n) -> str:
        """Kyodo's web server (members' calendar feeds); returns the links' base URL."""
        from aiohttp import web

        from handlers.web import CALENDAR_PATH, setup_ical

        settings = self.settings
        app = web.Application()
        setup_ical(app, store.uow, i18n, self.clock)
        from handlers.desk import DeskConfig, setup_desk
        from handlers.line.content import LineContent, MessengerFiles
        from handlers.telegram_files import TelegramFiles

        setup_desk(
            app,
            DeskConfig(
                uow=store.uow,
                i18n=i18n,
                clock=self.clock,
                tz=settings.tz,
                default_locale=settings.default_locale,
                secure_cookie=(settings.web_url or "").startswith("https://"),
                invite_ttl_hours=settings.invite_ttl_hours,
                bot_username=settings.bot_username,
                line_add_friend=settings.line_add_friend,
                global_rate=settings.global_rate,
                service_areas=settings.service_areas,
                line_quota=self.line_quota,
                files=MessengerFiles(
                    (
                        TelegramFiles(settings.api_base_url, settings.bot_token)
                        if settings.bot_token is not None
                        else None
                    ),
                    (
                        LineContent(settings.line_access_token or "", settings.line_api_base_url)
                        if settings.line_enabled
                        else None
                    ),
                ),
            ),
        )
        if settings.line_enabled:
            from handlers.line.webhook import LINE_WEBHOOK_PATH, setup_line_webhook

            self._line_webhook = setup_line_webhook(app, settings.line_channel_secret or "")
        runner = web.AppRunner(app, access_log=None)  # the path is a secret: never log it
        await runner.setup()
        site = web.TCPSite(runner, settings.web_host, settings.web_port)
        await listen(site.start(), settings.web_host, settings.web_port, "KYODO_WEB_PORT")
        self._web_runner = runner
        sockets = getattr(site._server, "sockets", None) or []
        self.web_port = int(sockets[0].getsockname()[1]) if sockets else settings.web_port
        base = settings.web_url or f"http://{settings.web_host}:{self.web_port}"
        self.desk_url = base + "/desk"  # where `/desk` sign-in links point
        if self._line_webhook is not None:
            self.line_webhook_url = base + LINE_WEBHOOK_PATH
        return base + CALENDAR_PATH

    async def _start_webhook(self, gateway: TelegramGateway, intake: InboxIntake) -> None:
        from aiohttp import web

        from handlers.webhook import setup_webhook

        settings = self.settings
        if settings.webhook_url is None or settings.webhook_secret is None:
            raise RuntimeError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
        app = web.Application()
        setup_webhook(
            app, urlsplit(settings.webhook_url).path or "/", settings.webhook_secret, intake
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.webhook_listen_host, settings.webhook_listen_port)
        await listen(
            site.start(),
            settings.webhook_listen_host,
            settings.webhook_listen_port,
            "WEBHOOK_LISTEN_PORT",
        )
        self._webhook_runner = runner
        await gateway.set_webhook(settings.webhook_url, settings.webhook_secret)

    async def stop(self) -> None:
        """Stops taking updates first, then lets the sender hand back what it has not sent."""
        if self._webhook_runner is not None:
            await self._webhook_runner.cleanup()
        if self._web_runner is not None:
            await self._web_runner.cleanup()
        background = [t for t in self._tasks if t.get_name() != "outbox-sender"]
        for task in background:
            task.cancel()
        for task in background:
            with suppress(asyncio.CancelledError):
                await task
        if self.sender is not None:
            self.sender.stop()
        for task in self._tasks:
            if task.get_name() == "outbox-sender":
                with suppress(asyncio.CancelledError):
                    await task
        if self.gateway is not None:
            await self.gateway.close()
        if self._line_client is not None:
            await self._line_client.close()
        if self._engine is not None:
            await self._engine.dispose()

    async def __aenter__(self) -> KyodoApp:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def run(settings: Settings) -> int:
    """`kyodo run`: the real bot with a token, else the sandbox with demo data."""
    sandbox = None
    if settings.sandbox_mode:
        from sandbox.server import SandboxServer

        await upgrade(settings.database_url)
        async with open_store(settings) as store, store.uow() as uow:
            await load_demo(uow, SystemClock().now(), settings.tz)
            last_update = await uow.inbox.last_update_id()
            await uow.commit()
        # The sandbox goes on counting update ids where the last session on this store stopped,
        # as Telegram does: ids it started again at 1 would be taken for updates already handled.
        sandbox = SandboxServer(first_update_id=(last_update or 0) + 1)
        await listen(
            sandbox.start(port=settings.sandbox_port),
            "127.0.0.1",
            settings.sandbox_port,
            "KYODO_SANDBOX_PORT",
        )
        for person in DEMO_PEOPLE:
            sandbox.add_persona(
                person.telegram_user_id,
                person.name,
                person.language,
                f"{person.name}: {person.label_ja} / {person.label_en}",
            )
        settings = replace(settings, bot_token=sandbox.token, api_base_url=sandbox.api_base_url)
        if not settings.line_enabled:
            # LINE too: the sandbox's stand-in, where /line opens a LINE-style chat.
            settings = replace(
                settings,
                line_channel_secret=sandbox.line.channel_secret,
                line_access_token=sandbox.line.access_token,
                line_api_base_url=sandbox.line.api_base_url,
            )
            sandbox.line.add_person("LINE の新しい方 / LINE newcomer", "ja")
        print(
            f"\n  Kyodo sandbox: open {sandbox.page_url} in your browser\n"
            "  Pick who you are, send /start and tap the buttons. Ctrl+C stops.\n"
            f"  LINE: open {sandbox.line.page_url} and chat as a LINE user.\n",
            file=sys.stderr,
            flush=True,
        )
    app = KyodoApp(settings)
    try:
        await app.start()
        # What start built lives as long as the process: frozen out of the collector's way,
        # a full collection under load walks only what updates make (it took 0.16 ms of CPU
        # an update before, 8% of it: bench/inbound_profile.py's "garbage collector" line).
        gc.freeze()
        if sandbox is not None and app.line_webhook_url and sandbox.line.webhook_url is None:
            sandbox.line.webhook_url = app.line_webhook_url  # LINE posts to Kyodo's web server
        await _wait_for_signal()
    finally:
        await app.stop()
        if sandbox is not None:
            await sandbox.stop()
    return 0
