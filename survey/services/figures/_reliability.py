"""Reliability of each value's items per wave (Cronbach's α, McDonald's ω), from the answers of
the unit's people in the waves where the unit is shown."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from survey.domain.figures import Reliability, WaveReliability
from survey.services.figures._context import UnitContext
from survey.services.figures._mapping import scale_range
from survey.services.figures._scores import r
from survey.services.figures._suppression import hidden_figure
from survey.stats import cronbach_alpha, omega_total
from survey.store import counts as store
from survey.store.waves import Wave

__all__ = ["reliability_by_wave"]

#: per wave: each item's column, and a respondents × items matrix of the answers on 0–100
#: (reversed items turned round; NaN: not answered)
_Matrices = dict[int, tuple[dict[str, int], np.ndarray]]


async def _answer_matrices(ctx: UnitContext) -> _Matrices:
    """The answers of the waves where the unit is shown and has respondents; no others are read."""
    unit = ctx.unit
    shown_waves = [
        w
        for w in ctx.waves
        if not ctx.view.scores(w.id, unit.key) and ctx.view.respondents(w.id, unit.key) > 0
    ]
    # per wave, once: each item's column, its scale's range and whether it is reversed (the rows
    # are one per answer, hundreds of thousands at a large Kommune)
    columns: dict[int, dict[str, int]] = {}
    ranges: dict[tuple[int, str], tuple[int, int, bool]] = {}
    for w in shown_waves:
        version = ctx.version(w)
        asked = [i for i in version.items if not version.scale_of(i).is_text]
        columns[w.id] = {i.id: j for j, i in enumerate(asked)}
        ranges.update({(w.id, i.id): (*scale_range(version, i.id), i.reverse) for i in asked})
    wanted = sorted({item for by_item in columns.values() for item in by_item})
    if not (shown_waves and wanted):
        return {}
    members = {w.id: ctx.view.members(unit.key, w.id) for w in shown_waves}
    scope = frozenset().union(*members.values())
    people: dict[int, dict[object, int]] = defaultdict(dict)
    cells: dict[int, tuple[list[int], list[int], list[float]]] = defaultdict(lambda: ([], [], []))
    rows = await store.answers_by_respondent([w.id for w in shown_waves], wanted, units=scope)
    for response, wave_id, unit_id, item, answer in rows:
        if unit_id not in members[wave_id]:
            continue
        low, high, reverse = ranges[(wave_id, item)]
        who = people[wave_id]
        at, column, value = cells[wave_id]
        at.append(who.setdefault(response, len(who)))
        column.append(columns[wave_id][item])
        value.append((high - answer if reverse else answer - low) / (high - low) * 100)
    matrices: _Matrices = {}
    for wave_id, (at, column, value) in cells.items():
        matrix = np.full((len(people[wave_id]), len(columns[wave_id])), np.nan)
        matrix[at, column] = value
        matrices[wave_id] = (columns[wave_id], matrix)
    return matrices


def _of_wave(ctx: UnitContext, wave: Wave, value: str, matrices: _Matrices) -> WaveReliability:
    version = ctx.version(wave)
    h = ctx.view.scores(wave.id, ctx.unit.key)
    items = [i.id for i in version.items if value in i.values and not version.scale_of(i).is_text]
    if h and items:
        return WaveReliability(wave.key, hidden_figure(h))
    columns, matrix = matrices.get(wave.id, ({}, np.empty((0, 0))))
    if len(items) < 2 or not columns:
        return WaveReliability(wave.key, None)
    rows = matrix[:, [columns[i] for i in items]]
    rows = rows[~np.isnan(rows).all(axis=1)]  # who answered none of them is no row
    if len(rows) < 2:
        return WaveReliability(wave.key, None)
    alpha = cronbach_alpha(rows)
    omega = omega_total(rows) if len(items) >= 3 else None
    return WaveReliability(
        wave.key,
        Reliability(
            len(items), r(alpha.alpha), r(alpha.low), r(alpha.high), r(omega.omega) if omega else None
        ),
    )


async def reliability_by_wave(ctx: UnitContext) -> dict[str, list[WaveReliability]]:
    """Per value: its reliability in each wave shown, oldest first."""
    matrices = await _answer_matrices(ctx)
    by_wave: dict[str, list[WaveReliability]] = defaultdict(list)
    for wave in ctx.waves:
        for value in ctx.value_names:
            by_wave[value].append(_of_wave(ctx, wave, value, matrices))
    return by_wave
