"""Free text staff write in two languages: one text, the reader's language first, then a line of
dashes alone (`---`, or `ーーー` as a Japanese keyboard types it), then the other language.

Staff writing to someone who reads another language (a decline reason, an answer to a message)
are told so and may write both; the text is kept as typed (staff see both), and the person gets
the part in their own language: the part with Japanese script for Japanese readers (Easy
Japanese too), the other for everyone else.
"""

from __future__ import annotations

import re

from bot.domain.languages import is_japanese

_SEPARATOR = re.compile(r"^[ \t]*[-ー―－—‐]{3,}[ \t]*$", re.MULTILINE)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


def parts(text: str) -> tuple[str, str] | None:
    """The two languages of `text`, or None when it is written in one (no separator line, or
    nothing on one side of it)."""
    found = _SEPARATOR.search(text)
    if found is None:
        return None
    first, second = text[: found.start()].strip(), text[found.end() :].strip()
    if not first or not second:
        return None
    return first, second


def _japanese_share(text: str) -> float:
    letters = [c for c in text if not c.isspace()]
    return len(_JAPANESE.findall(text)) / len(letters) if letters else 0.0


def for_reader(text: str, locale: str) -> str:
    """What a reader of `locale` gets of `text`: all of it when it is in one language."""
    both = parts(text)
    if both is None:
        return text
    first, second = both
    japanese_first = _japanese_share(first) >= _japanese_share(second)
    return first if japanese_first == is_japanese(locale) else second
