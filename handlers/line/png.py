"""Rich menu pictures without an imaging library: a grid of labelled cells as a PNG.

LINE shows a rich menu as one picture with tappable areas; Kyodo draws it at start (Pillow is
not a dependency, so this is a small PNG writer: 8-bit greyscale, zlib, one IDAT). Labels are
drawn with a 5x7 bitmap font, large (each font dot is 15 pixels square at 2500 wide), in
capitals; the font has Latin letters, digits and common punctuation only, so a label is drawn
in English (Japanese glyphs need a font rasterizer). What a tap says in the chat comes from the
area's ``displayText``, in the person's language (handlers/line/richmenus.py).
"""

from __future__ import annotations

import struct
import zlib

# 5x7 capitals, digits and punctuation: each glyph is 7 rows of 5 dots ("#" is ink).
_FONT_ROWS: dict[str, tuple[str, ...]] = {
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    " ": (".....",) * 7,
    "'": ("..#..", "..#..", ".#...", ".....", ".....", ".....", "....."),
    "(": ("...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."),
    ")": (".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."),
    "-": (".....", ".....", ".....", "#####", ".....", ".....", "....."),
    "/": (".....", "....#", "...#.", "..#..", ".#...", "#....", "....."),
    ".": (".....", ".....", ".....", ".....", ".....", ".##..", ".##.."),
    ",": (".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."),
    ":": (".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."),
    "?": (".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."),
    "!": ("..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."),
    "&": (".##..", "#..#.", "#.#..", ".#...", "#.#.#", "#..#.", ".##.#"),
}
GLYPH_W, GLYPH_H = 5, 7
UNIT = 5  # pixels per drawing unit: the picture is drawn at 1/5 scale, then enlarged
DOT = 3  # units per font dot: one dot is 15 x 15 pixels
PAPER, INK, RULE = 248, 24, 160


def drawable(text: str) -> str:
    """What of a label the font can draw: capitals, without emoji or other scripts."""
    kept = "".join(ch for ch in text.upper() if ch in _FONT_ROWS)
    return " ".join(kept.split())


def _wrap(text: str, per_line: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        while len(word) > per_line:
            lines.append(word[:per_line])
            word = word[per_line:]
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def grid_png(width: int, height: int, columns: int, labels: list[str]) -> bytes:
    """A `width` x `height` picture of `labels` in a grid of `columns` columns, row by row,
    each label centred in its cell, the cells ruled apart."""
    rows = -(-len(labels) // columns)
    w, h = width // UNIT, height // UNIT
    canvas = [bytearray([PAPER]) * w for _ in range(h)]
    cell_w, cell_h = w // columns, h // rows
    for index, label in enumerate(labels):
        left, top = (index % columns) * cell_w, (index // columns) * cell_h
        for y in range(top, min(h, top + cell_h)):
            canvas[y][left] = RULE
            if y == top:
                canvas[y][left : left + cell_w] = bytearray([RULE]) * cell_w
        advance = (GLYPH_W + 1) * DOT
        lines = _wrap(drawable(label), max(1, (cell_w - 4 * DOT) // advance))
        line_h = (GLYPH_H + 3) * DOT
        y0 = top + (cell_h - len(lines) * line_h) // 2
        for number, line in enumerate(lines):
            x0 = left + (cell_w - len(line) * advance) // 2
            for position, ch in enumerate(line):
                _glyph(canvas, ch, x0 + position * advance, y0 + number * line_h)
    return _png(canvas, width, height)


def _glyph(canvas: list[bytearray], ch: str, x: int, y: int) -> None:
    for dy, row in enumerate(_FONT_ROWS[ch]):
        for dx, dot in enumerate(row):
            if dot == "#":
                for uy in range(DOT):
                    line = canvas[y + dy * DOT + uy]
                    line[x + dx * DOT : x + dx * DOT + DOT] = bytearray([INK]) * DOT


def _png(canvas: list[bytearray], width: int, height: int) -> bytes:
    raw = bytearray()
    for unit_row in canvas:
        row = bytearray(len(unit_row) * UNIT)
        for offset in range(UNIT):  # each unit becomes UNIT pixels: UNIT strided copies
            row[offset::UNIT] = unit_row
        row += bytes([PAPER]) * (width - len(row))
        raw += (b"\x00" + bytes(row)) * UNIT  # filter type 0 (none), each row UNIT times
    raw += (b"\x00" + bytes([PAPER]) * width) * (height - len(canvas) * UNIT)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )
