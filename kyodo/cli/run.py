"""`kyodo run`: run the bot (the local sandbox when no TELEGRAM_BOT_TOKEN is set)."""

from __future__ import annotations

import argparse

from bot.config import Settings
from kyodo.cli.shell import Subparsers


def add_parser(sub: Subparsers) -> None:
    run = sub.add_parser(
        "run", help="run the bot (the local sandbox when no TELEGRAM_BOT_TOKEN is set)"
    )
    run.set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    from kyodo.app import run

    return await run(settings)
