"""An `OutboundMessage` as LINE message objects (plain JSON, as the Messaging API takes them).

- Text: the outbox holds Telegram's HTML (``<b>``, ``<code>``, escaped person's text); LINE
  shows plain text, so tags go and entities are undone. A text over LINE's 5,000 UTF-16 units
  becomes several text messages (cut at a line break where there is one).
- Buttons: the same callback data strings the dialog registry packs, as postback ``data`` (at
  most 64 bytes, within LINE's 300 characters). Up to 13 buttons whose labels fit LINE's 20
  are quick replies under the (last) text: the common case, a few short choices. More buttons,
  or a longer label, go in a Flex bubble after the text, rows kept as rows, each button a box
  that shows the whole label; its postback shows the label in the chat as the person's answer.
  A quick reply disappears once tapped or once another message arrives; a bubble's buttons
  stay, and a late tap is answered "out of date" by the dialogs, as in Telegram. So an Undo,
  pressed minutes later after other messages, always goes in a bubble.
- An edit (``edit_message_id``) becomes a new message: LINE cannot change a sent message.
At most 5 messages go in one request, as LINE allows.
"""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

from bot.domain.outbound import ButtonRows, OutboundMessage
from bot.domain.undo import is_undo_button
from bot.ports.telegram import BadRequest

TEXT_LIMIT = 5000  # UTF-16 code units in one text message
QUICK_REPLY_LIMIT = 13  # buttons under one message
LABEL_LIMIT = 20  # graphemes in an action label (code points are never fewer)
DISPLAY_TEXT_LIMIT = 300
ALT_TEXT_LIMIT = 400
MESSAGES_LIMIT = 5  # message objects in one request
BUTTONS_PER_BUBBLE = 24  # keeps a bubble far below LINE's 30 KB
FLEX_BUBBLE_BYTES = 30 * 1024

_MARKUP = re.compile(r'<a\s+href="([^"]*)"\s*>(.*?)</a>|</?[A-Za-z][^>]*>', re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def plain(message: OutboundMessage) -> str:
    """The message's text as LINE shows it: no tags, entities undone; a link keeps its URL.

    Every "<" a person typed is escaped in the outbox's HTML, so what looks like a tag is ours.
    """
    if message.parse_mode != "HTML":
        return message.text
    text, parts, at = message.text, [], 0
    for match in _MARKUP.finditer(text):
        parts.append(unescape(text[at : match.start()]))
        if match.group(1) is not None:
            url, label = unescape(match.group(1)), unescape(_TAG.sub("", match.group(2)))
            parts.append(label if label == url else f"{label} {url}")
        at = match.end()
    parts.append(unescape(text[at:]))
    return "".join(parts)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def chunks(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` in pieces of at most `limit` UTF-16 units, cut after a line break if possible."""
    pieces: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        cut, units = 0, 0
        for index, char in enumerate(rest):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > limit:
                break
            cut = index + 1
        newline = rest.rfind("\n", 0, cut)
        if newline > 0:
            cut = newline + 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return [piece for piece in pieces if piece.strip()] or ([text] if text else [])


def _postback(label: str, data: str, *, with_label: bool) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "postback",
        "data": data,
        "displayText": label[:DISPLAY_TEXT_LIMIT],
    }
    if with_label:
        action["label"] = label
    return action


def _short(label: str) -> bool:
    return 1 <= len(label) <= LABEL_LIMIT


def quick_reply_fits(buttons: ButtonRows) -> bool:
    flat = [button for row in buttons for button in row]
    return 0 < len(flat) <= QUICK_REPLY_LIMIT and all(_short(label) for label, _ in flat)


def _lasting(buttons: ButtonRows) -> bool:
    """Buttons that must outlast the messages after them: an Undo is pressed minutes later,
    after the card's new state or a notice has arrived, when a quick reply is gone."""
    return any(is_undo_button(data) for row in buttons for _, data in row)


def quick_reply(buttons: ButtonRows) -> dict[str, Any]:
    return {
        "items": [
            {"type": "action", "action": _postback(label, data, with_label=True)}
            for row in buttons
            for label, data in row
        ]
    }


def _cell(label: str, data: str) -> dict[str, Any]:
    return {
        "type": "box",
        "layout": "vertical",
        "flex": 1,
        "backgroundColor": "#EEF3FB",
        "cornerRadius": "md",
        "paddingAll": "md",
        "justifyContent": "center",
        # A label only where LINE allows it (20): the box shows the whole label in any case.
        "action": _postback(label, data, with_label=_short(label)),
        "contents": [
            {
                "type": "text",
                "text": label or " ",
                "wrap": True,
                "align": "center",
                "size": "sm",
                "color": "#1F4E8C",
            }
        ],
    }


def _bubble(rows: ButtonRows) -> dict[str, Any]:
    return {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": [
                {
                    "type": "box",
                    "layout": "horizontal",
                    "spacing": "sm",
                    "contents": [_cell(label, data) for label, data in row],
                }
                for row in rows
                if row
            ],
        },
    }


def _pages(rows: ButtonRows) -> list[ButtonRows]:
    pages: list[ButtonRows] = []
    page: list[tuple[tuple[str, str], ...]] = []
    count = 0
    for row in rows:
        if page and count + len(row) > BUTTONS_PER_BUBBLE:
            pages.append(tuple(page))
            page, count = [], 0
        page.append(row)
        count += len(row)
    if page:
        pages.append(tuple(page))
    return pages


def flex(buttons: ButtonRows, alt_text: str) -> dict[str, Any]:
    """The buttons as a Flex bubble (a carousel of bubbles when there are very many)."""
    bubbles = [_bubble(page) for page in _pages(buttons)]
    contents = bubbles[0] if len(bubbles) == 1 else {"type": "carousel", "contents": bubbles}
    for bubble in bubbles:
        if len(json.dumps(bubble, ensure_ascii=False).encode()) > FLEX_BUBBLE_BYTES:
            raise BadRequest("the buttons do not fit in a LINE Flex bubble")
    alt = (
        alt_text.strip()[:ALT_TEXT_LIMIT]
        or " / ".join(label for row in buttons for label, _ in row)[:ALT_TEXT_LIMIT]
    )
    return {"type": "flex", "altText": alt or "…", "contents": contents}


def render(message: OutboundMessage) -> list[dict[str, Any]]:
    """The LINE messages that deliver `message` in one request."""
    text = plain(message)
    messages: list[dict[str, Any]] = [{"type": "text", "text": piece} for piece in chunks(text)]
    if message.buttons:
        if messages and quick_reply_fits(message.buttons) and not _lasting(message.buttons):
            messages[-1]["quickReply"] = quick_reply(message.buttons)
        else:
            messages.append(flex(message.buttons, text))
    if not messages:
        raise BadRequest("an empty message")
    if len(messages) > MESSAGES_LIMIT:
        raise BadRequest(f"{len(messages)} LINE messages in one request (at most 5)")
    return messages
