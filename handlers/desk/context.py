"""The desk's typed app state, and what every page handler needs: who is signed in, the
translator in their language, a fresh unit of work, and rendering a template."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from markupsafe import Markup

from bot.domain.coop import WorkKind
from bot.domain.desk import IDLE_TIMEOUT
from bot.domain.errors import PermissionDenied
from bot.domain.hours import duration
from bot.domain.requests import DEFAULT_AREAS, ServiceArea
from bot.i18n import I18n
from bot.ports.clock import Clock
from bot.ports.files import FileSource
from bot.ports.line import LineQuota
from bot.ports.store import UnitOfWork, UnitOfWorkFactory
from bot.rendering import Renderer
from bot.services.desk_auth import DeskUser

COOKIE = "kyodo_desk"


@dataclass(frozen=True)
class DeskConfig:
    """What the composition root hands the desk."""

    uow: UnitOfWorkFactory
    i18n: I18n
    clock: Clock
    tz: ZoneInfo
    default_locale: str
    secure_cookie: bool  # the desk's public URL is https
    invite_ttl_hours: int = 72
    bot_username: str = "kyodo_coop_bot"
    line_add_friend: str | None = None  # LINE's add-friend link (LINE_BOT_BASIC_ID); None: unset
    global_rate: float = 30.0  # messages per second, for a broadcast's expected finish
    service_areas: tuple[ServiceArea, ...] = DEFAULT_AREAS  # to name a request's area
    idle: timedelta = IDLE_TIMEOUT
    line_quota: LineQuota | None = None  # LINE's monthly quota at compose; None: LINE is off
    files: FileSource | None = None  # Telegram's files (photos, voice notes); None: no Telegram
    renderer: Renderer = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "renderer", Renderer(self.i18n))

    def kind_names(self) -> dict[str, WorkKind]:
        """Kinds of work by their shown names in both languages, as the CSV import reads them."""
        return {
            self.i18n.text(f"work.{kind}", lang): kind for lang in ("ja", "en") for kind in WorkKind
        }


DESK = web.AppKey("desk", DeskConfig)
TEMPLATES = web.AppKey("desk_templates", jinja2.Environment)
USER = web.RequestKey("desk_user", DeskUser)  # who is signed in, for this request
COUNTS = web.RequestKey("desk_counts", dict[str, int])  # the navigation's counts


def config(request: web.Request) -> DeskConfig:
    return request.app[DESK]


def user(request: web.Request) -> DeskUser:
    return request[USER]


def locale_of(request: web.Request) -> str:
    found: DeskUser | None = request.get(USER)
    if found is not None:
        return found.actor.locale
    header = request.headers.get("Accept-Language", "")
    return "en" if header.lower().startswith("en") else config(request).default_locale


class Translator:
    """`t("desk.key", name=...)` in templates and handlers: catalog text, values escaped."""

    def __init__(self, i18n: I18n, locale: str) -> None:
        self.i18n = i18n
        self.locale = locale

    def __call__(self, key: str, **args: object) -> Markup:
        text = self.i18n.text(key, self.locale, args)
        # The catalog escapes values for Telegram's HTML (not quotes); attributes need them too.
        return Markup(text.replace('"', "&quot;").replace("'", "&#x27;"))  # noqa: S704

    def date(self, value: date) -> str:
        return self.i18n.date(value, self.locale)

    def datetime(self, value: dt.datetime) -> str:
        return self.i18n.datetime(value, self.locale)

    def time(self, value: dt.datetime) -> str:
        return self.i18n.datetime(value, self.locale, "time")

    def number(self, value: float | int) -> str:
        return self.i18n.number(value, self.locale)

    def duration(self, minutes: int) -> Markup:
        """Hours as the bot shows them: `7時間30分` / `7 h 30 min` (bot.domain.hours)."""
        shown = duration(minutes)
        return self(shown.key, **shown.args)


def translator(request: web.Request) -> Translator:
    return Translator(config(request).i18n, locale_of(request))


def render(
    request: web.Request,
    template: str,
    context: Mapping[str, object] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    env = request.app[TEMPLATES]
    found: DeskUser | None = request.get(USER)
    page = env.get_template(template).render(
        t=translator(request),
        lang=locale_of(request),
        user=found,
        csrf=found.csrf_token if found is not None else "",
        counts=request.get(COUNTS, {}),
        path=request.path,
        query=request.query,
        flash=_flash(request),
        **(context or {}),
    )
    return web.Response(text=page, content_type="text/html", charset="utf-8", status=status)


def _flash(request: web.Request) -> Markup | None:
    """The note a redirect after an action asked for (`?done=approved&n=3`), if it is one."""
    done = request.query.get("done", "")
    key = f"desk.flash.{done}"
    if not done.isascii() or not done.replace("_", "").isalpha():
        return None
    if not config(request).i18n.has(key, locale_of(request)):
        return None
    count = int_arg(request.query.get("n")) or 0
    return translator(request)(key, n=count)


def message_page(
    request: web.Request, title: str, body: str, *, status: int, sign_in_hint: bool = False
) -> web.Response:
    """A page that says what happened and what to do (refusals, errors, signed out)."""
    return render(
        request,
        "message.html",
        {"title_key": title, "body_key": body, "sign_in_hint": sign_in_hint},
        status=status,
    )


@asynccontextmanager
async def unit(request: web.Request) -> AsyncIterator[UnitOfWork]:
    """A unit of work for one action. On a refusal, whatever the action did is undone, and
    the refusal alone is written to the audit log (the service named it in its code)."""
    async with config(request).uow() as uow:
        try:
            yield uow
        except PermissionDenied as refusal:
            await uow.rollback()
            found: DeskUser | None = request.get(USER)
            who = found.person.id if found is not None else None
            await uow.audit.add(now(request), who, refusal.code, f"desk:{request.path[:150]}")
            await uow.commit()
            raise


def now(request: web.Request) -> datetime:
    return config(request).clock.now()


def redirect(location: str, **flash: str | int) -> web.HTTPSeeOther:
    """Post/redirect/get; `flash` names a message (a catalog key suffix) and its arguments."""
    from urllib.parse import urlencode

    query = urlencode({k: str(v) for k, v in flash.items()})
    separator = "&" if "?" in location else "?"
    return web.HTTPSeeOther(location + (separator + query if query else ""))


def int_arg(value: str | None) -> int | None:
    """An id from a form or a URL: ASCII digits that fit 64 bits, else None (forged)."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)
