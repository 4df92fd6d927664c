"""Staff cards and their copies in SQL, and which waiting items have no card yet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.cards import CardCopy, CardKind, StaffCard
from storage.models import (
    StaffCardCopyRow,
    StaffCardRow,
)
from storage.repositories._sql import rowcount, upsert_insert

_CARD_COLUMNS = (
    StaffCardRow.id,
    StaffCardRow.kind,
    StaffCardRow.item_id,
    StaffCardRow.version,
    StaffCardRow.is_open,
    StaffCardRow.created_at,
    StaffCardRow.updated_at,
)


def _card(row: Any) -> StaffCard:
    return StaffCard(
        id=row.id,
        kind=CardKind(row.kind),
        item_id=row.item_id,
        version=row.version,
        is_open=row.is_open,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlStaffCardRepository:
    def __init__(self, session: AsyncConnection) -> None:
        self._session = session

    async def ensure(self, kind: CardKind, item_id: int, at: datetime) -> tuple[StaffCard, bool]:
        # ON CONFLICT: of two units creating the card at once, the second waits for the first's
        # unique index entry and then creates nothing (and its transaction stays usable).
        created = (
            await self._session.execute(
                upsert_insert(self._session, StaffCardRow)
                .values(
                    kind=kind.value,
                    item_id=item_id,
                    version=1,
                    is_open=True,
                    is_behind=False,
                    created_at=at,
                    updated_at=at,
                )
                .on_conflict_do_nothing()
                .returning(StaffCardRow.id)
            )
        ).scalar_one_or_none()
        card = await self.find(kind, item_id)
        if card is None:  # the unique index makes this impossible
            raise RuntimeError(f"staff card {kind}:{item_id} vanished")
        return card, created is not None

    async def get(self, card_id: int) -> StaffCard | None:
        row = (
            await self._session.execute(select(*_CARD_COLUMNS).where(StaffCardRow.id == card_id))
        ).one_or_none()
        return None if row is None else _card(row)

    async def find(self, kind: CardKind, item_id: int) -> StaffCard | None:
        row = (
            await self._session.execute(
                select(*_CARD_COLUMNS).where(
                    StaffCardRow.kind == kind.value, StaffCardRow.item_id == item_id
                )
            )
        ).one_or_none()
        return None if row is None else _card(row)

    async def bump(self, card_id: int, at: datetime, *, is_open: bool) -> int:
        version: int = (
            await self._session.execute(
                update(StaffCardRow)
                .where(StaffCardRow.id == card_id)
                .values(
                    version=StaffCardRow.version + 1,
                    is_open=is_open,
                    is_behind=True,
                    updated_at=at,
                )
                .returning(StaffCardRow.version)
            )
        ).scalar_one()
        return version

    async def copies(self, card_id: int) -> Sequence[CardCopy]:
        rows = await self._session.execute(
            select(
                StaffCardCopyRow.card_id,
                StaffCardCopyRow.chat_id,
                StaffCardCopyRow.locale,
                StaffCardCopyRow.is_group,
                StaffCardCopyRow.dedupe_key,
                StaffCardCopyRow.shown_version,
            )
            .where(StaffCardCopyRow.card_id == card_id)
            .order_by(StaffCardCopyRow.chat_id)
        )
        return [CardCopy(*row) for row in rows]

    async def put_copy(self, copy: CardCopy) -> None:
        values = {
            "locale": copy.locale,
            "is_group": copy.is_group,
            "dedupe_key": copy.dedupe_key,
            "shown_version": copy.shown_version,
        }
        await self._session.execute(
            upsert_insert(self._session, StaffCardCopyRow)
            .values(card_id=copy.card_id, chat_id=copy.chat_id, **values)
            .on_conflict_do_update(index_elements=["card_id", "chat_id"], set_=values)
        )

    async def mark_shown(self, card_id: int, chat_id: int, version: int) -> None:
        await self._session.execute(
            update(StaffCardCopyRow)
            .where(StaffCardCopyRow.card_id == card_id, StaffCardCopyRow.chat_id == chat_id)
            .values(shown_version=version)
        )

    async def settle(self, card_id: int) -> bool:
        lagging = (
            await self._session.execute(
                select(
                    exists().where(
                        StaffCardCopyRow.card_id == card_id,
                        StaffCardCopyRow.shown_version < StaffCardRow.version,
                        StaffCardRow.id == card_id,
                    )
                )
            )
        ).scalar_one()
        if not lagging:
            await self._session.execute(
                update(StaffCardRow).where(StaffCardRow.id == card_id).values(is_behind=False)
            )
        return not lagging

    async def behind(self, limit: int) -> Sequence[StaffCard]:
        rows = await self._session.execute(
            select(*_CARD_COLUMNS)
            .where(StaffCardRow.is_behind.is_(True))
            .order_by(StaffCardRow.updated_at, StaffCardRow.id)
            .limit(limit)
        )
        return [_card(row) for row in rows]

    async def forget_chat(self, chat_id: int) -> int:
        # A forgotten staff member's private chat: nothing is edited there any more.
        result = await self._session.execute(
            delete(StaffCardCopyRow).where(StaffCardCopyRow.chat_id == chat_id)
        )
        return rowcount(result)
