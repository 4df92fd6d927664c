"""Telegram's HTML ``parse_mode``: turn marked-up text into plain text and message entities.

Telegram accepts a small fixed set of tags and answers 400 "can't parse entities" for anything
else (an unknown or unclosed tag, a stray ``</b>``); its length limits apply to the text *after*
parsing. Entity offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sandbox.schema import HTML_TAGS

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
_ATTR = re.compile(r"""([A-Za-z][A-Za-z0-9-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_KIND = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
}


class EntityParseError(ValueError):
    """The markup is not what Telegram accepts; the message is Telegram's wording."""


@dataclass
class _Open:
    tag: str
    offset: int  # UTF-16 offset in the plain text where the entity starts
    attrs: dict[str, str]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _attributes(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        value = match.group(2) or ""
        if value[:1] in {'"', "'"}:
            value = value[1:-1]
        attrs[match.group(1).lower()] = _unescape(value)
    return attrs


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith(("#x", "#X")):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        if name in _NAMED:
            return _NAMED[name]
        raise EntityParseError(f'Unsupported HTML entity "&{name};"')

    try:
        return _ENTITY.sub(replace, text)
    except (ValueError, OverflowError) as error:  # chr() of an impossible code point
        if isinstance(error, EntityParseError):
            raise
        raise EntityParseError("Invalid numeric HTML entity") from error


def _entity(opened: _Open, end: int, inner_pre_code: dict[int, str]) -> dict[str, Any] | None:
    length = end - opened.offset
    if length <= 0:
        return None
    entity: dict[str, Any] = {"type": _KIND[opened.tag], "offset": opened.offset, "length": length}
    if opened.tag == "a":
        entity["url"] = opened.attrs.get("href", "")
    elif opened.tag == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    elif opened.tag == "pre" and opened.offset in inner_pre_code:
        entity["language"] = inner_pre_code[opened.offset]
    return entity


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); raise EntityParseError like Telegram."""
    pieces: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    languages: dict[int, str] = {}
    offset = 0
    index = 0
    while index < len(source):
        lt = source.find("<", index)
        chunk = source[index:] if lt < 0 else source[index:lt]
        if chunk:
            text = _unescape(chunk)
            pieces.append(text)
            offset += utf16_len(text)
        if lt < 0:
            break
        match = _TAG.match(source, lt)
        if match is None:
            raise EntityParseError(
                f"Unsupported start tag at byte offset {_byte_offset(source, lt)}"
            )
        closing, tag, raw_attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
        where = _byte_offset(source, lt)
        if closing:
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {where}")
            if stack[-1].tag != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {where}, expected "</{stack[-1].tag}>", '
                    f'found "</{tag}>"'
                )
            entity = _entity(stack.pop(), offset, languages)
            if entity is not None:
                entities.append(entity)
        else:
            attrs = _attributes(raw_attrs)
            if tag not in HTML_TAGS or (tag == "span" and attrs.get("class") != "tg-spoiler"):
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {where}')
            if tag == "code" and stack and stack[-1].tag == "pre":
                language = attrs.get("class", "")
                if language.startswith("language-"):
                    languages[stack[-1].offset] = language.removeprefix("language-")
            stack.append(_Open(tag, offset, attrs))
        index = match.end()
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return _strip("".join(pieces), entities)


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace from a message and shifts its entities."""
    stripped = text.strip()
    if stripped == text:
        return text, sorted(entities, key=lambda e: (e["offset"], -e["length"]))
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] - shift + entity["length"], size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, sorted(kept, key=lambda e: (e["offset"], -e["length"]))


def plain_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The text a chat shows for ``text`` sent with ``parse_mode`` (None: no markup)."""
    if parse_mode is None or parse_mode == "":
        return text.strip(), []
    if parse_mode.upper() == "HTML":
        return parse_html(text)
    raise EntityParseError(f'Unsupported parse_mode "{parse_mode}": the sandbox implements HTML')
