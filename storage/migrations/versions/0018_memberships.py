"""Membership: which business centres a person belongs to, and coordinators.

`centre_memberships` holds one row per (person, centre): members, volunteers and staff may
belong to several centres. A staff member's scope (what they see and act on) becomes their
centres; admins, and staff who also hold the new role `coordinator`, keep the whole co-op
(bot.domain.scope, docs/centres.md).

On an existing install nobody belongs to a centre yet, so plain staff would suddenly see
nothing. Neither locked out nor widened: every staff member who is not an admin is given the
`coordinator` role here, which is exactly the whole-co-op view they had before, and each grant
is written to the audit log (`person.role_added`, details `{"role": "coordinator", "by":
"migration 0018"}`), so an admin can see who got it and narrow them on the desk (take the role
away, give them their centres) or through the member import. Downgrading drops the memberships
and the coordinator role (an older Kyodo does not know it).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 18:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

_ROLES = sa.table("person_roles", sa.column("person_id", ID), sa.column("role", sa.String()))
_AUDIT = sa.table(
    "audit_log",
    sa.column("at", TIMESTAMP),
    sa.column("actor_person_id", ID),
    sa.column("action", sa.String()),
    sa.column("subject", sa.String()),
    sa.column("details", JSON),
)


def upgrade() -> None:
    op.create_table(
        "centre_memberships",
        sa.Column("person_id", ID, nullable=False),
        sa.Column("centre_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_centre_memberships_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["business_centres.id"],
            name=op.f("fk_centre_memberships_centre_id_business_centres"),
        ),
        sa.PrimaryKeyConstraint("person_id", "centre_id", name=op.f("pk_centre_memberships")),
    )
    op.create_index(
        "ix_centre_memberships_centre_id", "centre_memberships", ["centre_id"], unique=False
    )
    _existing_staff_keep_the_whole_coop()


def _existing_staff_keep_the_whole_coop() -> None:
    bind = op.get_bind()
    admins = sa.select(_ROLES.c.person_id).where(_ROLES.c.role == "admin")
    staff = (
        bind.execute(
            sa.select(_ROLES.c.person_id)
            .where(_ROLES.c.role == "staff", _ROLES.c.person_id.not_in(admins))
            .order_by(_ROLES.c.person_id)
        )
        .scalars()
        .all()
    )
    if not staff:
        return
    now = datetime.now(UTC)
    # SQLite has no time zone type: the store keeps naive UTC there (storage.models.UTCDateTime).
    at = now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now
    op.bulk_insert(_ROLES, [{"person_id": pid, "role": "coordinator"} for pid in staff])
    op.bulk_insert(
        _AUDIT,
        [
            {
                "at": at,
                "actor_person_id": None,
                "action": "person.role_added",
                "subject": f"person:{pid}",
                "details": {"role": "coordinator", "by": "migration 0018"},
            }
            for pid in staff
        ],
    )


def downgrade() -> None:
    op.execute(_ROLES.delete().where(_ROLES.c.role == "coordinator"))
    op.drop_index("ix_centre_memberships_centre_id", table_name="centre_memberships")
    op.drop_table("centre_memberships")
