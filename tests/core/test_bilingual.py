"""Free text in two languages: the reader gets the part in their language."""

from __future__ import annotations

from bot.domain.bilingual import for_reader, parts

BOTH = "申し訳ありませんが、その日は人手が足りません。\n---\nSorry, we are short of staff that day."


def test_each_reader_gets_their_part_whichever_comes_first():
    assert for_reader(BOTH, "ja") == "申し訳ありませんが、その日は人手が足りません。"
    assert for_reader(BOTH, "ja-easy") == "申し訳ありませんが、その日は人手が足りません。"
    assert for_reader(BOTH, "en") == "Sorry, we are short of staff that day."
    english_first = "We will call you.\nーーー\nお電話します。"  # a Japanese keyboard's dashes
    assert for_reader(english_first, "en") == "We will call you."
    assert for_reader(english_first, "ja") == "お電話します。"


def test_text_in_one_language_reaches_everyone_as_written():
    for text in ("その日は休みです。", "A - B -- C", "---\nonly after", "before\n---"):
        assert parts(text) is None
        assert for_reader(text, "en") == text
        assert for_reader(text, "ja") == text
