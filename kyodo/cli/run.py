"""`kyodo run`: run the bot (the local sandbox when no TELEGRAM_BOT_TOKEN is set)."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from kyodo.cli.shell import Subparsers, say
from kyodo.listen import PortInUse


def add_parser(sub: Subparsers) -> None:
    run = sub.add_parser(
        "run", help="run the bot (the local sandbox when no TELEGRAM_BOT_TOKEN is set)"
    )
    run.set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    from kyodo.app import run

    try:
        return await run(settings)
    except PortInUse as taken:
        # Another Kyodo (or another program) holds the port: say which setting moves it.
        print(
            say(
                settings,
                "cli.port_in_use",
                address=f"{taken.host}:{taken.port}",
                setting=taken.setting,
            ),
            file=sys.stderr,
        )
        return 2
