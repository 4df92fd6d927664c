"""LINE multicast: broadcast copies to LINE people go in batches of up to 500, one request each.

`outbox.line_batch` names the batch a row belongs to (NULL: a row sent on its own). The rows of
a batch are queued together with the same message, claimed together and sent in one multicast
whose retry key the batch's name gives, so a kill repeats the request and LINE answers 409
rather than delivering twice (handlers/line/multicast.py). Each row keeps its own outcome.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 19:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("line_batch", sa.String(length=64), nullable=True))
        batch.create_index("ix_outbox_line_batch", ["line_batch"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_line_batch")
        batch.drop_column("line_batch")
