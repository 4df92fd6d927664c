"""A rich menu per role (member, resident, volunteer, staff) and language, linked per person.

`RichMenus.ensure` runs once at start: it reuses each menu the channel already holds under the
same name (a menu without its picture, left by a start that stopped halfway, is made again),
creates the missing ones and uploads their pictures (handlers/line/picture.py: the labels in the
menu's language). The menus' areas
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
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.languages import base_language
from bot.domain.people import Person, Role
from bot.letters import DEFAULT_FONT
from bot.ports.telegram import GatewayError
from handlers.line.client import LineClient
from handlers.line.picture import grid_picture
from handlers.line.png import grid_png

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class MenuSpec:
    name: str
    chat_bar: str  # the label of the bar that opens the menu (14 characters at most)
    entries: tuple[MenuEntry, ...]

    def body(self) -> dict[str, Any]:
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
            "name": self.name,
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
    ) -> None:
        self._client = client
        self._specs = dict(specs)
        self._default_locale = default_locale
        self._timeout = timeout
        self.ids: dict[str, str] = {}  # name -> LINE's rich menu id, once ensured
        self._linked: dict[int, str | None] = {}  # chat id -> the menu name linked

    async def ensure(self) -> None:
        """Every menu on LINE with its picture; reuses those of the same name."""
        try:
            existing = dict(
                (name, menu_id)
                for menu_id, name in await self._client.rich_menus(self._timeout)
                if name in self._specs
            )
            for name, spec in self._specs.items():
                menu_id = existing.get(name)
                if menu_id is not None and not await self._client.has_rich_menu_image(
                    menu_id, self._timeout
                ):
                    await self._client.delete_rich_menu(menu_id, self._timeout)
                    menu_id = None
                if menu_id is None:
                    menu_id = await self._client.create_rich_menu(spec.body(), self._timeout)
                    picture = await asyncio.to_thread(spec.picture)
                    await self._client.upload_rich_menu_image(menu_id, picture, self._timeout)
                self.ids[name] = menu_id
        except (GatewayError, ValueError) as error:  # ValueError: the SDK's own checks
            log.warning("LINE rich menus not ready: %s (%s)", type(error).__name__, error)

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
