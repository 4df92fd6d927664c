"""LINE rich menu pictures say the menu's labels in its own language (issue 16): a Japanese
member's menu shows 勤務時間を報告, not REPORT HOURS. Each picture is decoded as LINE would get
it (a PNG of the full menu size, under LINE's 1 MB) and each cell's ink is compared with the
label drawn alone in the Japanese font and in English."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from bot.letters import DEFAULT_FONT
from handlers.line.picture import drawable, grid_picture
from handlers.line.richmenus import COLUMNS, HEIGHT, WIDTH
from kyodo.line_menus import menu_specs

pytestmark = pytest.mark.skipif(not DEFAULT_FONT.is_file(), reason="fonts-ipaexfont-gothic")


def cells(png: bytes, count: int) -> list[Image.Image]:
    image = Image.open(io.BytesIO(png))
    assert image.size == (WIDTH, HEIGHT)
    rows = -(-count // COLUMNS)
    w, h = WIDTH // COLUMNS, HEIGHT // rows
    return [
        image.crop(
            (
                (i % COLUMNS) * w + 8,
                (i // COLUMNS) * h + 8,
                (i % COLUMNS + 1) * w - 8,
                (i // COLUMNS + 1) * h - 8,
            )
        )
        for i in range(count)
    ]


def alone(label: str, count: int, index: int) -> Image.Image:
    """The cell `index` of a picture holding only `label` there."""
    labels = [""] * count
    labels[index] = label
    return cells(grid_picture(WIDTH, HEIGHT, COLUMNS, labels, DEFAULT_FONT), count)[index]


def differs(a: Image.Image, b: Image.Image) -> bool:
    return ImageChops.difference(a, b).getbbox() is not None


def test_a_japanese_menu_says_its_labels_in_japanese(i18n):
    spec = menu_specs(i18n)["kyodo-member-ja"]
    png = spec.picture()
    assert len(png) < 1_000_000  # LINE's limit for a rich menu picture
    count = len(spec.entries)
    japanese = [e.display_text for e in spec.entries]
    english = [e.picture_en for e in spec.entries]
    drawn = cells(png, count)
    as_japanese = cells(grid_picture(WIDTH, HEIGHT, COLUMNS, japanese, DEFAULT_FONT), count)
    as_english = cells(grid_picture(WIDTH, HEIGHT, COLUMNS, english, DEFAULT_FONT), count)
    for index, entry in enumerate(spec.entries):
        assert Image.eval(drawn[index], lambda v: 255 - v).getbbox() is not None  # ink
        assert not differs(drawn[index], as_japanese[index]), entry
        assert differs(drawn[index], as_english[index]), entry
    assert drawable(spec.entries[0].display_text, DEFAULT_FONT) == "勤務時間を報告"


def test_an_english_menu_says_english_and_emoji_are_left_out(i18n):
    spec = menu_specs(i18n)["kyodo-member-en"]
    assert spec.entries[0].picture == "⏱ Report hours"
    assert drawable(spec.entries[0].picture, DEFAULT_FONT) == "Report hours"
    drawn = cells(spec.picture(), len(spec.entries))
    assert all(Image.eval(cell, lambda v: 255 - v).getbbox() for cell in drawn)  # a label each


def test_a_long_label_wraps_inside_its_cell():
    label = "スタッフからのお知らせをまとめて見る長いラベルの例です"
    cell = alone(label, 6, 0)
    ink = Image.eval(cell, lambda v: 255 - v).getbbox()
    assert ink is not None
    left, top, right, bottom = ink
    assert right - left < cell.width and bottom - top > 150  # more than one line


def test_without_the_font_the_menu_is_drawn_in_english_and_says_so(i18n, caplog):
    spec = menu_specs(i18n)["kyodo-member-ja"]
    with caplog.at_level(logging.WARNING):
        png = spec.picture(Path("/nonexistent/font.ttf"))
    assert Image.open(io.BytesIO(png)).size == (WIDTH, HEIGHT)
    assert "drawn in English" in caplog.text
