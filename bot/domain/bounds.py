"""What the inbox may store of an update, before anything else looks at it.

A text longer than Kyodo accepts is refused with a clear answer; it is not stored either. The
intake keeps one character past the limit (so the core still sees that it was too long) and how
long it was (so the answer can say), and drops the rest; an update still larger than any that
Telegram sends (a forged one) keeps its id only, and is acknowledged and ignored. Lengths are of
the raw text, as sent: NFKC normalisation (which can lengthen a text) comes later, in the core.
"""

from __future__ import annotations

import json
from typing import Any

TELEGRAM_TEXT_LIMIT = 4096  # the longest text (or caption) Telegram delivers
MAX_UPDATE_BYTES = 64 * 1024  # far above any real update: photos are ids, not bytes
_TEXTS = (("message", "text"), ("message", "caption"), ("edited_message", "text"))
# Kyodo's own key, beside the text it shortened: how long the text was as sent.
CUT_FROM = "kyodo_cut_from"


def bounded(update: dict[str, Any], max_text: int = TELEGRAM_TEXT_LIMIT) -> dict[str, Any]:
    """The update as stored: over-long texts cut to `max_text` + 1 characters, and an update
    still over MAX_UPDATE_BYTES reduced to its `update_id`."""
    cut = dict(update)
    for outer, field in _TEXTS:
        part = cut.get(outer)
        if not isinstance(part, dict):
            continue
        text = part.get(field)
        if isinstance(text, str) and len(text) > max_text:
            cut[outer] = {**part, field: text[: max_text + 1], CUT_FROM: len(text)}
    try:
        size = len(json.dumps(cut, ensure_ascii=False).encode())
    except (TypeError, ValueError):
        size = MAX_UPDATE_BYTES + 1  # not JSON at all: nothing of it is worth keeping
    if size > MAX_UPDATE_BYTES:
        return {"update_id": cut.get("update_id")}
    return cut


def length_as_sent(update: dict[str, Any]) -> int | None:
    """How long the update's text was as sent, if the intake shortened it; else None."""
    for outer in ("message", "edited_message"):
        part = update.get(outer)
        length = part.get(CUT_FROM) if isinstance(part, dict) else None
        if isinstance(length, int) and not isinstance(length, bool):
            return length
    return None
