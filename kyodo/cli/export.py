"""`kyodo export hours --month 2026-11`: a month's hours for payroll, from the shell.

Writes CSV (UTF-8 with BOM, for Excel), cp932 CSV or an xlsx workbook to `--output` (default: a
file named after the month in the current directory; `-` writes to standard output). Headings
and messages are in `--locale` (default: the terminal's language). The shell is the admin's own
door, as for `kyodo invite`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.domain.errors import DomainError
from bot.domain.exports import ExportFormat, HoursQuery, HoursScope, parse_month
from bot.domain.replies import msg
from bot.i18n import SUPPORTED, I18n
from bot.ports.clock import SystemClock
from kyodo.cli.shell import Subparsers, shell_admin, shell_locale, upgrade
from kyodo.cli.terminal import say


def add_parser(sub: Subparsers) -> None:
    export = sub.add_parser("export", help="exports for payroll and reports")
    export_sub = export.add_subparsers(dest="export_command", required=True)
    hours = export_sub.add_parser("hours", help="hours per member and centre for one month")
    hours.add_argument("--month", required=True, help="the month, e.g. 2026-11")
    hours.add_argument("--centre", type=int, default=None, help="one business centre's id")
    hours.add_argument(
        "--all", action="store_true", help="pending reports too (default: approved only)"
    )
    hours.add_argument(
        "--format",
        choices=[f.value for f in ExportFormat],
        default=ExportFormat.CSV.value,
        help="csv: UTF-8 with BOM (Excel); cp932: Shift_JIS CSV; xlsx: Excel workbook",
    )
    hours.add_argument("--output", "-o", default=None, help="file to write; - for stdout")
    hours.add_argument("--locale", choices=SUPPORTED, default=None, help="headings' language")
    hours.set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings)
    return await _hours(settings, args, shell_locale())


async def _hours(settings: Settings, args: argparse.Namespace, shell_locale: str) -> int:
    from bot.services.exports import hours_export, hours_file
    from kyodo.app import open_store

    i18n = I18n(settings.tz, settings.default_locale)
    locale = args.locale or shell_locale
    try:
        month = parse_month(args.month)
    except DomainError:
        print(say(i18n, "exports.error.export_month", locale), file=sys.stderr)
        return 2
    scope = HoursScope.ALL if args.all else HoursScope.APPROVED
    query = HoursQuery(month=month, centre_id=args.centre, scope=scope)
    admin = shell_admin(locale)
    async with open_store(settings) as store, store.uow() as uow:
        try:
            export = await hours_export(uow, admin, query, SystemClock().now())
        except DomainError as error:
            print(say(i18n, f"exports.error.{error.code}", locale), file=sys.stderr)
            return 1
    fmt = ExportFormat(args.format)
    file = await hours_file(export, fmt, lambda key: i18n.gettext(key, locale), locale)
    to_stdout = args.output == "-"
    target = Path(args.output or file.filename)
    try:
        if to_stdout:
            sys.stdout.buffer.write(file.content)
            sys.stdout.buffer.flush()
        else:
            await asyncio.to_thread(target.write_bytes, file.content)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        print(say(i18n, "exports.cli.write_failed", locale, {"reason": reason}), file=sys.stderr)
        return 1
    # The summary goes to stderr when the file itself went to stdout.
    out = sys.stderr if to_stdout else sys.stdout
    done = say(
        i18n,
        "exports.cli.done",
        locale,
        {
            "count": file.lines,
            "path": "-" if to_stdout else str(target),
            "month": month,
            "scope": msg(f"exports.scope.{scope.value}"),
        },
    )
    print(done, file=out)
    if file.replaced:
        print(say(i18n, "exports.cli.replaced", locale, {"count": file.replaced}), file=sys.stderr)
    return 0
