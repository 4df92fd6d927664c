"""Invitation letters as a PDF, read back as a person and their phone would read them: the page
is rendered to an image (pdfium) and its QR codes decoded (zxing-cpp), so a code that opens the
wrong link, or none, fails; the text layer (what a screen reader or a search finds) holds the
person's name, their code and the date in their language; one page per person, in order."""

from __future__ import annotations

import io
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from babel.messages.pofile import read_po

from bot.i18n import I18n
from bot.letters import (
    DEFAULT_FONT,
    FontMissing,
    Letter,
    LetterTooLong,
    grouped,
    missing_characters,
    render_letters,
)
from bot.letters.render import wrap

ROOT = Path(__file__).resolve().parents[2]

needs_font = pytest.mark.skipif(
    not DEFAULT_FONT.is_file(),
    reason=f"{DEFAULT_FONT} missing: install fonts-ipaexfont-gothic (bash .ci/system-deps)",
)

BOT = "https://t.me/kyodo_coop_bot?start="
LINE = "https://line.me/R/ti/p/@123abcde"
EXPIRES = date(2027, 1, 31)


def letter(locale: str, name: str, code: str, **changes: object) -> Letter:
    fields: dict[str, object] = {
        "locale": locale,
        "name": name,
        "code": code,
        "telegram_link": BOT + code,
        "line_link": None,
        "centre_name": "ワーカーズコープ北区事業所",
        "centre_phone": "03-1234-5678",
        "expires": EXPIRES,
    }
    fields.update(changes)
    return Letter(**fields)  # type: ignore[arg-type]


PEOPLE = [
    letter("ja", "山田 花子", "ABCD2345"),
    letter("en", "Maria Santos", "XYZW6789", centre_name="Kita Centre"),
    letter("ja-easy", "グエン・ヴァン・アン", "QRST2345"),
]


def render(letters: list[Letter], i18n: I18n) -> bytes:
    out = io.BytesIO()
    assert render_letters(letters, i18n, out) == len(letters)
    return out.getvalue()


@dataclass(frozen=True)
class PageRead:
    """One page as a reader meets it."""

    size: tuple[float, float]  # points
    qr_codes: list[str]  # what a phone's camera reads off the printed page
    text: str  # the text layer: what a search or a screen reader finds
    sizes: list[tuple[str, float]]  # each visible character and its type size, in order

    def size_of(self, text: str) -> list[float]:
        """The type sizes of the first place `text` is printed."""
        chars = "".join(char for char, _ in self.sizes)
        start = chars.index(text.replace(" ", ""))
        return [size for _, size in self.sizes[start : start + len(text.replace(" ", ""))]]


def read(pdf: bytes) -> list[PageRead]:
    document = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            # 150 dpi, greyscale: a phone's camera sees less than that of a printed page.
            image = page.render(scale=150 / 72, grayscale=True).to_pil()
            codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            textpage = page.get_textpage()
            sizes = []
            for char_index in range(textpage.count_chars()):
                char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, char_index))
                if char.strip():
                    size = pdfium_c.FPDFText_GetFontSize(textpage.raw, char_index)
                    sizes.append((char, size))
            text = str(textpage.get_text_range())
            textpage.close()
            pages.append(PageRead(page.get_size(), [code.text for code in codes], text, sizes))
            page.close()
        return pages
    finally:
        document.close()


@needs_font
def test_one_page_per_person_each_with_their_own_link_name_and_code(i18n: I18n):
    pages = read(render(PEOPLE, i18n))
    assert len(pages) == 3
    for page, person in zip(pages, PEOPLE, strict=True):
        assert page.size == pytest.approx((595.28, 841.89), abs=0.01)  # A4
        assert page.qr_codes == [BOT + person.code]
        text = page.text
        assert person.name in text
        assert grouped(person.code) in text
        assert "03-1234-5678" in text
        assert "letters." not in text  # every key translated


@needs_font
def test_each_language_speaks_to_its_reader_with_the_date_through_babel(i18n: I18n):
    ja, en, easy = (page.text for page in read(render(PEOPLE, i18n)))
    assert "山田 花子 様" in ja
    assert "2027年1月31日日曜日 まで使えます" in ja
    assert "Dear Maria Santos" in en
    assert "until Sunday, January 31, 2027." in en
    assert "グエン・ヴァン・アン さん" in easy
    assert "2027年1月31日日曜日 まで使（つか）えます" in easy
    assert "@kyodo_coop_bot" in ja and "@kyodo_coop_bot" in en and "@kyodo_coop_bot" in easy


@needs_font
def test_a_language_kyodo_does_not_speak_prints_in_the_coops_default(i18n: I18n):
    (page,) = read(render([letter("fr", "Jean Dupont", "ABCD2345")], i18n))
    assert "Jean Dupont 様" in page.text
    assert "2027年1月31日日曜日" in page.text
    assert page.qr_codes == [BOT + "ABCD2345"]


@needs_font
def test_a_line_link_is_a_second_qr_code(i18n: I18n):
    with_line = [letter(lang, "佐藤 一郎", "MNPQ2345", line_link=LINE) for lang in ("ja", "en")]
    for page in read(render(with_line, i18n)):
        assert sorted(page.qr_codes) == sorted([BOT + "MNPQ2345", LINE])
        assert "LINE" in page.text


@needs_font
def test_type_is_large_body_at_least_14_points_the_code_at_least_28(i18n: I18n):
    for page, person in zip(read(render(PEOPLE, i18n)), PEOPLE, strict=True):
        assert min(size for _, size in page.sizes) >= 14
        assert min(page.size_of(grouped(person.code))) >= 28
        assert min(page.size_of("03-1234-5678")) >= 14


@needs_font
def test_pages_are_written_as_they_are_drawn_not_all_at_the_end(i18n: I18n):
    out = io.BytesIO()
    written_before: list[int] = []

    def letters() -> Iterator[Letter]:
        for index in range(4):
            written_before.append(len(out.getvalue()))
            yield letter("ja", f"会員 {index}", f"ABCD{2345 + index}")

    assert render_letters(letters(), i18n, out) == 4
    # Each page is in the file before the next letter is even asked for.
    assert written_before == sorted(written_before)
    assert len(set(written_before[1:])) == 3 and written_before[1] > written_before[0]
    assert len(read(out.getvalue())) == 4


@needs_font
def test_no_letters_write_nothing(i18n: I18n):
    out = io.BytesIO()
    assert render_letters([], i18n, out) == 0
    assert out.getvalue() == b""


@needs_font
def test_a_long_centre_name_wraps_and_the_code_still_reads(i18n: I18n):
    long_centre = "ワーカーズコープ・センター事業団 北関東事業本部 さいたま市見沼区地域福祉事業所"
    people = [
        letter(lang, "長い名前の人", "HJKM2345", centre_name=long_centre, line_link=LINE)
        for lang in ("ja", "en", "ja-easy")
    ]
    for page in read(render(people, i18n)):
        assert sorted(page.qr_codes) == sorted([BOT + "HJKM2345", LINE])
        assert "HJKM-2345" in page.text


@needs_font
def test_a_letter_with_no_room_for_its_code_is_refused_not_cut(i18n: I18n):
    with pytest.raises(LetterTooLong):
        render([letter("ja", "名" * 600, "ABCD2345")], i18n)


@needs_font
def test_characters_the_font_lacks_are_reported_before_printing():
    assert missing_characters(letter("ja", "𠮷田 太郎", "ABCD2345")) == {"𠮷"}
    assert missing_characters(letter("ja", "髙橋 﨑子", "ABCD2345")) == set()


def test_a_missing_font_file_is_said_plainly(i18n: I18n, tmp_path: Path):
    with pytest.raises(FontMissing, match=r"nowhere\.ttf"):
        render_letters(PEOPLE, i18n, io.BytesIO(), font=tmp_path / "nowhere.ttf")


@needs_font
def test_japanese_lines_break_by_the_rules():
    from bot.letters.pdf import EmbeddedFont

    font = EmbeddedFont(DEFAULT_FONT)
    text = "QRコードが読（よ）めないときは、Telegram で @kyodo_coop_bot を探（さが）します。" * 3
    lines = wrap(text, font, 15, 200)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost
    assert all(not line.startswith(("、", "。", "）")) for line in lines)
    assert all(not line.endswith(("「", "（")) for line in lines)
    assert all("@kyodo_coop_bot" in line for line in lines if "@kyodo" in line)
    for reading in ("読（よ）", "探（さが）"):
        assert all(line.count(reading[0]) == line.count(reading) for line in lines)
    # only a closing mark may hang past the edge
    assert all(font.width(line.rstrip("、。」）"), 15) <= 200 for line in lines)


def test_the_letters_catalog_has_the_same_keys_and_placeholders_in_all_three_languages():
    def part(lang: str) -> dict[str, str]:
        with (ROOT / "locales" / lang / "LC_MESSAGES" / "letters.po").open("rb") as fp:
            return {m.id: m.string for m in read_po(fp) if m.id}

    def names(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    ja, en, easy = part("ja"), part("en"), part("ja-easy")
    assert set(ja) == set(en) == set(easy)
    for key in ja:
        assert names(ja[key]) == names(en[key]) == names(easy[key]), key
    used = set()
    for path in (ROOT / "bot" / "letters").glob("*.py"):
        used |= set(re.findall(r'"(letters\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert used and used <= set(ja)


def test_the_font_comes_from_the_debian_package_the_image_and_ci_install():
    assert "/ipaexfont-gothic/" in str(DEFAULT_FONT)
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    runtime = dockerfile.rsplit("\nFROM ", 1)[1]  # the last stage is the image that runs
    assert re.search(r"apt-get install [^\n]*fonts-ipaexfont-gothic", runtime)
    assert "need+=(fonts-ipaexfont-gothic)" in (ROOT / ".ci/system-deps").read_text("utf-8")
