"""The writer's batches (survey.store.submission_batch), on SQLite and PostgreSQL: many submissions
committed together are decided each as if it had come alone; what a worker keeps of an entry
never lets an answer into a closed wave or past a paused link."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import os
import signal
import sqlite3
import time
import uuid

import pytest

from survey.services.answering import (
    EntryError,
    entry_for_invitation,
    entry_for_service_point,
    entry_for_unit_link,
    new_submission_key,
    submit,
)
from survey.services.invitations import create_unit_link, issue_invitations
from survey.services.waves import close_wave
from survey.store.engine import current_engine, is_sqlite
from survey.store.submissions import Outcome, current_writer
from survey.store.tables import Answer, ResponseRow, WaveRow

STAFF = {"fachbereiche-ziehen-mit": "4", "eine-anlaufstelle": "2"}
CITIZEN = {"freundlich-respektvoll": "5", "gesamturteil": "9"}


async def _responses(wave: str) -> int:
    wave_id = (await WaveRow.select(WaveRow.id).where(WaveRow.key == wave).first().run())["id"]
    return await ResponseRow.count().where(ResponseRow.wave == wave_id).run()


async def test_a_batch_decides_each_submission_as_it_would_alone(field) -> None:  # type: ignore[no-untyped-def]
    """60 submissions at once (they reach the writer together): invitation codes sent twice, one
    submission key sent three times, a key stored before, a flood limit, a right and a wrong
    access code. Each gets the outcome it would get alone, and exactly the stored ones are in."""
    codes = (await issue_invitations(field.settings, "puls", "jobcenter", 10)).codes
    link = await create_unit_link(field.settings, "puls", "musikschule")
    unit_entry = await entry_for_unit_link(field.settings, link.url.rsplit("/", 1)[1])
    point = await entry_for_service_point(field.settings, "buergerbuero-mitte")
    limited = dataclasses.replace(field.settings, flood_limit=8)
    before = await new_submission_key(field.settings)
    assert (await submit(limited, point, answers=dict(CITIZEN), language="de", submission_key=before)).stored
    shared = await new_submission_key(field.settings)

    # looked up before the race: a code sent twice is then refused by the writer, not the lookup
    entries = {code: await entry_for_invitation(field.settings, code) for code in codes}

    async def staff(code: str) -> object:
        key = await new_submission_key(field.settings)
        return await submit(
            field.settings, entries[code], answers=dict(STAFF), language="de", submission_key=key
        )

    async def citizen(key: str | None = None) -> object:
        key = key or await new_submission_key(limited)
        return await submit(limited, point, answers=dict(CITIZEN), language="de", submission_key=key)

    async def by_link(code: str) -> object:
        key = await new_submission_key(field.settings)
        return await submit(
            field.settings,
            unit_entry,
            answers=dict(STAFF),
            language="de",
            submission_key=key,
            access_code=code,
        )

    sends = [staff(code) for code in codes] + [staff(code) for code in codes]
    sends += [citizen() for _ in range(12)] + [citizen(before)] + [citizen(shared) for _ in range(3)]
    sends += [by_link(link.access_code) for _ in range(10)] + [by_link("K7QM-2XHD-9RTC") for _ in range(4)]
    results = await asyncio.gather(*sends)
    assert current_writer().largest_batch >= 10  # they did meet in batches
    outcomes = [r.outcome for r in results]  # type: ignore[attr-defined]
    staff_outcomes = outcomes[:20]
    assert staff_outcomes.count(Outcome.STORED) == 10 and staff_outcomes.count(Outcome.CODE_USED) == 10
    citizens = outcomes[20:36]
    # 1 stored before + 7 more within this minute's limit of 8; the key sent three times counts once
    assert citizens.count(Outcome.STORED) == 7, citizens
    assert citizens[12] == Outcome.DUPLICATE  # the key stored before
    # `shared`, as it would be alone: stored once and then a duplicate twice, if it came while the
    # limit left room (it usually comes first), else refused each time by the limit
    assert sorted(citizens[13:], key=str) in (
        sorted([Outcome.STORED, Outcome.DUPLICATE, Outcome.DUPLICATE], key=str),
        [Outcome.FLOOD] * 3,
    ), citizens
    assert [r.general for r in results[36:46]] == [[]] * 10  # type: ignore[attr-defined]
    assert outcomes[36:46] == [Outcome.STORED] * 10
    assert [r.general for r in results[46:]] == [["access_code_wrong"]] * 4  # type: ignore[attr-defined]
    assert await _responses("puls") == 20
    assert await _responses("buerger") == 8
    stored = await Answer.count().run()
    assert stored == 20 * 2 + 8 * 2


async def test_a_batch_consuming_nothing_is_judged_alike_on_both_engines(field) -> None:  # type: ignore[no-untyped-def]
    """A batch that uses nothing up: on PostgreSQL one statement reads its gate and stores what
    passes; on SQLite the writer reads the gate first. Both decide each submission as it would be
    alone: a key three times (stored once), a key stored before, a closed wave, a paused link,
    and a key refused for its closed wave that comes again for an open one (stored: what is
    refused is not stored, so it is no duplicate). The tally agrees with the answers."""
    import sqlite3

    from survey.store.submission_batch import write_batch_postgres, write_batch_sqlite
    from survey.store.submission_types import NewResponse, current_minute
    from survey.store.tally import differences

    link = await create_unit_link(field.settings, "puls", "musikschule")
    entry = await entry_for_unit_link(field.settings, link.url.rsplit("/", 1)[1])
    closed = await WaveRow.select(WaveRow.id).where(WaveRow.key == "buerger").first().run()
    await WaveRow.update({WaveRow.status: "closed"}).where(WaveRow.key == "buerger").run()
    minute = current_minute()
    paused_scope, open_scope = "unit-link:paused", "unit-link:open"
    engine = current_engine()
    if is_sqlite():
        db = sqlite3.connect(engine.path, isolation_level=None)  # type: ignore[attr-defined]
        db.execute(
            "INSERT INTO flood_counter (scope, minute, count) VALUES (?, ?, 5)", (paused_scope, minute)
        )
    else:
        db = await engine.get_new_connection()  # type: ignore[attr-defined]
        await db.execute(
            "INSERT INTO flood_counter (scope, minute, count) VALUES ($1, $2, 5)", paused_scope, minute
        )

    def response(key: str, wave: int = entry.wave.id, scope: str | None = open_scope) -> NewResponse:
        return NewResponse(
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            wave_id=wave,
            unit_id=entry.unit_id,
            language="de",
            submitted_on=field.today,
            answers=[("fachbereiche-ziehen-mit", 4), ("eine-anlaufstelle", None)],
            pause_scope=scope,
            pause_limit=5,
            pause_after_minute=minute - 10,
        )

    async def write(batch: list[NewResponse]) -> list[Outcome]:
        if is_sqlite():
            db.execute("BEGIN IMMEDIATE")
            outcomes = write_batch_sqlite(db, batch, lambda _, __: None)
            db.execute("COMMIT")
            return outcomes
        return await write_batch_postgres(db, batch, None)

    assert await write([response("before")]) == [Outcome.STORED]
    batch = [
        response("thrice"),
        response("one"),
        response("thrice"),
        response("before"),
        response("late", wave=closed["id"]),
        response("paused", scope=paused_scope),
        response("late"),
        response("thrice", scope=None),
        response("late"),
        response("no-link", scope=None),
    ]
    outcomes = await write(batch)
    closed_db = db.close()
    if asyncio.iscoroutine(closed_db):
        await closed_db
    assert outcomes == [
        Outcome.STORED,
        Outcome.STORED,
        Outcome.DUPLICATE,
        Outcome.DUPLICATE,
        Outcome.WAVE_CLOSED,
        Outcome.ACCESS_PAUSED,
        Outcome.STORED,
        Outcome.DUPLICATE,
        Outcome.DUPLICATE,
        Outcome.STORED,
    ]
    assert await _responses("puls") == 5
    assert await _responses("buerger") == 0
    assert await Answer.count().run() == 5 * 2
    assert await differences() == {}


async def test_a_key_refused_in_a_batch_is_refused_again_not_taken_for_a_duplicate(field) -> None:  # type: ignore[no-untyped-def]
    """The flood limit is reached; one submission key sent three times at once is refused three
    times, as it would be alone: a refused submission is not stored, so the same key again is no
    duplicate of it (in one batch or in several)."""
    limited = dataclasses.replace(field.settings, flood_limit=1)
    point = await entry_for_service_point(field.settings, "buergerbuero-mitte")
    first = await new_submission_key(limited)
    assert (await submit(limited, point, answers=dict(CITIZEN), language="de", submission_key=first)).stored
    key = await new_submission_key(limited)
    sends = [
        submit(limited, point, answers=dict(CITIZEN), language="de", submission_key=key) for _ in range(3)
    ]
    assert [r.outcome for r in await asyncio.gather(*sends)] == [Outcome.FLOOD] * 3
    assert await _responses("buerger") == 1


async def test_a_wave_closed_by_another_worker_takes_no_answers(field) -> None:  # type: ignore[no-untyped-def]
    """This worker keeps the link's entry; another worker closes the wave (here: its UPDATE, which
    this worker's keep is not told of). The writer reads the wave in its transaction and refuses."""
    link = await create_unit_link(field.settings, "puls", "musikschule")
    token = link.url.rsplit("/", 1)[1]
    entry = await entry_for_unit_link(field.settings, token)
    await WaveRow.update({WaveRow.status: "closed"}).where(WaveRow.key == "puls").run()
    kept = await entry_for_unit_link(field.settings, token)  # within ENTRY_SECONDS: the kept entry
    assert kept.wave.status == "open"
    key = await new_submission_key(field.settings)
    with pytest.raises(EntryError) as refused:
        await submit(
            field.settings,
            kept,
            answers=dict(STAFF),
            language="de",
            submission_key=key,
            access_code=link.access_code,
        )
    assert refused.value.problem == "closed"
    assert await _responses("puls") == 0
    assert entry.wave.key == "puls"


async def test_a_change_in_this_worker_is_seen_at_once(field) -> None:  # type: ignore[no-untyped-def]
    point = await entry_for_service_point(field.settings, "buergerbuero-mitte")
    assert point.wave.key == "buerger"
    await close_wave("buerger")
    with pytest.raises(EntryError, match="no_wave"):
        await entry_for_service_point(field.settings, "buergerbuero-mitte")


@pytest.mark.parametrize("entry_kind", ["service_point", "unit_link"])
async def test_a_key_stored_by_another_worker_meanwhile_is_a_duplicate(field, entry_kind) -> None:  # type: ignore[no-untyped-def]
    """Another connection stores a response with the same submission key and commits only after
    this writer has begun its batch: on PostgreSQL the batch's insert then finds the key taken
    and the writer writes the batch again one submission at a time; on SQLite the other writer's
    lock makes this one wait. Either way: a duplicate, the response stored once. A service point's
    rating counts against the flood limit, so its batch runs in a transaction; a unit link's
    consumes nothing, and on PostgreSQL its batch's insert is a statement of its own."""
    if entry_kind == "service_point":
        point = await entry_for_service_point(field.settings, "buergerbuero-mitte")
        wave, send = "buerger", {"answers": dict(CITIZEN)}
    else:
        link = await create_unit_link(field.settings, "puls", "musikschule")
        point = await entry_for_unit_link(field.settings, link.url.rsplit("/", 1)[1])
        wave, send = "puls", {"answers": dict(STAFF), "access_code": link.access_code}
    key = await new_submission_key(field.settings)
    key_hash = hashlib.sha256(key.encode()).hexdigest()
    wave_id, unit_id = point.wave.id, point.unit_id
    engine = current_engine()
    other_id = uuid.uuid4()
    if is_sqlite():
        import sqlite3

        other = sqlite3.connect(engine.path, isolation_level=None)  # type: ignore[attr-defined]
        other.execute("BEGIN IMMEDIATE")
        other.execute(
            "INSERT INTO response (id, wave, unit, language, submitted_on) VALUES (?, ?, ?, 'de', ?)",
            (str(other_id), wave_id, unit_id, field.today.isoformat()),
        )
        other.execute(
            "INSERT INTO submission_key (key_hash, response, created_on) VALUES (?, ?, ?)",
            (key_hash, str(other_id), field.today.isoformat()),
        )
        commit = other.commit
        close = other.close
    else:
        other = await engine.get_new_connection()  # type: ignore[attr-defined]
        transaction = other.transaction()
        await transaction.start()
        await other.execute(
            "INSERT INTO response (id, wave, unit, language, submitted_on) VALUES ($1, $2, $3, 'de', $4)",
            other_id,
            wave_id,
            unit_id,
            field.today,
        )
        await other.execute(
            "INSERT INTO submission_key (key_hash, response, created_on) VALUES ($1, $2, $3)",
            key_hash,
            other_id,
            field.today,
        )
        commit = transaction.commit
        close = other.close
    sending = asyncio.create_task(
        submit(field.settings, point, language="de", submission_key=key, **send)  # type: ignore[arg-type]
    )
    await asyncio.sleep(0.5)
    assert not sending.done()  # waiting for the other transaction
    done = commit()
    if asyncio.iscoroutine(done):
        await done
    result = await asyncio.wait_for(sending, 30)
    closed = close()
    if asyncio.iscoroutine(closed):
        await closed
    assert result.outcome == Outcome.DUPLICATE
    assert await _responses(wave) == 1
    assert await Answer.count().run() == 0  # nothing of the refused batch is left behind
    assert current_writer().rewritten == (0 if is_sqlite() else 1)


@pytest.mark.parametrize("holding", [False, True], ids=["idle", "holding_a_submission"])
async def test_the_sqlite_writer_process_is_started_again_when_it_died(field, holding: bool) -> None:  # type: ignore[no-untyped-def]
    """SQLite's writer runs in a process of its own, started at the first submission and fed by
    the app worker's event loop through two pipes. Killed while idle, the next submission starts
    a new one and is stored. Killed while it holds a submission (stopped first), that submission
    fails with an error that says so and nothing of it is stored. PostgreSQL's writer is a task
    of the worker."""
    point = await entry_for_service_point(field.settings, "buergerbuero-mitte")

    async def send() -> object:
        key = await new_submission_key(field.settings)
        return await submit(field.settings, point, answers=dict(CITIZEN), language="de", submission_key=key)

    assert (await send()).outcome == Outcome.STORED  # type: ignore[attr-defined]
    writer = current_writer()
    if not is_sqlite():
        assert not hasattr(writer, "process")
        return
    first = writer.process  # type: ignore[attr-defined]
    assert first is not None and first.poll() is None
    if holding:
        first.send_signal(signal.SIGSTOP)
        held = asyncio.ensure_future(send())
        await asyncio.sleep(0.3)
        assert not held.done()  # the stopped process holds it
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    if holding:
        with pytest.raises(sqlite3.OperationalError, match="the submission writer's process ended"):
            await asyncio.wait_for(held, 30)
        assert await _responses("buerger") == 1
    assert (await send()).outcome == Outcome.STORED  # type: ignore[attr-defined]
    assert writer.process is not None and writer.process.pid != first.pid  # type: ignore[attr-defined]
    assert await _responses("buerger") == 2


async def test_the_sqlite_write_ahead_log_is_cut_back_once_the_checkpoint_caught_up(  # type: ignore[no-untyped-def]
    field, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Submissions without a pause grow SQLite's write-ahead log (the checkpoint never catches up);
    once it has, the next commit starts the log afresh and cuts the file back to the limit."""
    if not is_sqlite():
        assert not hasattr(current_writer(), "process")  # PostgreSQL keeps its own log
        return
    from survey.store import sqlite_writer

    monkeypatch.setattr(sqlite_writer, "WAL_LIMIT_BYTES", 64 * 1024)
    wave = (await WaveRow.select(WaveRow.id).where(WaveRow.key == "puls").first().run())["id"]
    unit = (await ResponseRow.raw("SELECT id FROM org_unit WHERE key = 'jugendamt'").run())[0]["id"]
    grown, after = await asyncio.to_thread(_grow_and_cut_back, current_engine().path, wave, unit)
    assert grown > 4 * 64 * 1024
    assert after < grown / 2


def _grow_and_cut_back(path: str, wave: int, unit: int) -> tuple[int, int]:
    """The log's size after 40 batches without a pause, and after one more once the checkpoint
    thread (once a second) has caught up."""
    from survey.store import sqlite_writer
    from survey.store.submission_types import NewResponse

    def batch() -> list[NewResponse]:
        return [
            NewResponse(
                key_hash=uuid.uuid4().hex,
                wave_id=wave,
                unit_id=unit,
                language="de",
                submitted_on=dt.date.today(),
                answers=[(f"item-{i}", 3) for i in range(16)],
            )
            for _ in range(32)
        ]

    committer = sqlite_writer.Committer(path, 30)
    try:
        for _ in range(40):
            committer.commit(batch())
        grown = os.path.getsize(f"{path}-wal")
        time.sleep(2.5)
        committer.commit(batch())
        return grown, os.path.getsize(f"{path}-wal")
    finally:
        committer.close()


async def test_the_sqlite_writer_takes_the_write_lock_once_it_is_free_and_gives_up_at_its_timeout(  # type: ignore[no-untyped-def]
    field,
) -> None:
    """Another connection holding the write lock (an audit entry, a kept figure) holds up a batch
    only while it holds it: the writer tries again on its own, without SQLite's growing waits, and
    still gives up with "database is locked" once its timeout has passed."""
    if not is_sqlite():
        assert not hasattr(current_writer(), "process")  # PostgreSQL: no writer process
        return
    outcome = await asyncio.to_thread(_begin_while_another_holds_the_lock, current_engine().path)
    assert outcome == ("database is locked", 0, "began after the other committed")


def _begin_while_another_holds_the_lock(path: str) -> tuple[str, int, str]:
    import contextlib
    import sqlite3
    import threading

    from survey.store import sqlite_writer

    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    with contextlib.closing(other):
        impatient = sqlite_writer.Committer(path, 0.2)
        try:
            impatient.begin()
            refused = "began while the other held the lock"
        except sqlite3.OperationalError as error:
            refused = str(error)
        finally:
            impatient.close()
        committer = sqlite_writer.Committer(path, 30)
        try:
            (busy_timeout,) = committer.db.execute("PRAGMA busy_timeout").fetchone()
            start = time.monotonic()
            threading.Timer(0.1, other.execute, ("COMMIT",)).start()
            committer.begin()  # the other commits 0.1 s after `start`, not before
            began = "began after the other committed" if time.monotonic() - start >= 0.1 else "too early"
            committer.db.execute("ROLLBACK")
        finally:
            committer.close()
    return refused, busy_timeout, began


async def test_the_answers_tally_counts_what_the_batches_and_the_one_by_one_path_stored(field) -> None:  # type: ignore[no-untyped-def]
    """Counts come from the answer tally (survey.store.tally): a batch adds to it in its insert,
    a submission written on its own (after the unexpected) in its savepoint, a refused one not."""
    from survey.store import sqlite_writer, submissions
    from survey.store.counts import count_table
    from survey.store.submission_types import NewResponse
    from survey.store.tally import differences

    link = await create_unit_link(field.settings, "puls", "musikschule")
    entry = await entry_for_unit_link(field.settings, link.url.rsplit("/", 1)[1])
    sends = [
        submit(
            field.settings,
            entry,
            answers={"fachbereiche-ziehen-mit": str(1 + n % 5), "eine-anlaufstelle": "na"},
            language="de",
            submission_key=await new_submission_key(field.settings),
            access_code=link.access_code,
        )
        for n in range(12)
    ]
    assert all(r.stored for r in await asyncio.gather(*sends))
    taken = await new_submission_key(field.settings)
    alone = [
        NewResponse(
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            wave_id=entry.wave.id,
            unit_id=entry.unit_id,
            language="de",
            submitted_on=field.today,
            answers=[("fachbereiche-ziehen-mit", 5), ("eine-anlaufstelle", None)],
        )
        for key in (await new_submission_key(field.settings), taken, taken)  # the last a duplicate
    ]
    engine = current_engine()
    if is_sqlite():
        import sqlite3

        db = sqlite3.connect(engine.path, isolation_level=None)  # type: ignore[attr-defined]
        db.execute("BEGIN IMMEDIATE")
        outcomes = sqlite_writer.one_by_one(db, alone)
        db.execute("COMMIT")
        db.close()
    else:
        connection = await engine.get_new_connection()  # type: ignore[attr-defined]
        async with connection.transaction():
            outcomes = await submissions._one_by_one(connection, alone)
        await connection.close()
    assert outcomes == [Outcome.STORED, Outcome.STORED, Outcome.DUPLICATE]
    assert await differences() == {}
    rows = await count_table([entry.wave.id], units=[entry.unit_id])
    counted = {(item, value): n for _, _, item, value, n in rows}
    assert counted[("eine-anlaufstelle", None)] == 14
    assert counted[("fachbereiche-ziehen-mit", 5)] == 2 + 2  # n = 4 and 9 in the batches, two alone
    assert sum(counted.values()) == 14 * 2


def test_an_item_id_with_a_comma_stops_a_postgresql_batch_rather_than_shift_its_answers() -> None:
    """PostgreSQL batches send the item ids as one comma-separated text (survey.store.submission_batch):
    an id holding a comma, which the questionnaire files' rule allows nowhere, must not reach it."""
    from survey.store.submission_batch import _joined

    assert _joined(["ziehen-mit", "anlaufstelle"]) == "ziehen-mit,anlaufstelle"
    assert _joined([]) == ""
    with pytest.raises(ValueError, match="comma"):
        _joined(["ziehen-mit", "eine,anlaufstelle"])
