"""`kyodo assembly publish`: an administrator publishes an assembly notice from the shell.

Dates are read in the co-op's zone with the same parser as the Telegram dialog; a date alone
for `--answer-by` means the end of that day. Titles and places default to the Japanese text in
English; the agenda does not: without `--agenda-en`, members who read English get the Japanese
agenda with a note that it is in Japanese only, as from the Telegram dialog. Refusals print the
same localised text as the bot.
"""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from bot.domain.assemblies import (
    MAX_AGENDA,
    MAX_PLACE,
    MAX_TITLE,
    parse_quorum,
    parse_text,
    parse_when,
)
from bot.domain.coop import NewAssembly
from bot.domain.errors import DomainError, InvalidInput
from bot.i18n import I18n
from bot.ports.clock import SystemClock
from kyodo.cli.shell import Subparsers, shell_admin, shell_locale, upgrade


def add_parser(sub: Subparsers) -> None:
    assembly = sub.add_parser("assembly", help="assembly notices")
    assembly_sub = assembly.add_subparsers(dest="assembly_command", required=True)
    publish = assembly_sub.add_parser("publish", help="publish an assembly notice")
    publish.add_argument("--title-ja", required=True)
    publish.add_argument("--title-en", help="English title (default: the Japanese one)")
    publish.add_argument("--at", required=True, help="start, e.g. 2026-12-12T14:00 (co-op zone)")
    publish.add_argument("--place-ja", required=True)
    publish.add_argument("--place-en", help="English place (default: the Japanese one)")
    publish.add_argument("--agenda-ja", default="", help="agenda; \\n starts a new item")
    publish.add_argument(
        "--agenda-en",
        default=None,
        help="English agenda (default: none; English readers get the Japanese one, marked)",
    )
    publish.add_argument("--quorum", default="1/2", help="fraction of members entitled to vote")
    publish.add_argument("--answer-by", required=True, help="deadline, e.g. 2026-12-05")
    publish.add_argument("--centre", type=int, default=None, help="a centre meeting: centre id")
    publish.set_defaults(handler=handle_publish)


def _draft(args: argparse.Namespace, settings: Settings) -> NewAssembly:
    def text(value: str, limit: int) -> str:
        return parse_text(value.replace("\\n", "\n"), limit)

    title_ja = text(args.title_ja, MAX_TITLE)
    place_ja = text(args.place_ja, MAX_PLACE)
    agenda_ja = text(args.agenda_ja, MAX_AGENDA) if args.agenda_ja.strip() else ""
    agenda_en = args.agenda_en or ""
    starts_at = parse_when(args.at, settings.tz)
    answer_by = parse_when(args.answer_by, settings.tz, end_of_day=True)
    if answer_by > starts_at:
        raise InvalidInput("answer_by_after_start")
    return NewAssembly(
        title_ja=title_ja,
        title_en=text(args.title_en, MAX_TITLE) if args.title_en else title_ja,
        starts_at=starts_at,
        place_ja=place_ja,
        place_en=text(args.place_en, MAX_PLACE) if args.place_en else place_ja,
        answer_by=answer_by,
        agenda_ja=agenda_ja,
        agenda_en=text(agenda_en, MAX_AGENDA) if agenda_en.strip() else "",
        quorum=parse_quorum(args.quorum),
        centre_id=args.centre,
    )


async def handle_publish(settings: Settings, args: argparse.Namespace) -> int:
    await upgrade(settings)
    return await _publish(args, settings, shell_locale())


async def _publish(args: argparse.Namespace, settings: Settings, locale: str) -> int:
    from bot.services.assemblies import publish as publish_notice
    from kyodo.app import open_store

    i18n = I18n(settings.tz, settings.default_locale)
    admin = shell_admin(locale)
    try:
        draft = _draft(args, settings)
        async with open_store(settings) as store, store.uow() as uow:
            assembly = await publish_notice(
                uow, admin, draft, SystemClock().now(), settings.assembly_reminders
            )
            await uow.commit()
    except DomainError as error:
        print(i18n.text(f"asm.error.{error.code}", locale, error.details), file=sys.stderr)
        return 2
    print(
        i18n.text(
            "cli.assembly_published",
            locale,
            {
                "id": str(assembly.id),
                "title": assembly.title(locale),
                "when": assembly.starts_at,
                "answer_by": assembly.answer_by,
            },
        )
    )
    return 0
