"""Check a JSON value against a schema of LINE's OpenAPI files; collect every problem.

The files use a small part of OpenAPI 3: ``$ref``, ``allOf`` (a subtype adds to its base),
``discriminator`` with ``mapping`` (the ``type`` of a message, action, template, Flex component
or webhook event picks its schema), ``required``, ``properties``, ``additionalProperties``,
``enum``, ``nullable``, ``pattern``, ``format``, min/max of lengths, items and numbers. A schema
reached through ``allOf`` is its subtype's base and is not dispatched again.

Properties that no schema names are reported: a typo in a field (``quickreply``) is a bug the
stand-in should show even where LINE might ignore the field. Lengths are counted as LINE counts
them (``sandbox.line.counting``): UTF-16 code units, or grapheme clusters for the properties
LINE's documentation lists. Problems carry LINE's ``property`` path style
(``messages[0].quickReply.items``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.line.counting import graphemes, utf16_units
from sandbox.line.spec import Document

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
# (component, property) counted in grapheme clusters; every action's ``label`` too.
_GRAPHEME_PROPERTIES = frozenset(
    {
        ("PostbackAction", "displayText"),
        ("PostbackAction", "fillInText"),
        ("PostbackAction", "text"),
        ("MessageAction", "text"),
        ("ButtonsTemplate", "text"),
        ("ButtonsTemplate", "title"),
        ("ConfirmTemplate", "text"),
        ("CarouselColumn", "text"),
        ("CarouselColumn", "title"),
        ("RichMenuRequest", "chatBarText"),
        ("RichMenuRequest", "name"),
        ("RichMenuResponse", "chatBarText"),
        ("RichMenuResponse", "name"),
    }
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a value: where (LINE's ``property`` path) and what."""

    property: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"message": self.message, "property": self.property}


@dataclass
class _Shape:
    """A schema with its ``allOf`` parts merged: what an object of it may and must hold."""

    type: str | None = None
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    additional: dict[str, Any] | None = None
    keywords: dict[str, Any] = field(default_factory=dict)


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Checker:
    """Validates values against one ``Document``'s schemas."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._shapes: dict[int, _Shape] = {}
        self._action_components = self._mapped("Action")

    def _mapped(self, name: str) -> frozenset[str]:
        schema = self.document.schemas.get(name, {})
        mapping = schema.get("discriminator", {}).get("mapping", {})
        return frozenset(ref.rsplit("/", 1)[-1] for ref in mapping.values())

    def check(self, schema: dict[str, Any], value: Any, path: str = "") -> list[Problem]:
        problems: list[Problem] = []
        self._check(schema, value, path, None, "utf16", problems)
        return problems

    def check_component(self, name: str, value: Any, path: str = "") -> list[Problem]:
        return self.check(self.document.ref(name), value, path)

    # -- dispatch ------------------------------------------------------------------------------

    def _check(
        self,
        schema: dict[str, Any],
        value: Any,
        path: str,
        component: str | None,
        unit: str,
        problems: list[Problem],
    ) -> None:
        while "$ref" in schema:
            component, schema = self.document.resolve(schema["$ref"])
        discriminator = schema.get("discriminator")
        if discriminator is not None and isinstance(value, dict):
            prop = discriminator["propertyName"]
            mapping = discriminator.get("mapping", {})
            tag = value.get(prop)
            if tag is None:
                problems.append(Problem(join(path, prop), "must be specified"))
                return
            target = mapping.get(tag) if isinstance(tag, str) else None
            if target is None:
                problems.append(
                    Problem(join(path, prop), f"must be one of {sorted(mapping)}, not {tag!r}")
                )
                return
            sub_name, sub_schema = self.document.resolve(target)
            if sub_schema is not schema:
                component, schema = sub_name, sub_schema
        self._check_flat(schema, value, path, component, unit, problems)

    def _check_flat(
        self,
        schema: dict[str, Any],
        value: Any,
        path: str,
        component: str | None,
        unit: str,
        problems: list[Problem],
    ) -> None:
        shape = self._shape(schema)
        if value is None:
            if not shape.keywords.get("nullable"):
                problems.append(Problem(path, "must not be null"))
            return
        kind = shape.type
        if kind is not None and not _is_type(kind, value):
            article = "an" if kind[0] in "aeiou" else "a"
            problems.append(Problem(path, f"must be {article} {kind}"))
            return
        if "enum" in shape.keywords and value not in shape.keywords["enum"]:
            problems.append(Problem(path, f"must be one of {shape.keywords['enum']}"))
        if isinstance(value, str):
            self._check_string(shape.keywords, value, path, unit, problems)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            _check_number(shape.keywords, value, path, problems)
        elif isinstance(value, list):
            self._check_array(shape, value, path, problems)
        elif isinstance(value, dict):
            self._check_object(shape, value, path, component, problems)

    # -- kinds of values -----------------------------------------------------------------------

    def _check_string(
        self, keywords: dict[str, Any], value: str, path: str, unit: str, problems: list[Problem]
    ) -> None:
        low, high = keywords.get("minLength"), keywords.get("maxLength")
        if low is not None or high is not None:
            size = graphemes(value) if unit == "graphemes" else utf16_units(value)
            if (low is not None and size < low) or (high is not None and size > high):
                problems.append(Problem(path, f"Length must be between {low or 0} and {high}"))
        pattern = keywords.get("pattern")
        if pattern is not None and re.search(pattern, value) is None:
            problems.append(Problem(path, f"must match {pattern}"))
        fmt = keywords.get("format")
        if (fmt == "uri" and not _SCHEME.match(value)) or (
            fmt == "uuid" and not _UUID.match(value)
        ):
            problems.append(Problem(path, f"must be a valid {fmt}"))

    def _check_array(
        self, shape: _Shape, value: list[Any], path: str, problems: list[Problem]
    ) -> None:
        low, high = shape.keywords.get("minItems"), shape.keywords.get("maxItems")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            problems.append(Problem(path, f"Size must be between {low or 0} and {high}"))
        items = shape.keywords.get("items")
        if items is not None:
            for index, item in enumerate(value):
                self._check(items, item, join(path, index), None, "utf16", problems)

    def _check_object(
        self,
        shape: _Shape,
        value: dict[str, Any],
        path: str,
        component: str | None,
        problems: list[Problem],
    ) -> None:
        for name in sorted(shape.required - value.keys()):
            problems.append(Problem(join(path, name), "must be specified"))
        free = not shape.properties and shape.additional is None
        for name, item in value.items():
            where = join(path, name)
            schema = shape.properties.get(name, shape.additional)
            if schema is not None:
                self._check(schema, item, where, None, self._unit(component, name), problems)
            elif not free:
                problems.append(Problem(where, f"is not a property of {component or 'this'}"))

    def _unit(self, component: str | None, name: str) -> str:
        if component is None:
            return "utf16"
        if (component, name) in _GRAPHEME_PROPERTIES:
            return "graphemes"
        if name == "label" and component in self._action_components:
            return "graphemes"
        return "utf16"

    # -- shapes --------------------------------------------------------------------------------

    def _shape(self, schema: dict[str, Any]) -> _Shape:
        cached = self._shapes.get(id(schema))
        if cached is None:
            cached = self._shapes[id(schema)] = _Shape()
            self._merge(cached, schema)
            if cached.type is None and cached.properties:
                cached.type = "object"
        return cached

    def _merge(self, shape: _Shape, schema: dict[str, Any]) -> None:
        while "$ref" in schema:
            schema = self.document.resolve(schema["$ref"])[1]
        for part in schema.get("allOf", ()):
            self._merge(shape, part)
        if "type" in schema:
            shape.type = schema["type"]
        shape.properties.update(schema.get("properties", {}))
        shape.required.update(schema.get("required", ()))
        additional = schema.get("additionalProperties")
        if isinstance(additional, dict):
            shape.additional = additional
        for key, value in schema.items():
            if key not in {"allOf", "properties", "required", "additionalProperties", "type"}:
                shape.keywords[key] = value


def _is_type(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def _check_number(
    keywords: dict[str, Any], value: float, path: str, problems: list[Problem]
) -> None:
    low, high = _RANGES.get(keywords.get("format", ""), (None, None))
    low = keywords.get("minimum", low)
    high = keywords.get("maximum", high)
    if (low is not None and value < low) or (high is not None and value > high):
        problems.append(Problem(path, f"must be between {low} and {high}"))
