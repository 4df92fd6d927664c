"""The languages Kyodo speaks, and which of them is a form of another.

Easy Japanese (やさしい日本語, `ja-easy`) is Japanese written for readers still learning it or
reading with difficulty: its own catalogs, but whatever staff write in Japanese (a broadcast, an
agenda, a centre's name) is what its readers get, and it is only ever a person's own choice.
"""

from __future__ import annotations

SUPPORTED = ("ja", "ja-easy", "en")
# Only a person's own choice selects these: no Telegram or browser language code means them.
CHOSEN_ONLY = frozenset({"ja-easy"})
_BASE = {"ja-easy": "ja"}


def base_language(locale: str) -> str:
    """The language `locale` is a form of (`ja` for Easy Japanese), else itself: the one whose
    free text its readers get and whose rules format its dates and numbers."""
    return _BASE.get(locale, locale)


def is_japanese(locale: str) -> bool:
    return base_language(locale) == "ja"
