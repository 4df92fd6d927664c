"""Business centres get a phone number, kinds of work, service areas and a closing time.

Set by `kyodo centres` and the desk's Centres page; a closed centre is kept for its history.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("business_centres") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("kinds", JSON, server_default=sa.text("'[]'"), nullable=False))
        batch.add_column(sa.Column("areas", JSON, server_default=sa.text("'[]'"), nullable=False))
        batch.add_column(sa.Column("closed_at", TIMESTAMP, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("business_centres") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("areas")
        batch.drop_column("kinds")
        batch.drop_column("phone")
