"""`kyodo db upgrade`: apply all migrations."""

from __future__ import annotations

import argparse

from bot.config import Settings
from kyodo.cli.shell import Subparsers, say, upgrade


def add_parser(sub: Subparsers) -> None:
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations").set_defaults(handler=handle_upgrade)


async def handle_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings)
    print(say(settings, "cli.db_upgraded"))
    return 0
