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


def upgrade() -> None:
    # OWNER FILLS THIS IN (see the task); until then this revision changes nothing.
    pass


def downgrade() -> None:
    pass
