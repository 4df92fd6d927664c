"""`kyodo members import FILE [--letters letters.pdf] [--dry-run]` and `kyodo members letters
FILE`: an admin imports the co-op's roster at the shell and prints invitation letters
(bot/services/member_import.py does the work, bot/letters renders the PDF; docs/members.md).

A letter's code exists in clear only in the PDF: the file is written next to its final name
first, the import committed, then the file renamed; if the commit fails the file is removed,
so no letter carries a code that does not exist.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.domain.errors import InvalidInput
from bot.i18n import I18n
from bot.ports.clock import SystemClock
from kyodo.cli import member_centres
from kyodo.cli.shell import Subparsers, shell_admin, shell_locale, upgrade
from kyodo.cli.terminal import file_refused, lines_refused, say

MAX_FILE_BYTES = 5 * 1024 * 1024

if TYPE_CHECKING:
    from bot.services.member_import import IssuedLetter


def add_parser(sub: Subparsers) -> None:
    members = sub.add_parser("members", help="import the co-op's members, print their letters")
    members_sub = members.add_subparsers(dest="members_command", required=True)
    imp = members_sub.add_parser(
        "import", help="import members from a CSV file (see docs/members.md)"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--letters", type=Path, help="write the new people's letters to this PDF")
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    imp.add_argument("--valid-days", type=int, default=60, help="how long a letter's code works")
    imp.set_defaults(handler=handle_import)
    letters = members_sub.add_parser(
        "letters", help="letters for everyone imported who has not joined and has no code"
    )
    letters.add_argument("file", type=Path)
    letters.add_argument("--valid-days", type=int, default=60)
    letters.set_defaults(handler=handle_letters)
    member_centres.add_parser(members_sub)


def _write_letters(
    settings: Settings, i18n: I18n, issued: Sequence[IssuedLetter], path: Path
) -> Path:
    """Renders the letters into a file beside `path`; returns it (renamed after the commit)."""
    from bot.letters.render import render_letters
    from bot.services.member_import import to_letters

    letters = to_letters(
        issued,
        bot_username=settings.bot_username,
        line_add_friend=settings.line_add_friend,
        tz=settings.tz,
        default_locale=settings.default_locale,
    )
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as out:
        render_letters(letters, i18n, out)
    return partial


async def handle_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.member_import import import_members
    from kyodo.app import open_store

    await upgrade(settings)
    locale = shell_locale()
    i18n = I18n(settings.tz, settings.default_locale)
    data = args.file.read_bytes()[: MAX_FILE_BYTES + 1]
    partial: Path | None = None
    async with open_store(settings) as store, store.uow() as uow:
        try:
            if len(data) > MAX_FILE_BYTES:
                raise InvalidInput("csv_too_long")
            report = await import_members(
                uow,
                shell_admin(locale),
                data,
                SystemClock().now(),
                letters=args.letters is not None,
                ttl=timedelta(days=args.valid_days),
                dry_run=args.dry_run,
            )
        except InvalidInput as error:
            file_refused(
                i18n, locale, "cli.members_import.file", f"members.import.error.{error.code}"
            )
            return 1
        if report.imported:
            if report.letters:
                partial = _write_letters(settings, i18n, report.letters, args.letters)
            try:
                await uow.commit()
            except BaseException:
                if partial is not None:
                    partial.unlink(missing_ok=True)
                raise
    lines_refused(i18n, locale, "cli.members_import.line", "members.import.error", report.errors)
    counts = {"count": len(report.good), "already": report.already, "broken": len(report.errors)}
    if args.dry_run:
        print(say(i18n, "cli.members_import.dry_run", locale, counts))
        return 1 if report.errors else 0
    if report.errors:
        print(say(i18n, "cli.members_import.refused", locale, counts), file=sys.stderr)
        return 1
    done = {"imported": report.imported, "already": report.already}
    print(say(i18n, "cli.members_import.done", locale, done))
    if partial is not None:
        partial.replace(args.letters)
        written = {"count": len(report.letters), "path": str(args.letters)}
        print(say(i18n, "cli.members_import.letters", locale, written))
    elif report.imported:
        print(say(i18n, "cli.members_import.no_letters", locale))
    return 0


async def handle_letters(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.member_import import letters_for_waiting
    from kyodo.app import open_store

    await upgrade(settings)
    locale = shell_locale()
    i18n = I18n(settings.tz, settings.default_locale)
    async with open_store(settings) as store, store.uow() as uow:
        issued = await letters_for_waiting(
            uow, shell_admin(locale), SystemClock().now(), timedelta(days=args.valid_days)
        )
        if not issued:
            print(say(i18n, "cli.members_letters.none", locale))
            return 0
        partial = _write_letters(settings, i18n, issued, args.file)
        try:
            await uow.commit()
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(args.file)
    written = {"count": len(issued), "path": str(args.file)}
    print(say(i18n, "cli.members_import.letters", locale, written))
    return 0
