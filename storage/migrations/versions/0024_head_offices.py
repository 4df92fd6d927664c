"""Head offices (本部/事務局): a business centre row may be an office, and a centre may belong to
one office, whose staff then act for it too (bot.services.access.scope_of). Existing centres
are no office and belong to none, so nobody's view changes.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 19:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("business_centres") as batch:
        batch.add_column(
            sa.Column("is_office", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("office_id", ID, nullable=True))
        batch.create_foreign_key(
            "fk_business_centres_office_id", "business_centres", ["office_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("business_centres") as batch:
        batch.drop_constraint("fk_business_centres_office_id", type_="foreignkey")
        batch.drop_column("office_id")
        batch.drop_column("is_office")
