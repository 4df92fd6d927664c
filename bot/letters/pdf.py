"""A small PDF writer that streams: each page is written out as soon as it is drawn.

Why not reportlab or fpdf2: both keep every page of a document in memory until it is saved (6,000
letters grow reportlab's heap by about 15 MB per 1,000 pages, and its path drawing takes 17 s per
1,000 QR codes; see docs/letters.md). A letter page needs little of PDF: text in one embedded
font, filled rectangles (the QR codes, boxes) and lines. Here a page's content stream is
compressed and written at once, and only what the end of the file needs is kept: each object's
offset (for the cross-reference table), the page objects' numbers and the glyphs used so far.

The font is a TrueType font embedded as a CID font (Type0, Identity-H: two bytes per glyph id),
subset at the end to the glyphs the document used (fontTools, keeping glyph ids so that pages
already written stay right), with a ToUnicode map so that text can be searched and copied.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

A4 = (595.28, 841.89)  # points: 210 x 297 mm


class FontMissing(Exception):
    """The font file to embed is not there (see docs/letters.md for the Debian package)."""


@dataclass(frozen=True)
class FontMetrics:
    """What layout and the writer need of a TrueType font, read once per file."""

    name: str  # its PostScript name
    cmap: dict[int, int]  # code point -> glyph id
    advances: tuple[int, ...]  # glyph id -> advance width, in 1/1000 em
    ascent: int  # 1/1000 em
    descent: int  # negative, 1/1000 em
    cap_height: int
    bbox: tuple[int, int, int, int]


@lru_cache(maxsize=4)
def font_metrics(path: Path) -> FontMetrics:
    """The font's metrics (cached: parsing a 6 MB Japanese font takes a moment)."""
    from fontTools.ttLib import TTFont  # imported here: only letters need fontTools

    if not path.is_file():
        raise FontMissing(str(path))
    with TTFont(str(path), lazy=True) as font:  # closes the file: only the numbers are kept
        scale = 1000 / font["head"].unitsPerEm
        order = font.getGlyphOrder()
        ids = {glyph: index for index, glyph in enumerate(order)}
        cmap = {code: ids[glyph] for code, glyph in font.getBestCmap().items()}
        metrics = font["hmtx"].metrics
        head, os2 = font["head"], font["OS/2"]
        name = font["name"].getDebugName(6) or path.stem
        return FontMetrics(
            name="".join(char for char in name if char.isalnum() or char in "-_"),
            cmap=cmap,
            advances=tuple(round(metrics[glyph][0] * scale) for glyph in order),
            ascent=round(font["hhea"].ascent * scale),
            descent=round(font["hhea"].descent * scale),
            cap_height=round(getattr(os2, "sCapHeight", 0) * scale) or 700,
            bbox=(
                round(head.xMin * scale),
                round(head.yMin * scale),
                round(head.xMax * scale),
                round(head.yMax * scale),
            ),
        )


class EmbeddedFont:
    """One font of one document: encodes text as glyph ids and remembers which it used."""

    def __init__(self, path: Path, resource: str = "F1") -> None:
        self.path = path
        self.resource = resource
        self.metrics = font_metrics(path)
        self._used: dict[int, str] = {}  # glyph id -> the text it stands for (ToUnicode)
        self._advance: dict[str, int] = {}  # character -> advance width (1/1000 em), as met

    def lacks(self, text: str) -> set[str]:
        """The characters of `text` this font has no glyph for."""
        return {char for char in text if ord(char) not in self.metrics.cmap and char.isprintable()}

    def glyph(self, char: str) -> int:
        return self.metrics.cmap.get(ord(char), 0)

    def width(self, text: str, size: float) -> float:
        advance = self._advance
        total = 0
        for char in text:
            if char not in advance:
                advance[char] = self.metrics.advances[self.glyph(char)]
            total += advance[char]
        return total * size / 1000

    def encode(self, text: str) -> bytes:
        """`text` as a PDF hex string of glyph ids, e.g. `<0012 0a3f>`."""
        out = []
        for char in text:
            gid = self.glyph(char)
            if gid:
                self._used.setdefault(gid, char)
            out.append(f"{gid:04x}")
        return ("<" + "".join(out) + ">").encode("ascii")

    def write(self, pdf: PdfWriter, number: int) -> None:
        """The font's objects: the Type0 font as object `number`, its CID font, descriptor,
        the subset font file and the ToUnicode map."""
        m = self.metrics
        tag = _subset_tag(sorted(self._used))
        base = f"/{tag}+{m.name}"
        cid, descriptor, file, to_unicode = (pdf.reserve() for _ in range(4))
        pdf.put(
            number,
            f"<< /Type /Font /Subtype /Type0 /BaseFont {base} /Encoding /Identity-H "
            f"/DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>".encode(),
        )
        widths = " ".join(f"{gid} [{m.advances[gid]}]" for gid in sorted(self._used))
        pdf.put(
            cid,
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont {base} "
            f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /DW 1000 /W [{widths}] "
            f"/CIDToGIDMap /Identity >>".encode(),
        )
        x0, y0, x1, y1 = m.bbox
        pdf.put(
            descriptor,
            f"<< /Type /FontDescriptor /FontName {base} /Flags 4 /FontBBox [{x0} {y0} {x1} {y1}] "
            f"/ItalicAngle 0 /Ascent {m.ascent} /Descent {m.descent} /CapHeight {m.cap_height} "
            f"/StemV 80 /FontFile2 {file} 0 R >>".encode(),
        )
        data = self._subset()
        pdf.put_stream(file, data, extra=f"/Length1 {len(data)}")
        pdf.put_stream(to_unicode, _to_unicode_cmap(self._used))

    def _subset(self) -> bytes:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        options = subset.Options()
        options.retain_gids = True  # pages already written refer to the original glyph ids
        options.notdef_outline = True
        options.layout_features = []
        options.name_IDs = ["*"]
        options.hinting = False
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "vhea", "vmtx"]
        buffer = io.BytesIO()
        with TTFont(str(self.path)) as font:
            subsetter = subset.Subsetter(options)
            subsetter.populate(gids=sorted({0, *self._used}))
            subsetter.subset(font)
            font.save(buffer)
        return buffer.getvalue()


def _subset_tag(gids: Iterable[int]) -> str:
    """The six capital letters PDF puts before a subset font's name, derived from its glyphs."""
    digest = zlib.crc32(",".join(map(str, gids)).encode())
    return "".join(chr(ord("A") + (digest >> (5 * i)) % 26) for i in range(6))


def _to_unicode_cmap(used: dict[int, str]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    pairs = sorted(used.items())
    for start in range(0, len(pairs), 100):  # at most 100 entries per block
        chunk = pairs[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        for gid, char in chunk:
            units = char.encode("utf-16-be").hex()
            lines.append(f"<{gid:04x}> <{units}>")
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


class PdfWriter:
    """Writes numbered objects to `out` as they come and the cross-reference table at the end.

    `out` need not be seekable: offsets are counted here.
    """

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._position = 0
        self._offsets: dict[int, int] = {}
        self._count = 0
        # The binary comment line tells transfer programs the file is binary.
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)

    def reserve(self) -> int:
        """A number for an object written later (e.g. the page tree, known only at the end)."""
        self._count += 1
        return self._count

    def put(self, number: int, body: bytes) -> None:
        if number in self._offsets:
            raise ValueError(f"object {number} written twice")
        self._offsets[number] = self._position
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def put_stream(self, number: int, data: bytes, extra: str = "") -> None:
        packed = zlib.compress(data, 6)
        head = f"<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n".encode()
        self.put(number, head + packed + b"\nendstream")

    def finish(self, root: int, info: int | None = None) -> None:
        """The cross-reference table and trailer; every reserved object must be written."""
        missing = set(range(1, self._count + 1)) - set(self._offsets)
        if missing:
            raise ValueError(f"objects never written: {sorted(missing)[:5]}")
        start = self._position
        rows = [b"xref\n0 %d\n0000000000 65535 f \n" % (self._count + 1)]
        rows += [b"%010d 00000 n \n" % self._offsets[n] for n in range(1, self._count + 1)]
        self._write(b"".join(rows))
        info_ref = f" /Info {info} 0 R" if info else ""
        trailer = f"trailer\n<< /Size {self._count + 1} /Root {root} 0 R{info_ref} >>\n"
        self._write(trailer.encode() + b"startxref\n%d\n%%%%EOF\n" % start)


def pdf_text(text: str) -> bytes:
    """A PDF literal string for the document information (UTF-16 with its byte order mark)."""
    return b"<feff" + text.encode("utf-16-be").hex().encode() + b">"


class Canvas:
    """The drawing operations of one page, in points from the page's bottom left corner."""

    def __init__(self, font: EmbeddedFont) -> None:
        self.font = font
        self._ops: list[bytes] = []

    def text(self, x: float, y: float, text: str, size: float, *, bold: bool = False) -> None:
        """`text` on one line, its baseline at `y`. Bold is the regular face filled and
        stroked (the embedded font has one weight); the stroke thickens each stroke evenly."""
        mode = b"2 Tr %.2f w " % (size * 0.035) if bold else b""
        self._ops.append(
            b"BT %s/%s %.2f Tf %.2f %.2f Td %s Tj ET 0 Tr"
            % (mode, self.font.resource.encode(), size, x, y, self.font.encode(text))
        )

    def spaced_text(self, x: float, y: float, text: str, size: float, spacing: float) -> None:
        """Text with extra space after each character (`Tc`): a code is easier to read aloud."""
        self._ops.append(
            b"BT 2 Tr %.2f w %.2f Tc /%s %.2f Tf %.2f %.2f Td %s Tj ET 0 Tr 0 Tc"
            % (
                size * 0.03,
                spacing,
                self.font.resource.encode(),
                size,
                x,
                y,
                self.font.encode(text),
            )
        )

    def rects(self, rects: Iterable[tuple[float, float, float, float]]) -> None:
        """Filled black rectangles (x, y, width, height) as one path."""
        parts = [b"%.3f %.3f %.3f %.3f re" % rect for rect in rects]
        if parts:
            self._ops.append(b"\n".join(parts) + b" f")

    def frame(self, x: float, y: float, width: float, height: float, line: float) -> None:
        self._ops.append(b"%.2f w %.2f %.2f %.2f %.2f re S" % (line, x, y, width, height))

    def content(self) -> bytes:
        return b"\n".join([b"0 g 0 G", *self._ops])


class Document:
    """A PDF being written: pages go out one by one; `close` writes the font and the index."""

    def __init__(self, out: BinaryIO, font_path: Path, title: str, size: tuple[float, float] = A4):
        self._pdf = PdfWriter(out)
        self.font = EmbeddedFont(font_path)
        self._size = size
        self._title = title
        self._pages = self._pdf.reserve()
        self._font = self._pdf.reserve()
        self._kids: list[int] = []

    @property
    def pages(self) -> int:
        return len(self._kids)

    def canvas(self) -> Canvas:
        return Canvas(self.font)

    def add_page(self, canvas: Canvas) -> None:
        stream, page = self._pdf.reserve(), self._pdf.reserve()
        self._pdf.put_stream(stream, canvas.content())
        width, height = self._size
        self._pdf.put(
            page,
            f"<< /Type /Page /Parent {self._pages} 0 R /MediaBox [0 0 {width} {height}] "
            f"/Resources << /Font << /{self.font.resource} {self._font} 0 R >> >> "
            f"/Contents {stream} 0 R >>".encode(),
        )
        self._kids.append(page)

    def close(self) -> None:
        self.font.write(self._pdf, self._font)
        kids = " ".join(f"{kid} 0 R" for kid in self._kids)
        self._pdf.put(
            self._pages, f"<< /Type /Pages /Kids [{kids}] /Count {len(self._kids)} >>".encode()
        )
        catalog, info = self._pdf.reserve(), self._pdf.reserve()
        self._pdf.put(catalog, f"<< /Type /Catalog /Pages {self._pages} 0 R >>".encode())
        self._pdf.put(info, b"<< /Title %s /Producer (Kyodo) >>" % pdf_text(self._title))
        self._pdf.finish(catalog, info)
