"""`kyodo purge-personal-data [--dry-run]`: the retention purge, run by hand.

The same `purge_expired` the scheduler runs daily: personal fields of service requests closed, and
of volunteer applications declined, more than `KYODO_RETENTION_DAYS` ago are cleared. It prints
counts only, never the data.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot.config import Settings
from bot.i18n import I18n
from bot.ports.clock import SystemClock
from kyodo.cli.shell import Subparsers, shell_locale, upgrade


def add_parser(sub: Subparsers) -> None:
    purge = sub.add_parser(
        "purge-personal-data",
        help="clear personal fields of requests and applications closed before retention",
    )
    purge.add_argument("--dry-run", action="store_true", help="count only; change nothing")
    purge.set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings)
    return await _purge(settings, args, shell_locale())


async def _purge(settings: Settings, args: argparse.Namespace, shell_locale: str) -> int:
    from bot.services.personal_data import purge_expired
    from kyodo.app import open_store

    async with open_store(settings) as store:
        counts = await purge_expired(
            store.uow,
            SystemClock().now(),
            timedelta(days=settings.retention_days),
            dry_run=bool(args.dry_run),
            outbox_keep=timedelta(days=settings.outbox_keep_days),
        )
    i18n = I18n(settings.tz, settings.default_locale)
    key = "cli.purge_dry_run" if args.dry_run else "cli.purged"
    print(
        i18n.text(
            key,
            shell_locale,
            {
                "requests": counts.requests,
                "applications": counts.applications,
                "days": settings.retention_days,
            },
        )
    )
    return 0
