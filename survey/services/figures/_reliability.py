"""Reliability of each value's items per wave (Cronbach's α, McDonald's ω), from the answers of
the unit's people in the waves where the unit is shown."""

from __future__ import annotations

import math
from collections import defaultdict

from survey.domain.figures import Reliability, WaveReliability
from survey.services.figures._context import UnitContext
from survey.services.figures._mapping import scale_range
from survey.services.figures._scores import r
from survey.services.figures._suppression import hidden_figure
from survey.stats import cronbach_alpha, omega_total
from survey.store import counts as store
from survey.store.waves import Wave

__all__ = ["reliability_by_wave"]

#: per wave: respondent → item → answer on 0–100 (reversed items turned round)
_Matrices = dict[int, dict[str, dict[str, float]]]


async def _answer_matrices(ctx: UnitContext) -> _Matrices:
    """The answers of the waves where the unit is shown and has respondents; no others are read."""
    unit = ctx.unit
    shown_waves = [
        w
        for w in ctx.waves
        if not ctx.view.scores(w.id, unit.key) and ctx.view.respondents(w.id, unit.key) > 0
    ]
    wanted = sorted(
        {i.id for w in shown_waves for i in ctx.version(w).items if not ctx.version(w).scale_of(i).is_text}
    )
    matrices: _Matrices = defaultdict(lambda: defaultdict(dict))
    if not (shown_waves and wanted):
        return matrices
    members = {w.id: ctx.view.members(unit.key, w.id) for w in shown_waves}
    scope = frozenset().union(*members.values())
    rows = await store.answers_by_respondent([w.id for w in shown_waves], wanted, units=scope)
    for response, wave_id, unit_id, item, answer in rows:
        if unit_id not in members[wave_id]:
            continue
        version = next(ctx.version(w) for w in shown_waves if w.id == wave_id)
        low, high = scale_range(version, item)
        reverse = version.item(item).reverse
        matrices[wave_id][response][item] = (high - answer if reverse else answer - low) / (high - low) * 100
    return matrices


def _of_wave(ctx: UnitContext, wave: Wave, value: str, matrices: _Matrices) -> WaveReliability:
    version = ctx.version(wave)
    h = ctx.view.scores(wave.id, ctx.unit.key)
    items = [i.id for i in version.items if value in i.values and not version.scale_of(i).is_text]
    if h and items:
        return WaveReliability(wave.key, hidden_figure(h))
    rows = [
        [row.get(i, math.nan) for i in items]
        for row in matrices[wave.id].values()
        if any(i in row for i in items)
    ]
    if len(items) < 2 or len(rows) < 2:
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
