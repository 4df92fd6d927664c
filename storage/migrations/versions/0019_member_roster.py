"""The member roster and invitation letters bound to a person.

`member_roster` keeps what `kyodo members import` knows of a person beyond their person row:
the reading of their name, a phone number and the SHA-256 key that finds them at the next
import. `invites.person_id` binds a letter's code to the imported person it was printed for:
joining with it makes the redeemer that person (docs/members.md).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "member_roster",
        sa.Column("person_id", ID, nullable=False),
        sa.Column("member_key", sa.String(length=64), nullable=False),
        sa.Column("kana", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("imported_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_member_roster_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_member_roster")),
        sa.UniqueConstraint("member_key", name=op.f("uq_member_roster_member_key")),
    )
    with op.batch_alter_table("invites") as batch:
        batch.add_column(sa.Column("person_id", ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_invites_person_id_people"),
            "people",
            ["person_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_invites_person_id", ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.drop_index("ix_invites_person_id")
        batch.drop_constraint(op.f("fk_invites_person_id_people"), type_="foreignkey")
        batch.drop_column("person_id")
    op.drop_table("member_roster")
