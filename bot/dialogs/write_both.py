"""Staff writing free text to someone who reads another language are told so.

A decline reason, a question about a request or an answer to a message reaches the person as
staff typed it; when the person reads another language than the staff member (Easy Japanese
counts as Japanese), the prompt says so and shows how to write both (bot.domain.bilingual): the
person then gets only the part in their language. Cards name the language a person reads.
"""

from __future__ import annotations

from bot.domain.languages import SUPPORTED, base_language
from bot.domain.people import Person
from bot.domain.replies import Msg, msg
from bot.i18n import resolve_locale

# The co-op's language when a person has neither chosen one nor shown Telegram's: the cards and
# prompts that have no settings at hand assume it, as the notices' default does.
ASSUMED = "ja"


def language_name(locale: str) -> Msg:
    """The name of the language a person reads, for staff."""
    return msg(f"help.lang.{locale if locale in SUPPORTED else 'ja'}")


def reads(person: Person, default: str = ASSUMED) -> str:
    """The language the person reads what Kyodo sends them in."""
    return resolve_locale(person.locale, person.telegram_language, default)


def hint(staff_locale: str, name: str, reader: str) -> Msg | None:
    """ "This person reads English: write in English too?", when the languages differ."""
    if base_language(reader) == base_language(staff_locale):
        return None
    return msg("triage.write_both", name=name, language=language_name(reader))


def hint_for(staff_locale: str, person: Person | None, default: str = ASSUMED) -> Msg | None:
    if person is None:
        return None
    return hint(staff_locale, person.display_name, reads(person, default))


def reads_line(person: Person | None, default: str = ASSUMED) -> Msg | None:
    """A card's line naming the language the person reads."""
    if person is None:
        return None
    return msg("triage.card.reads", language=language_name(reads(person, default)))
