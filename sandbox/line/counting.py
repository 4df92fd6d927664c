"""How LINE counts characters: UTF-16 code units, or grapheme clusters for some properties.

LINE's documentation ("Character counting in a text") counts text in UTF-16 code units (🍎 is
two), except a list of properties counted in grapheme clusters (action labels, postback
``displayText``/``fillInText``/``text``, message action ``text``, template ``text``/``title``,
rich menu ``chatBarText``/``name``). Python's standard library has no grapheme segmentation;
``graphemes`` approximates UAX #29 for what people type: combining marks, variation selectors,
skin tones and keycaps join the character before them, a zero-width joiner glues emoji
sequences, and regional indicators pair into flags. Hangul syllable sequences in conjoining
jamo are not joined (Japanese text never uses them).
"""

from __future__ import annotations

import unicodedata

_ZWJ = "\u200d"


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _extends(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.combining(char) != 0
        or unicodedata.category(char) in {"Mn", "Me", "Mc"}
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF  # skin tone modifiers
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences
        or code == 0x20E3  # combining enclosing keycap
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def graphemes(text: str) -> int:
    count = 0
    previous = ""
    open_flag = False
    for char in text:
        if count and (_extends(char) or char == _ZWJ or previous == _ZWJ):
            previous = char
            continue
        if _regional(char) and open_flag:
            open_flag = False
            previous = char
            continue
        open_flag = _regional(char)
        count += 1
        previous = char
    return count
