"""Brings a database's schema up to date with Alembic, from code or `python -m storage.migrate`.

The Alembic configuration is built here, with paths relative to this file, so that it works
from an installed package as well as from a checkout (no alembic.ini needed).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from storage.database import create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        # ConfigParser would read "%" in a password as interpolation.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Migrates the database at `url` up to `revision` (by default the newest)."""
    await _run(url, command.upgrade, revision)


async def downgrade(url: str, revision: str) -> None:
    """Migrates the database at `url` down to `revision` ("base": no tables at all)."""
    await _run(url, command.downgrade, revision)


async def _run(url: str, step: Callable[[Config, str], None], revision: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_on_connection, step, revision)
            await connection.commit()
    finally:
        await engine.dispose()


def _on_connection(
    connection: Connection, step: Callable[[Config, str], None], revision: str
) -> None:
    config = alembic_config()
    # env.py runs on this connection instead of making an engine and a second event loop.
    config.attributes["connection"] = connection
    step(config, revision)


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("usage: python -m storage.migrate DATABASE_URL (or set DATABASE_URL)")
    asyncio.run(upgrade(url))


if __name__ == "__main__":
    main()
