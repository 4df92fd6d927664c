"""Parked updates: an update that failed all its attempts is set aside for staff.

`inbox.parked_at` marks it (neither pending nor handled) and `inbox.park_reason` says the
error's kind; staff let it go again from the desk or /queue (bot/services/deliveries.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('inbox') as batch:
        batch.add_column(sa.Column('parked_at', TIMESTAMP, nullable=True))
        batch.add_column(sa.Column('park_reason', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inbox') as batch:
        batch.drop_column('park_reason')
        batch.drop_column('parked_at')
