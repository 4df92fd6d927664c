"""`kyodo centres list|add|rename|describe|office|close|import FILE [--dry-run]`: an admin sets
up the co-op's business centres and head offices at the shell (bot/services/centres.py does the
work).

Messages go through the catalogs in the terminal's language, like the rest of the `kyodo` command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from bot.config import Settings
from bot.domain import centre_csv
from bot.domain.centre_csv import CentreFields
from bot.domain.coop import BusinessCentre
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.languages import is_japanese
from bot.domain.replies import msg
from bot.i18n import I18n
from bot.ports.clock import SystemClock
from bot.ports.store import UnitOfWork
from kyodo.cli.shell import Subparsers, shell_admin, shell_locale, upgrade
from kyodo.cli.shifts import kind_names
from kyodo.cli.terminal import file_refused, lines_refused, say

MAX_FILE_BYTES = 5 * 1024 * 1024


def add_parser(sub: Subparsers) -> None:
    centres = sub.add_parser("centres", help="set up the co-op's business centres")
    centres_sub = centres.add_subparsers(dest="centres_command", required=True)
    centres_sub.add_parser("list", help="every centre, closed ones too").set_defaults(
        handler=handle_list
    )
    add = centres_sub.add_parser("add", help="a new centre: its Japanese and English names")
    add.add_argument("name_ja")
    add.add_argument("name_en")
    _details(add)
    add.add_argument("--head-office", action="store_true", help="a head office (本部/事務局)")
    add.add_argument("--office", type=int, default=None, help="the id of its head office")
    add.set_defaults(handler=handle_add)
    rename = centres_sub.add_parser("rename", help="a centre's new Japanese and English names")
    rename.add_argument("id", type=int)
    rename.add_argument("name_ja")
    rename.add_argument("name_en")
    rename.set_defaults(handler=handle_rename)
    describe = centres_sub.add_parser(
        "describe", help="set a centre's phone, kinds of work and service areas"
    )
    describe.add_argument("id", type=int)
    _details(describe)
    describe.set_defaults(handler=handle_describe)
    office = centres_sub.add_parser(
        "office", help="set the head office a centre belongs to (--none: to no office)"
    )
    office.add_argument("id", type=int)
    which = office.add_mutually_exclusive_group(required=True)
    which.add_argument("office_id", type=int, nargs="?", help="the id of the head office")
    which.add_argument("--none", action="store_true", help="the centre belongs to no office")
    office.set_defaults(handler=handle_office)
    close = centres_sub.add_parser("close", help="close a centre (kept for its history)")
    close.add_argument("id", type=int)
    close.set_defaults(handler=handle_close)
    imp = centres_sub.add_parser(
        "import", help="import centres from a CSV file (see docs/centres.md)"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    imp.set_defaults(handler=handle_import)


def _details(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--phone", default="", help="the centre's phone number")
    parser.add_argument("--kinds", default="", help="kinds of work, separated by ;")
    parser.add_argument("--areas", default="", help="service areas, separated by ;")


def _line(i18n: I18n, locale: str, centre: BusinessCentre) -> str:
    """One centre as a line of text; a head office, or the office a centre belongs to, after."""
    separator = "、" if is_japanese(locale) else ", "
    kinds = separator.join(sorted(i18n.text(f"work.{kind}", locale) for kind in centre.kinds))
    key = "cli.centres.row" if centre.is_open else "cli.centres.row_closed"
    row = msg(
        key,
        id=centre.id,
        name_ja=centre.name_ja,
        name_en=centre.name_en,
        phone=centre.phone or "—",
        kinds=kinds or "—",
        areas=separator.join(centre.areas) or "—",
    )
    said = [say(i18n, row.key, locale, dict(row.args))]
    if centre.is_office:
        said.append(say(i18n, "cli.centres.is_office", locale))
    elif centre.office_id is not None:
        said.append(say(i18n, "cli.centres.of_office", locale, {"office": centre.office_id}))
    return "  ".join(said)


async def _run(
    settings: Settings,
    act: Callable[[UnitOfWork, I18n, str], Awaitable[str]],
) -> int:
    """Runs one change or listing, prints its line, commits; an error is said on stderr."""
    from kyodo.app import open_store

    await upgrade(settings)
    locale = shell_locale()
    i18n = I18n(settings.tz, settings.default_locale)
    async with open_store(settings) as store, store.uow() as uow:
        try:
            said = await act(uow, i18n, locale)
        except (InvalidInput, NotFound) as error:
            code = "not_found" if isinstance(error, NotFound) else error.code
            reason = say(i18n, f"centres.error.{code}", locale)
            print(say(i18n, "cli.centres.refused", locale, {"reason": reason}), file=sys.stderr)
            return 1
        await uow.commit()
    print(said)
    return 0


def _fields(args: argparse.Namespace, i18n: I18n, name_ja: str, name_en: str) -> CentreFields:
    return CentreFields(
        name_ja=centre_csv.parse_name(name_ja),
        name_en=centre_csv.parse_name(name_en),
        phone=centre_csv.parse_phone(args.phone),
        kinds=centre_csv.parse_kinds(args.kinds, kind_names(i18n)),
        areas=centre_csv.parse_areas(args.areas),
    )


async def handle_list(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import centres

    async def act(uow: UnitOfWork, i18n: I18n, locale: str) -> str:
        found = await centres.listing(uow, shell_admin(locale), SystemClock().now())
        if not found:
            return say(i18n, "cli.centres.none", locale)
        return "\n".join(_line(i18n, locale, centre) for centre in found)

    return await _run(settings, act)


async def handle_add(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import centres

    async def act(uow: UnitOfWork, i18n: I18n, locale: str) -> str:
        fields = _fields(args, i18n, args.name_ja, args.name_en)
        fields = replace(fields, is_office=args.head_office)
        added = await centres.add(
            uow, shell_admin(locale), SystemClock().now(), fields, office_id=args.office
        )
        return say(i18n, "cli.centres.added", locale, {"row": _line(i18n, locale, added)})

    return await _run(settings, act)


async def handle_rename(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import centres

    async def act(uow: UnitOfWork, i18n: I18n, locale: str) -> str:
        now = SystemClock().now()
        renamed = await centres.rename(
            uow, shell_admin(locale), now, args.id, args.name_ja, args.name_en
        )
        return say(i18n, "cli.centres.renamed", locale, {"row": _line(i18n, locale, renamed)})

    return await _run(settings, act)


async def handle_describe(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import centres

    async def act(uow: UnitOfWork, i18n: I18n, locale: str) -> str:
        described = await centres.describe(
            uow,
            shell_admin(locale),
            SystemClock().now(),
            args.id,
            phone=centre_csv.parse_phone(args.phone),
            kinds=centre_csv.parse_kinds(args.kinds, kind_names(i18n)),
            areas=centre_csv.parse_areas(args.areas),
        )
        return say(i18n, "cli.centres.described", locale, {"row": _line(i18n, locale, described)})

    return await _run(settings, act)


async def handle_office(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import centres

    async def act(uow: UnitOfWork, i18n: I18n, locale: str) -> str:
        office_id = None if args.none else args.office_id
        moved = await centres.set_office(
            uow, shell_admin(locale), SystemClock().now(), args.id, office_id
        )
        return say(i18n, "cli.centres.office_set", locale, {"row": _line(i18n, locale, moved)})

    return await _run(settings, act)


async def handle_close(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import centres

    async def act(uow: UnitOfWork, i18n: I18n, locale: str) -> str:
        closed = await centres.close(uow, shell_admin(locale), SystemClock().now(), args.id)
        return say(i18n, "cli.centres.closed", locale, {"row": _line(i18n, locale, closed)})

    return await _run(settings, act)


async def handle_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.centres import import_centres
    from kyodo.app import open_store

    await upgrade(settings)
    locale = shell_locale()
    i18n = I18n(settings.tz, settings.default_locale)
    data = args.file.read_bytes()[: MAX_FILE_BYTES + 1]
    async with open_store(settings) as store, store.uow() as uow:
        try:
            if len(data) > MAX_FILE_BYTES:
                raise InvalidInput("csv_too_long")
            report = await import_centres(
                uow,
                shell_admin(locale),
                data,
                SystemClock().now(),
                kind_names=kind_names(i18n),
                dry_run=args.dry_run,
            )
        except InvalidInput as error:
            file_refused(i18n, locale, "cli.centres_import.file", f"centres.error.{error.code}")
            return 1
        if report.imported:
            await uow.commit()
    lines_refused(i18n, locale, "cli.centres_import.line", "centres.error", report.errors)
    counts = {"count": len(report.good), "broken": len(report.errors)}
    if args.dry_run:
        print(say(i18n, "cli.centres_import.dry_run", locale, counts))
        return 1 if report.errors else 0
    if report.errors:
        print(say(i18n, "cli.centres_import.refused", locale, counts), file=sys.stderr)
        return 1
    print(say(i18n, "cli.centres_import.done", locale, {"count": report.imported}))
    return 0
