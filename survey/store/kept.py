"""Figures and charts kept in the database, for every worker and host (tables/_kept.py).

Figures are read and written from the services' coroutines. Charts are drawn in threads (vl-convert
takes a while and must not hold the event loop), so they are read and written from those threads,
each time on a connection of their own (sqlite3, or asyncpg on a loop of the call's own), never
waiting for the app's event loop. On the event loop's own thread a chart is kept in the database
only on SQLite (a quick local read or write); on PostgreSQL it is drawn and not kept from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sqlite3
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from survey.store.engine import current_engine, fetch_tuples
from survey.store.tables import KeptChart, KeptFigure

__all__ = ["keep_chart", "keep_figure", "kept_chart", "kept_figure", "prune_charts"]


async def kept_figure(key: str, stamp: str) -> str | None:
    """The figures of `key` if they were computed from data of this stamp."""
    rows = await fetch_tuples(
        "SELECT body FROM kept_figure WHERE key = {} AND stamp = {}", key, stamp, quick=True
    )
    return str(rows[0][0]) if rows else None


async def keep_figure(key: str, stamp: str, body: str) -> None:
    """Keep the figures of `key` (one row per key: the newest stamp replaces the one before)."""
    await KeptFigure.raw(
        "INSERT INTO kept_figure (key, stamp, body, made_at) VALUES ({}, {}, {}, {}) "
        "ON CONFLICT (key) DO UPDATE SET stamp = excluded.stamp, body = excluded.body, "
        "made_at = excluded.made_at",
        key,
        stamp,
        body,
        dt.datetime.now(dt.UTC),
    )


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _postgres(dsn: str, sql: str, *args: Any) -> list[Any]:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


def _run(sql: str, *args: Any) -> list[Any] | None:
    """Run `sql` (`?` for each parameter) from a drawing thread, on a connection of its own that
    is closed again (nothing stays open that could hold a database); None where it cannot be run
    from here (PostgreSQL, on the event loop's own thread)."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        with contextlib.closing(sqlite3.connect(engine.path, timeout=30, isolation_level=None)) as db:
            return db.execute(sql, args).fetchall()
    if isinstance(engine, PostgresEngine) and not _on_event_loop():
        parts = sql.split("?")
        numbered = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))
        return asyncio.run(_postgres(engine.config["dsn"], numbered, *args))
    return None


def kept_chart(key: str) -> str | None:
    """The SVG kept for `key` (called from the thread that draws charts)."""
    rows = _run("SELECT svg FROM kept_chart WHERE key = ?", key)
    return str(rows[0][0]) if rows else None


def keep_chart(key: str, svg: str) -> None:
    _run(
        "INSERT INTO kept_chart (key, svg, made_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
        key,
        svg,
        dt.datetime.now(dt.UTC),
    )


async def prune_charts(before: dt.datetime) -> int:
    """Forget the charts drawn before `before` (a chart still needed is drawn once more)."""
    rows = await KeptChart.raw("DELETE FROM kept_chart WHERE made_at < {} RETURNING key", before)
    return len(rows)
