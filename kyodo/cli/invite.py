"""`kyodo invite [--role ROLE] [--hours N]`: issue a one-time invite code.

The shell is the admin's own door: whoever can run this command administers the install.
"""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from bot.domain.invites import display_code
from bot.domain.people import Role
from bot.domain.replies import msg
from bot.i18n import I18n
from bot.ports.clock import SystemClock
from kyodo.cli.shell import Subparsers, shell_admin, shell_locale, upgrade


def add_parser(sub: Subparsers) -> None:
    invite = sub.add_parser("invite", help="issue a one-time invite code")
    invite.add_argument(
        "--role", choices=[r.value for r in Role if r != Role.RESIDENT], default="member"
    )
    invite.add_argument("--hours", type=int, default=None, help="hours until it expires")
    invite.set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    if args.hours is not None and not 1 <= args.hours <= 24 * 90:
        print("kyodo: --hours must be between 1 and 2160", file=sys.stderr)
        return 2
    await upgrade(settings)
    print(await _invite(settings, Role(args.role), args.hours))
    return 0


async def _invite(settings: Settings, role: Role, hours: int | None) -> str:
    from bot.services.invites import issue_invite
    from kyodo.app import open_store

    i18n = I18n(settings.tz, settings.default_locale)
    locale = shell_locale()
    admin = shell_admin(locale)
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
    ) + _on_line(settings, i18n, locale)


def _on_line(settings: Settings, i18n: I18n, locale: str) -> str:
    if settings.line_add_friend is None:
        return ""
    return "\n" + i18n.text("line.invite.add_friend", locale, {"link": settings.line_add_friend})
