"""Where SQLite runs a statement: the prepared ones of a unit of work on the event loop's
thread (no hand-over), every other one, and a prepared one that may read many rows, on
aiosqlite's thread (storage/database.py)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text

from storage.database import ON_LOOP_THREAD, create_engine
from storage.repositories._sql import Prepared

_THREAD_OF = Prepared(lambda _dialect: select(text("kyodo_thread()")))
_SCAN_THREAD_OF = Prepared(lambda _dialect: select(text("kyodo_thread()")), on_loop_thread=False)


async def test_prepared_statements_run_on_the_loop_thread_and_others_do_not(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'threads.db'}")

    @event.listens_for(engine.sync_engine, "connect")
    def _thread_function(dbapi_connection: Any, _record: Any) -> None:
        # A SQL function that answers with the thread running the statement.
        dbapi_connection._connection._conn.create_function("kyodo_thread", 0, threading.get_ident)

    try:
        async with engine.connect() as connection:
            on_loop = (await connection.execute(_THREAD_OF.of(connection))).scalar_one()
            handed = (await connection.execute(select(text("kyodo_thread()")))).scalar_one()
            scan = (await connection.execute(_SCAN_THREAD_OF.of(connection))).scalar_one()
            marked = (
                await connection.execute(
                    select(text("kyodo_thread()")).execution_options(**{ON_LOOP_THREAD: True})
                )
            ).scalar_one()
            await connection.commit()
    finally:
        await engine.dispose()

    assert on_loop == threading.get_ident()
    assert marked == threading.get_ident()
    assert handed != threading.get_ident()
    assert scan != threading.get_ident()  # prepared, but one that may read many rows
