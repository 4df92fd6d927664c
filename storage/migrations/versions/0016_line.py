"""LINE: surrogate chat ids for LINE users, and the webhook events seen.

- `line_users`: a LINE user id and the row number that gives its chat id (bot.domain.channels).
- `line_events`: each webhook event by its webhookEventId, with the inbox id it was given and
  its reply token until used or expired (bot/ports/line.py).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        'line_users',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('forgotten', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_line_users'),
        sa.UniqueConstraint('user_id', name='uq_line_users_user_id'),
    )
    op.create_table(
        'line_events',
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('update_id', sa.BigInteger(), nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=True),
        sa.Column('received_at', TIMESTAMP, nullable=False),
        sa.Column('reply_token', sa.String(length=256), nullable=True),
        sa.Column('reply_by', TIMESTAMP, nullable=True),
        sa.Column('reply_outbox_id', sa.BigInteger(), nullable=True),
        sa.Column('reply_done', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint('event_id', name='pk_line_events'),
        sa.UniqueConstraint('update_id', name='uq_line_events_update_id'),
        sa.UniqueConstraint('reply_outbox_id', name='uq_line_events_reply_outbox_id'),
    )
    op.create_index(
        'ix_line_events_chat_id_update_id', 'line_events', ['chat_id', 'update_id']
    )
    op.create_index('ix_line_events_received_at', 'line_events', ['received_at'])


def downgrade() -> None:
    op.drop_index('ix_line_events_received_at', table_name='line_events')
    op.drop_index('ix_line_events_chat_id_update_id', table_name='line_events')
    op.drop_table('line_events')
    op.drop_table('line_users')
