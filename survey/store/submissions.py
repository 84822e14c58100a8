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

SQLite: the writer's own process (survey.store.sqlite_writer), fed through two pipes by a task of the
app worker's event loop.
PostgreSQL: a task with its own asyncpg connection; a commit waits for the server's sync to disk
(`synchronous_commit` is on unless the server's administrator turned it off).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from survey.store.host_writer import FRAME_HEADER, HostWriter, split_frames
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
    """A task of the app worker's event loop hands the queued batches to the writer's own process
    (survey.store.sqlite_writer) and delivers their outcomes; it starts that process at the first
    submission, and again after the process died (the batch it held is answered with an error:
    nothing of it was committed).

    The pipes are read and written by the event loop itself. A thread of the worker did this
    before: it needed Python's lock for every batch, and waited up to the interpreter's switch
    interval (5 ms) for the thread answering requests to let go of it, while the writer's process
    had nothing to do."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.queue: asyncio.Queue[tuple[NewResponse, asyncio.Future[Outcome]] | None] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.link: _ProcessLink | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name="submission-writer")

    async def stop(self) -> None:
        if self.task is not None:
            await self.queue.put(None)
            await self.task
            self.task = None

    def enqueue(self, response: NewResponse) -> asyncio.Future[Outcome]:
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((response, future))  # the queue has no bound
        return future

    async def _run(self) -> None:
        try:
            await _drain(self.queue, self._commit)
        finally:
            await self._end_process()

    async def _commit(self, batch: list[tuple[NewResponse, asyncio.Future[Outcome]]]) -> None:
        self.largest_batch = max(self.largest_batch, len(batch))
        results = await self._exchange([response for response, _ in batch])
        for (_, future), result in zip(batch, results, strict=True):
            _deliver(future, result)

    async def _start_process(self) -> _ProcessLink:
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        command = [sys.executable, "-m", "survey.store.sqlite_writer", self.path, str(self.timeout)]
        try:
            # in a thread: starting a process takes a few milliseconds the requests need not wait
            self.process = await asyncio.to_thread(
                subprocess.Popen,
                [*command, str(child_reads), str(child_writes)],
                pass_fds=(child_reads, child_writes),
            )
        except BaseException:
            os.close(parent_writes)
            os.close(parent_reads)
            raise
        finally:
            os.close(child_reads)
            os.close(child_writes)
        self.link = await _ProcessLink.open(parent_writes, parent_reads)
        return self.link

    async def _exchange(self, responses: list[NewResponse]) -> list[Outcome | BaseException]:
        if self.process is not None and self.process.poll() is not None:
            await self._end_process()  # it ended while idle (killed): a new one takes this batch
        try:
            link = self.link or await self._start_process()
            status, outcome, rewritten = await link.exchange(_ENCODER.encode(responses))
        except (EOFError, OSError) as error:
            await self._end_process()
            gone = sqlite3.OperationalError(f"the submission writer's process ended ({error!r})")
            return [gone] * len(responses)
        if status != "ok":
            return [outcome] * len(responses)
        self.rewritten += int(rewritten)
        return list(outcome)

    async def _end_process(self) -> None:
        """Tell the process to finish (it commits nothing more) and wait for it."""
        if self.link is not None:
            self.link.close()
            self.link = None
        if self.process is not None:
            process, self.process = self.process, None
            try:
                await asyncio.to_thread(process.wait, 30)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)


class _ProcessLink(asyncio.Protocol):
    """The two pipes to the writer's process, in the host writer's frames (the same bytes as the
    multiprocessing.Connection frames the process reads and writes with `recv_bytes` and `send`,
    for anything under 2 GiB; a batch is at most BATCH bodies of 256 kB, its answer a few
    outcomes): a batch out, its answer (a pickle) back. One exchange at a time."""

    def __init__(self) -> None:
        self.incoming = bytearray()
        self.waiting: asyncio.Future[Any] | None = None
        self.ended: BaseException | None = None
        self.outbox: asyncio.WriteTransport | None = None
        self.inbox: asyncio.ReadTransport | None = None

    @classmethod
    async def open(cls, writes: int, reads: int) -> _ProcessLink:
        loop = asyncio.get_running_loop()
        link = cls()
        link.outbox, _ = await loop.connect_write_pipe(asyncio.BaseProtocol, os.fdopen(writes, "wb", 0))
        link.inbox, _ = await loop.connect_read_pipe(lambda: link, os.fdopen(reads, "rb", 0))
        return link

    async def exchange(self, message: bytes) -> Any:
        if self.ended is not None or self.outbox is None or self.outbox.is_closing():
            raise EOFError(f"the pipe to the writer closed ({self.ended!r})")
        self.waiting = asyncio.get_running_loop().create_future()
        self.outbox.write(FRAME_HEADER.pack(len(message)) + message)
        return await self.waiting

    def data_received(self, data: bytes) -> None:
        self.incoming += data
        for frame in split_frames(self.incoming):
            if self.waiting is not None and not self.waiting.done():
                self.waiting.set_result(pickle.loads(frame))

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = exc or EOFError("the writer's process closed its pipe")
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(EOFError(f"the writer's process ended ({self.ended!r})"))

    def close(self) -> None:
        """The empty frame that tells the process to end, then both pipes closed."""
        if self.outbox is not None and not self.outbox.is_closing():
            self.outbox.write(FRAME_HEADER.pack(0))
            self.outbox.close()
        if self.inbox is not None:
            self.inbox.close()


async def _drain(
    queue: asyncio.Queue[tuple[NewResponse, asyncio.Future[Outcome]] | None],
    commit: Callable[[list[tuple[NewResponse, asyncio.Future[Outcome]]]], Awaitable[None]],
) -> None:
    """Commit what is queued in batches of up to BATCH, until the queue holds None."""
    while True:
        first = await queue.get()
        if first is None:
            return
        batch = [first]
        stop = False
        while len(batch) < BATCH and not queue.empty():
            item = queue.get_nowait()
            if item is None:
                stop = True
                break
            batch.append(item)
        await commit(batch)
        if stop:
            return


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
        await _drain(self.queue, self._commit)

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
