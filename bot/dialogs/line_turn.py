"""One turn's answer on LINE in as few outbox rows as it can take: one reply token each.

LINE gives one reply token per event, and a token answers once: the first outbox row of a turn
takes it, and every further row is pushed, counted against the month's quota (and undelivered
once it is spent). A turn often says something before its question (a welcome, then the first
question; what a toast would say on Telegram, then the answer), so on LINE a reply without
buttons, media or a keyboard is said together with the next one, in one row and one free reply
(its parts first, a blank line between, as one reply's parts always are). A reply with buttons
keeps its own row: merged, its buttons would hang under another message's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.domain.replies import Msg, Reply


def _plain(reply: Reply) -> bool:
    return not reply.buttons and reply.media is None and reply.keyboard is None


def fewest_rows(replies: Sequence[Reply]) -> list[Reply]:
    """The replies with each plain one folded into the one after it (the last stays as it is)."""
    rows: list[Reply] = []
    carried: tuple[Msg, ...] = ()
    for index, answer in enumerate(replies):
        if _plain(answer) and index < len(replies) - 1 and replies[index + 1].media is None:
            carried = (*carried, *answer.parts)
            continue
        if carried:
            # A new message: an edit of the pressed one would lose what came before it.
            answer = replace(answer, parts=(*carried, *answer.parts), edit=False)
            carried = ()
        rows.append(answer)
    return rows
