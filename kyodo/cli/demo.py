"""`kyodo demo`: load the demo people (idempotent)."""

from __future__ import annotations

import argparse

from bot.config import Settings
from bot.ports.clock import SystemClock
from kyodo.cli.shell import Subparsers, say, upgrade


def add_parser(sub: Subparsers) -> None:
    sub.add_parser("demo", help="load the demo people (idempotent)").set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    from kyodo.app import open_store
    from kyodo.demo import load_demo

    await upgrade(settings)
    async with open_store(settings) as store, store.uow() as uow:
        added = await load_demo(uow, SystemClock().now(), settings.tz)
        await uow.commit()
    print(say(settings, "cli.demo_loaded", count=added))
    return 0
