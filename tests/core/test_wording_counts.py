"""Counted nouns read right in English: "1 hour report waits", never "1 hour reports wait".

A number a person reads goes through ngettext (a plural key of the catalogs); a number in an
operator's log line or a stored note is written as `label: N`, which needs no plural. The desk's
home page is read as a staff member sees it (the template rendered with the real catalogs), and
the source of bot/, handlers/ and kyodo/ is scanned for a number followed by a plural noun."""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from aiohttp import web

from bot.i18n import I18n
from handlers.desk import setup_templates
from handlers.desk.context import TEMPLATES, Translator

ROOT = Path(__file__).resolve().parents[2]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def home_cards(i18n: I18n, lang: str, counts: dict[str, int]) -> list[str]:
    """The desk home's cards as a staff member reads them, one string per card."""
    app = web.Application()
    setup_templates(app)
    env: jinja2.Environment = app[TEMPLATES]
    page = env.get_template("home.html").render(
        t=Translator(i18n, lang),
        lang=lang,
        user=None,
        csrf="",
        counts=counts,
        path="/desk/",
        query={},
        flash=None,
    )
    cards = re.findall(r'<li><a href="/desk/[a-z]+">(.*?)</a></li>', page, re.S)
    texts = []
    for card in cards:
        parser = _Text()
        parser.feed(card)
        texts.append(" ".join("".join(parser.parts).split()))
    return texts


@pytest.mark.parametrize(
    ("lang", "counts", "expected"),
    [
        (
            "en",
            {"hours": 1, "requests": 1, "volunteers": 1},
            [
                "1 hour report waits for approval",
                "1 service request is open",
                "1 volunteer application waits",
            ],
        ),
        (
            "en",
            {"hours": 2, "requests": 0, "volunteers": 3},
            [
                "2 hour reports wait for approval",
                "0 service requests are open",
                "3 volunteer applications wait",
            ],
        ),
        (
            "ja",
            {"hours": 1, "requests": 2, "volunteers": 0},
            [
                "1件 勤務時間の報告が承認待ちです",
                "2件 依頼が対応を待っています",
                "0件 ボランティアの申し込みが待っています",
            ],
        ),
        (
            "ja-easy",
            {"hours": 1, "requests": 2, "volunteers": 0},
            [
                "1件 働いた時間の報告（ほうこく）が、承認（しょうにん）を待っています",
                "2件 サービスのお願いが、スタッフを待っています",
                "0件 ボランティアの申しこみが、待っています",
            ],
        ),
    ],
)
def test_the_desk_home_counts_read_right_in_every_language(i18n, lang, counts, expected):
    cards = home_cards(i18n, lang, counts)
    assert [card for card in cards if card[0].isdigit()] == expected


# A number (`%d`, `%s`, `{...}`) followed by a plural noun, perhaps after a word that describes it
# ("%s failed attempts", "{n} hour reports"): "1 attempts" when the number is one.
COUNTED = re.compile(r"(%[sd]|\{[^{}]*\}) (?:([a-z]+) )?([a-z]{3,}s)\b")
# Words ending in s that are not plural nouns: verbs and the like after a number or a name.
NOT_NOUNS = {
    "is", "was", "has", "does", "goes", "says", "needs", "takes", "reads", "means", "keeps",
    "comes", "gets", "belongs", "repeats", "holds", "sends", "answers", "shows", "waits",
    "stays", "this", "its", "yes", "always", "perhaps", "ids", "status", "bytes",
}  # fmt: skip
DESCRIBING = {
    "failed", "handled", "sent", "open", "lagging", "approved", "broken", "stored", "raw",
    "service", "volunteer", "audit", "hour", "inbox",
}  # fmt: skip


def strings_in(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module (f-strings with their placeholders as `{}`); implicit
    concatenation is already one constant in the tree."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
            found.append((node.lineno, text))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
    return found


def counted_nouns(text: str) -> list[str]:
    found = []
    for match in COUNTED.finditer(text):
        describing, noun = match.group(2), match.group(3)
        if describing and describing not in DESCRIBING:
            continue
        if noun not in NOT_NOUNS:
            found.append(match.group(0))
    return found


def test_the_scan_finds_a_number_before_a_plural_noun():
    assert counted_nouns("personal data purge: %d service requests") == ["%d service requests"]
    assert counted_nouns("gave up after {} attempts: {}") == ["{} attempts"]
    assert counted_nouns("update %s parked after %s failed attempts") == ["%s failed attempts"]
    assert counted_nouns("outbox %s to chat %s refused: %s") == []
    assert counted_nouns("%s is not an object") == []
    assert counted_nouns("service requests: %d, attempts: %d") == []


@pytest.mark.parametrize(
    "folder",
    [
        "bot",
        "handlers",
        "kyodo",
        "handlers/line",
    ],
)
def test_no_number_before_a_plural_noun_outside_ngettext(folder):
    """Log lines, stored notes and printed lines of bot/, handlers/ and kyodo/ (the CLI)."""
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        if folder == "handlers" and (ROOT / "handlers" / "line") in path.parents:
            continue  # its own case below
        for line, text in strings_in(path):
            hits = counted_nouns(text)
            if hits:
                found[f"{path.relative_to(ROOT)}:{line}"] = hits
    assert found == {}
