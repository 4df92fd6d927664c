"""The Dockerfile (there is no Docker engine here, so it is read, not built): every catalog is
compiled by the Makefile's own rule, the desk's and the webhook's ports are exposed (the
defaults of `bot.config.Settings`) and reachable, and the bot runs as a user that is not root."""

from __future__ import annotations

import dataclasses
import re
import shlex
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@dataclasses.dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]]  # (INSTRUCTION, arguments), continuations joined


def parse(text: str) -> list[Stage]:
    """The Dockerfile's stages, with comments dropped and `\\` continuations joined."""
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    assert not current, "the Dockerfile ends inside a continued line"
    stages: list[Stage] = []
    for line in logical:
        word, _, args = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(parts[0], name, []))
        else:
            assert stages, f"{word} before FROM"
            stages[-1].instructions.append((word, " ".join(args.split())))
    return stages


def dockerfile() -> list[Stage]:
    return parse((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def runs(stages: list[Stage]) -> list[str]:
    return [args for stage in stages for word, args in stage.instructions if word == "RUN"]


def setting_default(name: str) -> object:
    return {f.name: f.default for f in dataclasses.fields(Settings)}[name]


def test_the_parser_joins_continuations_and_names_stages():
    stages = parse("FROM a AS one\n# note\nRUN x \\\n  # inside\n  && y\nFROM b\nUSER k\n")
    assert [(s.base, s.name) for s in stages] == [("a", "one"), ("b", None)]
    assert stages[0].instructions == [("RUN", "x && y")]
    assert stages[1].instructions == [("USER", "k")]


def test_images_are_debian_based_python():
    for stage in dockerfile():
        assert re.fullmatch(r"python:3\.11-slim-(bookworm|trixie)", stage.base), stage.base


def test_every_catalog_is_compiled_by_the_makefiles_rule():
    stages = dockerfile()
    commands = runs(stages)
    assert any(re.search(r"\bmake\b.*\bcatalogs\b", c) for c in commands), commands
    # the rule, not a copy of it: no pybabel line of its own (which compiled one part of eight)
    assert not any("pybabel" in c for c in commands), commands
    copied = [args for s in stages for word, args in s.instructions if word == "COPY"]
    assert any("Makefile" in args.split() for args in copied), "the Makefile is not copied in"
    # the rule exists in the Makefile and compiles each part under its own domain
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^catalogs:\s*\$\(MO\)", makefile, re.M)
    assert "-D $(basename $(notdir $<))" in makefile
    # and the runtime stage takes the compiled catalogs
    final = stages[-1]
    assert any(
        word == "COPY" and "--from=" in args and "locales" in args
        for word, args in final.instructions
    ) or any("make" in args for word, args in final.instructions if word == "RUN")


def test_stale_compiled_catalogs_are_not_taken_from_the_build_context():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert "**/*.mo" in ignored


def test_the_webhook_and_the_desk_ports_are_exposed_and_listened_on():
    final = dockerfile()[-1]
    exposed = {
        int(port.split("/")[0])
        for word, args in final.instructions
        if word == "EXPOSE"
        for port in args.split()
    }
    assert setting_default("webhook_listen_port") in exposed
    assert setting_default("web_port") in exposed  # the desk and calendar links
    env = " ".join(args for word, args in final.instructions if word == "ENV")
    # the default hosts (127.0.0.1) would be unreachable from outside the container
    assert "WEBHOOK_LISTEN_HOST=0.0.0.0" in env
    assert "KYODO_WEB_HOST=0.0.0.0" in env


def test_the_bot_runs_as_a_user_that_is_not_root():
    final = dockerfile()[-1]
    words = [word for word, _ in final.instructions]
    users = [args for word, args in final.instructions if word == "USER"]
    assert users, "no USER: the bot would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert words.index("CMD") > len(words) - 1 - words[::-1].index("USER")
    created = [
        c for c in runs([final]) if "useradd" in c and user in shlex.split(c.replace("&&", " "))
    ]
    assert created, f"the user {user} is never created"
