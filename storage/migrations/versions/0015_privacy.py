"""Credentials only as hashes, and what personal data may not outlive.

- `invites.code` (the code in clear, the primary key) becomes `invites.code_hash`, the scrypt
  hash of the code: existing codes are hashed here, and still work.
- `outbox.carries` says what a message carries (a credential, personal data, a farewell) that
  the outbox must not keep once it is sent.
- `invite_failures`: wrong invite codes per Telegram account, across every way of typing one.

Downgrading cannot bring codes back: unused invites are dropped, used ones kept under their hash.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 15:00:00.000000
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _hash(code: str) -> str:
    # bot.domain.invites.code_hash as of this migration.
    return hashlib.scrypt(
        code.encode(), salt=b"kyodo invite code v1", n=2**14, r=8, p=1, dklen=32
    ).hex()


def _invites(key: sa.Column[str]) -> list[Any]:
    return [
        key,
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('created_by', ID, nullable=True),
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.Column('expires_at', TIMESTAMP, nullable=False),
        sa.Column('used_by', ID, nullable=True),
        sa.Column('used_at', TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ['created_by'],
            ['people.id'],
            name='fk_invites_created_by_people',
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['used_by'], ['people.id'], name='fk_invites_used_by_people', ondelete='SET NULL'
        ),
        sa.PrimaryKeyConstraint(key.name, name='pk_invites'),
    ]


_COLUMNS = ("role", "created_by", "created_at", "expires_at", "used_by", "used_at")


def _old(key: str) -> sa.TableClause:
    """The rows as they are, typed (on SQLite a time is text until its type reads it)."""
    return sa.table(
        'invites',
        sa.column(key, sa.String()),
        sa.column('role', sa.String()),
        sa.column('created_by', ID),
        sa.column('created_at', TIMESTAMP),
        sa.column('expires_at', TIMESTAMP),
        sa.column('used_by', ID),
        sa.column('used_at', TIMESTAMP),
    )


def _rebuild(key: sa.Column[str], old_key: str, convert: dict[str, str]) -> None:
    """Builds `invites` anew around `key`, copying the rows `convert` maps (old key -> new)."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(_old(old_key))).mappings().all()
    op.drop_table('invites')
    table = op.create_table('invites', *_invites(key))
    kept = [
        {key.name: convert[row[old_key]], **{c: row[c] for c in _COLUMNS}}
        for row in rows
        if row[old_key] in convert
    ]
    if kept:
        op.bulk_insert(table, kept)


def upgrade() -> None:
    connection = op.get_bind()
    codes = [row[0] for row in connection.execute(sa.text("SELECT code FROM invites"))]
    _rebuild(
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        'code',
        {code: _hash(code) for code in codes},
    )
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('carries', sa.String(length=12), nullable=True))
    op.create_table(
        'invite_failures',
        sa.Column('telegram_user_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', TIMESTAMP, nullable=True),
        sa.Column('updated_at', TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint('telegram_user_id', name='pk_invite_failures'),
    )
    op.create_index(
        'ix_invite_failures_updated_at', 'invite_failures', ['updated_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_invite_failures_updated_at', table_name='invite_failures')
    op.drop_table('invite_failures')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('carries')
    connection = op.get_bind()
    # A used invite keeps its hash as its key (16 characters of it); an unused one cannot be
    # given back its code, so it goes.
    used = [
        row[0]
        for row in connection.execute(
            sa.text("SELECT code_hash FROM invites WHERE used_by IS NOT NULL")
        )
    ]
    _rebuild(
        sa.Column('code', sa.String(length=16), nullable=False),
        'code_hash',
        {hashed: hashed[:16] for hashed in used},
    )
