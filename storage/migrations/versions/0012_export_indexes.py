"""Indexes for the staff desk and payroll exports at scale.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 20:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


_INDEXES = (
    ("ix_hour_reports_day_status", "hour_reports", ["day", "status"]),
    ("ix_hour_reports_status_centre_id_id", "hour_reports", ["status", "centre_id", "id"]),
)


def upgrade() -> None:
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
