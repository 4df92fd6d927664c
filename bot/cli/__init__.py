"""The `kyodo` command: run the bot, issue invite codes, migrate the database, load demo data.

Messages for the person at the shell go through the same catalogs as the bot's, in the language
of their terminal (LANG=ja_JP... gives Japanese, anything else English).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from bot import cli_assembly, cli_export, cli_privacy, shifts_cli
from bot.config import ConfigError, Settings, load_settings
from bot.domain.invites import display_code
from bot.domain.people import Actor, Role
from bot.domain.replies import msg
from bot.i18n import I18n
from bot.log_privacy import quiet_payload_loggers
from bot.ports.clock import SystemClock

log = logging.getLogger("kyodo")


def _shell_locale() -> str:
    lang = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG", "")
    return "ja" if lang.lower().startswith("ja") else "en"


def _say(settings: Settings, key: str, **args: object) -> str:
    return I18n(settings.tz, settings.default_locale).text(key, _shell_locale(), args)


async def _invite(settings: Settings, role: Role, hours: int | None) -> str:
    from bot.app import open_store
    from bot.services.invites import issue_invite

    i18n = I18n(settings.tz, settings.default_locale)
    locale = _shell_locale()
    # The shell is the admin's own door: whoever can run this command administers the install.
    admin = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale=locale)
    async with open_store(settings) as store, store.uow() as uow:
        invite = await issue_invite(
            uow, admin, role, SystemClock().now(), hours or settings.invite_ttl_hours
        )
        await uow.commit()
    return i18n.text(
        "cli.invite_issued",
        locale,
        {
            "role": msg(f"role.{role}"),
            "code": display_code(invite.code),
            "expires": invite.expires_at,
            "link": f"https://t.me/{settings.bot_username}?start={invite.code}",
        },
    )


async def _upgrade(settings: Settings) -> None:
    from storage.migrate import upgrade

    await upgrade(settings.database_url)


async def _demo(settings: Settings) -> int:
    from bot.app import open_store
    from bot.services.demo import load_demo

    async with open_store(settings) as store, store.uow() as uow:
        added = await load_demo(uow, SystemClock().now(), settings.tz)
        await uow.commit()
    return added


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kyodo", description="Kyodo co-operative assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (the local sandbox when no TELEGRAM_BOT_TOKEN is set)")
    invite = sub.add_parser("invite", help="issue a one-time invite code")
    invite.add_argument(
        "--role", choices=[r.value for r in Role if r != Role.RESIDENT], default="member"
    )
    invite.add_argument("--hours", type=int, default=None, help="hours until it expires")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations")
    sub.add_parser("demo", help="load the demo people (idempotent)")
    shifts_cli.add_parser(sub)
    cli_assembly.add_parser(sub)
    cli_export.add_parser(sub)
    cli_privacy.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"kyodo: configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    quiet_payload_loggers()
    if args.command == "run":
        from bot.app import run

        return asyncio.run(run(settings))
    if args.command == "invite":
        if args.hours is not None and not 1 <= args.hours <= 24 * 90:
            print("kyodo: --hours must be between 1 and 2160", file=sys.stderr)
            return 2
        asyncio.run(_upgrade(settings))
        print(asyncio.run(_invite(settings, Role(args.role), args.hours)))
        return 0
    if args.command == "db":
        asyncio.run(_upgrade(settings))
        print(_say(settings, "cli.db_upgraded"))
        return 0
    if args.command == "shifts":
        asyncio.run(_upgrade(settings))
        return asyncio.run(shifts_cli.run(settings, args, _shell_locale()))
    if args.command == "demo":
        asyncio.run(_upgrade(settings))
        print(_say(settings, "cli.demo_loaded", count=asyncio.run(_demo(settings))))
        return 0
    if args.command == "export":
        asyncio.run(_upgrade(settings))
        return asyncio.run(cli_export.run(settings, args, _shell_locale()))
    if args.command == "purge-personal-data":
        asyncio.run(_upgrade(settings))
        return asyncio.run(cli_privacy.run(settings, args, _shell_locale()))
    if args.command == "assembly":
        asyncio.run(_upgrade(settings))
        return asyncio.run(cli_assembly.publish(args, settings, _shell_locale()))
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    raise SystemExit(main())
