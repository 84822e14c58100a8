"""The answer tally: how often each answer code was given, per unit, wave and item.

What the count tables read (survey.store.counts.count_table): a few rows per unit, wave and item,
however many answers there are. Every writer of answers adds its answers to the tally in the same
transaction (the submission writer, the single submissions, bulk loads and imports), and deleting
a wave deletes its tally; `differences` checks the two agree.

Why not an index over the answers: an index ordered by (unit, wave, item, value) put a response's
sixteen answers on sixteen pages of it, and a commit wrote every page it touched to the log; that
index and the one on the answers' random response ids took three quarters of the submission
writer's time. The answers now keep one index, (unit, wave), which new rows append to.

- The responses are counted too, one row per unit and wave under the item RESPONSES (no item id
  can take it: ids are lower-case letters, digits and hyphens): respondents per unit and wave,
  and the data stamps, read a few rows instead of every response.
- "keine Angabe" (NULL in `answer.value`) is NO_ANSWER here: a key column cannot be NULL. No code
  can take it (answer codes are 32-bit integers); only this module sees it.
- Shards: on PostgreSQL several writers may commit at once (one per host, or one per app worker
  where they cannot share one: survey.store.host_writer); each process adds to rows of its own
  shard (its process id modulo SHARDS), so one writer does not wait for another's commit to
  update the same row. Readers sum the shards. SQLite has one writer at a time: shard 0.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from survey.store.sqlite_values import insert_values
from survey.store.submission_types import NewResponse

__all__ = [
    "CONFLICT",
    "NO_ANSWER",
    "POSTGRES_TYPES",
    "RESPONSES",
    "SHARDS",
    "TallyRow",
    "add_postgres",
    "add_sqlite",
    "differences",
    "from_counts",
    "of_responses",
    "postgres_upsert",
    "shard",
]

#: the tally's code for "keine Angabe", outside the 32-bit range of answer codes
NO_ANSWER = -(2**40)
#: the tally's item for the responses themselves (their count is under NO_ANSWER)
RESPONSES = "#responses"
SHARDS = 16

#: (unit, wave, item, value or NO_ANSWER, shard, count)
TallyRow = tuple[int, int, str, int, int, int]
COLUMNS = ("unit", "wave", "item", "value", "shard", "n")
POSTGRES_TYPES = ("int", "int", "text", "bigint", "int", "int")
CONFLICT = " ON CONFLICT (unit, wave, item, value, shard) DO UPDATE SET n = answer_tally.n + excluded.n"


def shard(postgres: bool) -> int:
    """The shard this process adds to."""
    return os.getpid() % SHARDS if postgres else 0


def of_responses(responses: Iterable[NewResponse], shard: int) -> list[TallyRow]:
    """The tally rows of the responses and their answers."""
    counted: Counter[tuple[int, int, str, int | None]] = Counter()
    for r in responses:
        counted[r.wave_id, r.unit_id, RESPONSES, None] += 1
        counted.update((r.wave_id, r.unit_id, item, value) for item, value in r.answers)
    return from_counts(counted, shard)


def from_counts(counted: Mapping[tuple[int, int, str, int | None], int], shard: int) -> list[TallyRow]:
    """The tally rows of answers counted by (wave, unit, item, value), sorted by their key: every
    writer locks rows in the same order."""
    merged: Counter[tuple[int, int, str, int]] = Counter()
    for (wave, unit, item, value), n in counted.items():
        merged[unit, wave, item, NO_ANSWER if value is None else value] += n
    return [(unit, wave, item, value, shard, n) for (unit, wave, item, value), n in sorted(merged.items())]


def add_sqlite(db: sqlite3.Connection, rows: list[TallyRow]) -> None:
    """Add `rows` to the tally (inside the caller's transaction)."""
    insert_values(db, "answer_tally", COLUMNS, rows, CONFLICT)


def postgres_upsert(first: int) -> str:
    """The statement adding rows given as one array per column, parameters `$first`…"""
    marks = ", ".join(f"${first + i}::{kind}[]" for i, kind in enumerate(POSTGRES_TYPES))
    return f"INSERT INTO answer_tally ({', '.join(COLUMNS)}) SELECT * FROM unnest({marks})" + CONFLICT


async def add_postgres(db: Any, rows: list[TallyRow]) -> None:
    """Add `rows` to the tally on an asyncpg connection (inside the caller's transaction)."""
    if rows:
        await db.execute(postgres_upsert(1), *(list(column) for column in zip(*rows, strict=True)))


async def differences() -> dict[tuple[int, int, str, int], tuple[int, int]]:
    """{(unit, wave, item, value): (answers, tally)} wherever the tally and the answers (or the
    responses, under RESPONSES) disagree; empty when they agree. Reads every answer and every
    response: for checks, not for pages."""
    from survey.store.engine import fetch_tuples  # not at the top: the SQLite writer imports this module

    counted = await fetch_tuples(
        f"SELECT unit, wave, item, COALESCE(value, {NO_ANSWER}), COUNT(*) FROM answer "
        f"GROUP BY unit, wave, item, COALESCE(value, {NO_ANSWER}) "
        f"UNION ALL SELECT unit, wave, '{RESPONSES}', {NO_ANSWER}, COUNT(*) FROM response GROUP BY unit, wave"
    )
    kept = await fetch_tuples(
        "SELECT unit, wave, item, value, SUM(n) FROM answer_tally GROUP BY unit, wave, item, value"
    )
    answers = {tuple(row[:4]): int(row[4]) for row in counted}
    tallied = {tuple(row[:4]): int(row[4]) for row in kept if row[4]}
    return {
        key: (answers.get(key, 0), tallied.get(key, 0))
        for key in answers.keys() | tallied.keys()
        if answers.get(key, 0) != tallied.get(key, 0)
    }
