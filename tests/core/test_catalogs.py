"""The catalogs are complete: every key the code uses exists in Japanese, Easy Japanese and
English, part by part, with the same placeholders, nothing fuzzy, and the catalogs really load
(Babel is silent when they don't). Easy Japanese keeps to its guidelines' one checkable rule here:
no honorific chains (docs/easy-japanese.md)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.domain.languages import base_language
from bot.domain.replies import msg
from bot.i18n import SUPPORTED, CatalogError, I18n, catalog_files

ROOT = Path(__file__).resolve().parents[2]


class Entry:
    """One message: its key, and its text with the plural forms (English has two) joined by a
    blank line, so that a check of a message's text checks every form."""

    def __init__(self, message) -> None:
        self.id = message.id[0] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        self.forms: tuple[str, ...] = tuple(forms)
        self.string = "\n\n".join(forms) if all(forms) else ""
        self.fuzzy = message.fuzzy
        self.plural = isinstance(message.id, tuple)


def catalog(lang: str) -> list[Entry]:
    """Every message of one language, across all the parts (`kyodo.po`, `requests.po`, ...)."""
    messages = []
    for po in catalog_files(lang):
        with po.open("rb") as fp:
            messages.extend(Entry(m) for m in read_po(fp, locale=base_language(lang)))
    return messages


def test_every_language_has_the_same_parts():
    parts = {lang: [po.name for po in catalog_files(lang)] for lang in SUPPORTED}
    assert set(SUPPORTED) == {"ja", "ja-easy", "en"}
    for lang in SUPPORTED:
        assert parts[lang] == parts["ja"], lang
    assert "kyodo.po" in parts["ja"]


def part(lang: str, name: str) -> dict[str, str]:
    with (ROOT / "locales" / lang / "LC_MESSAGES" / name).open("rb") as fp:
        entries = (Entry(m) for m in read_po(fp, locale=base_language(lang)))
        return {m.id: m.string for m in entries if m.id}


@pytest.mark.parametrize("name", [po.name for po in catalog_files("ja")])
def test_every_part_has_the_same_keys_and_placeholders_in_every_language(name):
    """Part by part, so that a key is where its part's owner put it in every language."""
    ja = part("ja", name)
    for lang in SUPPORTED:
        other = part(lang, name)
        assert sorted(set(ja) - set(other)) == [], (lang, "missing")
        assert sorted(set(other) - set(ja)) == [], (lang, "not in ja")
        mismatched = sorted(k for k in ja if placeholders(ja[k]) != placeholders(other[k]))
        assert mismatched == [], lang


# Honorific chains and keigo set phrases that the Easy Japanese guidelines replace with plain
# です・ます: ご確認ください -> 見てください, いただけます -> できます,
# 申し訳ありません -> ごめんなさい.
HONORIFIC = re.compile(
    r"いただ|申し訳|お問い合わせ|いたしま|存じ|伺|おります|"
    r"[おご][一-龥]+[ぁ-ん]{0,2}(ください|願|します)"
)


def test_easy_japanese_has_no_honorific_chains():
    found = {m.id: m.string for m in catalog("ja-easy") if m.id and HONORIFIC.search(m.string)}
    assert found == {}


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


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_language_has_the_same_keys_and_placeholders(lang):
    ja = {m.id: m.string for m in catalog("ja") if m.id}
    other = {m.id: m.string for m in catalog(lang) if m.id}
    assert set(ja) == set(other)
    mismatched = {k for k in ja if placeholders(ja[k]) != placeholders(other[k])}
    assert mismatched == set()


def test_every_key_used_in_the_code_is_in_the_catalogs():
    known = {m.id for m in catalog("ja") if m.id}
    assert keys_used_in_code() - known == set()
    for prefix in dynamic_prefixes_used_in_code():
        assert any(k.startswith(prefix) for k in known), prefix


def test_the_catalogs_load_and_really_translate(i18n: I18n):
    assert i18n.text("cancel.done", "ja") == "操作をやめました。"
    assert i18n.text("cancel.done", "en") == "Cancelled."
    assert i18n.text("cancel.done", "ja-easy") == "やめました。"


def test_markup_in_translations_is_valid_telegram_html(i18n: I18n):
    allowed = re.compile(r"</?(b|i|u|s|code|pre)>")
    for lang in SUPPORTED:
        for m in catalog(lang):
            if m.id:
                stripped = allowed.sub("", m.string)
                assert "<" not in stripped and ">" not in stripped, (lang, m.id)


# Japanese punctuation: an ASCII bracket, colon, ! or ? touching a Japanese character (a clock
# time 9:00, a range 8:00-17:00, a count 1/1 or a command stay ASCII: no Japanese touches them).
JAPANESE = r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef々〆〜ー]"
HALF_WIDTH = re.compile(
    rf"{JAPANESE}(?:</[a-z]+>)?\s*[(:!?)]|[()]\s*{JAPANESE}",
)


@pytest.mark.parametrize("lang", ["ja", "ja-easy"])
def test_japanese_messages_use_full_width_punctuation(lang):
    found = {m.id: HALF_WIDTH.findall(m.string) for m in catalog(lang) if m.id}
    assert {key: marks for key, marks in found.items() if marks} == {}


def glossary() -> list[dict[str, str]]:
    """The rows of docs/glossary.md's table, by column name."""
    lines = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines()
    table = [line for line in lines if line.startswith("|")]
    head = [cell.strip() for cell in table[0].strip("|").split("|")]
    return [
        dict(zip(head, (cell.strip() for cell in row.strip("|").split("|")), strict=True))
        for row in table[2:]
    ]


def test_the_glossary_has_one_japanese_term_per_concept():
    rows = glossary()
    assert len(rows) >= 15
    terms = [row["日本語 (`ja`)"] for row in rows]
    assert len(terms) == len(set(terms))
    forbidden = [w.strip() for row in rows for w in row["not (in `ja` and `ja-easy`)"].split(",")]
    assert "一斉送信" in forbidden and "事業所" in forbidden
    # a forbidden variant is nobody's term
    used = {
        row[column] for row in rows for column in ("日本語 (`ja`)", "やさしい にほんご (`ja-easy`)")
    }
    assert not {w for w in forbidden if w} & used


@pytest.mark.parametrize("lang", ["ja", "ja-easy"])
def test_no_japanese_message_uses_a_variant_the_glossary_forbids(lang):
    forbidden = [
        w.strip() for row in glossary() for w in row["not (in `ja` and `ja-easy`)"].split(",")
    ]
    found = {m.id: [w for w in forbidden if w and w in m.string] for m in catalog(lang) if m.id}
    assert {key: words for key, words in found.items() if words} == {}


def easy_replaces() -> dict[str, list[str]]:
    """The `ja` terms that Easy Japanese says in other words (依頼 -> お願い,
    コーディネーター -> 担当（たんとう）の人): a glossary cell may name several terms, "差し戻し
    (hours), お断り", and a note in ASCII brackets is no term. A `ja` term that the Easy Japanese
    term still contains (承認 in 承認（しょうにん）) is Easy Japanese too."""

    def terms(cell: str) -> list[str]:
        return [re.sub(r"\s*\([^)]*\)", "", w).strip() for w in cell.split(",") if w.strip()]

    replaced: dict[str, list[str]] = {}
    for row in glossary():
        easy = terms(row["やさしい にほんご (`ja-easy`)"])
        bare = [re.sub(r"（[^）]*）|\s", "", w) for w in easy]  # 元（もと）に もどす -> 元にもどす
        for term in terms(row["日本語 (`ja`)"]):
            if not any(term in w for w in easy + bare):
                replaced[term] = easy
    return replaced


def test_the_glossary_says_which_japanese_terms_easy_japanese_replaces():
    replaced = easy_replaces()
    assert replaced["依頼"] == ["お願い"]
    assert replaced["コーディネーター"] == ["担当（たんとう）の人"]
    assert replaced["申し込み"] == ["申しこみ"]
    assert replaced["元に戻す"] == ["元（もと）に もどす"]  # 戻す is not everyday kanji
    assert "承認" not in replaced and "一斉連絡" not in replaced and "困ったとき" not in replaced


def test_easy_japanese_says_each_concept_with_the_glossary_term():
    """Easy Japanese said 依頼（いらい） on the desk and コーディネーター in membership, where the
    glossary (and the bot's own Easy Japanese) says お願い and 担当（たんとう）の人."""
    replaced = easy_replaces()
    found = {
        m.id: [term for term in replaced if term in m.string] for m in catalog("ja-easy") if m.id
    }
    assert {key: terms for key, terms in found.items() if terms} == {}


@pytest.mark.parametrize("lang", ["ja", "ja-easy"])
def test_a_japanese_count_carries_its_counter_once(i18n: I18n, lang):
    """The desk's home showed "0件 件の勤務時間…": the count's key already carries 件."""
    counter = i18n.text("desk.nav.count", lang, {"n": 0})
    for key in ("desk.home.hours", "desk.home.requests", "desk.home.volunteers"):
        assert not i18n.text(key, lang, {"count": 0}).startswith(counter[-1]), key


@pytest.mark.parametrize("lang", ["ja", "ja-easy"])
def test_a_weekday_and_a_part_of_the_day_read_as_words(i18n: I18n, lang):
    """Monday evening is 月曜日の夜, not 月夜 (a moonlit night)."""
    slot = i18n.text(
        "volunteers.slot",
        lang,
        {"day": msg("volunteers.day.mon"), "part": msg("volunteers.part.eve")},
    )
    assert "月夜" not in slot and slot.startswith("月曜日")
