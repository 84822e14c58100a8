"""The database engine chosen by `DATABASE_URL`, and write transactions that suit it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

from survey.errors import ConfigError

__all__ = [
    "ReusingSQLiteEngine",
    "as_date",
    "current_engine",
    "engine_from_url",
    "fetch_tuples",
    "is_sqlite",
    "ping",
    "sqlite_path",
    "use_engine",
    "write_transaction",
]


def sqlite_path(url: str) -> Path | None:
    """The file of an `sqlite:///` URL, or None for any other URL."""
    if not url.startswith("sqlite:"):
        return None
    if not url.startswith("sqlite:///"):
        raise ConfigError(
            f"DATABASE_URL={url!r}: write sqlite:///relative/path.sqlite3 or sqlite:////absolute/path.sqlite3"
        )
    path = unquote(url[len("sqlite:///") :])
    if not path or ":memory:" in path or path.startswith("file:"):
        # piccolo opens a new connection per query outside a transaction: memory would vanish.
        raise ConfigError(
            f"DATABASE_URL={url!r}: an SQLite database must be a file, e.g. "
            "sqlite:///var/leitbild-puls.sqlite3"
        )
    return Path(path)


class ReusingSQLiteEngine(SQLiteEngine):
    """piccolo's SQLite engine opens a new connection, and a new thread, for every query outside
    a transaction: a few milliseconds each, most of a submission's time (see BENCHMARKS.md).
    This one runs those queries on a few threads that each keep one connection open; in WAL mode
    they read while the writer writes. Transactions keep piccolo's own connection."""

    def __init__(self, path: str, readers: int = 4, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._readers = readers
        #: one executor, replaced when closed; a list so that the finaliser need not hold `self`
        self._executor = [self._new_executor()]
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        #: counts closings: a thread's connection of an earlier generation is closed
        self._generation = 0
        weakref.finalize(self, lambda executor: executor[0].shutdown(wait=False), self._executor)

    def _new_executor(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self._readers, thread_name_prefix="sqlite-reader")

    def _connection(self, plain: bool) -> sqlite3.Connection:
        """This thread's connection: piccolo's kind (rows as dicts, values converted by declared
        column type), or a plain one (tuples of what SQLite stores: no converter per value)."""
        name = f"{'plain' if plain else 'typed'}-{self._generation}"
        connection = getattr(self._local, name, None)
        if connection is None:
            kwargs = dict(self.connection_kwargs, check_same_thread=False)
            if plain:
                kwargs.pop("detect_types", None)
            connection = sqlite3.connect(**kwargs)
            if plain:
                # The big reads (count tables, value scores) revisit the same index pages: keep
                # up to 32 MiB of them (SQLite's default is 2 MiB per connection).
                connection.execute("PRAGMA cache_size = -32768")
            else:
                connection.row_factory = dict_factory
            connection.execute("PRAGMA foreign_keys = 1")
            setattr(self._local, name, connection)
            with self._lock:
                self._opened.append(connection)
        return connection

    def _run(self, query: str, args: list[Any], plain: bool = False) -> list[Any]:
        cursor = self._connection(plain).execute(query, args)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    async def fetch_tuples(self, query: str, args: list[Any], quick: bool = False) -> list[tuple[Any, ...]]:
        if quick:
            # An indexed lookup takes microseconds, less than handing it to a thread and back;
            # in WAL mode a reader never waits for the writer.
            return self._run(query, args, True)
        return await asyncio.get_running_loop().run_in_executor(
            self._executor[0], self._run, query, args, True
        )

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        if query_type == "insert" and self.get_version_sync() < 3.35:
            return await super()._run_in_new_connection(query, args, query_type, table)
        return await asyncio.get_running_loop().run_in_executor(
            self._executor[0], self._run, query, args or []
        )

    async def start_connection_pool(self, **_: Any) -> None:
        """Connections open on first use."""

    async def close_connection_pool(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    def close(self) -> None:
        """Close the connections; a later query opens new ones."""
        executor, self._executor[0] = self._executor[0], self._new_executor()
        executor.shutdown(wait=True)
        with self._lock:
            self._generation += 1
            for connection in self._opened:
                connection.close()
            self._opened.clear()


def engine_from_url(url: str, sqlite_timeout: float = 30.0) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        return ReusingSQLiteEngine(path=str(path), timeout=sqlite_timeout)
    scheme = urlsplit(url).scheme
    if scheme in ("postgresql", "postgres"):
        return PostgresEngine(config={"dsn": url}, extensions=(), log_queries=False)
    raise ConfigError(
        f"DATABASE_URL={url!r}: use sqlite:///path/to/file.sqlite3 or postgresql://user@host:5432/database"
    )


def prepare_sqlite_file(engine: Engine) -> None:
    """Create the folder and switch the file to WAL once (the mode is kept in the file)."""
    if not isinstance(engine, SQLiteEngine):
        return
    path = Path(engine.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def is_sqlite(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), SQLiteEngine)


def current_engine() -> Engine:
    from survey.store import piccolo_conf

    return piccolo_conf.DB


def use_engine(engine: Engine) -> None:
    """Point piccolo (our tables, its migration table, its migration runner) at `engine`."""
    from piccolo.apps.migrations.tables import Migration

    from survey.store import piccolo_conf
    from survey.store.tables import TABLES

    prepare_sqlite_file(engine)
    piccolo_conf.DB = engine
    for table in (*TABLES, Migration):
        table._meta.db = engine


async def fetch_tuples(sql: str, *args: Any, quick: bool = False) -> list[Sequence[Any]]:
    """Rows straight from the driver, as tuples (SQLite) or asyncpg records: for the reads whose
    rows are many (count tables, value scores), where piccolo's dict per row costs more than the
    query, and for the lookups of every submission (`quick`: an indexed lookup of a row or a few,
    which SQLite answers at once on the calling thread). Values come as the driver gives them: on
    SQLite a date is its ISO text and a UUID its text (see `as_date`). `{}` marks a parameter, as
    in piccolo's `raw`. Inside a transaction it goes through piccolo, on its connection."""
    engine = current_engine()
    parts = sql.split("{}")
    if engine.current_transaction.get() is not None:
        return await _through_piccolo(sql, args)
    if isinstance(engine, ReusingSQLiteEngine):
        return await engine.fetch_tuples("?".join(parts), list(args), quick)
    if isinstance(engine, PostgresEngine):
        query = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))
        if engine.pool is not None:
            async with engine.pool.acquire() as connection:
                return await connection.fetch(query, *args)
        connection = await engine.get_new_connection()
        try:
            return await connection.fetch(query, *args)
        finally:
            await connection.close()
    return await _through_piccolo(sql, args)


async def ping() -> None:
    """One round trip to the database (the health check): raises if it does not answer."""
    await fetch_tuples("SELECT 1", quick=True)


def as_date(value: dt.date | str) -> dt.date:
    """A date from `fetch_tuples`: PostgreSQL gives a date, SQLite its ISO text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


async def _through_piccolo(sql: str, args: tuple[Any, ...]) -> list[Sequence[Any]]:
    from survey.store.tables import Answer

    return [tuple(row.values()) for row in await Answer.raw(sql, *args)]


@contextlib.asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A write transaction; on SQLite IMMEDIATE, so two writers never deadlock on upgrade."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield
