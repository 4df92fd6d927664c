"""Invitation letters as a PDF: one A4 page per person, in their language, to print and post.

Each page has the person's name, a large QR code of their Telegram deep link (and a second one
for a LINE add-friend link when there is one), the invite code in large type grouped for reading
aloud (`ABCD-EFGH`), the steps to join in short sentences, when the code expires, and their
centre's name and phone number. Type is large and black on white: many readers are elderly.

The contract (called by the members import and the desk's reprint):

    render_letters(letters: Iterable[Letter], i18n: I18n, out: BinaryIO) -> int

- writes ONE PDF to `out`, one page per letter in the order given, and returns the number of
  pages; with no letters it writes nothing and returns 0 (there is no empty PDF to print);
- streams: each page is written to `out` as soon as it is drawn, and `letters` is consumed
  lazily, so a generator of 6,000 letters is never held in memory (`out` need not be
  seekable: a file, a socket, an HTTP response). Only the font subset and the page index are
  written at the end, so the PDF is complete only when the call returns;
- the texts are the `letters.*` keys of the person's locale (`ja`, `en`, `ja-easy`), the date
  through Babel in that locale;
- raises `FontMissing` when the font file is absent (Debian's `fonts-ipaexfont-gothic`; the
  `font=` keyword names another TrueType font) and `LetterTooLong` when a letter's text leaves
  no room for its QR code (a name of hundreds of characters): nothing sensible can be printed.
  After an exception `out` holds an incomplete PDF: write to a temporary file and rename it
  once the call returns (as `kyodo members import --letters` does);
- a character the font lacks (e.g. 𠮷) prints as an empty box: `missing_characters(letter)`
  tells the caller beforehand, so staff can be told which letters to check.

Layout and the font choice are described in docs/letters.md.
"""

from bot.letters.pdf import FontMissing
from bot.letters.render import (
    DEFAULT_FONT,
    Letter,
    LetterTooLong,
    grouped,
    missing_characters,
    render_letters,
)

__all__ = [
    "DEFAULT_FONT",
    "FontMissing",
    "Letter",
    "LetterTooLong",
    "grouped",
    "missing_characters",
    "render_letters",
]
