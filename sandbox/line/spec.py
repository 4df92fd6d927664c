"""LINE's OpenAPI files, loaded once: schemas by ``$ref`` and operations by method and path.

The files under ``openapi/`` are LINE's own, unchanged (see its README for the commit). They are
read with PyYAML rather than converted once to JSON: one source of truth and no generated copy
to drift from it or a converter to keep. Measured: the Messaging API file parses in about 75 ms
with PyYAML's libyaml loader (0.5 s with the pure-Python one), once per process (``lru_cache``);
every stand-in a test suite starts shares the parsed documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

OPENAPI = Path(__file__).resolve().parent / "openapi"
MESSAGING_API = OPENAPI / "messaging-api.yml"
WEBHOOK = OPENAPI / "webhook.yml"

_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Operation:
    """One documented operation: ``operation_id`` names it in calls, stats and faults."""

    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    spec: dict[str, Any] = field(repr=False)
    parameters: tuple[dict[str, Any], ...] = field(repr=False)

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        return None if found is None else found.groupdict()

    def request_schema(self) -> tuple[str | None, dict[str, Any] | None, bool]:
        """(content type, schema, required) of the request body; (None, None, False) if none."""
        body = self.spec.get("requestBody")
        if body is None:
            return None, None, False
        content_type, media = next(iter(body["content"].items()))
        return content_type, media.get("schema"), bool(body.get("required"))

    def response_schema(self, status: int) -> dict[str, Any] | None:
        """The JSON schema documented for an answer with this status, if any."""
        response = self.spec.get("responses", {}).get(str(status))
        if not response or "content" not in response:
            return None
        media = response["content"].get("application/json")
        return None if media is None else media.get("schema")


class Document:
    """A parsed OpenAPI document with ``$ref`` resolution (local references only)."""

    def __init__(self, raw: dict[str, Any], source: str) -> None:
        self.raw = raw
        self.source = source
        self.schemas: dict[str, Any] = raw["components"]["schemas"]
        self.operations = _operations(raw)

    def resolve(self, ref: str) -> tuple[str, dict[str, Any]]:
        """(component name, schema) for ``#/components/schemas/<name>``."""
        prefix = "#/components/schemas/"
        if not ref.startswith(prefix):
            raise ValueError(f"{self.source}: unsupported $ref {ref!r}")
        name = ref.removeprefix(prefix)
        return name, self.schemas[name]

    def ref(self, name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    def operation(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation for a request, with its path parameters; literal paths win over
        templates (``/v2/bot/richmenu/list`` is not the rich menu with id "list")."""
        for operation in self.operations:
            if operation.method == method.lower():
                params = operation.match(path)
                if params is not None:
                    return operation, params
        return None

    def documents_path(self, path: str) -> bool:
        return any(op.match(path) is not None for op in self.operations)


def _operations(raw: dict[str, Any]) -> list[Operation]:
    found: list[Operation] = []
    for template, item in raw["paths"].items():
        shared = tuple(item.get("parameters", ()))
        for method in _METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
            found.append(
                Operation(
                    operation_id=spec["operationId"],
                    method=method,
                    template=template,
                    pattern=re.compile(regex),
                    spec=spec,
                    parameters=shared + tuple(spec.get("parameters", ())),
                )
            )
    found.sort(key=lambda op: (op.template.count("{"), op.template))
    return found


def _load(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as file:
        raw: dict[str, Any] = yaml.load(file, Loader=loader)  # noqa: S506 (a safe loader)
    return raw


@lru_cache(maxsize=1)
def messaging_api() -> Document:
    return Document(_load(MESSAGING_API), "messaging-api.yml")


@lru_cache(maxsize=1)
def webhook() -> Document:
    return Document(_load(WEBHOOK), "webhook.yml")
