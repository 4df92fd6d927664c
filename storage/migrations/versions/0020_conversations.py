"""Conversations with the staff: what someone wrote, or the photo or voice note they sent, that
Kyodo could not read, offered to the staff and answered by them (bot/domain/conversations.py).

Personal data: /forget deletes a chat's conversation, the retention purge one untouched for the
retention period; a file is kept as Telegram's file_id only, never its contents.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, as in 0001: a migration describes the schema as it was when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", ID, nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("last_at", TIMESTAMP, nullable=False),
        sa.Column("waiting", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_conversations_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_conversations_chat_id")),
    )
    op.create_index("ix_conversations_person_id", "conversations", ["person_id"], unique=False)
    op.create_index(
        "ix_conversations_waiting_last_at", "conversations", ["waiting", "last_at"], unique=False
    )
    op.create_index("ix_conversations_last_at", "conversations", ["last_at"], unique=False)
    op.create_table(
        "conversation_messages",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("media", sa.String(length=10), nullable=True),
        sa.Column("file_id", sa.String(length=256), nullable=True),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "direction IN ('in', 'out')", name=op.f("ck_conversation_messages_direction_known")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_conversation_messages_author_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_messages")),
    )
    op.create_index(
        "ix_conversation_messages_conversation_id",
        "conversation_messages",
        ["conversation_id"],
        unique=False,
    )
    op.create_index(
        "ix_conversation_messages_author_id", "conversation_messages", ["author_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_messages_author_id", table_name="conversation_messages")
    op.drop_index("ix_conversation_messages_conversation_id", table_name="conversation_messages")
    op.drop_table("conversation_messages")
    op.drop_index("ix_conversations_last_at", table_name="conversations")
    op.drop_index("ix_conversations_waiting_last_at", table_name="conversations")
    op.drop_index("ix_conversations_person_id", table_name="conversations")
    op.drop_table("conversations")
