"""Load the full Bot API reference (``api.json``) into a ``Spec``, when the file exists.

The file is third-party data kept beside the project (never inside it). Its length limits are
only in prose, so they are read out of each field's description.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from sandbox.schema import Field, Limit, Method, ObjectType, Spec

log = logging.getLogger(__name__)

ENV_VAR = "KYODO_TELEGRAM_API_JSON"
_LIMIT = re.compile(r"(\d+)-(\d+) (characters|bytes)")
_CONSTANT = re.compile(r"must be (?:\*|\")?([a-z_]+)")
_DISCRIMINATORS = frozenset({"type", "source", "status"})
_warned = False


def default_path() -> Path:
    """``$KYODO_TELEGRAM_API_JSON``, else ``../shared/telegram-bot-api/api.json`` from the repo."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    repo_root = Path(__file__).resolve().parent.parent
    return repo_root.parent / "shared" / "telegram-bot-api" / "api.json"


def _field(raw: dict[str, Any]) -> Field:
    description = raw.get("description", "")
    limit = None
    match = _LIMIT.search(description)
    if match:
        limit = Limit(
            int(match.group(1)),
            int(match.group(2)),
            match.group(3),
            after_entities="after entities parsing" in description,
        )
    constant = None
    if raw["name"] in _DISCRIMINATORS:
        found = _CONSTANT.search(description)
        constant = found.group(1) if found else None
    return Field(
        raw["name"], tuple(raw["types"]), bool(raw.get("required")), limit, constant=constant
    )


def parse_reference(document: dict[str, Any]) -> Spec:
    methods = {
        name: Method(name, tuple(_field(f) for f in body.get("fields", ())))
        for name, body in document["methods"].items()
    }
    types = {
        name: ObjectType(
            name, tuple(_field(f) for f in body.get("fields", ())), tuple(body.get("subtypes", ()))
        )
        for name, body in document["types"].items()
    }
    return Spec(source=str(document.get("version", "api.json")), methods=methods, types=types)


def load_reference(path: Path | None = None) -> Spec | None:
    """The full reference, or None (with one clear warning) when the file is absent."""
    global _warned
    path = path or default_path()
    if not path.is_file():
        if not _warned:
            log.warning(
                "Telegram Bot API reference not found at %s (set %s): the sandbox validates "
                "requests against its own compact schema only",
                path,
                ENV_VAR,
            )
            _warned = True
        return None
    with path.open(encoding="utf-8") as handle:
        return parse_reference(json.load(handle))
