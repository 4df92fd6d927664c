"""A business centre's office hours: when its own phone is answered, shown beside it to whoever
is stuck (bot/domain/contact.py), set on the desk's Centres page. Kept as the setting spells
them: `mon-fri 09:00-17:00; sat 09:00-12:00`.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 19:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("business_centres") as batch:
        batch.add_column(sa.Column("office_hours", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("business_centres") as batch:
        batch.drop_column("office_hours")
