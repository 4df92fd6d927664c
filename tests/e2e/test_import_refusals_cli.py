"""`kyodo members|centres|shifts import` refuse a file they cannot read at all on
stderr, with the reason, in the shell's language, and import nothing (kyodo/cli/terminal.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.cli import kyodo


@pytest.mark.parametrize("command", ["members", "centres", "shifts"])
@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("C.UTF-8", "The file cannot be imported: "),
        ("ja_JP.UTF-8", "このファイルは取り込めません："),
    ],
)
def test_a_file_without_a_header_is_refused_with_its_reason(
    tmp_path: Path, command: str, lang: str, said: str
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    refused = kyodo(tmp_path, command, "import", str(empty), LANG=lang)
    assert refused.returncode == 1
    [line] = [line for line in refused.stderr.splitlines() if line.startswith(said)]
    assert len(line) > len(said)
    assert ".error." not in line  # a reason from the catalog, not its key
    listed = kyodo(tmp_path, "centres", "list", LANG=lang)
    assert listed.returncode == 0 and listed.stdout.count("\n") <= 1  # nothing imported
