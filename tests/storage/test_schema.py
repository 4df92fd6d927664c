"""Migrations build exactly the schema the models describe; engines are configured as promised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.people import NewPerson, Role
from storage.database import SQLITE_BUSY_TIMEOUT_MS, create_engine
from storage.migrate import MIGRATIONS, downgrade, upgrade
from storage.models import AuditRow, Base
from storage.uow import make_uow_factory


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_schema_matches_the_models(sql_engine: AsyncEngine):
    async with sql_engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


# The newest revision: the migrations are one straight line, and its head is the last file.
HEAD = sorted(
    p.name.split("_")[0]
    for p in (Path(__file__).resolve().parents[2] / "storage/migrations/versions").glob("0*.py")
)[-1]


async def test_upgrading_an_up_to_date_database_changes_nothing(store_url: str):
    await upgrade(store_url)
    await upgrade(store_url)
    engine = create_engine(store_url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            version = await connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == HEAD
    finally:
        await engine.dispose()
    assert tables == {*Base.metadata.tables, "alembic_version"}


async def test_every_migration_can_be_undone_and_redone(store_url: str):
    await upgrade(store_url)
    await downgrade(store_url, "base")
    engine = create_engine(store_url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert tables <= {"alembic_version"}
    await upgrade(store_url)


def test_migration_scripts_are_found_relative_to_the_package():
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "versions" / "0001_initial_schema.py").is_file()


async def test_an_aware_time_in_any_zone_is_stored_as_that_instant_and_read_as_utc(
    sql_engine: AsyncEngine,
):
    jst = timezone(timedelta(hours=9))
    at = datetime(2026, 11, 23, 1, 30, tzinfo=jst)
    async with make_uow_factory(sql_engine)() as uow:
        await uow.audit.add(at, None, "view", "request:1", {"why": "test"})
        await uow.commit()
    async with sql_engine.connect() as connection:
        row = (await connection.execute(select(AuditRow.at, AuditRow.details))).one()
    assert row.at == datetime(2026, 11, 22, 16, 30, tzinfo=UTC)
    assert row.at.tzinfo == UTC
    assert row.details == {"why": "test"}


async def test_a_naive_time_is_refused(sql_engine: AsyncEngine):
    async with make_uow_factory(sql_engine)() as uow:
        with pytest.raises(StatementError, match="naive datetime"):
            await uow.people.add(NewPerson(1, "A", None, datetime(2026, 11, 22, 9, 0)))


async def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(sqlite_url: str):
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:

            async def pragma(name: str) -> Any:
                return (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one()

            assert await pragma("journal_mode") == "wal"
            assert await pragma("busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
            assert await pragma("foreign_keys") == 1
            assert await pragma("synchronous") == 1  # NORMAL
    finally:
        await engine.dispose()


async def test_sqlite_enforces_foreign_keys(sqlite_url: str):
    await upgrade(sqlite_url)
    engine = create_engine(sqlite_url)
    try:
        async with make_uow_factory(engine)() as uow:
            with pytest.raises(IntegrityError, match="FOREIGN KEY"):
                await uow.people.add_role(12345, Role.MEMBER)
    finally:
        await engine.dispose()


def test_an_in_memory_sqlite_database_is_refused():
    with pytest.raises(ValueError, match="SQLite file"):
        create_engine("sqlite+aiosqlite:///:memory:")


def test_an_unsupported_database_is_refused():
    with pytest.raises(ValueError, match="unsupported database"):
        create_engine("mysql+aiomysql://localhost/kyodo")
