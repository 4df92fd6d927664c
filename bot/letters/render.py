"""The letter page: what goes where on A4, in large type, and the loop that writes the pages.

Type sizes are for elderly readers: body text 15 pt, nothing under 14 pt, the code 36 pt, black
on white. The page is laid out from the top; the QR codes take the room the text leaves (at most
62 mm, at least 30 mm: a phone reads a code that size from 30 cm).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from babel.dates import format_date

from bot.i18n import SUPPORTED, I18n, babel_locale
from bot.letters.pdf import A4, Canvas, Document, EmbeddedFont
from bot.letters.qr import QUIET_ZONE, matrix, rectangles

# Debian's fonts-ipaexfont-gothic (installed by .ci/system-deps and the Dockerfile): a TrueType
# (glyf) font, which is what a PDF can embed as a subset most simply; see docs/letters.md.
DEFAULT_FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")

MM = 72 / 25.4
MARGIN = 15 * MM
BODY = 15.0  # points; the smallest type on the page is 14 pt
LEADING = 1.4
CODE_SIZE = 36.0
QR_MAX = 62 * MM
QR_MIN = 30 * MM
CODE_GROUP = 4


class LetterTooLong(ValueError):
    """A letter's text (a very long name or centre name) leaves no room for its QR code."""


@dataclass(frozen=True)
class Letter:
    """One person's invitation letter: everything printed on their page.

    `locale` is the person's language (`ja`, `en`, `ja-easy`); `code` the invite code in clear
    (printed grouped, e.g. `ABCD-EFGH`); `telegram_link` the deep link the first QR code opens
    (`https://t.me/<bot>?start=<code>`); `line_link` an add-friend link for a second QR code, or
    None; `expires` the last day the code can be used.
    """

    locale: str
    name: str
    code: str
    telegram_link: str
    line_link: str | None
    centre_name: str
    centre_phone: str | None
    expires: date

    @property
    def bot_handle(self) -> str:
        """`@kyodo_bot`, from the deep link: what to search for in Telegram."""
        return "@" + urlsplit(self.telegram_link).path.strip("/")


def grouped(code: str) -> str:
    """`ABCDEFGH` -> `ABCD-EFGH`: groups of four, read aloud one group at a time (Kyodo accepts
    the code with or without the hyphen)."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


# Japanese line breaking (kinsoku): these never begin a line, those never end one.
_NO_START = frozenset(
    "、。，．・：；？！ー‐－～…‥」』）］｝〉》】〕’”,.:;?!)]}ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々"
)
_NO_END = frozenset("「『（［｛〈《【〔‘“([{")
# Unbreakable units: a run of Latin letters, digits and link punctuation (with its spaces), and a
# word in kanji with its reading in brackets (Easy Japanese: 入（い）れます).
_UNIT = re.compile(r"[\u4e00-\u9fff々]+（[\u3041-\u30ffー]+）|[!-~\u00c0-\u024f]+ *| +|.")


def wrap(text: str, font: EmbeddedFont, size: float, width: float) -> list[str]:
    """`text` broken into lines no wider than `width`: at spaces between words, between any two
    Japanese characters except where kinsoku forbids; a word wider than a line is cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0  # the width includes the line's trailing spaces
        for unit in _units(paragraph, font, size, width):
            word = unit.rstrip()
            # A closing mark hangs into the margin rather than start a line.
            if not line or line_width + font.width(word, size) <= width or unit[0] in _NO_START:
                line += unit
                line_width += font.width(unit, size)
                continue
            if line[-1] in _NO_END and len(line) > 1:
                line, unit = line[:-1], line[-1] + unit
            lines.append(line.rstrip())
            line = unit.lstrip()
            line_width = font.width(line, size)
        lines.append(line.rstrip())
    return lines


def _units(text: str, font: EmbeddedFont, size: float, width: float) -> Iterator[str]:
    for unit in _UNIT.findall(text):
        if font.width(unit.rstrip(), size) <= width:
            yield unit
        else:
            yield from unit


class Page:
    """Lays out one letter from the top of the page down, then draws it."""

    def __init__(self, letter: Letter, i18n: I18n, font: EmbeddedFont) -> None:
        self.letter = letter
        # A language Kyodo does not speak prints in the co-op's, dates included, never mixed.
        self.locale = letter.locale if letter.locale in SUPPORTED else i18n.default_locale
        self.i18n = i18n
        self.font = font
        self.width = A4[0] - 2 * MARGIN
        self._wrapped: dict[tuple[str, float, float], list[str]] = {}

    def say(self, key: str, **args: object) -> str:
        # Not i18n.text: that escapes for Telegram's HTML, and a PDF shows text as it is.
        return self.i18n.gettext(key, self.locale).format(**args)

    def draw(self, canvas: Canvas) -> None:
        letter = self.letter
        expires = format_date(letter.expires, "full", locale=babel_locale(self.locale))
        links = [("Telegram", letter.telegram_link)]
        if letter.line_link:
            links.append(("LINE", letter.line_link))
        steps = [
            self.say("letters.step.install_line" if letter.line_link else "letters.step.install"),
            self.say("letters.step.scan"),
            self.say("letters.step.start"),
            self.say("letters.step.type", bot=letter.bot_handle),
        ]
        if letter.line_link:
            steps.append(self.say("letters.step.line"))
        if letter.centre_phone:
            help_text = self.say("letters.help.phone", centre=letter.centre_name)
        else:
            help_text = self.say("letters.help.staff", centre=letter.centre_name)

        # Everything but the QR codes, measured first: the codes get the height that is left.
        top_blocks: list[tuple[str, float, bool]] = [
            (self.say("letters.dear", name=letter.name), 26, True),
            (self.say("letters.title"), 20, True),
            (self.say("letters.intro"), BODY, False),
        ]
        code_box = 16 * LEADING + CODE_SIZE * 1.35 + 16 * LEADING + 24
        steps_height = 18 * LEADING + sum(
            len(self._lines(step, BODY, self.width - 2 * BODY)) * BODY * LEADING + 4
            for step in steps
        )
        help_height = len(self._lines(help_text, 16, self.width)) * 16 * LEADING
        if letter.centre_phone:
            help_height += 26 * LEADING
        fixed = (
            sum(len(self._lines(t, s, self.width)) * s * LEADING for t, s, _ in top_blocks)
            + 16 * LEADING  # the QR labels
            + code_box
            + steps_height
            + help_height
            + 6 * 8  # gaps between blocks
        )
        room = A4[1] - 2 * MARGIN - fixed
        codes = [matrix(link) for _, link in links]
        columns = len(codes)
        # Quiet zones: 4 modules above and below a code, 8 between two codes.
        largest = max(len(code) for code in codes)
        by_width = (self.width / columns) * largest / (largest + 2 * QUIET_ZONE)
        by_height = room * largest / (largest + 2 * QUIET_ZONE)
        side = min(QR_MAX, by_width, by_height)
        if side < QR_MIN:
            raise LetterTooLong(letter.name)
        module = side / largest

        y = A4[1] - MARGIN
        for text, size, bold in top_blocks:
            y = self._paragraph(canvas, text, size, y, bold=bold) - 8
        y -= max(0.0, QUIET_ZONE * module - 8)
        cell = self.width / columns
        for index, (label, _) in enumerate(links):
            code = codes[index]
            this_side = module * len(code)
            left = MARGIN + cell * index + (cell - this_side) / 2
            canvas.rects(rectangles(code, left, y, this_side))
            label_y = y - side - QUIET_ZONE * module - 16
            label_x = MARGIN + cell * index + (cell - self.font.width(label, 16)) / 2
            canvas.text(label_x, label_y, label, 16, bold=True)
        y -= side + QUIET_ZONE * module + 16 * LEADING
        y -= 8

        # The code in a frame, with its expiry.
        box_top = y
        y -= 8
        y = self._paragraph(canvas, self.say("letters.code_label"), 16, y, indent=12)
        code_text = grouped(letter.code)
        spacing = 4.0
        code_width = self.font.width(code_text, CODE_SIZE) + spacing * len(code_text)
        y -= CODE_SIZE * 1.1
        canvas.spaced_text(MARGIN + (self.width - code_width) / 2, y, code_text, CODE_SIZE, spacing)
        y -= CODE_SIZE * 0.25
        expiry = self.say("letters.expires", date=expires)
        y = self._paragraph(canvas, expiry, 16, y, bold=True, indent=12) - 8
        canvas.frame(MARGIN, y, self.width, box_top - y, 2)
        y -= 14

        y = self._paragraph(canvas, self.say("letters.steps_heading"), 18, y, bold=True)
        for number, step in enumerate(steps, start=1):
            canvas.text(MARGIN, y - BODY * (1 + LEADING) / 2, f"{number}.", BODY, bold=True)
            y = self._paragraph(canvas, step, BODY, y, indent=2 * BODY) - 4
        y -= 6
        y = self._paragraph(canvas, help_text, 16, y)
        if letter.centre_phone:
            phone = self.say("letters.phone", phone=letter.centre_phone)
            self._paragraph(canvas, phone, 26, y, bold=True)

    def _lines(self, text: str, size: float, width: float) -> list[str]:
        # Each paragraph is wrapped twice (measured, then drawn): the second time is a lookup.
        key = (text, size, width)
        if key not in self._wrapped:
            self._wrapped[key] = wrap(text, self.font, size, width)
        return self._wrapped[key]

    def _paragraph(
        self,
        canvas: Canvas,
        text: str,
        size: float,
        top: float,
        *,
        bold: bool = False,
        indent: float = 0,
        centred: bool = False,
    ) -> float:
        """Draws `text` wrapped below `top`; returns the y below its last line."""
        width = self.width - indent
        for line in self._lines(text, size, width):
            top -= size * LEADING
            x = MARGIN + indent
            if centred:
                x = MARGIN + (self.width - self.font.width(line, size)) / 2
            canvas.text(x, top + size * (LEADING - 1) / 2, line, size, bold=bold)
        return top


def render_letters(
    letters: Iterable[Letter], i18n: I18n, out: BinaryIO, *, font: Path = DEFAULT_FONT
) -> int:
    """Writes one A4 page per letter to `out` as one PDF; returns the number of pages.

    See the package's docstring for the contract.
    """
    document: Document | None = None
    for letter in letters:
        if document is None:  # opened at the first letter: no letters, no file
            title = i18n.gettext("letters.document_title", i18n.default_locale)
            document = Document(out, font, title=title)
        canvas = document.canvas()
        Page(letter, i18n, document.font).draw(canvas)
        document.add_page(canvas)
    if document is None:
        return 0
    document.close()
    return document.pages


def missing_characters(letter: Letter, *, font: Path = DEFAULT_FONT) -> set[str]:
    """Characters of the letter's name and centre that the font cannot print (e.g. 𠮷, not in
    IPAex Gothic): they would come out as an empty box, so the caller can tell the staff."""
    return EmbeddedFont(font).lacks(letter.name + letter.centre_name)
