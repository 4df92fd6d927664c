"""`kyodo members centres PERSON [--set "centre A;centre B"]`: an admin reads or sets the
business centres a person belongs to, at the shell (bot.services.memberships.set_centres does
the change and audits it as `membership.changed`, as the desk's person page does).

PERSON is the person's id, as the desk's People page shows it. Centres are named in Japanese or
English (width and case folded, as the member import reads them) or by id, separated by `;` or
`、`; an empty `--set ""` leaves the person in no centre. A name that is no centre changes nothing.
"""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from bot.domain import centre_csv
from bot.domain.coop import BusinessCentre
from bot.domain.csv_rows import normalise
from bot.domain.errors import InvalidInput, PermissionDenied
from bot.domain.languages import is_japanese
from bot.i18n import I18n
from bot.ports.clock import SystemClock
from bot.ports.store import UnitOfWork
from kyodo.cli.shell import Subparsers, shell_admin, shell_locale, upgrade
from kyodo.cli.terminal import say


def add_parser(members_sub: Subparsers) -> None:
    centres = members_sub.add_parser(
        "centres", help="show or set (--set) the centres a person belongs to"
    )
    centres.add_argument("person", type=int, help="the person's id (the desk's People page)")
    centres.add_argument(
        "--set",
        dest="wanted",
        default=None,
        help='the centres, by name or id, separated by ; ("" for none)',
    )
    centres.set_defaults(handler=handle)


def _key(text: str) -> str:
    return normalise(text).casefold()


def resolve(text: str, centres: list[BusinessCentre]) -> tuple[list[int], list[str]]:
    """The ids of the centres named in `text` (names in either language, or ids) and the
    names that are no centre's."""
    by_name: dict[str, int] = {}
    for centre in centres:
        by_name.setdefault(_key(centre.name_ja), centre.id)
        by_name.setdefault(_key(centre.name_en), centre.id)
        by_name.setdefault(str(centre.id), centre.id)
    found: list[int] = []
    unknown: list[str] = []
    for name in centre_csv.split(normalise(text)):
        centre_id = by_name.get(_key(name))
        if centre_id is None:
            unknown.append(name)
        elif centre_id not in found:
            found.append(centre_id)
    return found, unknown


async def _show(uow: UnitOfWork, i18n: I18n, locale: str, person_id: int, name: str) -> str:
    names = {c.id: c.name(locale) for c in await uow.centres.all()}
    belongs = sorted(await uow.memberships.centres_of(person_id))
    separator = "、" if is_japanese(locale) else ", "
    listed = separator.join(names.get(c, str(c)) for c in belongs) or "—"
    return say(
        i18n, "cli.member_centres.now", locale, {"name": name, "id": person_id, "centres": listed}
    )


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import memberships
    from kyodo.app import open_store

    await upgrade(settings)
    locale = shell_locale()
    i18n = I18n(settings.tz, settings.default_locale)
    admin = shell_admin(locale)
    async with open_store(settings) as store, store.uow() as uow:
        person = await uow.people.get(args.person)
        if person is None:
            print(
                say(i18n, "cli.member_centres.no_person", locale, {"id": args.person}),
                file=sys.stderr,
            )
            return 1
        if args.wanted is not None:
            if len(args.wanted) > centre_csv.MAX_RAW:
                print(say(i18n, "cli.member_centres.too_long", locale), file=sys.stderr)
                return 1
            wanted, unknown = resolve(args.wanted, list(await uow.centres.all()))
            if unknown:
                said = {"names": "、".join(unknown) if is_japanese(locale) else ", ".join(unknown)}
                print(say(i18n, "cli.member_centres.unknown", locale, said), file=sys.stderr)
                return 1
            try:
                await memberships.set_centres(uow, admin, person.id, wanted, SystemClock().now())
            except (InvalidInput, PermissionDenied):
                # unknown_centre: a closed centre may be kept but not newly given.
                print(say(i18n, "cli.member_centres.closed", locale), file=sys.stderr)
                return 1
            await uow.commit()
        print(await _show(uow, i18n, locale, person.id, person.display_name))
    return 0
