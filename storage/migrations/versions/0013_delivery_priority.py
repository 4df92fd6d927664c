"""Delivery: bulk outbox rows go after people's answers; a broadcast's pending question.

`outbox.bulk` marks broadcast copies, reminders and digests, which the sender claims only with
what people's answers leave of the global rate. `broadcasts.asking` is set while the progress
message shows a question (cancel?), so that progress edits do not overwrite it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(
            sa.Column('bulk', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table('broadcasts') as batch:
        batch.add_column(
            sa.Column('asking', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('broadcasts') as batch:
        batch.drop_column('asking')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('bulk')
