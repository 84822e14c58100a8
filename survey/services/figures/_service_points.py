"""Figures per service point: the citizens' ratings of each place where they are served, for the
public pages, with the suppression of survey.domain.service_points applied first.

Counts and value sums per service point come from one grouped query each (survey.store.counts);
what the dashboard hides of the units (`Visibility`, over the questionnaire's closed waves) goes
into the service points' own suppression, so that no figure here, next to the dashboard's, gives
back what the dashboard hides. Scores, changes and trends are built as a unit's are (means with
their interval from the sums; Welch's test with Benjamini–Hochberg across the service point's
tests; Mann–Kendall from five waves on).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from survey.domain.anonymity import Hidden
from survey.domain.figures import CONTACTS_NOT_RECORDED, Change, HiddenFigure, Score, WavePoint, WaveSummary
from survey.domain.service_points import (
    PointGroups,
    PointValue,
    ServicePointFigures,
    suppress_service_points,
)
from survey.services.figures._adjustment import Tests
from survey.services.figures._cache import cached
from survey.services.figures._context import load_versions, value_names_of
from survey.services.figures._mapping import value_mapping
from survey.services.figures._scores import Moments, score_of_moments, value_change_of_moments
from survey.services.figures._suppression import Visibility, closed_waves, hidden_figure, visibility
from survey.services.figures._suppression import waves_with_figures as _history
from survey.store import counts as store
from survey.store import org as org_store
from survey.store.org import StoredServicePoint, StoredUnit
from survey.store.waves import Wave

__all__ = ["service_point_figures"]

#: (wave id, service point id) → respondents at the service point, counted for its unit
_Counts = dict[tuple[int, int], int]


async def service_point_figures(questionnaire: str = "citizen-contact") -> list[ServicePointFigures]:
    """Every active service point's figures over the closed waves of `questionnaire`, in the
    organisation file's order. `NoClosedWave` where none has closed yet. Kept: a new answer in an
    open wave does not compute them again."""
    return await cached(
        ("service_points", questionnaire),
        lambda: _service_point_figures(questionnaire),
        kept=True,
        closed_waves=True,
    )


@dataclass(frozen=True)
class _Data:
    #: the closed waves, oldest first: an open wave changes nothing of their suppression
    waves: list[Wave]
    units: dict[str, StoredUnit]
    view: Visibility
    counts: _Counts
    #: (wave id, service point id, value) → the sums of its persons' value scores
    moments: dict[tuple[int, int, str], Moments]


def _rest(d: _Data, wave: Wave, unit: StoredUnit, points: list[StoredServicePoint]) -> int:
    """The unit's respondents that neither its service points nor its shown sub-units hold."""
    shown_kids = sum(
        d.view.respondents(wave.id, kid.key)
        for kid in d.units.values()
        if kid.parent == unit.key and d.view.scores(wave.id, kid.key) is None
    )
    at_points = sum(d.counts.get((wave.id, p.id), 0) for p in points)
    return max(d.view.respondents(wave.id, unit.key) - shown_kids - at_points, 0)


def _hidden(d: _Data, points: list[StoredServicePoint]) -> dict[tuple[int, str], Hidden]:
    """(wave id, service point key) → why its figures are hidden, for every closed wave."""
    by_unit: dict[str, list[StoredServicePoint]] = defaultdict(list)
    for point in points:
        if point.unit in d.units:
            by_unit[point.unit].append(point)
    out: dict[tuple[int, str], Hidden] = {}
    for unit_key, at_unit in by_unit.items():
        unit = d.units[unit_key]
        rounds = [
            PointGroups(
                {p.key: d.counts.get((w.id, p.id), 0) for p in at_unit},
                _rest(d, w, unit, at_unit),
                w.k,
                w.status == "open",
                d.view.scores(w.id, unit.key),
            )
            for w in d.waves
        ]
        for wave, hidden in zip(d.waves, suppress_service_points(rounds), strict=True):
            out.update({(wave.id, key): h for key, h in hidden.items()})
    return out


def _summaries(
    d: _Data, point: StoredServicePoint, hidden: dict[tuple[int, str], Hidden]
) -> list[WaveSummary]:
    summaries = []
    for wave in d.waves:
        h = hidden.get((wave.id, point.key))
        n = d.counts.get((wave.id, point.id), 0)
        citizen = wave.audience != "staff"
        summaries.append(
            WaveSummary(
                wave.key,
                wave.title,
                wave.opens_on,
                wave.closes_on,
                wave.version,
                hidden_figure(h) if h else n,
                None,
                None,
                wave.audience,
                CONTACTS_NOT_RECORDED if citizen else None,
            )
        )
    return summaries


@dataclass
class _Pending:
    value: str
    name: str
    series: list[WavePoint]
    change: Change | HiddenFigure | None
    change_test: tuple[int | None, dict] | None
    trend_points: list[float]
    asked: bool


def _value(
    d: _Data,
    point: StoredServicePoint,
    value: str,
    name: str,
    hidden: dict[tuple[int, str], Hidden],
    mapping: tuple[dict[tuple[int, str], bool], set[tuple[int, str]]],
    tests: Tests,
) -> _Pending:
    breaks, not_asked = mapping
    series: list[WavePoint] = []
    trend_points: list[float] = []
    for wave in d.waves:
        h = hidden.get((wave.id, point.key))
        asked = (wave.id, value) not in not_asked
        shown = (
            None
            if not asked
            else hidden_figure(h)
            if h
            else score_of_moments(d.moments.get((wave.id, point.id, value)))
        )
        broken = breaks.get((wave.id, value), False)
        series.append(WavePoint(wave.key, wave.title, wave.opens_on, wave.version, shown, broken, asked))
        if isinstance(shown, Score) and not broken:
            trend_points.append(shown.mean)
    change: Change | HiddenFigure | None = None
    test = None
    if len(d.waves) > 1 and series[-1].asked and series[-2].asked:
        latest, previous = d.waves[-1], d.waves[-2]
        if hidden.get((previous.id, point.key)) or hidden.get((latest.id, point.key)):
            change = hidden_figure(Hidden("other_side_hidden", latest.k))
        else:
            x = d.moments.get((previous.id, point.id, value))
            y = d.moments.get((latest.id, point.id, value))
            if x and y and x[0] >= 2 and y[0] >= 2 and not breaks.get((latest.id, value)):
                data = value_change_of_moments(x, y)
                test = (tests.add(data["p"]), data)
    asked_any = any(p.asked for p in series)
    return _Pending(value, name, series, change, test, trend_points, asked_any)


def _figures(
    d: _Data,
    questionnaire: str,
    point: StoredServicePoint,
    value_names: dict[str, str],
    hidden: dict[tuple[int, str], Hidden],
    mapping: tuple[dict[tuple[int, str], bool], set[tuple[int, str]]],
) -> ServicePointFigures:
    tests = Tests()
    drafts = [_value(d, point, v, name, hidden, mapping, tests) for v, name in value_names.items()]
    trends = [tests.pending_trend(draft.trend_points) for draft in drafts]
    values = []
    for draft, (trend, index) in zip(drafts, trends, strict=True):
        change = draft.change if draft.change_test is None else tests.change(*draft.change_test)
        values.append(
            PointValue(
                draft.value,
                draft.name,
                draft.series,
                draft.series[-1].score,
                change,
                tests.trend(trend, index),
                draft.asked,
            )
        )
    unit = d.units[point.unit]
    sole = all(d.counts.get((w.id, point.id), 0) == d.view.respondents(w.id, unit.key) for w in d.waves)
    return ServicePointFigures(
        point.key,
        point.name,
        point.unit,
        questionnaire,
        _summaries(d, point, hidden),
        values,
        d.waves[-1].k,
        len(tests.raw),
        sole,
    )


def _sums(
    rows: Iterable[tuple[int, int, int, str, int, float, float]],
    points: dict[int, StoredServicePoint],
    units: dict[int, str],
) -> dict[tuple[int, int, str], Moments]:
    """Only the answers a service point took for its own unit count as its figures."""
    return {
        (wave, point, value): (n, total, squares)
        for wave, unit, point, value, n, total, squares in rows
        if point in points and units.get(unit) == points[point].unit
    }


async def _service_point_figures(questionnaire: str) -> list[ServicePointFigures]:
    waves = closed_waves(await _history(questionnaire), questionnaire)
    all_units = await org_store.list_units()
    view = await visibility(waves, all_units, {u.key: u.parent for u in all_units})
    points = [p for p in await org_store.list_service_points() if p.active]
    by_id = {p.id: p for p in points}
    unit_keys = {u.id: u.key for u in all_units}
    counts = {
        (wave, point): n
        for wave, unit, point, n in await store.service_point_respondents([w.id for w in waves])
        if point in by_id and unit_keys.get(unit) == by_id[point].unit
    }
    versions = await load_versions(questionnaire, waves)
    newest = versions[waves[-1].version]
    assert newest is not None
    value_names = await value_names_of(newest)
    mapping, breaks, not_asked = value_mapping(waves, versions, newest, list(value_names))
    moments = _sums(await store.service_point_moments([w.id for w in waves], mapping), by_id, unit_keys)
    d = _Data(waves, {u.key: u for u in all_units}, view, counts, moments)
    hidden = _hidden(d, points)
    return [
        _figures(d, questionnaire, p, value_names, hidden, (breaks, not_asked))
        for p in points
        if p.unit in d.units
    ]
