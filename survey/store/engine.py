"""The database engine chosen by `DATABASE_URL`, and write transactions that suit it."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from survey.errors import ConfigError

__all__ = [
    "current_engine",
    "engine_from_url",
    "is_sqlite",
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


def engine_from_url(url: str, sqlite_timeout: float = 30.0) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        return SQLiteEngine(path=str(path), timeout=sqlite_timeout)
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
