"""Many rows into one SQLite table with few statements: `VALUES (…), (…)`, chunked under the
driver's limit of parameters (the submission writer's batches, the answer tally)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

__all__ = ["insert_values"]


def insert_values(
    db: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    suffix: str = "",
) -> None:
    """INSERT `rows` into `table`; `suffix` follows each statement (an ON CONFLICT clause)."""
    if not rows:
        return
    per_statement = max(1, db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns))
    one = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        db.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(chunk))}{suffix}",
            [value for row in chunk for value in row],
        )
