"""The write path of answers: a writer committing queued submissions in batches, one per host and
database (the app workers of a host share it: survey.store.host_writer).

Measured on this kind of machine (DESIGN §5), one piccolo transaction per request reached about
3 % of a bare endpoint's rate; one writer on its own connection committing queued batches
reached about 33 %. A request is answered only after the batch holding its submission has
committed. One refused submission (a used code, a flood) never undoes the others of its batch.

A batch is written with a few statements (survey.store.submission_batch): a read of the keys
stored before, the waves no longer open and the links paused, a savepoint only for a submission
that uses up a code or counts against a flood limit, then multi-row inserts (on PostgreSQL one
statement for all tables, which reads the gate too where nothing is used up and then needs no
transaction around it).

SQLite: the writer's own process (survey.store.sqlite_writer), fed by a thread of the app worker.
PostgreSQL: a task with its own asyncpg connection; a commit waits for the server's sync to disk
(`synchronous_commit` is on unless the server's administrator turned it off).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

import msgspec
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from survey.store.host_writer import HostWriter
from survey.store.submission_batch import Unexpected, consumes, postgres_gate, write_batch_postgres
from survey.store.submission_types import (
    FLOOD_KEEP_MINUTES,
    NewResponse,
    Outcome,
    Refused,
    SubmissionWriter,
    current_minute,
)
from survey.store.tally import add_postgres, of_responses, shard

__all__ = ["NewResponse", "Outcome", "SubmissionWriter", "current_writer", "start_writer", "stop_writer"]

BATCH = 64
_ENCODER = msgspec.msgpack.Encoder()


class SQLiteWriter(SubmissionWriter):
    """A thread hands the queued batches to the writer's own process (survey.store.sqlite_writer)
    and delivers their outcomes; it starts that process at the first submission, and again after
    the process died (the batch it held is answered with an error: nothing of it was committed)."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.queue: queue.Queue[tuple[NewResponse, asyncio.Future[Outcome], asyncio.AbstractEventLoop] | None]
        self.queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.pipes: tuple[Connection, Connection] | None = None

    async def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="submission-writer", daemon=True)
        self.thread.start()

    async def stop(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            await asyncio.to_thread(self.thread.join, 30)
            self.thread = None

    def enqueue(self, response: NewResponse) -> asyncio.Future[Outcome]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome] = loop.create_future()
        self.queue.put((response, future, loop))
        return future

    def _run(self) -> None:
        try:
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
                self.largest_batch = max(self.largest_batch, len(batch))
                results = self._exchange([response for response, _, _ in batch])
                for (_, future, loop), result in zip(batch, results, strict=True):
                    loop.call_soon_threadsafe(_deliver, future, result)
        finally:
            self._end_process()

    def _start_process(self) -> tuple[Connection, Connection]:
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        command = [sys.executable, "-m", "survey.store.sqlite_writer", self.path, str(self.timeout)]
        self.process = subprocess.Popen(
            [*command, str(child_reads), str(child_writes)], pass_fds=(child_reads, child_writes)
        )
        os.close(child_reads)
        os.close(child_writes)
        self.pipes = (Connection(parent_writes, readable=False), Connection(parent_reads, writable=False))
        return self.pipes

    def _exchange(self, responses: list[NewResponse]) -> list[Outcome | BaseException]:
        if self.process is not None and self.process.poll() is not None:
            self._end_process()  # it ended while idle (killed): a new one takes this batch
        try:
            outbox, inbox = self.pipes or self._start_process()
            outbox.send_bytes(_ENCODER.encode(responses))
            status, outcome, rewritten = inbox.recv()
        except (EOFError, OSError) as error:
            self._end_process()
            gone = sqlite3.OperationalError(f"the submission writer's process ended ({error!r})")
            return [gone] * len(responses)
        if status != "ok":
            return [outcome] * len(responses)
        self.rewritten += int(rewritten)
        return list(outcome)

    def _end_process(self) -> None:
        """Tell the process to finish (it commits nothing more) and wait for it."""
        if self.pipes is not None:
            outbox, inbox = self.pipes
            with contextlib.suppress(OSError):
                outbox.send_bytes(b"")
            outbox.close()
            inbox.close()
            self.pipes = None
        if self.process is not None:
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def _deliver(future: asyncio.Future[Outcome], result: Outcome | BaseException) -> None:
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


class PostgresWriter(SubmissionWriter):
    def __init__(self, engine: PostgresEngine) -> None:
        self.engine = engine
        self.queue: asyncio.Queue[tuple[NewResponse, asyncio.Future[Outcome]] | None] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.connection: Any = None
        self.last_cleanup = 0.0

    async def start(self) -> None:
        self.connection = await self._connect()
        self.task = asyncio.create_task(self._run(), name="submission-writer")

    async def _connect(self) -> Any:
        """The writer's connection. Everything it reads is a lookup by an index (submission keys,
        waves, flood counts, codes); with sequential scans off, a plan cached while a table was
        small (the submission keys of a new installation, the first minute after a restore,
        before autovacuum has analysed them) cannot go on reading the whole table for every
        batch as it grows: that took 20 M rows a second at 4 workers."""
        connection = await self.engine.get_new_connection()
        await connection.execute("SET enable_seqscan = off")
        return connection

    async def stop(self) -> None:
        if self.task is not None:
            await self.queue.put(None)
            await self.task
            self.task = None
        if self.connection is not None:
            await self.connection.close()
            self.connection = None

    def enqueue(self, response: NewResponse) -> asyncio.Future[Outcome]:
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((response, future))  # the queue has no bound
        return future

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
                # consuming nothing, a batch is one statement, committing by itself
                consuming = any(consumes(response) for response in responses)
                async with self.connection.transaction() if consuming else contextlib.nullcontext():
                    results = list(await write_batch_postgres(self.connection, responses, _consume_postgres))
            except Unexpected:
                self.rewritten += 1
                async with self.connection.transaction():
                    results = list(await _one_by_one(self.connection, responses))
            await self._cleanup()
        except Exception as exc:
            results = [exc] * len(batch)
            if self.connection.is_closed():
                self.connection = await self._connect()
        for (_, future), result in zip(batch, results, strict=True):
            _deliver(future, result)

    async def _cleanup(self) -> None:
        if time.monotonic() - self.last_cleanup > 600:
            await self.connection.execute(
                "DELETE FROM flood_counter WHERE minute < $1", current_minute() - FLOOD_KEEP_MINUTES
            )
            self.last_cleanup = time.monotonic()


async def _one_by_one(connection: Any, responses: list[NewResponse]) -> list[Outcome]:
    """Each submission in a savepoint of its own, so one refused one does not undo the others."""
    gate = await postgres_gate(connection, responses)
    results = []
    for response in responses:
        refused = gate.refusal(response)
        if refused is not None:
            results.append(refused)
            continue
        try:
            async with connection.transaction():  # a savepoint
                await _write_postgres(connection, response)
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
            r.minute,
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
        await add_postgres(db, of_responses([r], shard(postgres=True)))
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


def _own_writer(engine: Engine) -> tuple[SubmissionWriter, str]:
    """This worker's own writer for `engine`, and the name of the database it writes to."""
    if isinstance(engine, SQLiteEngine):
        writer = SQLiteWriter(engine.path, engine.connection_kwargs.get("timeout", 30))
        return writer, f"sqlite:{os.path.realpath(engine.path)}"
    if isinstance(engine, PostgresEngine):
        return PostgresWriter(engine), f"postgres:{sorted((k, str(v)) for k, v in engine.config.items())}"
    raise TypeError(f"unsupported engine {engine!r}")


async def start_writer(engine: Engine, shared: bool = True) -> SubmissionWriter:
    """This worker's writer, shared with the other app workers of this host that write to the same
    database (survey.store.host_writer); `shared=False`: its own alone (a test process, which must
    not write for a server it starts and then kills)."""
    await stop_writer()
    inner, database = _own_writer(engine)
    writer = HostWriter(inner, database) if shared else inner
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
