"""LINE's rich menus from the Telegram main menus: one per role and language.

The LINE door may not import the dialogs (import-linter), so the composition root reads each
role's main menu (bot/dialogs/menus.py) and hands the LINE door plain specs: the role's first
five buttons (Language and Help are in the whole menu) and the main menu itself, each posting
back the button's own callback data, with its label in the menu's language for the picture and
what a tap shows in the chat (in English too, for a picture drawn without the Japanese font).
"""

from __future__ import annotations

from bot.dialogs.menus import MENU, Help, Language, full_menu
from bot.domain.people import Actor, Role
from bot.domain.replies import Button
from bot.i18n import I18n
from handlers.line.client import LineClient
from handlers.line.richmenus import ENTRIES, LANGUAGES, MenuEntry, MenuSpec, RichMenus, menu_name

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


def rich_menus(client: LineClient, i18n: I18n, default_locale: str) -> RichMenus:
    return RichMenus(client, menu_specs(i18n), default_locale=default_locale)
