"""Count tables: what statistics read instead of raw rows (DESIGN §3).

One grouped query per question, over a subtree (a unit's path prefix) and a set of waves. The
counts come from the answer tally (survey.store.tally): a few rows per unit, wave and item,
however many answers there are; what needs each person's answers reads them through the index
`answer_unit (unit, wave)`: a unit's own answers, however large the database.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Collection
from typing import NamedTuple

from survey.store.engine import current_engine, fetch_tuples
from survey.store.tables import Answer
from survey.store.tally import NO_ANSWER, RESPONSES

__all__ = [
    "CountRow",
    "RespondentRow",
    "answers_by_respondent",
    "closed_waves_stamp",
    "count_table",
    "data_stamp",
    "respondents",
    "service_point_moments",
    "service_point_respondents",
    "value_moments",
    "value_scores",
]


#: (wave, unit, item, answer code or None for "keine Angabe", count): the driver's own rows (a
#: tuple on SQLite, an asyncpg record on PostgreSQL), unpacked by position. Thousands per report:
#: a named tuple per row would cost a tenth of the query.
CountRow = tuple[int, int, str, int | None, int]


class RespondentRow(NamedTuple):
    wave: int
    unit: int
    respondents: int


def _waves(waves: list[int]) -> str:
    # Wave ids are integers from our own tables, never from a request: safe to inline, and an
    # IN list of literals lets both planners use the index on (wave, unit, ...).
    if not waves or not all(isinstance(w, int) for w in waves):
        raise ValueError("give at least one wave id")
    return ", ".join(str(int(w)) for w in waves)


def _scope(unit_path: str, units: Collection[int] | None) -> tuple[str, list[object]]:
    """Which units' answers: those under `unit_path` in the tree as it is now, or exactly `units`
    (org_unit ids: a unit's series across its waves, survey.domain.lineage)."""
    if units is None:
        return "a.unit IN (SELECT id FROM org_unit WHERE path LIKE {})", [unit_path + "%"]
    if not all(isinstance(u, int) for u in units):
        raise ValueError("unit ids are whole numbers")
    # ids from our own tables, never from a request: inlined like the waves
    return (f"a.unit IN ({', '.join(str(int(u)) for u in sorted(units))})" if units else "1 = 0"), []


async def count_table(
    waves: list[int], unit_path: str = "/", units: Collection[int] | None = None
) -> list[CountRow]:
    """unit × wave × item × answer → count, for every unit whose path starts with `unit_path` (or
    of `units`)."""
    scope, arguments = _scope(unit_path, units)
    rows = await fetch_tuples(
        f"SELECT a.wave, a.unit, a.item, NULLIF(a.value, {NO_ANSWER}), SUM(a.n) "
        f"FROM answer_tally a WHERE a.wave IN ({_waves(waves)}) AND {scope} AND a.item <> '{RESPONSES}' "
        "GROUP BY a.wave, a.unit, a.item, a.value",
        *arguments,
    )
    return rows  # type: ignore[return-value]


async def respondents(waves: list[int], unit_path: str = "/") -> list[RespondentRow]:
    """(wave, unit, responses) from the tally: a row per unit and wave, however many responses."""
    rows = await fetch_tuples(
        "SELECT a.wave, a.unit, SUM(a.n) "
        f"FROM answer_tally a WHERE a.wave IN ({_waves(waves)}) "
        "AND a.unit IN (SELECT id FROM org_unit WHERE path LIKE {}) "
        f"AND a.item = '{RESPONSES}' GROUP BY a.wave, a.unit",
        unit_path + "%",
    )
    return list(map(tuple.__new__, itertools.repeat(RespondentRow), rows))


async def answers_by_respondent(
    waves: list[int], items: list[str], unit_path: str = "/", units: Collection[int] | None = None
) -> list[tuple[str, int, int, str, int]]:
    """(response, wave, unit, item, value) of the given items, "keine Angabe" left out: the one
    query per report that value scores per person (α, ω, Welch) need."""
    if not items:
        return []
    scope, arguments = _scope(unit_path, units)
    rows = await fetch_tuples(
        "SELECT a.response, a.wave, a.unit, a.item, a.value "
        f"FROM answer a WHERE a.wave IN ({_waves(waves)}) AND a.value IS NOT NULL "
        f"AND {scope} "
        f"AND a.item IN ({', '.join('{}' for _ in items)})",
        *arguments,
        *items,
    )
    return [(str(response), *rest) for response, *rest in rows]


async def value_scores(
    waves: list[int],
    mapping: list[tuple[int, str, str, int, int, bool]],
    unit_path: str = "/",
    units: Collection[int] | None = None,
) -> list[tuple[str, int, int, str, float]]:
    """(response, wave, unit, value, score 0–100) — each person's mean over the items that measure
    a value, one grouped query for a whole report. `mapping` lists (wave, item, value, scale
    minimum, scale maximum, reversed): which items count for which value in which wave."""
    if not mapping:
        return []
    sql, arguments = _person_scores(waves, mapping, unit_path, units)
    rows = await fetch_tuples(sql, *arguments)
    return [(str(response), wave, unit, key, float(score)) for response, wave, unit, key, score in rows]


async def value_moments(
    waves: list[int],
    mapping: list[tuple[int, str, str, int, int, bool]],
    unit_path: str = "/",
    units: Collection[int] | None = None,
) -> list[tuple[int, int, str, int, float, float]]:
    """(wave, unit, value, persons, Σ score, Σ score²): the value scores of `value_scores` summed
    per unit in the database. Means, intervals and Welch's test of large groups (a parent unit,
    the organisation) need no more, and no row per person reaches Python."""
    if not mapping:
        return []
    sql, arguments = _person_scores(waves, mapping, unit_path, units)
    rows = await fetch_tuples(
        "SELECT p.wave, p.unit, p.value_key, COUNT(*), SUM(p.score), SUM(p.score * p.score) "
        f"FROM ({sql}) p GROUP BY p.wave, p.unit, p.value_key",
        *arguments,
    )
    return [
        (wave, unit, key, int(n), float(total), float(squares)) for wave, unit, key, n, total, squares in rows
    ]


def _person_scores(
    waves: list[int],
    mapping: list[tuple[int, str, str, int, int, bool]],
    unit_path: str,
    units: Collection[int] | None = None,
) -> tuple[str, list[object]]:
    """The query of each person's score per value (columns response, wave, unit, value_key, score)."""
    # Casts: PostgreSQL cannot infer the types of parameters in a VALUES list on its own.
    one = (
        "(CAST({} AS INTEGER), CAST({} AS TEXT), CAST({} AS TEXT), CAST({} AS INTEGER), "
        "CAST({} AS INTEGER), CAST({} AS INTEGER))"
    )
    rows_sql = ", ".join(one for _ in mapping)
    arguments: list[object] = []
    for wave, item, value, low, high, reverse in mapping:
        arguments += [int(wave), item, value, int(low), int(high), 1 if reverse else 0]
    scope, scope_arguments = _scope(unit_path, units)
    arguments += scope_arguments
    sql = (
        f"WITH m(wave, item, value_key, lo, hi, rev) AS (VALUES {rows_sql}) "
        "SELECT a.response AS response, a.wave AS wave, a.unit AS unit, m.value_key AS value_key, "
        "AVG(CASE WHEN m.rev = 1 THEN m.hi - a.value ELSE a.value - m.lo END * 100.0 / (m.hi - m.lo)) "
        "AS score "
        "FROM answer a JOIN m ON m.wave = a.wave AND m.item = a.item "
        f"WHERE a.wave IN ({_waves(waves)}) AND a.value IS NOT NULL AND {scope} "
        "GROUP BY a.response, a.wave, a.unit, m.value_key"
    )
    return sql, arguments


async def _small_tables(waves_where: str = "1 = 1") -> list[object]:
    """Which database, and the small tables figures are computed from: waves (those `waves_where`
    selects), units, versions."""
    waves = await Answer.raw(
        f"SELECT id, status, k, k_text, title, opens_on, closes_on FROM wave WHERE {waves_where} ORDER BY id"
    )
    units = await Answer.raw(
        "SELECT id, key, name, kind, parent, path, headcount, active FROM org_unit ORDER BY id"
    )
    versions = await Answer.raw("SELECT id, content_hash FROM questionnaire_version ORDER BY id")
    engine = current_engine()
    database = getattr(engine, "path", None) or getattr(engine, "config", {}).get("dsn")
    return [database, waves, units, versions]


def _fingerprint(parts: list[object]) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


async def data_stamp() -> str:
    """A fingerprint of everything figures are computed from; equal stamps, equal figures.

    Cheap on any size: which database, the newest answer id (an index lookup), the responses of
    the open waves (only they take new ones), and the small tables of waves, units and versions.
    """
    newest = await Answer.raw("SELECT MAX(id) AS newest FROM answer")
    open_responses = await _responses_per_wave("status = 'open'")
    return _fingerprint([*await _small_tables(), newest, open_responses])


async def _responses_per_wave(waves_where: str) -> list[tuple[int, int]]:
    """(wave, responses) of the waves `waves_where` selects, from the tally: a few rows per wave
    (each unit's, looked up by the tally's key), however many responses there are."""
    rows = await fetch_tuples(
        "SELECT a.wave, SUM(a.n) FROM answer_tally a WHERE a.unit IN (SELECT id FROM org_unit) "
        f"AND a.wave IN (SELECT id FROM wave WHERE {waves_where}) AND a.item = '{RESPONSES}' "
        "GROUP BY a.wave ORDER BY a.wave"
    )
    return [(int(wave), int(n)) for wave, n in rows]


async def closed_waves_stamp() -> str:
    """A fingerprint of what the closed waves' figures are computed from; a new answer in an open
    wave leaves it as it is, unless it is the first at its unit or service point in an open
    citizen wave.

    The small tables (units, versions, and the waves the figures read: the closed ones and the
    open citizen waves), the responses of each closed wave (only an import adds to a closed wave,
    and it closes the wave with them; a late batch of another worker's writer is counted too), and
    which units and service points of the open citizen waves have ratings at all (an open citizen
    wave hides the external image of a unit with ratings, and a service point's figures). An open
    or draft staff wave is no part of them: opening one, or its answers, computes nothing again."""
    closed = await _responses_per_wave("status = 'closed'")
    answered = await fetch_tuples(
        "SELECT DISTINCT r.wave, r.unit, r.service_point FROM response r "
        f"WHERE r.wave IN (SELECT id FROM wave WHERE {_OPEN_CITIZEN}) "
        "ORDER BY r.wave, r.unit, r.service_point"
    )
    rows = [closed, [tuple(row) for row in answered]]
    return _fingerprint([*await _small_tables(f"status = 'closed' OR ({_OPEN_CITIZEN})"), "closed", *rows])


#: the open waves the closed waves' figures read: citizen waves (the external image, service points)
_OPEN_CITIZEN = "status = 'open' AND audience = 'citizen'"


# --- per service point (issue 19: the citizens' public pages) ------------------------------------


async def service_point_respondents(waves: list[int]) -> list[tuple[int, int, int | None, int]]:
    """(wave, unit, service point or None, respondents): every response of the waves, grouped by
    the unit it counts for and the service point it came from."""
    rows = await fetch_tuples(
        "SELECT r.wave, r.unit, r.service_point, COUNT(*) "
        f"FROM response r WHERE r.wave IN ({_waves(waves)}) "
        "GROUP BY r.wave, r.unit, r.service_point"
    )
    return [(int(w), int(u), None if p is None else int(p), int(n)) for w, u, p, n in rows]


async def service_point_moments(
    waves: list[int], mapping: list[tuple[int, str, str, int, int, bool]]
) -> list[tuple[int, int, int, str, int, float, float]]:
    """(wave, unit, service point, value, persons, Σ score, Σ score²): each person's value score
    (the query of `value_scores`) summed per unit and service point."""
    if not mapping:
        return []
    sql, arguments = _person_scores(waves, mapping, "/")
    rows = await fetch_tuples(
        "SELECT p.wave, p.unit, r.service_point, p.value_key, COUNT(*), SUM(p.score), SUM(p.score * p.score) "
        f"FROM ({sql}) p JOIN response r ON r.id = p.response WHERE r.service_point IS NOT NULL "
        "GROUP BY p.wave, p.unit, r.service_point, p.value_key",
        *arguments,
    )
    return [
        (int(wave), int(unit), int(point), key, int(n), float(total), float(squares))
        for wave, unit, point, key, n, total, squares in rows
    ]
