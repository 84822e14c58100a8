"""The data of the reports: the department trend report and the organisation overview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from survey.domain.figures import HiddenFigure, OrganisationOverview, UnitFigures
from survey.services.figures import (
    organisation_overview,
    suppressed_history,
    unit_figures,
    waves_with_figures,
)
from survey.store import counts as store
from survey.store import org as org_store
from survey.store import waves as wave_store

__all__ = ["DepartmentData", "department_data", "overview_data", "report_comments"]

Progress = Callable[[str], None]


async def report_comments(figures: UnitFigures) -> list[str] | HiddenFigure:
    """The latest wave's comments of the unit's subtree, only where it reaches k_text and the
    suppression at k_text (over the questionnaire's whole history, as for the figures) shows it."""
    latest = await wave_store.get_wave(figures.waves[-1].wave)
    assert latest is not None
    units = await org_store.list_units()
    unit = next(u for u in units if u.key == figures.unit)
    history = await waves_with_figures(latest.questionnaire)
    subtree, _, hidden_text, _ = await suppressed_history(history, units, {u.key: u.parent for u in units})
    h = hidden_text[latest.id].get(figures.unit)
    if h or subtree[latest.id].get(figures.unit, 0) < latest.k_text:
        reason = h.reason if h else "below_k"
        explanation = f"comments are shown from {latest.k_text} respondents on"
        if h and h.reason != "below_k":
            explanation = h.explain()
        return HiddenFigure(True, reason, explanation)
    return await store.comments(latest.id, unit.path)


@dataclass(frozen=True)
class DepartmentData:
    figures: UnitFigures
    comments: list[str] | HiddenFigure
    kommune: str


async def department_data(
    unit: str,
    *,
    questionnaire: str = "staff-pulse",
    last: int | None = None,
    progress: Progress | None = None,
) -> DepartmentData:
    """Everything the department report shows (rendering is survey.report's part)."""
    report = progress or (lambda _: None)
    report("Zahlen")
    figures = await unit_figures(unit, questionnaire, last)
    report("Kommentare")
    comments = await report_comments(figures)
    return DepartmentData(figures, comments, await org_store.kommune_name() or "")


async def overview_data(questionnaire: str = "staff-pulse") -> tuple[OrganisationOverview, str]:
    return await organisation_overview(questionnaire), await org_store.kommune_name() or ""
