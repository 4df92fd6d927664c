"""The catalogs are complete: every key the code uses exists in Japanese and English, with the
same placeholders, nothing fuzzy, and the catalogs really load (Babel is silent when they don't)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.domain.languages import base_language
from bot.i18n import SUPPORTED, CatalogError, I18n, catalog_files

ROOT = Path(__file__).resolve().parents[2]


def catalog(lang: str):
    """Every message of one language, across all the parts (`kyodo.po`, `requests.po`, ...)."""
    messages = []
    for po in catalog_files(lang):
        with po.open("rb") as fp:
            messages.extend(read_po(fp, locale=base_language(lang)))
    return messages


def test_both_languages_have_the_same_parts():
    parts = {lang: [po.name for po in catalog_files(lang)] for lang in SUPPORTED}
    assert parts["ja"] == parts["en"]
    assert "kyodo.po" in parts["ja"]


def test_a_key_lives_in_one_part_only(tmp_path):
    for lang in SUPPORTED:
        ids = [m.id for m in catalog(lang) if m.id]
        assert len(ids) == len(set(ids))
    # and the loader refuses two parts that define the same key
    for lang in SUPPORTED:
        base = tmp_path / lang / "LC_MESSAGES"
        base.mkdir(parents=True)
        entry = 'msgid ""\nmsgstr ""\n\nmsgid "same.key"\nmsgstr "x"\n'
        (base / "kyodo.po").write_text(entry, encoding="utf-8")
        (base / "other.po").write_text(entry, encoding="utf-8")
    with pytest.raises(CatalogError, match="repeats keys"):
        I18n(i18n_tz(), directory=tmp_path)


def i18n_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Tokyo")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def keys_used_in_code() -> set[str]:
    """Every literal `msg("key")` in the core; f-string keys are expanded from their known parts."""
    keys: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "msg"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                keys.add(node.args[0].value)
    return keys


def dynamic_prefixes_used_in_code() -> set[str]:
    """Prefixes of keys built with f-strings, such as msg(f"join.error.{code}")."""
    prefixes: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        prefixes.update(re.findall(r'msg\(f"([a-z_.]+)\{', path.read_text(encoding="utf-8")))
    return prefixes


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_message_is_translated_and_not_fuzzy(lang):
    entries = [m for m in catalog(lang) if m.id]
    assert entries, f"{lang} catalog is empty"
    assert [m.id for m in entries if not m.string] == []
    assert [m.id for m in entries if m.fuzzy] == []


def test_both_languages_have_the_same_keys_and_placeholders():
    ja = {m.id: m.string for m in catalog("ja") if m.id}
    en = {m.id: m.string for m in catalog("en") if m.id}
    assert set(ja) == set(en)
    mismatched = {k for k in ja if placeholders(ja[k]) != placeholders(en[k])}
    assert mismatched == set()


def test_every_key_used_in_the_code_is_in_the_catalogs():
    known = {m.id for m in catalog("ja") if m.id}
    assert keys_used_in_code() - known == set()
    for prefix in dynamic_prefixes_used_in_code():
        assert any(k.startswith(prefix) for k in known), prefix


def test_the_catalogs_load_and_really_translate(i18n: I18n):
    assert i18n.text("cancel.done", "ja") == "操作をやめました。"
    assert i18n.text("cancel.done", "en") == "Cancelled."


def test_markup_in_translations_is_valid_telegram_html(i18n: I18n):
    allowed = re.compile(r"</?(b|i|u|s|code|pre)>")
    for lang in SUPPORTED:
        for m in catalog(lang):
            if m.id:
                stripped = allowed.sub("", m.string)
                assert "<" not in stripped and ">" not in stripped, (lang, m.id)
