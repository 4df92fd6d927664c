"""`kyodo shifts import FILE` and `kyodo shifts ical --person ID`: staff's shift tools at the shell.

Messages go through the catalogs in the terminal's language, like the rest of the `kyodo` command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Settings
from bot.domain.coop import WorkKind
from bot.domain.errors import InvalidInput
from bot.domain.people import Role
from bot.i18n import SUPPORTED, I18n
from bot.ports.clock import SystemClock
from kyodo.cli.shell import Subparsers, shell_admin, shell_locale, upgrade
from kyodo.cli.terminal import file_refused, lines_refused

MAX_FILE_BYTES = 5 * 1024 * 1024


def add_parser(sub: Subparsers) -> None:
    shifts = sub.add_parser("shifts", help="shift tools for staff")
    shifts_sub = shifts.add_subparsers(dest="shifts_command", required=True)
    imp = shifts_sub.add_parser("import", help="import shifts from a CSV file (see README)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    imp.add_argument(
        "--good-rows-only",
        action="store_true",
        help="import the good rows even if some are broken (and report the broken ones)",
    )
    imp.set_defaults(handler=handle_import)
    ical = shifts_sub.add_parser("ical", help="print a member's shifts as an iCalendar feed")
    ical.add_argument("--person", type=int, required=True, help="the member's Telegram user id")
    ical.set_defaults(handler=handle_ical)


def kind_names(i18n: I18n) -> dict[str, WorkKind]:
    """Kinds of work by their shown names in every language (`清掃`, `Cleaning`)."""
    return {i18n.text(f"work.{kind}", lang): kind for lang in SUPPORTED for kind in WorkKind}


async def _import(settings: Settings, args: argparse.Namespace, locale: str) -> int:
    from bot.services.shift_import import import_shifts
    from kyodo.app import open_store

    i18n = I18n(settings.tz, settings.default_locale)
    data = args.file.read_bytes()[: MAX_FILE_BYTES + 1]
    admin = shell_admin(locale)
    async with open_store(settings) as store, store.uow() as uow:
        try:
            if len(data) > MAX_FILE_BYTES:
                raise InvalidInput("csv_too_long")
            report = await import_shifts(
                uow,
                admin,
                data,
                SystemClock().now(),
                settings.tz,
                kind_names=kind_names(i18n),
                dry_run=args.dry_run,
                good_rows_only=args.good_rows_only,
            )
        except InvalidInput as error:
            reason = f"shifts.import.error.{error.code}"
            file_refused(i18n, locale, "cli.shifts_import.file", reason)
            return 1
        if report.imported:
            await uow.commit()
    lines_refused(i18n, locale, "cli.shifts_import.line", "shifts.import.error", report.errors)
    counts = {"count": len(report.good), "broken": len(report.errors)}
    if args.dry_run:
        print(i18n.text("cli.shifts_import.dry_run", locale, counts))
        return 1 if report.errors else 0
    if report.errors and not args.good_rows_only:
        print(i18n.text("cli.shifts_import.refused", locale, counts))
        return 1
    key = "cli.shifts_import.partial" if report.errors else "cli.shifts_import.done"
    print(i18n.text(key, locale, {**counts, "count": report.imported}))
    return 0


async def _ical(settings: Settings, telegram_id: int, locale: str) -> int:
    from bot.calendar_feed import feed
    from kyodo.app import open_store

    i18n = I18n(settings.tz, settings.default_locale)
    async with open_store(settings) as store, store.uow() as uow:
        person = await uow.people.by_telegram_id(telegram_id)
        if person is None or not person.roles & {Role.MEMBER, Role.VOLUNTEER, Role.STAFF}:
            print(i18n.text("cli.shifts_ical.no_person", locale), file=sys.stderr)
            return 1
        text = await feed(uow, i18n, person, SystemClock().now())
    sys.stdout.write(text)
    return 0


async def handle_import(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings)
    return await _import(settings, args, shell_locale())


async def handle_ical(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings)
    return await _ical(settings, args.person, shell_locale())
