"""Measures with their effect check, as the dashboard, the department report and the overviews
show them: a unit's measures, and every measure per value across the Kommune.

The effect checks always run over every measure of the Kommune together (one Benjamini–Hochberg
family, `survey.services.figures.measure_effects`), and the pages pick theirs: a measure's verdict
is then the same on every page and in every report that shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.domain.effects import MeasureEffect, MeasureSummary
from survey.services.figures import measure_effects, measure_effects_in_language
from survey.services.measures import Measure, owned_measures, owned_within
from survey.store import waves as wave_store

__all__ = ["MeasureResult", "kommune_measures", "measure_checks", "summaries", "unit_measures"]


@dataclass(frozen=True)
class MeasureResult:
    """A measure (its confirmed owners only) and its effect check on one questionnaire."""

    measure: Measure
    effect: MeasureEffect

    def summary(self) -> MeasureSummary:
        m = self.measure
        return MeasureSummary(
            m.id, m.title, m.status, m.starts_on, [o.name for o in m.owners], list(self.effect.values)
        )


def summaries(results: list[MeasureResult]) -> list[MeasureSummary]:
    """The measures as the reports list them."""
    return [r.summary() for r in results]


async def _results(questionnaire: str, language: str) -> list[MeasureResult]:
    measures = await owned_measures()
    effects = await measure_effects_in_language(await measure_effects(measures, questionnaire), language)
    by_id = {e.measure: e for e in effects}
    return [MeasureResult(m, by_id[m.id]) for m in measures if m.id in by_id]


async def unit_measures(unit: str, questionnaire: str, language: str = "de") -> list[MeasureResult]:
    """The measures owned by `unit` or a unit below it, newest start first."""
    results = await _results(questionnaire, language)
    mine = {m.id for m in await owned_within([r.measure for r in results], [unit])}
    found = [r for r in results if r.measure.id in mine]
    return sorted(found, key=lambda r: (r.measure.starts_on, r.measure.id), reverse=True)


async def kommune_measures(questionnaire: str, language: str = "de") -> list[MeasureResult]:
    """Every measure of the Kommune with its check, newest start first."""
    found = await _results(questionnaire, language)
    return sorted(found, key=lambda r: (r.measure.starts_on, r.measure.id), reverse=True)


async def measure_checks(measure_id: int, language: str = "de") -> list[tuple[str, MeasureResult]]:
    """One measure's effect checks, per audience whose questionnaire has closed waves (staff
    first, then citizens): [(audience, result)]; none while no unit has confirmed it."""
    closed = [w for w in await wave_store.list_waves() if w.status == "closed"]
    found = []
    for audience in ("staff", "citizen"):
        questionnaires = [w.questionnaire for w in closed if w.audience == audience]
        if questionnaires:
            mine = [r for r in await _results(questionnaires[-1], language) if r.measure.id == measure_id]
            found += [(audience, r) for r in mine]
    return found
