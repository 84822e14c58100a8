"""Bulk loading of responses through the driver alone (demo data, imports of past waves).

piccolo builds one statement per `insert(*rows)` and both drivers cap the parameters of one
statement near 32,766; millions of answers go faster and within every limit through
`executemany` on one SQLite connection and `COPY` on PostgreSQL, in one transaction per call,
together with the answers' tally (survey.store.tally).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from survey.store import tally
from survey.store.engine import current_engine

__all__ = ["ResponseBatch", "bulk_insert_responses", "refresh_statistics"]


@dataclass
class ResponseBatch:
    """Rows of one batch; ids are random UUIDs made by the caller."""

    #: (id, unit id, service point id or None, language, submitted on)
    responses: list[tuple[uuid.UUID, int, int | None, str, dt.date]] = field(default_factory=list)
    #: (response id, unit id, item id, value or None for "keine Angabe")
    answers: list[tuple[uuid.UUID, int, str, int | None]] = field(default_factory=list)
    #: (response id, unit id, item id, text, submitted on); the texts redacted already
    comments: list[tuple[uuid.UUID, int, str, str, dt.date]] = field(default_factory=list)
    #: "released", or "pending" where the wave's comments wait for review
    comment_state: str = "released"


@dataclass
class BulkCounts:
    responses: int = 0
    answers: int = 0
    comments: int = 0


async def bulk_insert_responses(
    wave_id: int, batches: Iterable[ResponseBatch], *, then_status: str | None = None
) -> BulkCounts:
    """Insert all batches for one wave in one transaction: all of them or none. With
    `then_status`, the wave takes that status in the same transaction (a past wave is closed
    together with its answers, never seen half loaded)."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return await asyncio.to_thread(_sqlite_insert, engine, wave_id, batches, then_status)
    if isinstance(engine, PostgresEngine):
        return await _postgres_insert(engine, wave_id, batches, then_status)
    raise TypeError(f"unsupported engine {engine!r}")


def _sqlite_insert(
    engine: SQLiteEngine, wave_id: int, batches: Iterable[ResponseBatch], then_status: str | None
) -> BulkCounts:
    counts, tallied = BulkCounts(), Counter[tuple[int, int, str, int | None]]()
    timeout = engine.connection_kwargs.get("timeout", 30)
    with contextlib.closing(sqlite3.connect(engine.path, timeout=timeout, isolation_level=None)) as db:
        db.execute("PRAGMA foreign_keys = ON")
        # Index pages in memory while millions of rows go in (this connection only; 256 MiB at most).
        db.execute("PRAGMA cache_size = -262144")
        db.execute("BEGIN IMMEDIATE")
        try:
            for batch in batches:
                db.executemany(
                    "INSERT INTO response (id, wave, unit, service_point, language, submitted_on) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(str(r[0]), wave_id, r[1], r[2], r[3], r[4].isoformat()) for r in batch.responses],
                )
                db.executemany(
                    "INSERT INTO answer (response, wave, unit, item, value) VALUES (?, ?, ?, ?, ?)",
                    [(str(a[0]), wave_id, a[1], a[2], a[3]) for a in batch.answers],
                )
                db.executemany(
                    "INSERT INTO comment (response, wave, unit, item, text, submitted_on, state) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (str(c[0]), wave_id, c[1], c[2], c[3], c[4].isoformat(), batch.comment_state)
                        for c in batch.comments
                    ],
                )
                counts.responses += len(batch.responses)
                counts.answers += len(batch.answers)
                counts.comments += len(batch.comments)
                tallied.update(_tallied(wave_id, batch))
            tally.add_sqlite(db, tally.from_counts(tallied, 0))
            if then_status is not None:
                db.execute("UPDATE wave SET status = ? WHERE id = ?", (then_status, wave_id))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return counts


async def _postgres_insert(
    engine: PostgresEngine, wave_id: int, batches: Iterable[ResponseBatch], then_status: str | None
) -> BulkCounts:
    counts, tallied = BulkCounts(), Counter[tuple[int, int, str, int | None]]()
    connection = await engine.get_new_connection()
    try:
        async with connection.transaction():
            for batch in batches:
                await connection.copy_records_to_table(
                    "response",
                    columns=["id", "wave", "unit", "service_point", "language", "submitted_on"],
                    records=[(r[0], wave_id, r[1], r[2], r[3], r[4]) for r in batch.responses],
                )
                await connection.copy_records_to_table(
                    "answer",
                    columns=["response", "wave", "unit", "item", "value"],
                    records=[(a[0], wave_id, a[1], a[2], a[3]) for a in batch.answers],
                )
                if batch.comments:
                    await connection.copy_records_to_table(
                        "comment",
                        columns=["response", "wave", "unit", "item", "text", "submitted_on", "state"],
                        records=[
                            (c[0], wave_id, c[1], c[2], c[3], c[4], batch.comment_state)
                            for c in batch.comments
                        ],
                    )
                counts.responses += len(batch.responses)
                counts.answers += len(batch.answers)
                counts.comments += len(batch.comments)
                tallied.update(_tallied(wave_id, batch))
            await tally.add_postgres(connection, tally.from_counts(tallied, tally.shard(postgres=True)))
            if then_status is not None:
                await connection.execute("UPDATE wave SET status = $1 WHERE id = $2", then_status, wave_id)
    finally:
        await connection.close()
    return counts


def _tallied(wave_id: int, batch: ResponseBatch) -> Counter[tuple[int, int, str, int | None]]:
    """The batch's answers counted by (wave, unit, item, value), and its responses by unit."""
    counted = Counter((wave_id, a[1], a[2], a[3]) for a in batch.answers)
    counted.update((wave_id, r[1], tally.RESPONSES, None) for r in batch.responses)
    return counted


async def refresh_statistics() -> None:
    """After a bulk load on PostgreSQL: VACUUM ANALYZE of the answer tables, so that the next
    reports are planned for millions of rows (not for the empty tables autovacuum last saw).
    SQLite plans these queries well without."""
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        connection = await engine.get_new_connection()
        try:
            await connection.execute("VACUUM ANALYZE response, answer, answer_tally, comment")
        finally:
            await connection.close()
