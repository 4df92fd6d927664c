"""QR codes for the letters: the matrix of a link (segno), drawn as filled rectangles.

Error correction is at least M (15% of the code may be damaged: a folded or smudged letter), and
segno raises it further when that costs no extra size. Each row's runs of dark modules become one
rectangle, so a code is a few hundred rectangles rather than one per module.
"""

from __future__ import annotations

import segno

QUIET_ZONE = 4  # modules of white the standard asks for around a code


def matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The dark (True) and light modules of `data`'s QR code, without the quiet zone."""
    code = segno.make(data, error="m", micro=False, boost_error=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.matrix)


def rectangles(
    modules: tuple[tuple[bool, ...], ...], left: float, top: float, side: float
) -> list[tuple[float, float, float, float]]:
    """The dark runs of each row as (x, y, width, height) in PDF points (y grows upward), for a
    code `side` points wide whose top left corner is at (`left`, `top`)."""
    unit = side / len(modules)
    rects = []
    for row_index, row in enumerate(modules):
        y = top - (row_index + 1) * unit
        start: int | None = None
        for column, dark in enumerate((*row, False)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                rects.append((left + start * unit, y, (column - start) * unit, unit))
                start = None
    return rects
