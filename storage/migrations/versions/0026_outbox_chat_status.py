"""An index on the outbox by chat and status: what a LINE reply may carry along (the notices
LINE's spent month held back for that person) is looked for on every reply, and the earlier
edits a newer one replaces are looked for on every edit. Without it both read every row of
the status (every failed or pending row of every chat).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 01:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_chat_id_status", "outbox", ["chat_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_outbox_chat_id_status", table_name="outbox")
