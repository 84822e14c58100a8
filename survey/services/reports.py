"""The reports: the department trend report and the organisation overview, data and file.

One path for the command line (`survey report`) and the web (the dashboard's report pages, built
in the report processes of `survey.web.report_worker`): the figures come from
`survey.services.figures` (already suppressed), the HTML from `survey.report.render`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import msgspec

from survey.domain.comments import CommentSummary
from survey.domain.effects import MeasureSummary
from survey.domain.figures import HiddenFigure, OrganisationOverview, UnitFigures
from survey.report.render import department_html, overview_html
from survey.services.comments import comment_summary
from survey.services.figures import (
    organisation_overview,
    overview_in_language,
    overview_within,
    read_once,
    unit_figures,
    unit_in_language,
)
from survey.services.measure_results import kommune_measures, summaries, unit_measures
from survey.store import org as org_store
from survey.store import waves as wave_store

__all__ = [
    "BuiltReport",
    "DepartmentData",
    "citizens_overview",
    "department_data",
    "department_report",
    "overview_data",
    "overview_report",
]

Progress = Callable[[str], None]


def _silent(_: str) -> None:
    """No progress to show (the web)."""


@dataclass(frozen=True)
class DepartmentData:
    figures: UnitFigures
    comments: CommentSummary | HiddenFigure
    kommune: str
    #: the unit's measures (owned by it or a unit below it) with their effect checks
    measures: list[MeasureSummary] = field(default_factory=list)


async def department_data(
    unit: str,
    *,
    questionnaire: str = "staff-pulse",
    last: int | None = None,
    progress: Progress | None = None,
    language: str = "de",
) -> DepartmentData:
    """Everything the department report shows (rendering is survey.report's part), its value names
    and item texts in `language`."""
    report = progress or _silent
    report("Zahlen")
    figures = await unit_in_language(await unit_figures(unit, questionnaire, last), language)
    report("Kommentare")
    comments = await comment_summary(figures, language)
    measures = summaries(await unit_measures(unit, questionnaire, language))
    return DepartmentData(figures, comments, await org_store.kommune_name() or "", measures)


async def overview_data(
    questionnaire: str = "staff-pulse", language: str = "de", within: str | None = None
) -> tuple[OrganisationOverview, str]:
    """The organisation overview, or its rows inside one unit (a Dezernat), in `language`."""
    overview = await organisation_overview(questionnaire)
    if within is not None:
        overview = await overview_within(overview, within)
    return await overview_in_language(overview, language), await org_store.kommune_name() or ""


async def citizens_overview(language: str, within: str | None = None) -> OrganisationOverview | None:
    """The citizens' view beside a staff overview: the newest citizen questionnaire with a closed
    wave, its rows limited to the units with a service point in their subtree (and to `within`);
    None where citizens have not rated yet."""
    closed = [w for w in await wave_store.list_waves() if w.audience == "citizen" and w.status == "closed"]
    if not closed:
        return None
    overview = await organisation_overview(closed[-1].questionnaire)
    if within is not None:
        overview = await overview_within(overview, within)
    units = {u.key: u for u in await org_store.list_units()}
    served = {units[p.unit].path for p in await org_store.list_service_points() if p.unit in units}
    rows = [
        row
        for row in overview.rows
        if row.unit in units and any(path.startswith(units[row.unit].path) for path in served)
    ]
    overview = msgspec.structs.replace(overview, rows=rows)
    return await overview_in_language(overview, language)


# --- the reports themselves: one path for `survey report` and the pages ----------------------------


@dataclass(frozen=True)
class BuiltReport:
    html: str
    #: the latest wave's key and how many comments the report shows; None where they are hidden
    wave: str = ""
    comments: int | None = None


#: rendered reports by their content, per process: a report of unchanged figures is rendered once
_RENDERED: OrderedDict[bytes, str] = OrderedDict()
_RENDERED_KEPT = 32


async def _rendered(content: tuple[Any, ...], render: Callable[[], str]) -> str:
    key = hashlib.sha256(msgspec.json.encode(content)).digest()
    html = _RENDERED.get(key)
    if html is None:
        # rendering is seconds of CPU (the charts): off the event loop
        html = await anyio.to_thread.run_sync(render)
        _RENDERED[key] = html
        while len(_RENDERED) > _RENDERED_KEPT:
            _RENDERED.popitem(last=False)
    _RENDERED.move_to_end(key)
    return html


@read_once
async def department_report(
    unit: str,
    questionnaire: str,
    language: str,
    today: dt.date,
    *,
    last: int | None = None,
    progress: Progress | None = None,
) -> BuiltReport:
    """The department trend report of a unit as one self-contained HTML file (`survey report`
    and the dashboard's report page alike); `last` keeps only the last N waves."""
    data = await department_data(
        unit, questionnaire=questionnaire, last=last, progress=progress, language=language
    )
    (progress or _silent)("Diagramme")
    html = await _rendered(
        ("department", language, today, data.kommune, data.figures, data.comments, data.measures),
        functools.partial(
            department_html,
            data.figures,
            kommune=data.kommune,
            comments=data.comments,
            language=language,
            generated_on=today,
            measures=data.measures,
        ),
    )
    wave = data.figures.waves[-1].wave if data.figures.waves else ""
    return BuiltReport(html, wave, data.comments.total if isinstance(data.comments, CommentSummary) else None)


@read_once
async def overview_report(
    questionnaire: str,
    language: str,
    today: dt.date,
    within: str | None = None,
    with_citizens: bool = False,
    link: str | None = None,
    *,
    progress: Progress | None = None,
) -> BuiltReport:
    """The organisation overview (or a Dezernat's, `within`) as one self-contained HTML file; with
    the citizens' view beside a staff questionnaire where `with_citizens`; `link` is the address of
    a unit's page, with {unit} and {questionnaire} in it (the app's pages; none in a file)."""
    figures, kommune = await overview_data(questionnaire, language, within)
    citizens = (
        await citizens_overview(language, within) if with_citizens and figures.audience == "staff" else None
    )
    found = await (
        unit_measures(within, questionnaire, language)
        if within
        else kommune_measures(questionnaire, language)
    )
    measures = summaries(found)
    links: dict[str, str] = {}
    if link is not None:
        for table in (figures, citizens):
            for row in table.rows if table else []:
                links[f"{table.questionnaire}:{row.unit}"] = link.format(
                    unit=row.unit, questionnaire=table.questionnaire
                )
    (progress or _silent)("Diagramme")
    html = await _rendered(
        ("overview", language, today, kommune, figures, citizens, links, measures),
        functools.partial(
            overview_html,
            figures,
            kommune=kommune,
            language=language,
            generated_on=today,
            citizens=citizens,
            links=links,
            measures=measures,
        ),
    )
    return BuiltReport(html)
