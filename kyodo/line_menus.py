"""LINE's rich menus from the Telegram main menus: one per role and language.

The LINE door may not import the dialogs (import-linter), so the composition root reads each
role's main menu (bot/dialogs/menus.py) and hands the LINE door plain specs: the role's first
five buttons (Language and Help are in the whole menu) and the main menu itself, each posting
back the button's own callback data, with its label in the menu's language for the picture and
what a tap shows in the chat (in English too, for a picture drawn without the Japanese font).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from bot.dialogs.menus import MENU, Help, Language, full_menu
from bot.domain.channels import Channel
from bot.domain.people import Actor, Person, Role
from bot.domain.replies import Button
from bot.i18n import I18n
from bot.ports.store import UnitOfWorkFactory
from handlers.line.client import LineClient
from handlers.line.richmenus import (
    ENTRIES,
    LANGUAGES,
    LinePeople,
    MenuEntry,
    MenuSpec,
    RichMenus,
    menu_name,
)

ROLES = {
    "member": Role.MEMBER,
    "resident": Role.RESIDENT,
    "volunteer": Role.VOLUNTEER,
    "staff": Role.STAFF,
}
_BOTTOM_ROW = {Language().pack(), Help().pack()}


def menu_specs(i18n: I18n) -> dict[str, MenuSpec]:
    specs: dict[str, MenuSpec] = {}
    for role_name, role in ROLES.items():
        _, rows = full_menu(Actor(None, frozenset({role}), "en"))
        buttons = [b for row in rows for b in row if b.data not in _BOTTOM_ROW][: ENTRIES - 1]
        buttons.append(MENU)
        for language in LANGUAGES:

            def label(button: Button, locale: str) -> str:
                return i18n.text(button.label.key, locale, button.label.args)

            name = menu_name(role_name, language)
            specs[name] = MenuSpec(
                name,
                label(MENU, language),
                tuple(
                    MenuEntry(label(b, language), label(b, language), b.data, label(b, "en"))
                    for b in buttons
                ),
            )
    return specs


PAGE = 500


def line_people(uow_factory: UnitOfWorkFactory) -> LinePeople:
    """Everyone Kyodo knows on LINE (a first chat or a linked one), with their LINE user id,
    read a page of people at a time: whom `RichMenus` moves to menus of a new version."""

    async def people() -> AsyncIterator[tuple[int, str, Person]]:
        after = 0
        while True:
            found: list[tuple[int, str, Person]] = []
            async with uow_factory() as uow:
                page = await uow.people.page(None, after, PAGE)
                for person in page:
                    chats = [person.telegram_user_id, *await uow.links.chats_of(person.id)]
                    for chat_id in chats:
                        if chat_id is None or Channel.of(chat_id) is not Channel.LINE:
                            continue  # a placeholder without a chat yet, or a Telegram chat
                        address = await uow.line.address(chat_id)
                        if address is not None and not address.forgotten:
                            found.append((chat_id, address.user_id, person))
            for one in found:
                yield one
            if len(page) < PAGE:
                return
            after = page[-1].id

    return people


def rich_menus(
    client: LineClient,
    i18n: I18n,
    default_locale: str,
    uow_factory: UnitOfWorkFactory | None = None,
) -> RichMenus:
    return RichMenus(
        client,
        menu_specs(i18n),
        default_locale=default_locale,
        people=None if uow_factory is None else line_people(uow_factory),
    )
