"""A rich menu per role (member, resident, volunteer, staff) and language, linked per person.

LINE cannot change a rich menu: a changed one is a new menu. So a menu's name on LINE is its
role and language followed by a digest of everything that makes it (`MenuSpec.line_name`: its
areas, the bar's label, the labels its picture is drawn from, the font, and the drawing code
itself, handlers/line/picture.py and png.py), and `RichMenus.ensure`, once at start, reuses the
menus the channel already holds under those names (a menu without its picture, left by a start
that stopped halfway, is made again) and creates the missing ones with their pictures. Kyodo's
menus of any other version (a newer or older Kyodo's, or an unversioned one of before) are then
replaced: the people Kyodo knows on LINE are linked to their menu of this version (LINE's bulk
link, 500 a request), and only then are the old menus deleted, so nobody is left without one
(deleting a menu unlinks it). The menus' areas
post back the same callback data as the Telegram main menu's buttons (the composition root
builds the `MenuSpec`s from it, kyodo/line_menus.py), so a tap is a button press the dialog
registry knows; the tap shows the button's label in the person's language in the chat
(``displayText``).

`RichMenus.follow` links the menu of a person's role and language when the gateway delivers
to them: their role is first known, or has changed, at the message that tells them (a join's
welcome, a role's notice). What it linked is remembered per chat, so an unchanged person costs
no LINE call; after a restart the first message to each person links once more (LINE takes a
repeated link as it is). A menu is a convenience: a failure to link is logged and the message
is delivered all the same.

Two replicas of different versions running at once would each replace the other's menus; a
rolling upgrade settles once the old one stops (its people are linked again at its next start,
or by `follow` at their next message).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.languages import base_language
from bot.domain.people import Person, Role
from bot.letters import DEFAULT_FONT
from bot.ports.telegram import GatewayError
from handlers.line import picture as picture_code
from handlers.line import png as png_code
from handlers.line.client import LineClient
from handlers.line.picture import grid_picture
from handlers.line.png import grid_png

log = logging.getLogger(__name__)

BULK_LINK = 500  # people one bulk link takes (LINE's limit)
WIDTH, HEIGHT, COLUMNS = 2500, 1686, 2  # LINE's full-size menu; two columns of large cells
ENTRIES = 6  # cells: the role's first five main-menu buttons, then the whole main menu
LANGUAGES = ("ja", "en")
# The role whose menu a person with several sees: the one with the most to do.
ROLE_ORDER = (
    (frozenset({Role.STAFF, Role.ADMIN}), "staff"),
    (frozenset({Role.MEMBER}), "member"),
    (frozenset({Role.VOLUNTEER}), "volunteer"),
    (frozenset({Role.RESIDENT}), "resident"),
)


@dataclass(frozen=True)
class MenuEntry:
    picture: str  # what the cell's picture says, in the menu's language
    display_text: str  # what a tap shows in the chat, in the menu's language
    data: str  # the Telegram button's callback data, posted back
    picture_en: str = ""  # the label in English: the picture when no Japanese font is installed


# Who Kyodo knows on LINE: (chat id, LINE user id, the person), for relinking their menus.
LinePeople = Callable[[], AsyncIterator[tuple[int, str, Person]]]


@dataclass(frozen=True)
class MenuSpec:
    name: str  # its role and language (`kyodo-member-ja`); on LINE followed by its version
    chat_bar: str  # the label of the bar that opens the menu (14 characters at most)
    entries: tuple[MenuEntry, ...]

    def version(self, font: Path = DEFAULT_FONT) -> str:
        """A digest of all that makes the menu: what LINE is told and what its picture is
        drawn from (labels, font, drawing code), so a menu that looks or acts differently has
        another name, and an unchanged one the same at every start (no picture drawn)."""
        drawing = hashlib.sha256()
        for module in (picture_code, png_code):
            drawing.update(Path(module.__file__ or "").read_bytes())
        made_of = {
            "body": self._body(""),
            "pictures": [[e.picture, e.picture_en] for e in self.entries],
            "font": [font.name, font.stat().st_size] if font.is_file() else None,
            "drawing": drawing.hexdigest(),
        }
        blob = json.dumps(made_of, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def line_name(self) -> str:
        """The menu's name on LINE: `kyodo-member-ja.<version>`."""
        return f"{self.name}.{self.version()}"

    def body(self) -> dict[str, Any]:
        return self._body(self.line_name())

    def _body(self, name: str) -> dict[str, Any]:
        rows = -(-len(self.entries) // COLUMNS)
        cell_w, cell_h = WIDTH // COLUMNS, HEIGHT // rows
        areas = [
            {
                "bounds": {
                    "x": (i % COLUMNS) * cell_w,
                    "y": (i // COLUMNS) * cell_h,
                    "width": cell_w,
                    "height": cell_h,
                },
                "action": {"type": "postback", "data": e.data, "displayText": e.display_text},
            }
            for i, e in enumerate(self.entries)
        ]
        return {
            "size": {"width": WIDTH, "height": HEIGHT},
            "selected": True,  # shown open: the menu is how people get around
            "name": name,
            "chatBarText": self.chat_bar[:14],
            "areas": areas,
        }

    def picture(self, font: Path = DEFAULT_FONT) -> bytes:
        """The menu's picture in its language; in English capitals when the font is missing."""
        if font.is_file():
            return grid_picture(WIDTH, HEIGHT, COLUMNS, [e.picture for e in self.entries], font)
        log.warning("no Japanese font at %s: rich menu %s drawn in English", font, self.name)
        labels = [e.picture_en or e.picture for e in self.entries]
        return grid_png(WIDTH, HEIGHT, COLUMNS, labels)


def menu_name(role: str, language: str) -> str:
    return f"kyodo-{role}-{language}"


def menu_for(person: Person | None, default_locale: str) -> str | None:
    """The name of the menu a person sees; None for someone without a role yet."""
    if person is None:
        return None
    role = next((name for roles, name in ROLE_ORDER if person.roles & roles), None)
    if role is None:
        return None
    # Easy Japanese readers get the Japanese menu (its labels are short everyday words already).
    language = base_language(person.locale or person.telegram_language or default_locale)
    return menu_name(role, language if language in LANGUAGES else default_locale)


class RichMenus:
    def __init__(
        self,
        client: LineClient,
        specs: Mapping[str, MenuSpec],
        *,
        default_locale: str = "ja",
        timeout: float = 10.0,
        people: LinePeople | None = None,
    ) -> None:
        """`people`: who Kyodo knows on LINE, to move them to the menus of this version when
        menus of another are replaced (None: they move at their next message)."""
        self._client = client
        self._specs = dict(specs)
        self._default_locale = default_locale
        self._timeout = timeout
        self._people = people
        self.ids: dict[str, str] = {}  # role and language -> LINE's rich menu id, once ensured
        self._linked: dict[int, str | None] = {}  # chat id -> the menu (role, language) linked

    async def ensure(self) -> None:
        """Every menu of this version on LINE with its picture (those already there reused);
        Kyodo's menus of other versions replaced."""
        try:
            listed = await self._client.rich_menus(self._timeout)
            ours = [(menu_id, name) for menu_id, name in listed if self._is_ours(name)]
            wanted = {key: spec.line_name() for key, spec in self._specs.items()}
            existing = {name: menu_id for menu_id, name in ours}
            for key, spec in self._specs.items():
                menu_id = existing.get(wanted[key])
                if menu_id is not None and not await self._client.has_rich_menu_image(
                    menu_id, self._timeout
                ):
                    await self._client.delete_rich_menu(menu_id, self._timeout)
                    menu_id = None
                if menu_id is None:
                    menu_id = await self._client.create_rich_menu(spec.body(), self._timeout)
                    picture = await asyncio.to_thread(spec.picture)
                    await self._client.upload_rich_menu_image(menu_id, picture, self._timeout)
                self.ids[key] = menu_id
            stale = [menu_id for menu_id, name in ours if name not in wanted.values()]
            if stale:
                await self._relink()  # first: a deleted menu leaves its people without one
                for menu_id in stale:
                    await self._client.delete_rich_menu(menu_id, self._timeout)
                log.info("LINE rich menus of another version replaced: %d", len(stale))
        except (GatewayError, ValueError) as error:  # ValueError: the SDK's own checks
            log.warning("LINE rich menus not ready: %s (%s)", type(error).__name__, error)

    def _is_ours(self, name: str) -> bool:
        """A Kyodo menu of any version: `kyodo-member-ja`, `kyodo-member-ja.<version>`."""
        return name.split(".", 1)[0] in self._specs

    async def _relink(self) -> None:
        """Everyone Kyodo knows on LINE to their menu of this version, 500 a request."""
        if self._people is None:
            return
        batches: dict[str, list[tuple[int, str, str]]] = {}
        async for chat_id, user_id, person in self._people():
            key = menu_for(person, self._default_locale)
            menu_id = None if key is None else self.ids.get(key)
            if key is not None and menu_id is not None:
                batches.setdefault(menu_id, []).append((chat_id, user_id, key))
        for menu_id, people in batches.items():
            for start in range(0, len(people), BULK_LINK):
                batch = people[start : start + BULK_LINK]
                users = [user_id for _, user_id, _ in batch]
                await self._client.link_rich_menu_many(users, menu_id, self._timeout)
                self._linked.update((chat_id, key) for chat_id, _, key in batch)

    async def follow(self, chat_id: int, user_id: str, person: Person | None) -> None:
        """Links the menu of the person's role and language unless it is linked already."""
        wanted = menu_for(person, self._default_locale)
        if self._linked.get(chat_id, "") == wanted:
            return
        try:
            if wanted is None:
                if chat_id in self._linked:  # a role taken away: no menu of the old one
                    await self._client.unlink_rich_menu(user_id, self._timeout)
                self._linked[chat_id] = None
                return
            menu_id = self.ids.get(wanted)
            if menu_id is None:
                return  # not ready (or LINE refused it at start): the next message tries
            await self._client.link_rich_menu(user_id, menu_id, self._timeout)
        except GatewayError as error:
            log.warning("LINE rich menu not linked: %s", type(error).__name__)
            return
        self._linked[chat_id] = wanted

    async def forget(self, chat_id: int, user_id: str) -> None:
        """After a /forget's farewell: no menu of a role they no longer have."""
        self._linked.pop(chat_id, None)
        try:
            await self._client.unlink_rich_menu(user_id, self._timeout)
        except GatewayError as error:
            log.warning("LINE rich menu not unlinked: %s", type(error).__name__)
