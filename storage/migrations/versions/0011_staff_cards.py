"""Staff cards: which Telegram messages show which item, so they can be edited in place.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 20:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
TIMESTAMP = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('staff_cards',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('is_behind', sa.Boolean(), nullable=False),
    sa.Column('created_at', TIMESTAMP, nullable=False),
    sa.Column('updated_at', TIMESTAMP, nullable=False),
    sa.CheckConstraint("kind IN ('request', 'volunteer', 'hours')", name=op.f('ck_staff_cards_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_cards'))
    )
    op.create_index('ix_staff_cards_kind_item_id', 'staff_cards', ['kind', 'item_id'], unique=True)
    op.create_index('ix_staff_cards_is_behind', 'staff_cards', ['is_behind'], unique=False)
    op.create_index('ix_staff_cards_is_open_kind', 'staff_cards', ['is_open', 'kind'], unique=False)
    op.create_table('staff_card_copies',
    sa.Column('card_id', ID, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('is_group', sa.Boolean(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('shown_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['staff_cards.id'], name=op.f('fk_staff_card_copies_card_id_staff_cards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('card_id', 'chat_id', name=op.f('pk_staff_card_copies'))
    )


def downgrade() -> None:
    op.drop_table('staff_card_copies')
    op.drop_index('ix_staff_cards_is_open_kind', table_name='staff_cards')
    op.drop_index('ix_staff_cards_is_behind', table_name='staff_cards')
    op.drop_index('ix_staff_cards_kind_item_id', table_name='staff_cards')
    op.drop_table('staff_cards')
