"""Rich menu pictures in the menu's own language: each cell's label drawn with a Japanese font.

Members read the menu's labels before they tap, so a Japanese menu must say Japanese: Pillow
draws each label with the font the invitation letters embed (IPAex Gothic, Debian's
`fonts-ipaexfont-gothic`, `bot.letters.DEFAULT_FONT`), large (the longest line of a cell fills
at most 86% of its width, at most 150 px high on LINE's 2,500 px menu), black on white, the
cells ruled apart. Characters the font has no glyph for (emoji) are left out of the picture;
the tap still shows the whole label in the chat. Without the font (a development machine
without the Debian package) the caller falls back to `handlers/line/png.py`'s English
capitals, and says so in the log.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

PAPER, INK, RULE = 255, 20, 170
MAX_SIZE = 150  # px: the type's largest size
MIN_SIZE = 48  # px: below this a label wraps instead of shrinking
FILL = 0.86  # of a cell's width a line may take
LINE_GAP = 1.25  # line height, in type sizes


@cache
def _glyphs(font: Path) -> frozenset[int]:
    """The code points the font can draw (its best Unicode cmap)."""
    with TTFont(font, lazy=True) as face:
        cmap = face.getBestCmap() or {}
    return frozenset(cmap)


def drawable(text: str, font: Path) -> str:
    """What of a label the font draws: its glyphs only, spaces collapsed."""
    glyphs = _glyphs(font)
    kept = "".join(ch if ord(ch) in glyphs else " " for ch in text)
    return " ".join(kept.split())


def _lines(
    draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: float
) -> list[str]:
    """`text` broken into lines that fit `width`: at spaces where there are some, else between
    any two characters (Japanese has no spaces), never leaving a line empty."""
    lines: list[str] = []
    current = ""
    for ch in text:
        trial = current + ch
        if current and draw.textlength(trial, font=face) > width:
            cut = current.rfind(" ")
            if ch != " " and cut > 0:  # a Latin word moves to the next line whole
                lines.append(current[:cut])
                current = current[cut + 1 :] + ch
            else:
                lines.append(current.rstrip())
                current = ch.lstrip()
        else:
            current = trial
    if current.strip():
        lines.append(current.strip())
    return lines


def _fit(
    draw: ImageDraw.ImageDraw, text: str, font: Path, width: float, height: float
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest type (MAX_SIZE down to MIN_SIZE) at which `text` fits the box."""
    size = MAX_SIZE
    while True:
        face = ImageFont.truetype(str(font), size)
        lines = _lines(draw, text, face, width)
        if len(lines) * size * LINE_GAP <= height or size <= MIN_SIZE:
            return face, lines
        size -= 6


def grid_picture(width: int, height: int, columns: int, labels: list[str], font: Path) -> bytes:
    """A `width` x `height` greyscale PNG of `labels` in a grid of `columns` columns, row by
    row, each centred in its cell."""
    rows = -(-len(labels) // columns)
    cell_w, cell_h = width // columns, height // rows
    image = Image.new("L", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    for index, label in enumerate(labels):
        left, top = (index % columns) * cell_w, (index // columns) * cell_h
        draw.rectangle((left, top, left + cell_w - 1, top + cell_h - 1), outline=RULE, width=4)
        text = drawable(label, font)
        face, lines = _fit(draw, text, font, cell_w * FILL, cell_h * FILL)
        size = face.size
        y = top + (cell_h - len(lines) * size * LINE_GAP) / 2
        for line in lines:
            x = left + (cell_w - draw.textlength(line, font=face)) / 2
            draw.text((x, y), line, font=face, fill=INK)
            y += size * LINE_GAP
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
