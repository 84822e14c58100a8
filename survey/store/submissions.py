"""The write path of answers: one writer per app worker, committing queued submissions in batches.

Measured on this kind of machine (DESIGN §5), one piccolo transaction per request reached about
3 % of a bare endpoint's rate; one writer on its own connection committing queued batches
reached about 33 %. A request is answered only after the batch holding its submission has
committed. Each submission runs in its own savepoint, so one refused submission (a used code,
a flood) does not undo the others of its batch.

SQLite: a thread with its own `sqlite3` connection (WAL, IMMEDIATE, `secure_delete` so a used
code's hash is overwritten on disk, not merely unlinked). PostgreSQL: a task with its own
asyncpg connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
import time
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from survey.store.submission_batch import (
    Unexpected,
    _postgres_gate,
    _sqlite_gate,
    write_batch_postgres,
    write_batch_sqlite,
)
from survey.store.submission_types import NewResponse, Outcome, Refused

__all__ = ["NewResponse", "Outcome", "SubmissionWriter", "current_writer", "start_writer", "stop_writer"]

BATCH = 64
FLOOD_KEEP_MINUTES = 24 * 60


def _minute() -> int:
    return int(time.time() // 60)


class SubmissionWriter:
    """Base: a queue of (submission, future) drained in batches."""

    #: the most submissions one commit has held, and the batches written again one at a time
    largest_batch = 0
    rewritten = 0

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def submit(self, response: NewResponse) -> Outcome:
        raise NotImplementedError


class SQLiteWriter(SubmissionWriter):
    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.queue: queue.Queue[tuple[NewResponse, asyncio.Future[Outcome], asyncio.AbstractEventLoop] | None]
        self.queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.last_cleanup = 0

    async def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="submission-writer", daemon=True)
        self.thread.start()

    async def stop(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            await asyncio.to_thread(self.thread.join, 30)
            self.thread = None

    async def submit(self, response: NewResponse) -> Outcome:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome] = loop.create_future()
        self.queue.put((response, future, loop))
        return await future

    def _run(self) -> None:
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
        stop = threading.Event()
        checkpoints = threading.Thread(
            target=self._checkpoints, args=(stop,), name="wal-checkpoint", daemon=True
        )
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA secure_delete = ON")
            # Acknowledged means durable: in WAL mode FULL syncs the log to disk at every commit.
            db.execute("PRAGMA synchronous = FULL")
            # Copying the WAL back into the database would otherwise happen inside a commit every
            # 1000 pages and hold up the requests of that batch; a thread of its own does it.
            db.execute("PRAGMA wal_autocheckpoint = 0")
            checkpoints.start()
            while True:
                first = self.queue.get()
                if first is None:
                    return
                batch = [first]
                while len(batch) < BATCH:
                    try:
                        item = self.queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        self.queue.put(None)  # stop after this batch
                        break
                    batch.append(item)
                self._commit(db, batch)
        finally:
            stop.set()
            if checkpoints.is_alive():
                checkpoints.join()
            db.close()

    def _checkpoints(self, stop: threading.Event) -> None:
        """A passive checkpoint every second: it never waits for the writer or for readers."""
        with contextlib.closing(sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)) as db:
            while not stop.wait(1.0):
                with contextlib.suppress(sqlite3.Error):
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _commit(self, db: sqlite3.Connection, batch: list) -> None:  # type: ignore[type-arg]
        results: list[Outcome | BaseException] = []
        responses = [response for response, _, _ in batch]
        self.largest_batch = max(self.largest_batch, len(batch))
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                results = list(write_batch_sqlite(db, responses, _consume_sqlite))
            except Unexpected:
                self.rewritten += 1
                db.execute("ROLLBACK")
                db.execute("BEGIN IMMEDIATE")
                results = list(_one_by_one_sqlite(db, responses))
            if time.monotonic() - self.last_cleanup > 600:
                db.execute("DELETE FROM flood_counter WHERE minute < ?", (_minute() - FLOOD_KEEP_MINUTES,))
                self.last_cleanup = int(time.monotonic())
            db.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            results = [exc] * len(batch)
        for (_, future, loop), result in zip(batch, results, strict=True):
            loop.call_soon_threadsafe(_deliver, future, result)


def _one_by_one_sqlite(db: sqlite3.Connection, responses: list[NewResponse]) -> list[Outcome]:
    """Each submission in a savepoint of its own, so one refused one does not undo the others."""
    gate = _sqlite_gate(db, responses)
    results = []
    for response in responses:
        refused = gate.refusal(response)
        if refused is not None:
            results.append(refused)
            continue
        db.execute("SAVEPOINT one")
        try:
            _write_sqlite(db, response)
            db.execute("RELEASE one")
            results.append(Outcome.STORED)
        except Refused as refused:
            db.execute("ROLLBACK TO one")
            db.execute("RELEASE one")
            results.append(refused.outcome)
    return results


def _deliver(future: asyncio.Future[Outcome], result: Outcome | BaseException) -> None:
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


def _write_sqlite(db: sqlite3.Connection, r: NewResponse) -> None:
    """One submission with a statement per row: the way back when a batch meets the unexpected."""
    if db.execute("SELECT 1 FROM submission_key WHERE key_hash = ?", (r.key_hash,)).fetchone():
        raise Refused(Outcome.DUPLICATE)
    _consume_sqlite(db, r)
    _insert_one_sqlite(db, r)


def _consume_sqlite(db: sqlite3.Connection, r: NewResponse) -> None:
    """Count the submission against its flood limit, use up its invitation or receipt code."""
    if r.flood_scope:
        (count,) = db.execute(
            "INSERT INTO flood_counter (scope, minute, count) VALUES (?, ?, 1) "
            "ON CONFLICT (scope, minute) DO UPDATE SET count = flood_counter.count + 1 RETURNING count",
            (r.flood_scope, _minute()),
        ).fetchone()
        if count > r.flood_limit:
            raise Refused(Outcome.FLOOD)
    if r.invitation_hash is not None:
        deleted = db.execute(
            "DELETE FROM invitation WHERE code_hash = ? AND wave = ?", (r.invitation_hash, r.wave_id)
        ).rowcount
        if deleted != 1:
            raise Refused(Outcome.CODE_USED)
    if r.receipt_hash is not None:
        deleted = db.execute(
            "DELETE FROM receipt_code WHERE code_hash = ? AND service_point = ? AND valid_until >= ?",
            (r.receipt_hash, r.service_point_id, r.submitted_on.isoformat()),
        ).rowcount
        if deleted != 1:
            raise Refused(Outcome.RECEIPT_USED)


def _insert_one_sqlite(db: sqlite3.Connection, r: NewResponse) -> None:
    rid = str(r.id)
    day = r.submitted_on.isoformat()
    db.execute(
        "INSERT INTO response (id, wave, unit, service_point, language, submitted_on) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (rid, r.wave_id, r.unit_id, r.service_point_id, r.language, day),
    )
    try:
        db.execute(
            "INSERT INTO submission_key (key_hash, response, created_on) VALUES (?, ?, ?)",
            (r.key_hash, rid, day),
        )
    except sqlite3.IntegrityError:
        raise Refused(Outcome.DUPLICATE) from None
    db.executemany(
        "INSERT INTO answer (response, wave, unit, item, value) VALUES (?, ?, ?, ?, ?)",
        [(rid, r.wave_id, r.unit_id, item, value) for item, value in r.answers],
    )
    db.executemany(
        "INSERT INTO comment (response, wave, unit, item, text, submitted_on, state) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(rid, r.wave_id, r.unit_id, item, text, day, r.comment_state) for item, text in r.comments],
    )


class PostgresWriter(SubmissionWriter):
    def __init__(self, engine: PostgresEngine) -> None:
        self.engine = engine
        self.queue: asyncio.Queue[tuple[NewResponse, asyncio.Future[Outcome]] | None] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.connection: Any = None
        self.last_cleanup = 0.0

    async def start(self) -> None:
        self.connection = await self.engine.get_new_connection()
        self.task = asyncio.create_task(self._run(), name="submission-writer")

    async def stop(self) -> None:
        if self.task is not None:
            await self.queue.put(None)
            await self.task
            self.task = None
        if self.connection is not None:
            await self.connection.close()
            self.connection = None

    async def submit(self, response: NewResponse) -> Outcome:
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        await self.queue.put((response, future))
        return await future

    async def _run(self) -> None:
        while True:
            first = await self.queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < BATCH and not self.queue.empty():
                item = self.queue.get_nowait()
                if item is None:
                    stop = True
                    break
                batch.append(item)
            await self._commit(batch)
            if stop:
                return

    async def _commit(self, batch: list[tuple[NewResponse, asyncio.Future[Outcome]]]) -> None:
        results: list[Outcome | BaseException] = []
        responses = [response for response, _ in batch]
        self.largest_batch = max(self.largest_batch, len(batch))
        try:
            try:
                async with self.connection.transaction():
                    results = list(await write_batch_postgres(self.connection, responses, _consume_postgres))
                    await self._cleanup()
            except Unexpected:
                self.rewritten += 1
                async with self.connection.transaction():
                    results = list(await self._one_by_one(responses))
                    await self._cleanup()
        except Exception as exc:
            results = [exc] * len(batch)
            if self.connection.is_closed():
                self.connection = await self.engine.get_new_connection()
        for (_, future), result in zip(batch, results, strict=True):
            _deliver(future, result)

    async def _cleanup(self) -> None:
        if time.monotonic() - self.last_cleanup > 600:
            await self.connection.execute(
                "DELETE FROM flood_counter WHERE minute < $1", _minute() - FLOOD_KEEP_MINUTES
            )
            self.last_cleanup = time.monotonic()

    async def _one_by_one(self, responses: list[NewResponse]) -> list[Outcome]:
        """Each submission in a savepoint of its own, so one refused one does not undo the others."""
        gate = await _postgres_gate(self.connection, responses)
        results = []
        for response in responses:
            refused = gate.refusal(response)
            if refused is not None:
                results.append(refused)
                continue
            try:
                async with self.connection.transaction():  # a savepoint
                    await _write_postgres(self.connection, response)
                results.append(Outcome.STORED)
            except Refused as refused:
                results.append(refused.outcome)
        return results


async def _write_postgres(db: Any, r: NewResponse) -> None:
    """One submission with a statement per table: the way back when a batch meets the unexpected."""
    if await db.fetchval("SELECT 1 FROM submission_key WHERE key_hash = $1", r.key_hash):
        raise Refused(Outcome.DUPLICATE)
    await _consume_postgres(db, r)
    await _insert_one_postgres(db, r)


async def _consume_postgres(db: Any, r: NewResponse) -> None:
    if r.flood_scope:
        count = await db.fetchval(
            "INSERT INTO flood_counter (scope, minute, count) VALUES ($1, $2, 1) "
            "ON CONFLICT (scope, minute) DO UPDATE SET count = flood_counter.count + 1 RETURNING count",
            r.flood_scope,
            _minute(),
        )
        if count > r.flood_limit:
            raise Refused(Outcome.FLOOD)
    if r.invitation_hash is not None:
        status = await db.execute(
            "DELETE FROM invitation WHERE code_hash = $1 AND wave = $2", r.invitation_hash, r.wave_id
        )
        if status != "DELETE 1":
            raise Refused(Outcome.CODE_USED)
    if r.receipt_hash is not None:
        status = await db.execute(
            "DELETE FROM receipt_code WHERE code_hash = $1 AND service_point = $2 AND valid_until >= $3",
            r.receipt_hash,
            r.service_point_id,
            r.submitted_on,
        )
        if status != "DELETE 1":
            raise Refused(Outcome.RECEIPT_USED)


async def _insert_one_postgres(db: Any, r: NewResponse) -> None:
    await db.execute(
        "INSERT INTO response (id, wave, unit, service_point, language, submitted_on) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        r.id,
        r.wave_id,
        r.unit_id,
        r.service_point_id,
        r.language,
        r.submitted_on,
    )
    # ON CONFLICT: the same key submitted twice at once, both past the check above.
    inserted = await db.execute(
        "INSERT INTO submission_key (key_hash, response, created_on) VALUES ($1, $2, $3) "
        "ON CONFLICT (key_hash) DO NOTHING",
        r.key_hash,
        r.id,
        r.submitted_on,
    )
    if inserted != "INSERT 0 1":
        raise Refused(Outcome.DUPLICATE)
    if r.answers:
        await db.executemany(
            "INSERT INTO answer (response, wave, unit, item, value) VALUES ($1, $2, $3, $4, $5)",
            [(r.id, r.wave_id, r.unit_id, item, value) for item, value in r.answers],
        )
    if r.comments:
        await db.executemany(
            "INSERT INTO comment (response, wave, unit, item, text, submitted_on, state) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (r.id, r.wave_id, r.unit_id, item, text, r.submitted_on, r.comment_state)
                for item, text in r.comments
            ],
        )


_writer: dict[str, SubmissionWriter] = {}


async def start_writer(engine: Engine) -> SubmissionWriter:
    await stop_writer()
    if isinstance(engine, SQLiteEngine):
        writer: SubmissionWriter = SQLiteWriter(engine.path, engine.connection_kwargs.get("timeout", 30))
    elif isinstance(engine, PostgresEngine):
        writer = PostgresWriter(engine)
    else:
        raise TypeError(f"unsupported engine {engine!r}")
    await writer.start()
    _writer["current"] = writer
    return writer


async def stop_writer() -> None:
    writer = _writer.pop("current", None)
    if writer is not None:
        await writer.stop()


def current_writer() -> SubmissionWriter:
    try:
        return _writer["current"]
    except KeyError:
        raise RuntimeError(
            "the submission writer is not running: open the database with writer=True"
        ) from None
