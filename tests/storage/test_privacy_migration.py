"""Migration 0015 on a store with data: invite codes issued before it still work, and after it
the database holds their hashes only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import column, insert, table, text

from bot.domain.invites import code_hash
from storage.database import create_engine
from storage.migrate import downgrade, upgrade
from storage.models import UTCDateTime
from storage.uow import make_uow_factory
from tests.fixtures.whole_db import scan

T0 = datetime(2026, 11, 22, tzinfo=UTC)


async def test_codes_issued_before_the_migration_are_hashed_and_still_work(store_url: str):
    await upgrade(store_url, "0014")
    engine = create_engine(store_url)
    try:
        before = table(
            "invites",
            column("code"),
            column("role"),
            column("created_at", UTCDateTime()),
            column("expires_at", UTCDateTime()),
        )
        async with engine.begin() as connection:
            for code in ("ABCD2345", "WXYZ6789"):
                await connection.execute(
                    insert(before).values(
                        code=code, role="admin", created_at=T0, expires_at=T0 + timedelta(days=3)
                    )
                )
        await upgrade(store_url)
        assert await scan(engine, ("ABCD2345", "WXYZ6789")) == {}
        async with make_uow_factory(engine)() as uow:
            invite = await uow.invites.get(code_hash("ABCD2345"))
        assert invite is not None and invite.role == "admin" and not invite.is_used
        # Back down: an unused code cannot be given back, so it goes; up again is clean.
        await downgrade(store_url, "0014")
        async with engine.connect() as connection:
            count = await connection.execute(text("SELECT count(*) FROM invites"))
            assert count.scalar_one() == 0
        await upgrade(store_url)
    finally:
        await engine.dispose()
