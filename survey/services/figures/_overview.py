"""The organisation overview: every Dezernat and Fachbereich (and the whole administration) ×
values, the latest wave's scores and their change since the previous wave."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from survey.domain import QuestionnaireVersion
from survey.domain.anonymity import Hidden
from survey.domain.figures import (
    CONTACTS_NOT_RECORDED,
    Change,
    HiddenFigure,
    OrganisationOverview,
    OverviewRow,
    Score,
    Trend,
)
from survey.errors import N_, SurveyError
from survey.services.figures._adjustment import Tests
from survey.services.figures._cache import cached, organisation_moments
from survey.services.figures._context import load_versions, value_names_of
from survey.services.figures._mapping import moments_by_members, value_mapping
from survey.services.figures._scores import (
    Moments,
    rate,
    rate_base,
    score_of_moments,
    value_change_of_moments,
)
from survey.services.figures._suppression import (
    Visibility,
    closed_waves,
    hidden_figure,
    visibility,
    waves_with_figures,
)
from survey.store import org as org_store
from survey.store.org import StoredUnit
from survey.store.waves import Wave

__all__ = ["organisation_overview", "overview_within"]

_SHOWN_KINDS = ("Verwaltung", "Dezernat", "Fachbereich")


async def organisation_overview(questionnaire: str = "staff-pulse") -> OrganisationOverview:
    """Every Dezernat and Fachbereich (and the whole administration) × values: the latest closed
    wave's scores and their change since the closed wave before, with the same suppression as
    everywhere (over all closed waves). Kept: a new answer in an open wave does not compute it
    again."""
    return await cached(
        ("overview", questionnaire),
        lambda: _organisation_overview(questionnaire),
        kept=True,
        closed_waves=True,
    )


@dataclass(frozen=True)
class _Overview:
    units: list[StoredUnit]
    #: every closed wave, oldest first: the trend runs over them, the cells show the last two
    waves: list[Wave]
    latest: Wave
    previous: Wave | None
    value_names: dict[str, str]
    view: Visibility
    breaks: dict[tuple[int, str], bool]
    not_asked: set[tuple[int, str]]
    #: (wave, row's unit key, value) → sums of the row's subtree
    sums: dict[tuple[int, str, str], Moments]
    #: the newest version's title, in German
    title: str


def _row_value(
    o: _Overview,
    unit: StoredUnit,
    value: str,
    tests: Tests,
    pending: dict[tuple[str, str], tuple[int | None, dict]],
) -> tuple[Score | HiddenFigure | None, HiddenFigure | None]:
    """One cell: the score and, where shown, why the change is hidden; a change to test goes to
    `pending` until all of the overview's tests are adjusted together."""
    latest, previous = o.latest, o.previous
    if (latest.id, value) in o.not_asked:  # nobody was asked: nothing to show or hide
        return None, None
    h_now = o.view.scores(latest.id, unit.key)
    h_before = o.view.scores(previous.id, unit.key) if previous else None
    cell = hidden_figure(h_now) if h_now else score_of_moments(o.sums.get((latest.id, unit.key, value)))
    if previous is None or o.breaks.get((latest.id, value)) or (previous.id, value) in o.not_asked:
        return cell, None
    if h_now or h_before:
        return cell, hidden_figure(Hidden("other_side_hidden", latest.k))
    x, y = o.sums.get((previous.id, unit.key, value)), o.sums.get((latest.id, unit.key, value))
    if x is not None and y is not None and x[0] >= 2 and y[0] >= 2:
        data = value_change_of_moments(x, y)
        pending[(unit.key, value)] = (tests.add(data["p"]), data)
    return cell, None


def _trend_points(o: _Overview, unit: StoredUnit, value: str) -> list[float]:
    """The row's means of a value in the closed waves where its score is shown, asked and
    comparable with the newest version (as on the unit's own page)."""
    points = []
    for wave in o.waves:
        if (
            o.view.scores(wave.id, unit.key)
            or (wave.id, value) in o.not_asked
            or o.breaks.get((wave.id, value))
        ):
            continue
        shown = score_of_moments(o.sums.get((wave.id, unit.key, value)))
        if shown is not None:
            points.append(shown.mean)
    return points


def _row(
    o: _Overview,
    unit: StoredUnit,
    tests: Tests,
    pending: dict[tuple[str, str], tuple[int | None, dict]],
    trends: dict[tuple[str, str], tuple[Trend, int | None]],
) -> OverviewRow:
    latest = o.latest
    h_count = o.view.counts(latest.id, unit.key)
    n = o.view.respondents(latest.id, unit.key)
    headcount = rate_base(latest.audience, o.view.headcount(latest.id, unit.key))
    row_scores: dict[str, Score | HiddenFigure | None] = {}
    row_changes: dict[str, Change | HiddenFigure | None] = {}
    for value in o.value_names:
        row_scores[value], row_changes[value] = _row_value(o, unit, value, tests, pending)
        if (latest.id, value) not in o.not_asked:
            trends[(unit.key, value)] = tests.pending_trend(_trend_points(o, unit, value))
    return OverviewRow(
        unit.key,
        unit.name,
        unit.kind,
        unit.depth,
        hidden_figure(h_count) if h_count else n,
        headcount,
        rate(n, headcount, h_count),
        row_scores,
        row_changes,
        CONTACTS_NOT_RECORDED if headcount is None else None,
    )


async def _load(questionnaire: str) -> tuple[_Overview, list[StoredUnit]]:
    units = await org_store.list_units()
    if not units:
        raise SurveyError(N_("no organisation yet"), hint="run `survey org import FILE` first")
    parents = {u.key: u.parent for u in units}
    history = await waves_with_figures(questionnaire)
    # the closed waves (an open wave shows participation only); cells show the last two
    waves = closed_waves(history, questionnaire)
    versions = await load_versions(questionnaire, waves)
    newest: QuestionnaireVersion = versions[waves[-1].version]  # type: ignore[assignment]
    value_names = await value_names_of(newest)
    view = await visibility(waves, units, parents)
    rows_units = [u for u in units if u.kind in _SHOWN_KINDS]
    mapping, breaks, not_asked = value_mapping(waves, versions, newest, list(value_names))
    # sums per unit from the database, added up per row's series: no row per person
    sums = moments_by_members(
        await organisation_moments([w.id for w in waves], mapping),
        {u.key: {w.id: view.members(u.key, w.id) for w in waves} for u in rows_units},
    )
    previous = waves[-2] if len(waves) >= 2 else None
    title = newest.title.get("de") or next(iter(newest.title.values()), questionnaire)
    o = _Overview(units, waves, waves[-1], previous, value_names, view, breaks, not_asked, sums, title)
    return o, rows_units


async def _organisation_overview(questionnaire: str) -> OrganisationOverview:
    o, rows_units = await _load(questionnaire)
    tests = Tests()
    pending: dict[tuple[str, str], tuple[int | None, dict]] = {}
    trends: dict[tuple[str, str], tuple[Trend, int | None]] = {}
    rows = [_row(o, unit, tests, pending, trends) for unit in rows_units]
    final = []
    for row in rows:
        changes = dict(row.changes)
        for value in o.value_names:
            if (row.unit, value) in pending:
                changes[value] = tests.change(*pending[(row.unit, value)])
        row_trends = {
            v: tests.trend(*trends[(row.unit, v)]) for v in o.value_names if (row.unit, v) in trends
        }
        final.append(msgspec.structs.replace(row, changes=changes, trends=row_trends))
    latest = o.latest
    return OrganisationOverview(
        questionnaire,
        latest.key,
        latest.title,
        o.previous.key if o.previous else None,
        o.value_names,
        final,
        latest.k,
        len(tests.raw),
        latest.audience,
        [value for value in o.value_names if (latest.id, value) in o.not_asked],
        o.title,
    )


async def overview_within(overview: OrganisationOverview, unit: str) -> OrganisationOverview:
    """The overview's rows inside `unit`'s subtree (a Dezernat and its Fachbereiche), side by side.
    Computed on the whole organisation: the same suppression and the same adjusted tests as the
    organisation overview, so no figure differs between the two."""
    units = {u.key: u for u in await org_store.list_units()}
    top = units.get(unit)
    if top is None:
        raise SurveyError(N_("there is no unit %(unit)s"), unit=unit)
    inside = {key for key, u in units.items() if u.path.startswith(top.path)}  # paths end in "/"
    return msgspec.structs.replace(overview, rows=[r for r in overview.rows if r.unit in inside])
