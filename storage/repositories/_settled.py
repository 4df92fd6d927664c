"""What an outbox row keeps once its message is sent or has failed for good.

A message's `carries` (bot.domain.outbound.Carries) says what must not outlive its delivery: a
credential and a farewell go either way; personal data goes once sent (a failed message keeps it
until the outbox prune, for staff to send again). The columns below go into the UPDATE that
settles the row, so the text is never kept past that statement.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, literal, null, or_

from bot.domain.outbound import REDACTED, Carries
from storage.models import OutboxRow


def settled_columns(*, sent: bool) -> dict[str, Any]:
    """The `values()` that redact what the row carried (add them to the settling UPDATE)."""
    gone = [Carries.CREDENTIAL.value, Carries.FAREWELL.value]
    if sent:
        gone.append(Carries.PERSONAL.value)
    # Comparisons, not NOT IN: an expanding IN cannot run in the sender's executemany.
    kept = or_(OutboxRow.carries.is_(None), and_(*(OutboxRow.carries != kind for kind in gone)))
    return {
        "text": case((kept, OutboxRow.text), else_=literal(REDACTED)),
        "buttons": case((kept, OutboxRow.buttons), else_=literal([], OutboxRow.buttons.type)),
        "media": case((kept, OutboxRow.media), else_=null()),
        "chat_id": case(
            (OutboxRow.carries == Carries.FAREWELL.value, literal(0, OutboxRow.chat_id.type)),
            else_=OutboxRow.chat_id,
        ),
    }
