"""Check a Bot API call's parameters against a ``Spec`` and coerce them to their types.

Telegram accepts parameters as JSON, as form fields or as multipart parts. Form and multipart
values are strings: numbers and booleans are written out, objects and arrays JSON-encoded (that
is what python-telegram-bot sends). Validation decodes them as Telegram does, checks names,
required parameters, types (nested objects included) and length limits, and raises
``ValidationError`` with Telegram-like wording.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sandbox.entities import EntityParseError, plain_text
from sandbox.schema import INLINE_BUTTON_ACTIONS, Field, ObjectType, Spec

_PRIMITIVES = frozenset({"Integer", "Float", "Boolean", "String", "InputFile", "True"})
_INTEGER = re.compile(r"^-?[0-9]+$")
_TRUE = frozenset({"true", "True", "1"})
_FALSE = frozenset({"false", "False", "0"})


class ValidationError(ValueError):
    """A parameter breaks the spec; ``detail`` follows Telegram's ``Bad Request: `` prefix."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (its bytes are not kept)."""

    field_name: str
    filename: str | None
    content_type: str | None
    size: int


def validate(spec: Spec, method: str, params: dict[str, Any]) -> dict[str, Any]:
    """Return the parameters decoded to their types, or raise ValidationError.

    The caller has checked that ``method`` is in ``spec``.
    """
    fields = {f.name: f for f in spec.methods[method].fields}
    for name in params:
        if name not in fields:
            raise ValidationError(f'unknown parameter "{name}" for method {method}')
    decoded: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in params:
            if field.required:
                raise ValidationError(
                    "message text is empty" if name == "text" else f"{name} is empty"
                )
            continue
        decoded[name] = _value(spec, field, params[name], name)
    for name, field in fields.items():
        if name in decoded and field.limit is not None:
            _check_limit(field, decoded[name], name, decoded.get("parse_mode"))
    return decoded


def _check_limit(field: Field, value: Any, path: str, parse_mode: Any) -> None:
    limit = field.limit
    if limit is None or not isinstance(value, str):
        return
    if limit.unit == "bytes":
        size = len(value.encode("utf-8"))
    elif limit.after_entities and field.name in {"text", "caption"}:
        try:
            size = len(plain_text(value, parse_mode if isinstance(parse_mode, str) else None)[0])
        except EntityParseError as error:
            raise ValidationError(f"can't parse entities: {error}") from error
    else:
        size = len(value)
    if limit.low <= size <= limit.high:
        return
    if field.name == "text" and size < limit.low:
        raise ValidationError("message text is empty")
    if field.error is not None:
        raise ValidationError(field.error)
    raise ValidationError(
        f'parameter "{path}" must be {limit.low}-{limit.high} {limit.unit}, got {size}'
    )


def _value(spec: Spec, field: Field, raw: Any, path: str) -> Any:
    failures: list[tuple[int, ValidationError]] = []
    for type_name in field.types:
        try:
            value = _typed(spec, type_name, raw, path)
        except ValidationError as error:
            failures.append((_closeness(spec, type_name, raw), error))
            continue
        if field.constant is not None and value != field.constant:
            raise ValidationError(f'parameter "{path}" must be "{field.constant}"')
        return value
    closest, nearest = max(failures, key=lambda pair: pair[0])
    if closest > 0 or len(failures) == 1:
        raise nearest
    raise ValidationError(f'parameter "{path}" must be of type {" or ".join(field.types)}')


def _closeness(spec: Spec, type_name: str, raw: Any) -> int:
    """How well a dict matches an object type: picks the error worth reporting in a union."""
    try:
        raw = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return 0
    object_type = spec.types.get(type_name)
    if not isinstance(raw, dict) or object_type is None:
        return 0
    names = {f.name for f in object_type.fields}
    for sub in object_type.subtypes:
        names |= {f.name for f in spec.types[sub].fields} if sub in spec.types else set()
    return len(names & raw.keys())


def _typed(spec: Spec, type_name: str, raw: Any, path: str) -> Any:
    if type_name.startswith("Array of "):
        items = _decoded_json(raw, path)
        if not isinstance(items, list):
            raise ValidationError(f'parameter "{path}" must be an Array')
        inner = Field(path, (type_name.removeprefix("Array of "),), required=True)
        return [_value(spec, inner, item, f"{path}[{i}]") for i, item in enumerate(items)]
    if type_name in _PRIMITIVES:
        return _primitive(type_name, raw, path)
    object_type = spec.types.get(type_name)
    if object_type is None:
        # A type the spec names but does not describe: accept any JSON object.
        value = _decoded_json(raw, path)
        if not isinstance(value, dict):
            raise ValidationError(f'parameter "{path}" must be an object of type {type_name}')
        return value
    return _object(spec, object_type, _decoded_json(raw, path), path)


def _object(spec: Spec, object_type: ObjectType, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(f'parameter "{path}" must be an object of type {object_type.name}')
    if object_type.subtypes:
        union = Field(path, tuple(object_type.subtypes), required=True)
        return dict(_value(spec, union, value, path))
    fields = {f.name: f for f in object_type.fields}
    for name in value:
        if name not in fields:
            raise ValidationError(f'unknown field "{path}.{name}" of {object_type.name}')
    decoded: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in value:
            if field.required:
                raise ValidationError(f'field "{path}.{name}" of {object_type.name} is required')
            continue
        decoded[name] = _value(spec, field, value[name], f"{path}.{name}")
        _check_limit(field, decoded[name], f"{path}.{name}", None)
    if object_type.name == "InlineKeyboardButton":
        actions = [name for name in INLINE_BUTTON_ACTIONS if name in decoded]
        if len(actions) != 1:
            raise ValidationError(
                "can't parse inline keyboard button: exactly one of "
                f"{', '.join(INLINE_BUTTON_ACTIONS)} must be used in {path}"
            )
    return decoded


def _decoded_json(raw: Any, path: str) -> Any:
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ValidationError(f'parameter "{path}" is not valid JSON') from error


def _primitive(type_name: str, raw: Any, path: str) -> Any:
    if type_name == "String":
        if isinstance(raw, str):
            return raw
    elif type_name == "InputFile":
        if isinstance(raw, UploadedFile):
            return raw
    elif type_name == "Integer":
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and _INTEGER.match(raw):
            return int(raw)
    elif type_name == "Float":
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        if isinstance(raw, str):
            try:
                return float(raw)
            except ValueError:
                pass
    elif type_name in {"Boolean", "True"}:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw in _TRUE | _FALSE:
            return raw in _TRUE
    raise ValidationError(f'parameter "{path}" must be of type {type_name}')
