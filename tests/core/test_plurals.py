"""English plurals go through ngettext: a counted noun has a form per plural category of its
language, and no English message shows "1 requests" or "request(s)" (issue 15, wording)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.domain.languages import base_language
from bot.i18n import PLURAL_PREFIX, SUPPORTED, I18n, catalog_files

ROOT = Path(__file__).resolve().parents[2]


def messages(lang: str) -> dict[str, tuple[str, ...]]:
    """Every key of a language with its forms (one for a plain message)."""
    found: dict[str, tuple[str, ...]] = {}
    for po in catalog_files(lang):
        with po.open("rb") as fp:
            for m in read_po(fp, locale=base_language(lang)):
                if not m.id:
                    continue
                key = m.id[0] if isinstance(m.id, tuple) else m.id
                found[key] = m.string if isinstance(m.string, tuple) else (m.string,)
    return found


PLURAL_KEYS = sorted(k for k, forms in messages("en").items() if k.startswith(PLURAL_PREFIX))


def specs(text: str) -> set[str]:
    return {spec for _, _, spec, _ in string.Formatter().parse(text) if spec}


def test_plural_forms_headers_are_babels_rules():
    """The rule ngettext uses is the header of the core's part (it governs the merged catalog)
    and of the plurals part: both must be Babel's rule for the language."""
    for lang in SUPPORTED:
        expected = str(get_plural(base_language(lang)))
        for name in ("kyodo.po", "plurals.po"):
            with (ROOT / "locales" / lang / "LC_MESSAGES" / name).open("rb") as fp:
                header = read_po(fp, locale=base_language(lang)).mime_headers
            assert dict(header)["Plural-Forms"] == expected, (lang, name)


def test_english_counted_nouns_have_two_forms_and_japanese_one():
    assert len(PLURAL_KEYS) >= 20
    for lang in SUPPORTED:
        found = messages(lang)
        for key in PLURAL_KEYS:
            assert len(found[key]) == get_plural(base_language(lang)).num_plurals, (lang, key)


@pytest.mark.parametrize("key", PLURAL_KEYS)
def test_each_plural_key_reads_right_with_1_and_2_in_english(i18n: I18n, key: str):
    one = i18n.text(key, "en", {"count": 1})
    two = i18n.text(key, "en", {"count": 2})
    zero = i18n.text(key, "en", {"count": 0})
    assert one.startswith("1 ") and two.startswith("2 ") and zero.startswith("0 ")
    assert one[2:] != two[2:] and zero[2:] == two[2:]
    for text in (one, two):
        assert "(s)" not in text
    # the singular is not the plural with another number: "1 request", never "1 requests"
    assert one != "1 " + two[2:]
    for lang in ("ja", "ja-easy"):
        assert "1" in i18n.text(key, lang, {"count": 1}), (lang, key)


def test_no_english_message_counts_without_its_plural_form():
    """No "(s)", and no bare number placeholder before a noun that has plural forms: the number
    names its plural key instead (`{broken:count.lines}`)."""
    en = messages("en")
    # the words that make a plural form plural: "lines" of "{count} lines are broken"
    nouns = set().union(*(set(en[k][1].split()) - set(en[k][0].split()) for k in PLURAL_KEYS))
    nouns -= {"are", "were"}
    bare = re.compile(r"\{\w+\}\s+(\w+\s+)?(" + "|".join(sorted(nouns)) + r")\b")
    found = {
        k: forms
        for k, forms in en.items()
        if not k.startswith(PLURAL_PREFIX) and any("(s)" in f or bare.search(f) for f in forms)
    }
    assert found == {}


def test_every_plural_spec_names_a_plural_key(i18n: I18n):
    for lang in SUPPORTED:
        for key, forms in messages(lang).items():
            for form in forms:
                for spec in specs(form):
                    if spec.startswith(PLURAL_PREFIX):
                        assert i18n.is_plural(spec, lang), (lang, key, spec)


def test_a_message_with_two_counts_agrees_with_each(i18n: I18n):
    text = i18n.text("cli.shifts_import.dry_run", "en", {"count": 1, "broken": 1})
    assert "1 shift would be imported; 1 line is broken." in text
    text = i18n.text("cli.shifts_import.dry_run", "en", {"count": 2, "broken": 3})
    assert "2 shifts would be imported; 3 lines are broken." in text
    assert "1 request · 2 volunteer applications · 1 hour report" in i18n.text(
        "triage.queue.counts", "en", {"requests": 1, "volunteers": 2, "hours": 1}
    )
    assert "1,200 characters" in i18n.text(
        "help.error.too_long", "en", {"length": 1200, "limit": 1000}
    )


def test_japanese_counts_read_as_before(i18n: I18n):
    assert "1件" in i18n.text("requests.staff.voice", "ja", {"reference": "R-1", "count": 1})
    assert "2件" in i18n.text("requests.staff.voice", "ja-easy", {"reference": "R-1", "count": 2})
    assert "1 voice message or photo." in i18n.text(
        "requests.staff.voice", "en", {"reference": "R-1", "count": 1}
    )


def test_a_plural_key_without_a_count_is_logged_not_crashed(i18n: I18n, caplog):
    assert i18n.text("count.shifts", "en", {"count": None}) == "None shifts"
    assert "without a count" in caplog.text
