"""The README is a newcomer's map: short, linking the design and the operations pages, and every
path it names exists (a file moved without the map following fails here)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# Anything in backticks that looks like a path in the repository: one of its top-level folders
# followed by a slash and the rest of the path.
TOP = ("bot", "handlers", "storage", "sandbox", "locales", "tests", "bench", "docs", ".ci")
PATH = re.compile(r"`((?:" + "|".join(re.escape(t) for t in TOP) + r")/[^`\s]*)`")


def readme() -> str:
    return README.read_text(encoding="utf-8")


def named_paths(text: str) -> list[str]:
    return PATH.findall(text)


def test_the_readme_is_under_10_kb():
    assert len(README.read_bytes()) < 10_000


def test_every_path_the_readme_names_exists():
    paths = named_paths(readme())
    assert len(paths) >= 30, "the code map should name the feature modules"
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert missing == []


def test_the_code_map_has_a_row_for_every_feature():
    text = readme()
    table = text[text.index("## Code map") :]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    features = " ".join(row.split("|")[1] for row in rows)
    for feature in (
        "hours",
        "requests",
        "volunteers",
        "shifts",
        "assemblies",
        "reminders",
        "broadcasts",
        "staff cards",
        "desk",
        "personal data",
        "onboarding",
    ):
        assert feature in features, feature


def test_every_link_points_to_a_file_that_exists():
    links = re.findall(r"\]\(([^)#\s]+)\)", readme())
    assert "docs/architecture.md" in links
    assert "docs/operations.md" in links
    assert [
        link for link in links if not link.startswith("http") and not (ROOT / link).exists()
    ] == []


def test_the_readme_names_nothing_outside_the_repository():
    assert "../shared" not in readme()
    assert "DESIGN.md" not in readme()


def test_the_path_pattern_finds_what_it_should():
    sample = "see `bot/dialogs/hours.py`, `tests/desk/`, `make run` and `KYODO_WEB_URL/desk`"
    assert named_paths(sample) == ["bot/dialogs/hours.py", "tests/desk/"]
