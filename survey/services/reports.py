"""The data of the reports: the department trend report and the organisation overview."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from survey.domain.anonymity import suppress
from survey.domain.figures import HiddenFigure, OrganisationOverview, UnitFigures
from survey.services.figures import organisation_overview, unit_figures
from survey.store import counts as store
from survey.store import org as org_store
from survey.store import waves as wave_store

__all__ = ["DepartmentData", "department_data", "overview_data", "report_comments"]

Progress = Callable[[str], None]


async def report_comments(figures: UnitFigures) -> list[str] | HiddenFigure:
    """The latest wave's comments of the unit's subtree, only where it reaches k_text."""
    latest = await wave_store.get_wave(figures.waves[-1].wave)
    assert latest is not None
    units = await org_store.list_units()
    unit = next(u for u in units if u.key == figures.unit)
    per_unit: dict[int, int] = defaultdict(int)
    for row in await store.respondents([latest.id]):
        per_unit[row.unit] = row.respondents
    subtree = {u.key: sum(per_unit[v.id] for v in units if v.path.startswith(u.path)) for u in units}
    hidden = suppress(subtree, {u.key: u.parent for u in units}, latest.k_text)
    if figures.unit in hidden or subtree.get(figures.unit, 0) < latest.k_text:
        h = hidden.get(figures.unit)
        reason = h.reason if h else "below_k"
        return HiddenFigure(True, reason, f"comments are shown from {latest.k_text} respondents on")
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
