"""Configuration from the environment (and a `.env` file), validated once at start.

A bad value stops Kyodo with a message that names the key; secrets are never printed.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.channels import add_friend_link, basic_id
from bot.domain.contact import OfficeHours, parse_office_hours, parse_phone
from bot.domain.errors import InvalidInput
from bot.domain.reminders import DEFAULT_OFFSETS, parse_offsets
from bot.domain.requests import DEFAULT_AREAS, ServiceArea, parse_areas

SUPPORTED_LOCALES = ("ja", "en")
# Telegram's alphabet for a webhook's secret token; 32 characters at least (~190 bits), so that
# guessing it is hopeless whatever the rate of tries.
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,256}$")
_TELEGRAM_API = "https://api.telegram.org/bot"
_LINE_API = "https://api.line.me"


class ConfigError(Exception):
    """Names the key that is wrong, never its (possibly secret) value."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = field(default=None, repr=False)
    api_base_url: str = _TELEGRAM_API
    transport: str = "ptb"
    database_url: str = "sqlite+aiosqlite:///kyodo.db"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen_host: str = "127.0.0.1"
    webhook_listen_port: int = 8443
    timezone: str = "Asia/Tokyo"
    default_locale: str = "ja"
    global_rate: float = 30.0
    # Seconds between two messages to one person: Telegram asks for about one a second.
    chat_interval: float = 1.0
    invite_ttl_hours: int = 72
    sandbox_port: int = 8080
    bot_username: str = "kyodo_coop_bot"
    max_text_length: int = 1000
    hours_window_days: int = 31  # how far back a member may report hours
    # Personal fields of closed requests and declined volunteer applications are purged after this.
    retention_days: int = 365
    # Sent and failed messages are deleted from the outbox after this (their text, if it carried
    # anything personal, went when they were sent).
    outbox_keep_days: int = 7
    log_level: str = "INFO"
    web_host: str = "127.0.0.1"  # Kyodo's own web server (members' calendar links)
    web_port: int = 8090  # 0: any free port
    web_url: str | None = None  # the calendar links' public base URL; default http://host:port
    staff_chat_id: int | None = None  # staff cards go to this group; None: staff's private chats
    staff_cards: bool = True  # False: no cards are sent (staff use /queue or the web desk)
    service_areas: tuple[ServiceArea, ...] = DEFAULT_AREAS  # the area buttons of a request
    # A person to reach (bot/domain/contact.py): shown in /help, on errors and refusals.
    coop_phone: str | None = None
    office_hours: tuple[OfficeHours, ...] | None = None
    # Reminders (kyodo/scheduler.py): assembly offsets, shift reminders' evening hour, digest hour.
    assembly_reminders: tuple[timedelta, ...] = DEFAULT_OFFSETS
    shift_reminder_hour: int = 18
    worked_reminder_hour: int = 19
    digest_hour: int = 8
    # Seconds between the scheduler's looks at what is due: a published notice waits this long.
    scheduler_tick: float = 10.0
    outbox_lease: float = 30.0  # seconds before a dead sender's claimed messages go out again
    # LINE (handlers/line): on when both secrets are set; with no token at all, the sandbox's.
    line_channel_secret: str | None = field(default=None, repr=False)
    line_access_token: str | None = field(default=None, repr=False)
    line_api_base_url: str = _LINE_API
    # The Official Account's id (@123abcde): invites and letters carry its add-friend link.
    line_basic_id: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sandbox_mode(self) -> bool:
        return self.bot_token is None

    @property
    def line_enabled(self) -> bool:
        return bool(self.line_channel_secret and self.line_access_token)

    @property
    def line_add_friend(self) -> str | None:
        """The Official Account's add-friend link for invites and letters (None: no id set)."""
        return None if self.line_basic_id is None else add_friend_link(self.line_basic_id)


def _int(env: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{key} must be between {low} and {high}")
    return value


def _float(env: Mapping[str, str], key: str, default: float, low: float, high: float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a number") from None
    if not low <= value <= high:  # also refuses nan
        raise ConfigError(f"{key} must be between {low:g} and {high:g}")
    return value


def load_settings(env: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
    """Reads settings from `env` (default: os.environ, after loading `.env` if present)."""
    saved_in: Path | None = None  # where a generated webhook secret can be kept
    if env is None:
        from dotenv import dotenv_values

        path = dotenv or Path(".env")
        merged = {k: v for k, v in dotenv_values(path).items() if v is not None}
        merged.update(os.environ)
        env = merged
        saved_in = path
    token = env.get("TELEGRAM_BOT_TOKEN") or None
    transport = env.get("KYODO_TRANSPORT", "ptb").strip().lower()
    if transport not in ("ptb", "aiohttp"):
        raise ConfigError("KYODO_TRANSPORT must be 'ptb' or 'aiohttp'")
    base = env.get("TELEGRAM_API_BASE_URL", _TELEGRAM_API).strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ConfigError("TELEGRAM_API_BASE_URL must start with http:// or https://")
    tz = env.get("KYODO_TIMEZONE", "Asia/Tokyo")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("KYODO_TIMEZONE must be an IANA time zone such as Asia/Tokyo") from None
    locale = env.get("KYODO_DEFAULT_LOCALE", "ja")
    if locale not in SUPPORTED_LOCALES:
        raise ConfigError("KYODO_DEFAULT_LOCALE must be 'ja' or 'en'")
    webhook_url = env.get("WEBHOOK_URL") or None
    secret = env.get("WEBHOOK_SECRET") or None
    if webhook_url is not None:
        # Telegram itself calls only https; a local Bot API server may call plain http.
        if not webhook_url.startswith(("https://", "http://")):
            raise ConfigError("WEBHOOK_URL must start with https://")
        if secret is None:
            secret = _made_webhook_secret(saved_in)
    if secret is not None and not _SECRET_TOKEN.match(secret):
        raise ConfigError(
            "WEBHOOK_SECRET must be 32-256 characters of A-Z, a-z, 0-9, _ and - "
            "(leave it out, and Kyodo makes one and says where it keeps it)"
        )
    if token is not None and not re.fullmatch(r"[0-9]+:[A-Za-z0-9_-]+", token):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters)")
    database_url = env.get("DATABASE_URL", "sqlite+aiosqlite:///kyodo.db")
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+asyncpg://" + database_url.removeprefix("postgresql://")
    if not database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError("DATABASE_URL must be sqlite+aiosqlite:///FILE or postgresql://...")
    log_level = env.get("KYODO_LOG_LEVEL", "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("KYODO_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
    return Settings(
        bot_token=token,
        api_base_url=base,
        transport=transport,
        database_url=database_url,
        webhook_url=webhook_url,
        webhook_secret=secret,
        webhook_listen_host=env.get("WEBHOOK_LISTEN_HOST", "127.0.0.1"),
        webhook_listen_port=_int(env, "WEBHOOK_LISTEN_PORT", 8443, 1, 65535),
        timezone=tz,
        default_locale=locale,
        global_rate=_float(env, "KYODO_GLOBAL_RATE", 30.0, 0.1, 1000.0),
        chat_interval=_float(env, "KYODO_CHAT_INTERVAL", 1.0, 0.0, 60.0),
        invite_ttl_hours=_int(env, "KYODO_INVITE_TTL_HOURS", 72, 1, 24 * 90),
        sandbox_port=_int(env, "KYODO_SANDBOX_PORT", 8080, 0, 65535),
        bot_username=env.get("KYODO_BOT_USERNAME", "kyodo_coop_bot").lstrip("@"),
        max_text_length=_int(env, "KYODO_MAX_TEXT_LENGTH", 1000, 10, 4000),
        hours_window_days=_int(env, "KYODO_HOURS_WINDOW_DAYS", 31, 1, 366),
        retention_days=_int(env, "KYODO_RETENTION_DAYS", 365, 1, 3650),
        outbox_keep_days=_int(env, "KYODO_OUTBOX_KEEP_DAYS", 7, 1, 90),
        log_level=log_level,
        web_host=env.get("KYODO_WEB_HOST", "127.0.0.1"),
        web_port=_int(env, "KYODO_WEB_PORT", 8090, 0, 65535),
        web_url=_web_url(env),
        staff_chat_id=_staff_chat(env),
        staff_cards=_on_off(env, "KYODO_STAFF_CARDS", True),
        service_areas=_areas(env),
        coop_phone=_phone(env),
        office_hours=_office_hours(env),
        assembly_reminders=_offsets(env),
        shift_reminder_hour=_int(env, "KYODO_SHIFT_REMINDER_HOUR", 18, 0, 23),
        worked_reminder_hour=_int(env, "KYODO_WORKED_REMINDER_HOUR", 19, 0, 23),
        digest_hour=_int(env, "KYODO_DIGEST_HOUR", 8, 0, 23),
        scheduler_tick=_float(env, "KYODO_SCHEDULER_TICK", 10.0, 0.2, 3600.0),
        outbox_lease=_float(env, "KYODO_OUTBOX_LEASE", 30.0, 2.0, 3600.0),
        **_line(env),
    )


class _LineSettings(TypedDict):
    line_channel_secret: str | None
    line_access_token: str | None
    line_api_base_url: str
    line_basic_id: str | None


def _line(env: Mapping[str, str]) -> _LineSettings:
    secret = (env.get("LINE_CHANNEL_SECRET") or "").strip() or None
    token = (env.get("LINE_CHANNEL_ACCESS_TOKEN") or "").strip() or None
    if (secret is None) != (token is None):
        raise ConfigError("LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN go together")
    base = (env.get("LINE_API_BASE_URL") or _LINE_API).strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ConfigError("LINE_API_BASE_URL must start with http:// or https://")
    account = (env.get("LINE_BOT_BASIC_ID") or "").strip() or None
    if account is not None:
        try:
            account = basic_id(account)
        except ValueError:
            raise ConfigError(
                "LINE_BOT_BASIC_ID must be the Official Account's id, e.g. @123abcde"
            ) from None
    return {
        "line_channel_secret": secret,
        "line_access_token": token,
        "line_api_base_url": base,
        "line_basic_id": account,
    }


def _made_webhook_secret(dotenv: Path | None) -> str:
    """A new webhook secret, kept in `dotenv` (appended) so that every start and every replica
    uses the same one; without a file, for this run only. Says where, never what."""
    secret = secrets.token_urlsafe(36)  # 48 characters of Telegram's alphabet
    if dotenv is None:
        print(
            "WEBHOOK_SECRET was not set: Kyodo made one for this run only "
            "(set WEBHOOK_SECRET to keep one across restarts and replicas)",
            file=sys.stderr,
        )
        return secret
    try:
        with dotenv.open("a", encoding="utf-8") as file:
            file.write("\n# Made by Kyodo: Telegram sends it with every webhook call.\n")
            file.write(f"WEBHOOK_SECRET={secret}\n")
    except OSError:
        raise ConfigError(
            f"WEBHOOK_SECRET is not set, and Kyodo could not keep the one it made in {dotenv}: "
            "set WEBHOOK_SECRET (32-256 characters of A-Z, a-z, 0-9, _ and -)"
        ) from None
    print(
        f"WEBHOOK_SECRET was not set: Kyodo made one and keeps it in {dotenv.resolve()}",
        file=sys.stderr,
    )
    return secret


def _offsets(env: Mapping[str, str]) -> tuple[timedelta, ...]:
    raw = env.get("KYODO_ASSEMBLY_REMINDERS")
    if raw is None:
        return DEFAULT_OFFSETS
    try:
        return parse_offsets(raw)
    except InvalidInput:
        raise ConfigError(
            "KYODO_ASSEMBLY_REMINDERS must be offsets before an assembly such as 7d,1d,2h "
            "(d days, h hours, m minutes; at most 6, each up to 90 days; empty for none)"
        ) from None


def _on_off(env: Mapping[str, str], key: str, default: bool) -> bool:
    raw = (env.get(key) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "on", "true", "yes"):
        return True
    if raw in ("0", "off", "false", "no"):
        return False
    raise ConfigError(f"{key} must be on or off")


def _staff_chat(env: Mapping[str, str]) -> int | None:
    raw = (env.get("KYODO_STAFF_CHAT_ID") or "").strip()
    if not raw:
        return None
    # Group and supergroup ids are negative (-100... for supergroups); a person's is positive.
    if not (raw.startswith("-") and raw[1:].isascii() and raw[1:].isdigit() and len(raw) <= 20):
        raise ConfigError("KYODO_STAFF_CHAT_ID must be a Telegram group id (a negative number)")
    return int(raw)


def _areas(env: Mapping[str, str]) -> tuple[ServiceArea, ...]:
    raw = (env.get("KYODO_SERVICE_AREAS") or "").strip()
    if not raw:
        return DEFAULT_AREAS
    try:
        return parse_areas(raw)
    except ValueError:
        raise ConfigError(
            "KYODO_SERVICE_AREAS must be code:名前:Name entries separated by ';' "
            "(codes: a-z, 0-9, _)"
        ) from None


def _phone(env: Mapping[str, str]) -> str | None:
    raw = (env.get("KYODO_COOP_PHONE") or "").strip()
    if not raw:
        return None
    try:
        return parse_phone(raw)
    except InvalidInput:
        raise ConfigError(
            "KYODO_COOP_PHONE must be a phone number such as 03-1234-5678 or +81 3 1234 5678"
        ) from None


def _office_hours(env: Mapping[str, str]) -> tuple[OfficeHours, ...] | None:
    raw = (env.get("KYODO_OFFICE_HOURS") or "").strip()
    if not raw:
        return None
    try:
        return parse_office_hours(raw)
    except InvalidInput:
        raise ConfigError(
            "KYODO_OFFICE_HOURS must be days and times such as 'mon-fri 09:00-17:00; "
            "sat 09:00-12:00' (mon tue wed thu fri sat sun; up to 7 spans)"
        ) from None


def _web_url(env: Mapping[str, str]) -> str | None:
    url = (env.get("KYODO_WEB_URL") or "").strip().rstrip("/")
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError("KYODO_WEB_URL must start with https:// or http://")
    return url or None
