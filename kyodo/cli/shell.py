"""What every command shares: the terminal's language, its messages, who acts at the shell, the
migration first."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Coroutine
from typing import Any, TypeAlias

from bot.config import Settings
from bot.domain.people import Actor, Role
from bot.i18n import I18n
from kyodo.cli import terminal

# A command's handler: the settings and the parsed arguments in, the exit status out.
Handler = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def shell_locale() -> str:
    lang = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG", "")
    return "ja" if lang.lower().startswith("ja") else "en"


def shell_admin(locale: str) -> Actor:
    """Whoever runs a `kyodo` command: the shell is the admin's own door (no person of the co-op,
    every admin's right), in the terminal's language."""
    return Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale=locale)


def say(settings: Settings, key: str, **args: object) -> str:
    """`key` in the terminal's language, as typed (kyodo/cli/terminal.py)."""
    return terminal.say(I18n(settings.tz, settings.default_locale), key, shell_locale(), args)


async def upgrade(settings: Settings) -> None:
    """Brings the database schema up to date: every command but `run` (which does it itself)
    does this first."""
    from storage.migrate import upgrade

    await upgrade(settings.database_url)
