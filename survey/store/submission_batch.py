"""A batch of submissions written with a few statements: the writer's fast path.

Per batch: a read finds the submission keys stored before, the waves no longer open and the unit
links paused (the `Gate`); only a submission that consumes something (an invitation, a receipt
code, a flood count) gets a savepoint of its own for that; then every accepted response, its
submission key, its answers and comments go in with multi-row INSERTs.

- SQLite, inside the writer's one transaction: a read per part of the gate, then one
  `VALUES (…), (…)` INSERT per table, chunked under the driver's limit of parameters, and one
  upsert of the answers' tally (survey.store.tally). Each statement is a single step of the
  library: a batch of 32 staff responses is a handful of statements instead of some 600.
- PostgreSQL: all tables are one INSERT (a data-modifying `WITH` part per table and one for the
  tally, which it counts from the answers). The responses come as one array per column, the
  answers by position in them as comma-separated texts. A batch that consumes nothing is that
  one statement, with the gate read in it (a part `judged`, whose rows give each submission's
  outcome): one round trip, committing by itself, all or nothing, with no transaction around it.
  A batch that consumes something runs in the writer's transaction, as on SQLite: the gate's
  read, the savepoints, then the INSERT of the accepted.

Anything unexpected (a submission key stored by another worker between the check and the insert)
raises `Unexpected`: nothing of the batch is stored, and the writer writes it again one
submission at a time (survey.store.sqlite_writer, survey.store.submissions), each in a savepoint
of its own.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from survey.store import tally
from survey.store.sqlite_values import insert_values
from survey.store.submission_types import NewResponse, Outcome, Refused

__all__ = [
    "Gate",
    "Unexpected",
    "consumes",
    "gate_of",
    "gate_queries",
    "postgres_gate",
    "sqlite_gate",
    "write_batch_postgres",
    "write_batch_sqlite",
]

_RESPONSE = ("id", "wave", "unit", "service_point", "language", "submitted_on")
_KEY = ("key_hash", "response", "created_on")
_ANSWER = ("response", "wave", "unit", "item", "value")
_COMMENT = ("response", "wave", "unit", "item", "text", "submitted_on", "state")


class Unexpected(Exception):
    """The batch met a case the fast path does not decide: write it one submission at a time."""


def consumes(r: NewResponse) -> bool:
    """Whether the submission uses something up (an invitation, a receipt code, a flood count)."""
    return bool(r.flood_scope or r.invitation_hash is not None or r.receipt_hash is not None)


def _sqlite_rows(accepted: Sequence[NewResponse]) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
    """The rows of each table for the accepted responses (ids and dates as the texts SQLite keeps)."""
    responses: list[tuple[Any, ...]] = []
    keys: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    comments: list[tuple[Any, ...]] = []
    for r in accepted:
        rid, day = str(r.id), r.submitted_on.isoformat()
        responses.append((rid, r.wave_id, r.unit_id, r.service_point_id, r.language, day))
        keys.append((r.key_hash, rid, day))
        answers.extend((rid, r.wave_id, r.unit_id, item, value) for item, value in r.answers)
        comments.extend(
            (rid, r.wave_id, r.unit_id, item, text, day, r.comment_state) for item, text in r.comments
        )
    return [
        ("response", _RESPONSE, responses),
        ("submission_key", _KEY, keys),
        ("answer", _ANSWER, answers),
        ("comment", _COMMENT, comments),
    ]


@dataclass
class Gate:
    """What the batch's entries were looked up with and may have changed since (a wave closed,
    a unit link paused), read once per batch in the writer's transaction."""

    stored: set[str]
    closed_waves: set[int]
    paused_scopes: set[str]

    def refusal(self, r: NewResponse) -> Outcome | None:
        if r.wave_id in self.closed_waves:
            return Outcome.WAVE_CLOSED
        if r.pause_scope is not None and r.pause_scope in self.paused_scopes:
            return Outcome.ACCESS_PAUSED
        return None


def gate_queries(batch: Sequence[NewResponse], mark: Callable[[int], str]) -> list[tuple[str, list[Any]]]:
    """The three reads of a batch's gate: keys stored before, waves no longer open, paused links
    (`mark(i)`: the driver's i-th parameter)."""
    keys = [r.key_hash for r in batch]
    waves = sorted({r.wave_id for r in batch})
    paused = [r for r in batch if r.pause_scope is not None]
    scopes = sorted({r.pause_scope for r in paused if r.pause_scope is not None})
    queries = [
        (f"SELECT key_hash FROM submission_key WHERE key_hash IN ({_marks(mark, 1, len(keys))})", keys),
        (
            f"SELECT id FROM wave WHERE id IN ({_marks(mark, 1, len(waves))}) AND status = 'open'",
            list(waves),
        ),
    ]
    if scopes:
        first = paused[0]
        after, limit = len(scopes) + 1, len(scopes) + 2
        queries.append(
            (
                f"SELECT scope FROM flood_counter WHERE scope IN ({_marks(mark, 1, len(scopes))}) "
                f"AND minute > {mark(after)} GROUP BY scope HAVING SUM(count) >= {mark(limit)}",
                [*scopes, first.pause_after_minute, first.pause_limit],
            )
        )
    return queries


def _marks(mark: Callable[[int], str], first: int, count: int) -> str:
    return ", ".join(mark(i) for i in range(first, first + count))


def gate_of(batch: Sequence[NewResponse], found: list[list[Any]]) -> Gate:
    waves = {r.wave_id for r in batch}
    keys, open_waves, *paused = ({row[0] for row in rows} for rows in found)
    return Gate(keys, waves - open_waves, paused[0] if paused else set())


def _decide(
    batch: Sequence[NewResponse], gate: Gate, consume: Callable[[int, NewResponse], Outcome | None]
) -> list[Outcome]:
    """Each submission's outcome, in the order they came, as it would be alone: a key stored
    before (or earlier in this batch) is a duplicate; then the gate; `consume` takes what a
    submission uses up, or says why it cannot. A key refused earlier in the batch is not stored,
    so the same key again is decided afresh, as it would be in the next batch."""
    outcomes: list[Outcome] = []
    stored: set[str] = set()
    for index, r in enumerate(batch):
        if r.key_hash in gate.stored or r.key_hash in stored:
            outcomes.append(Outcome.DUPLICATE)
            continue
        refused = gate.refusal(r) or (consume(index, r) if consumes(r) else None)
        if refused is None:
            stored.add(r.key_hash)
        outcomes.append(refused or Outcome.STORED)
    return outcomes


# --- SQLite ---------------------------------------------------------------------------------------


def sqlite_gate(db: sqlite3.Connection, batch: Sequence[NewResponse]) -> Gate:
    return gate_of(
        batch, [db.execute(sql, args).fetchall() for sql, args in gate_queries(batch, lambda _: "?")]
    )


def write_batch_sqlite(
    db: sqlite3.Connection,
    batch: Sequence[NewResponse],
    consume: Callable[[sqlite3.Connection, NewResponse], None],
) -> list[Outcome]:
    """The batch's outcomes, its accepted submissions written (inside the caller's transaction)."""
    gate = sqlite_gate(db, batch)

    def consume_one(_: int, r: NewResponse) -> Outcome | None:
        db.execute("SAVEPOINT one")
        try:
            consume(db, r)
        except Refused as refused:
            db.execute("ROLLBACK TO one")
            db.execute("RELEASE one")
            return refused.outcome
        db.execute("RELEASE one")
        return None

    outcomes = _decide(batch, gate, consume_one)
    accepted = [r for r, outcome in zip(batch, outcomes, strict=True) if outcome is Outcome.STORED]
    try:
        for table, columns, rows in _sqlite_rows(accepted):
            insert_values(db, table, columns, rows)
        tally.add_sqlite(db, tally.of_responses(accepted, 0))
    except sqlite3.IntegrityError as error:
        raise Unexpected(str(error)) from error
    return outcomes


# --- PostgreSQL ---------------------------------------------------------------------------------

#: the gate in one round trip, with one statement text for every batch (arrays, not `IN` lists)
_PG_GATE = (
    "SELECT 0, key_hash FROM submission_key WHERE key_hash = ANY($1::text[]) "
    "UNION ALL SELECT 1, id::text FROM wave WHERE id = ANY($2::int[]) AND status = 'open' "
    "UNION ALL SELECT 2, scope FROM flood_counter WHERE scope = ANY($3::text[]) AND minute > $4 "
    "GROUP BY scope HAVING SUM(count) >= $5"
)


async def postgres_gate(db: Any, batch: Sequence[NewResponse]) -> Gate:
    paused = [r for r in batch if r.pause_scope is not None]
    first = paused[0] if paused else None
    found: list[list[Any]] = [[], [], []]
    for kind, value in await db.fetch(
        _PG_GATE,
        [r.key_hash for r in batch],
        sorted({r.wave_id for r in batch}),
        sorted({r.pause_scope for r in paused if r.pause_scope is not None}),
        first.pause_after_minute if first else 0,
        first.pause_limit if first else 0,
    ):
        found[kind].append((int(value),) if kind == 1 else (value,))
    return gate_of(batch, found)


def _given(judge: bool) -> str:
    """The batch's responses (with their submission keys and comment state), one array per column,
    as `given`; `judge`: with each one's unit link to check for a pause ($13)."""
    pause = (", $13::text[]", ", pause_scope") if judge else ("", "")
    return (
        "given AS (SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::text[], "
        f"$6::date[], $7::text[], $8::text[]{pause[0]}) WITH ORDINALITY "
        f"AS g(id, wave, unit, service_point, language, submitted_on, key_hash, state{pause[1]}, p)), "
    )


#: the responses to store, `r`: each one given (the caller read the gate before)
_PG_ALL = "r AS (SELECT * FROM given), "
#: ... or those the gate lets through, judged in the same statement: a key stored before, a wave no
#: longer open, a unit link paused ($14: failures counted after this minute, $15: the limit); the
#: first of the same key passing them is stored, as `_decide` decides from the rows of `judged`
_PG_JUDGED = (
    "judged AS (SELECT g.p, g.key_hash, g.wave, g.pause_scope, "
    "EXISTS (SELECT 1 FROM submission_key k WHERE k.key_hash = g.key_hash) AS before, "
    "EXISTS (SELECT 1 FROM wave w WHERE w.id = g.wave AND w.status = 'open') AS open, "
    "g.pause_scope IS NOT NULL AND g.pause_scope IN (SELECT f.scope FROM flood_counter f "
    "WHERE f.scope IN (SELECT pause_scope FROM given) AND f.minute > $14 "
    "GROUP BY f.scope HAVING SUM(f.count) >= $15) AS paused FROM given g), "
    "r AS (SELECT DISTINCT ON (given.key_hash) given.* FROM given JOIN judged USING (p) "
    "WHERE NOT judged.before AND judged.open AND NOT judged.paused ORDER BY given.key_hash, given.p), "
)
#: the answers by position in `given`, each column one comma-separated text (item ids, codes and
#: positions hold no commas; '' is NULL, "keine Angabe"), which the driver sends as it is instead
#: of encoding some 1,600 array elements for 20 responses; then a data-modifying part per table
_PG_ROWS = (
    "a AS (SELECT * FROM unnest(string_to_array($9, ',')::bigint[], string_to_array($10, ','), "
    "string_to_array($11, ',', '')::int[]) AS a(p, item, value)), "
    "response_rows AS (INSERT INTO response (id, wave, unit, service_point, language, submitted_on) "
    "SELECT id, wave, unit, service_point, language, submitted_on FROM r), "
    "key_rows AS (INSERT INTO submission_key (key_hash, response, created_on) "
    "SELECT key_hash, id, submitted_on FROM r), "
    "answer_rows AS (INSERT INTO answer (response, wave, unit, item, value) "
    "SELECT r.id, r.wave, r.unit, a.item, a.value FROM a JOIN r USING (p)), "
    # the tally counted here, in the order every writer locks its rows (survey.store.tally)
    "tally_rows AS (INSERT INTO answer_tally (unit, wave, item, value, shard, n) "
    "SELECT unit, wave, item, value, $12::int, COUNT(*) FROM ("
    f"SELECT r.unit, r.wave, a.item, COALESCE(a.value, {tally.NO_ANSWER}) AS value FROM a JOIN r USING (p) "
    f"UNION ALL SELECT unit, wave, '{tally.RESPONSES}', {tally.NO_ANSWER} FROM r) AS counted "
    'GROUP BY unit, wave, item, value ORDER BY unit, wave, item COLLATE "C", value'
    f"{tally.CONFLICT})"
)


def _comments(first: int) -> str:
    """The comments' part, its parameters from `first` on (positions, item ids, texts)."""
    return (
        ", comment_rows AS (INSERT INTO comment (response, wave, unit, item, text, submitted_on, state) "
        "SELECT r.id, r.wave, r.unit, c.item, c.text, r.submitted_on, r.state "
        f"FROM unnest(${first}::bigint[], ${first + 1}::text[], ${first + 2}::text[]) AS c(p, item, text) "
        "JOIN r USING (p))"
    )


@functools.cache
def _pg_statement(judge: bool, comments: bool) -> str:
    statement = "WITH " + _given(judge) + (_PG_JUDGED if judge else _PG_ALL) + _PG_ROWS
    if comments:
        statement += _comments(16 if judge else 13)
    if judge:  # what `_decide` needs to know of each
        return statement + " SELECT key_hash, wave, pause_scope, before, open, paused FROM judged"
    return statement + " SELECT 1"


def _joined(items: list[str]) -> str:
    """The item ids as one text; an id with a comma (the questionnaire files' rule allows none)
    would shift every answer after it to the wrong item, so it stops the batch instead."""
    joined = ",".join(items)
    if joined.count(",") != max(0, len(items) - 1):
        raise ValueError(f"an item id holds a comma: {[item for item in items if ',' in item][:3]}")
    return joined


async def _insert_postgres(db: Any, batch: Sequence[NewResponse], judge: bool) -> list[Any]:
    """The responses, their submission keys, answers, comments and the tally's counts in one
    statement (a data-modifying `WITH` part per table): atomic on its own, so outside a
    transaction it commits as a whole or not at all. `judge`: the statement also reads the gate
    and stores only what passes it, answering with each submission's `judged` row (key, wave,
    unit link; stored before, wave open, link paused); else it stores every one of `batch`. A
    submission key stored by another worker meanwhile raises `Unexpected`."""
    positions: list[str] = []
    items: list[str] = []
    values: list[str] = []
    comments: tuple[list[int], list[str], list[str]] = ([], [], [])
    for p, r in enumerate(batch, start=1):
        mark = str(p)
        for item, value in r.answers:
            positions.append(mark)
            items.append(item)
            values.append("" if value is None else str(value))
        for item, text in r.comments:
            comments[0].append(p)
            comments[1].append(item)
            comments[2].append(text)
    arguments: list[Any] = [
        [r.id for r in batch],
        [r.wave_id for r in batch],
        [r.unit_id for r in batch],
        [r.service_point_id for r in batch],
        [r.language for r in batch],
        [r.submitted_on for r in batch],
        [r.key_hash for r in batch],
        [r.comment_state for r in batch],
        ",".join(positions),
        _joined(items),
        ",".join(values),
        tally.shard(postgres=True),
    ]
    if judge:
        paused = next((r for r in batch if r.pause_scope is not None), None)
        arguments += [
            [r.pause_scope for r in batch],
            paused.pause_after_minute if paused else 0,
            paused.pause_limit if paused else 0,
        ]
    if comments[0]:
        arguments.extend(comments)
    statement = _pg_statement(judge, bool(comments[0]))
    try:
        return list(await db.fetch(statement, *arguments))
    except asyncpg.UniqueViolationError as error:
        raise Unexpected(str(error)) from error


async def write_batch_postgres(db: Any, batch: Sequence[NewResponse], consume: Any) -> list[Outcome]:
    """As write_batch_sqlite, on an asyncpg connection; `consume` is async. A batch that consumes
    nothing is one statement, which reads the gate, stores what passes it and commits by itself.
    Where a submission of the batch consumes something, the caller holds a transaction: the gate
    is read first, each consumption takes a savepoint, then one statement stores the accepted."""
    if not any(consumes(r) for r in batch):
        judged = await _insert_postgres(db, batch, judge=True)
        gate = Gate(
            {row["key_hash"] for row in judged if row["before"]},
            {row["wave"] for row in judged if not row["open"]},
            {row["pause_scope"] for row in judged if row["paused"]},
        )
        return _decide(batch, gate, lambda _, __: None)
    gate = await postgres_gate(db, batch)
    refusals: dict[int, Outcome] = {}
    stored: set[str] = set()  # as _decide decides: a key refused before is decided afresh
    for index, r in enumerate(batch):  # what is consumed needs a round trip per submission anyway
        if r.key_hash in gate.stored or r.key_hash in stored or gate.refusal(r):
            continue
        if consumes(r):
            try:
                async with db.transaction():  # a savepoint
                    await consume(db, r)
            except Refused as refused:
                refusals[index] = refused.outcome
                continue
        stored.add(r.key_hash)
    outcomes = _decide(batch, gate, lambda index, _: refusals.get(index))
    accepted = [r for r, outcome in zip(batch, outcomes, strict=True) if outcome is Outcome.STORED]
    if accepted:
        await _insert_postgres(db, accepted, judge=False)
    return outcomes
