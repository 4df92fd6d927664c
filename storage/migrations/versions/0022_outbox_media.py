"""The outbox can carry a file by its Telegram file_id: a person's photo or voice note handed to
the one staff member who asked for it (bot/dialogs/reach.py). `media` is [kind, file_id]; like
the text, it goes once the message is sent (storage/repositories/_settled.py).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 19:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("media", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("media")
