"""LINE's limits that the OpenAPI files do not state, from its developer documentation.

The schema already holds: at most 5 messages a request, 13 quick reply buttons, postback
``data`` up to 300 characters, 500 multicast recipients, rich menu ``chatBarText`` up to 14.
These checks add what LINE documents in prose: text up to 5,000 UTF-16 units; action labels
(1-20 graphemes; 12 in an image carousel) where a label is required; a buttons template holds
1-4 actions, a confirm template exactly 2, carousel columns 1-10 with 1-3 actions each and the
same number in every column; alternative text up to 400 (templates) or 1,500 (Flex); a Flex
bubble at most 30 KB of JSON and a carousel at most 12 bubbles and 50 KB; images by HTTPS URL;
rich menus with all their fields, a size of 800-2500 x 250+ pixels at a ratio of at least 1.45,
at most 20 areas that lie inside it; recipient ids of the form ``U`` + 32 hex digits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sandbox.line.counting import graphemes, utf16_units
from sandbox.line.schema import Problem, join

USER_ID = re.compile(r"^U[0-9a-f]{32}$")
CHAT_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
TEXT_LIMIT = 5000
FLEX_BUBBLE_BYTES = 30_000
FLEX_CAROUSEL_BYTES = 50_000


def check(operation_id: str, body: Any) -> list[Problem]:
    """Problems of a request body (already valid against the schema) that LINE would refuse."""
    if not isinstance(body, dict):
        return []
    problems: list[Problem] = []
    for index, message in enumerate(body.get("messages") or ()):
        if isinstance(message, dict):
            problems.extend(_message(message, join("messages", index)))
    if operation_id == "pushMessage" and not CHAT_ID.match(str(body.get("to", ""))):
        problems.append(Problem("to", "must be a user, group or room ID"))
    if operation_id in {"multicast", "linkRichMenuIdToUsers", "unlinkRichMenuIdFromUsers"}:
        key = "to" if operation_id == "multicast" else "userIds"
        for index, user_id in enumerate(body.get(key) or ()):
            if not USER_ID.match(str(user_id)):
                problems.append(Problem(join(key, index), "must be a user ID"))
    if operation_id in {"createRichMenu", "validateRichMenuObject"}:
        problems.extend(rich_menu(body))
    return problems


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _length(problems: list[Problem], path: str, size: int, low: int, high: int) -> None:
    if not low <= size <= high:
        problems.append(Problem(path, f"Length must be between {low} and {high}"))


def _message(message: dict[str, Any], path: str) -> list[Problem]:
    problems: list[Problem] = []
    kind = message.get("type")
    if kind in {"text", "textV2"} and isinstance(message.get("text"), str):
        _length(problems, join(path, "text"), utf16_units(message["text"]), 1, TEXT_LIMIT)
    if kind == "template":
        _length(problems, join(path, "altText"), utf16_units(message.get("altText", "")), 1, 400)
        problems.extend(_template(message.get("template") or {}, join(path, "template")))
    if kind == "flex":
        _length(problems, join(path, "altText"), utf16_units(message.get("altText", "")), 1, 1500)
        problems.extend(_flex(message.get("contents") or {}, join(path, "contents")))
    if kind in {"image", "video"}:
        for key in ("originalContentUrl", "previewImageUrl"):
            if not str(message.get(key, "https://")).startswith("https://"):
                problems.append(Problem(join(path, key), "must be an HTTPS URL"))
    items = (message.get("quickReply") or {}).get("items")
    if items is not None:
        where = join(join(path, "quickReply"), "items")
        if not items:
            problems.append(Problem(where, "Size must be between 1 and 13"))
        for index, item in enumerate(items):
            action = item.get("action") if isinstance(item, dict) else None
            problems.extend(_action(action, join(join(where, index), "action"), 20))
    return problems


def _action(
    action: Any, path: str, label_limit: int | None, *, required: bool = True
) -> list[Problem]:
    """An action's label (at most ``label_limit``, and there unless not ``required``) and
    its texts; ``label_limit`` None: no rule on the label (rich menu areas)."""
    problems: list[Problem] = []
    if not isinstance(action, dict):
        return [Problem(path, "must be specified")]
    label = action.get("label")
    if label_limit is not None:
        if isinstance(label, str):
            _length(problems, join(path, "label"), graphemes(label), 1, label_limit)
        elif required:
            problems.append(Problem(join(path, "label"), "must be specified"))
    for key in ("displayText", "text") if action.get("type") in {"postback", "message"} else ():
        if isinstance(action.get(key), str):
            _length(problems, join(path, key), graphemes(action[key]), 1, 300)
    if action.get("type") == "message" and "text" not in action:
        problems.append(Problem(join(path, "text"), "must be specified"))
    return problems


def _count(problems: list[Problem], path: str, items: Any, low: int, high: int) -> None:
    size = len(items) if isinstance(items, list) else 0
    if not low <= size <= high:
        problems.append(Problem(path, f"Size must be between {low} and {high}"))


def _template(template: dict[str, Any], path: str) -> list[Problem]:
    problems: list[Problem] = []
    kind = template.get("type")
    actions = template.get("actions")
    if kind == "buttons":
        _count(problems, join(path, "actions"), actions, 1, 4)
        limit = 60 if template.get("title") or template.get("thumbnailImageUrl") else 160
        _length(problems, join(path, "text"), graphemes(template.get("text", "")), 1, limit)
        if "title" in template:
            _length(problems, join(path, "title"), graphemes(template["title"]), 1, 40)
    elif kind == "confirm":
        _count(problems, join(path, "actions"), actions, 2, 2)
        _length(problems, join(path, "text"), graphemes(template.get("text", "")), 1, 240)
    elif kind in {"carousel", "image_carousel"}:
        columns = template.get("columns") or []
        _count(problems, join(path, "columns"), columns, 1, 10)
        if kind == "carousel":
            problems.extend(_columns(columns, join(path, "columns")))
        else:
            for index, column in enumerate(columns):
                where = join(join(join(path, "columns"), index), "action")
                problems.extend(_action(column.get("action"), where, 12, required=False))
    for index, action in enumerate(actions or () if kind in {"buttons", "confirm"} else ()):
        problems.extend(_action(action, join(join(path, "actions"), index), 20))
    return problems


def _columns(columns: list[dict[str, Any]], path: str) -> Iterator[Problem]:
    counts = {len(column.get("actions") or ()) for column in columns}
    if len(counts) > 1:
        yield Problem(path, "every column must have the same number of actions")
    for index, column in enumerate(columns):
        where = join(path, index)
        problems: list[Problem] = []
        _count(problems, join(where, "actions"), column.get("actions"), 1, 3)
        limit = 60 if column.get("title") or column.get("thumbnailImageUrl") else 120
        _length(problems, join(where, "text"), graphemes(column.get("text", "")), 1, limit)
        for number, action in enumerate(column.get("actions") or ()):
            problems.extend(_action(action, join(join(where, "actions"), number), 20))
        yield from problems


def _flex(container: dict[str, Any], path: str) -> list[Problem]:
    problems: list[Problem] = []
    if container.get("type") == "bubble" and _size(container) > FLEX_BUBBLE_BYTES:
        problems.append(Problem(path, f"a bubble must be at most {FLEX_BUBBLE_BYTES} bytes"))
    if container.get("type") == "carousel":
        bubbles = container.get("contents") or []
        _count(problems, join(path, "contents"), bubbles, 1, 12)
        if _size(container) > FLEX_CAROUSEL_BYTES:
            problems.append(
                Problem(path, f"a carousel must be at most {FLEX_CAROUSEL_BYTES} bytes")
            )
        for index, bubble in enumerate(bubbles):
            if _size(bubble) > FLEX_BUBBLE_BYTES:
                problems.append(
                    Problem(join(join(path, "contents"), index), "a bubble must be at most 30 KB")
                )
    return problems


def rich_menu(body: dict[str, Any]) -> list[Problem]:
    problems = [
        Problem(name, "must be specified")
        for name in ("size", "selected", "name", "chatBarText", "areas")
        if name not in body
    ]
    size = body.get("size") or {}
    width, height = size.get("width", 0), size.get("height", 0)
    if "size" in body and not (800 <= width <= 2500 and height >= 250 and width / height >= 1.45):
        problems.append(
            Problem("size", "must be 800-2500 wide, at least 250 high, at a ratio of 1.45 or more")
        )
    areas = body.get("areas") or []
    if len(areas) > 20:
        problems.append(Problem("areas", "Size must be between 0 and 20"))
    for index, area in enumerate(areas):
        bounds = area.get("bounds") or {}
        right = bounds.get("x", 0) + bounds.get("width", 0)
        bottom = bounds.get("y", 0) + bounds.get("height", 0)
        if not bounds or right > width or bottom > height:
            problems.append(Problem(join(join("areas", index), "bounds"), "must lie in the menu"))
        problems.extend(_action(area.get("action"), join(join("areas", index), "action"), None))
    return problems
