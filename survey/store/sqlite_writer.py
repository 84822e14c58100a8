"""The SQLite submission writer's own process: it commits the batches an app worker sends it.

Python runs one thread at a time per process. In the app worker, a writer thread inserting rows
took the interpreter from the thread answering requests at every statement, and the two together
came no further than one core; in a process of its own the writer runs beside the requests on the
second core. An app worker starts it at its first submission (`python -m survey.store.sqlite_writer`,
which imports nothing but this module's few) and talks to it through two pipes: a batch of
submissions out, their outcomes back once the batch has committed, so a request is still answered
only after its answers are on disk. The process ignores Ctrl+C (the app stops it), and ends when
its app worker closes the pipe or dies.

The connection: WAL; IMMEDIATE transactions; `synchronous = FULL`, so a commit syncs the log to
disk before it returns (acknowledged means durable across a power cut); `secure_delete`, so a used
code's hash is overwritten on disk, not merely unlinked; checkpoints in a thread of their own; the
log cut back to WAL_LIMIT_BYTES when it starts afresh.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import sys
import threading
import time
from multiprocessing.connection import Connection

import msgspec

from survey.store.submission_batch import Unexpected, sqlite_gate, write_batch_sqlite
from survey.store.submission_types import FLOOD_KEEP_MINUTES, NewResponse, Outcome, Refused, current_minute
from survey.store.tally import add_sqlite, of_responses

__all__ = ["WAL_LIMIT_BYTES", "Committer", "main"]

_DECODER = msgspec.msgpack.Decoder(list[NewResponse])
#: the size the write-ahead log is cut back to when it starts afresh
WAL_LIMIT_BYTES = 64 * 1024 * 1024
#: how long the writer waits before it tries again for the write lock another connection holds
RETRY_SECONDS = 0.00025


class Committer:
    """One connection that commits batches of submissions."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        # No busy timeout: SQLite's own waits 1, 2, 5, 10 ms … between tries, so a batch found the
        # write lock taken by an audit entry or a kept figure (a few ms) lost up to twice as long
        # as the lock was held; `begin` tries again every quarter of a millisecond instead.
        self.db = sqlite3.connect(path, timeout=0, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA secure_delete = ON")
        self.db.execute("PRAGMA synchronous = FULL")
        # Copying the WAL back into the database would otherwise happen inside a commit every
        # 1000 pages and hold up the requests of that batch; a thread of its own does it.
        self.db.execute("PRAGMA wal_autocheckpoint = 0")
        # While submissions never pause, the checkpoint never catches up and the log grows (about
        # 18 kB a response at 1 M answers); once it has, the next commit starts it afresh, and
        # this cuts the file back instead of keeping its largest size on disk.
        self.db.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")
        self.last_cleanup = 0.0
        self.stop = threading.Event()
        self.checkpoints = threading.Thread(target=self._checkpoints, name="wal-checkpoint", daemon=True)
        self.checkpoints.start()

    def _checkpoints(self) -> None:
        """A passive checkpoint every second: it never waits for the writer or for readers."""
        with contextlib.closing(sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)) as db:
            while not self.stop.wait(1.0):
                with contextlib.suppress(sqlite3.Error):
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def begin(self) -> None:
        """BEGIN IMMEDIATE as soon as the write lock is free, within the timeout. Once it is held,
        nothing in a WAL-mode write transaction waits for another connection."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    raise
            time.sleep(RETRY_SECONDS)

    def commit(self, responses: list[NewResponse]) -> tuple[list[Outcome], bool]:
        """The outcomes of a batch once it has committed; whether it had to be written one by one."""
        db = self.db
        rewritten = False
        try:
            self.begin()
            try:
                outcomes = write_batch_sqlite(db, responses, consume)
            except Unexpected:
                rewritten = True
                db.execute("ROLLBACK")
                self.begin()
                outcomes = one_by_one(db, responses)
            if time.monotonic() - self.last_cleanup > 600:
                db.execute(
                    "DELETE FROM flood_counter WHERE minute < ?", (current_minute() - FLOOD_KEEP_MINUTES,)
                )
                self.last_cleanup = time.monotonic()
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        return outcomes, rewritten

    def close(self) -> None:
        self.stop.set()
        self.checkpoints.join()
        self.db.close()


def one_by_one(db: sqlite3.Connection, responses: list[NewResponse]) -> list[Outcome]:
    """Each submission in a savepoint of its own, so one refused one does not undo the others."""
    gate = sqlite_gate(db, responses)
    results = []
    for response in responses:
        refused = gate.refusal(response)
        if refused is not None:
            results.append(refused)
            continue
        db.execute("SAVEPOINT one")
        try:
            if db.execute("SELECT 1 FROM submission_key WHERE key_hash = ?", (response.key_hash,)).fetchone():
                raise Refused(Outcome.DUPLICATE)
            consume(db, response)
            _insert_one(db, response)
            db.execute("RELEASE one")
            results.append(Outcome.STORED)
        except Refused as refusal:
            db.execute("ROLLBACK TO one")
            db.execute("RELEASE one")
            results.append(refusal.outcome)
    return results


def consume(db: sqlite3.Connection, r: NewResponse) -> None:
    """Count the submission against its flood limit, use up its invitation or receipt code."""
    if r.flood_scope:
        (count,) = db.execute(
            "INSERT INTO flood_counter (scope, minute, count) VALUES (?, ?, 1) "
            "ON CONFLICT (scope, minute) DO UPDATE SET count = flood_counter.count + 1 RETURNING count",
            (r.flood_scope, r.minute),
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


def _insert_one(db: sqlite3.Connection, r: NewResponse) -> None:
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
    add_sqlite(db, of_responses([r], 0))
    db.executemany(
        "INSERT INTO comment (response, wave, unit, item, text, submitted_on, state) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(rid, r.wave_id, r.unit_id, item, text, day, r.comment_state) for item, text in r.comments],
    )


def _picklable(error: BaseException) -> BaseException:
    return (
        error
        if isinstance(error, sqlite3.Error | OSError)
        else RuntimeError(f"{type(error).__name__}: {error}")
    )


def main(argv: list[str]) -> int:
    """`python -m survey.store.sqlite_writer PATH TIMEOUT IN_FD OUT_FD`: commit what comes in."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the app, which stops this
    path, timeout, inbox_fd, outbox_fd = argv
    inbox = Connection(int(inbox_fd), writable=False)
    outbox = Connection(int(outbox_fd), readable=False)
    committer = Committer(path, float(timeout))
    try:
        while True:
            try:
                message = inbox.recv_bytes()
            except EOFError:  # the app worker has gone
                return 0
            if not message:  # told to end
                return 0
            batch = _DECODER.decode(message)
            try:
                outbox.send(("ok", *committer.commit(batch)))
            except Exception as error:  # told to the requests of this batch, as in the app worker
                outbox.send(("error", _picklable(error), False))
    finally:
        committer.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
