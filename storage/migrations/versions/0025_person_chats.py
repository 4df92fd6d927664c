"""One person, two messengers: a person's further chats (`person_chats`) and the short-lived
codes that link them (`link_codes`, hashes only). bot.services.links.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 20:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "person_chats",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("person_id", ID, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_person_chats_person_id", "person_chats", ["person_id"])
    op.create_table(
        "link_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("person_id", ID, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_link_codes_person_id", "link_codes", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_link_codes_person_id", "link_codes")
    op.drop_table("link_codes")
    op.drop_index("ix_person_chats_person_id", "person_chats")
    op.drop_table("person_chats")
