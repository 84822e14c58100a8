"""Figures of one unit across waves: what a department lead reads, with anonymity applied first.

Everything here comes from count tables and one grouped query of value scores per person
(survey.store.counts); the statistics are survey.stats; suppression is survey.domain.anonymity,
applied to every group before any of its figures is built. A hidden figure is a `Hidden` with
its reason, never a zero or a gap.
"""

from __future__ import annotations

import math
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import msgspec
import numpy as np
from scipy.stats import t as _t

from survey.domain import QuestionnaireVersion
from survey.domain.anonymity import Hidden, WaveGroups, suppress, suppress_waves
from survey.domain.figures import (
    CONTACTS_NOT_RECORDED,
    Change,
    ChildScores,
    HiddenFigure,
    ItemFigures,
    OrganisationOverview,
    OverviewRow,
    Reliability,
    Score,
    Trend,
    UnitFigures,
    ValueFigures,
    WavePoint,
    WaveReliability,
    WaveSummary,
)
from survey.errors import N_, Code, SurveyError
from survey.stats import (
    MIN_TREND_WAVES,
    benjamini_hochberg,
    brunner_munzel_counts,
    cliffs_delta_counts,
    cronbach_alpha,
    describe,
    describe_values,
    mann_kendall,
    omega_total,
    theil_sen,
    welch,
    welch_from_summary,
    wilson,
)
from survey.store import counts as store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.catalog import load_leitbild, load_published_version
from survey.store.org import StoredUnit
from survey.store.waves import StoredWave

__all__ = [
    "ALPHA",
    "HiddenFigure",
    "Score",
    "UnitFigures",
    "organisation_overview",
    "suppressed_history",
    "unit_figures",
    "waves_with_figures",
]

#: the false discovery rate across the tests of one report
ALPHA = 0.05
_F = TypeVar("_F", UnitFigures, OrganisationOverview)


def _hidden(h: Hidden) -> HiddenFigure:
    return HiddenFigure(True, h.reason, h.explain())


@dataclass
class _Tests:
    """Every p-value one report shows, adjusted together (Benjamini–Hochberg)."""

    raw: list[float]

    def add(self, p: float | None) -> int | None:
        if p is None or math.isnan(p):
            return None
        self.raw.append(p)
        return len(self.raw) - 1


def _subtree_counts(units: list[StoredUnit], per_unit: dict[int, int]) -> dict[str, int]:
    return {u.key: sum(per_unit.get(v.id, 0) for v in units if v.path.startswith(u.path)) for u in units}


async def waves_with_figures(questionnaire: str) -> list[StoredWave]:
    """The open and closed waves of a questionnaire, oldest first; a clear error if there are none."""
    history = [
        w
        for w in await wave_store.list_waves()
        if w.questionnaire == questionnaire and w.status in ("open", "closed")
    ]
    if not history:
        raise SurveyError(
            N_("no open or closed wave of questionnaire %(questionnaire)s yet"),
            questionnaire=Code(questionnaire),
            hint="`survey wave list` shows the waves",
        )
    return history


_OWN_REASONS = ("wave_open", "few_changed")
_Counts = dict[int, dict[str, int]]
_HiddenByWave = dict[int, dict[str, Hidden]]


async def suppressed_history(
    history: list[StoredWave], units: list[StoredUnit], parents: dict[str, str | None]
) -> tuple[_Counts, _HiddenByWave, _HiddenByWave, _HiddenByWave]:
    """Per wave of a questionnaire's whole history: respondents per subtree, and what to hide of
    its scores, of its distributions and comments (k_text), and of its respondent counts (an open
    wave shows how many answered, at k, but none of their answers). Always over the whole
    history, so that the waves a reader picks do not change what is hidden."""
    people: dict[int, dict[int, int]] = defaultdict(dict)
    for row in await store.respondents([w.id for w in history]):
        people[row.wave][row.unit] = row.respondents
    subtree = {w.id: _subtree_counts(units, people[w.id]) for w in history}
    rounds = [WaveGroups(subtree[w.id], w.k, w.status == "open") for w in history]
    hidden = dict(zip((w.id for w in history), suppress_waves(rounds, parents), strict=True))
    hidden_text = {
        w.id: suppress(
            subtree[w.id],
            parents,
            w.k_text,
            {u: h for u, h in hidden[w.id].items() if h.reason in _OWN_REASONS},
        )
        for w in history
    }
    hidden_count = {
        w.id: suppress(subtree[w.id], parents, w.k) if w.status == "open" else hidden[w.id] for w in history
    }
    return subtree, hidden, hidden_text, hidden_count


def _value_change(before: list[float], after: list[float]) -> dict:
    """Welch's test on persons' value scores, with Cohen's d as the effect size."""
    result = welch(np.asarray(before), np.asarray(after))
    return _welch_change(result.difference, result.p, np.var(before, ddof=1), np.var(after, ddof=1))


def _welch_change(difference: float, p: float, var_before: float, var_after: float) -> dict:
    pooled = math.sqrt((var_before + var_after) / 2) or 1.0
    return {
        "test": "Welch",
        "difference": round(difference, 4),
        "p": p,
        "effect": round(difference / pooled, 4),
        "effect_name": "Cohen's d",
    }


def _score(values: list[float]) -> Score | None:
    if not values:
        return None
    d = describe_values(np.asarray(values), scale_min=0, scale_max=100)
    return Score(d.n, round(d.score.mean, 4), _r(d.score.low), _r(d.score.high))  # type: ignore[arg-type]


#: (persons, Σ score, Σ score²) of a group, per value
Moments = tuple[int, float, float]


def _mean_var(moments: Moments) -> tuple[float, float]:
    """Mean and variance (n − 1) from a group's sums; a spread below rounding noise is 0."""
    n, total, squares = moments
    mean = total / n
    if n < 2:
        return mean, 0.0
    variance = (squares - total * total / n) / (n - 1)
    return mean, variance if variance > 1e-9 * max(1.0, mean * mean) else 0.0


def _score_of_moments(moments: Moments | None) -> Score | None:
    """`_score` of a group known by its sums (the same mean and t-interval as describe_values)."""
    if moments is None or moments[0] == 0:
        return None
    n = moments[0]
    mean, variance = _mean_var(moments)
    if n == 1:
        return Score(1, round(mean, 4), None, None)
    half = float(_t.ppf(0.975, n - 1)) * math.sqrt(variance / n)
    return Score(n, round(mean, 4), _r(mean - half), _r(mean + half))


def _value_change_of_moments(before: Moments, after: Moments) -> dict:
    """`_value_change` of two groups known by their sums."""
    (mx, vx), (my, vy) = _mean_var(before), _mean_var(after)
    result = welch_from_summary(before[0], mx, vx, after[0], my, vy)
    return _welch_change(result.difference, result.p, vx, vy)


def _moments_by_subtree(
    rows: list[tuple[int, int, str, int, float, float]], path_of: dict[int, str], prefixes: dict[str, str]
) -> dict[tuple[int, str, str], Moments]:
    """Sum the per-unit rows of `value_moments` up to each named subtree: (wave, name, value) → sums."""
    out: dict[tuple[int, str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for wave_id, unit_id, value, n, total, squares in rows:
        path = path_of.get(unit_id, "")
        for name, prefix in prefixes.items():
            if path.startswith(prefix):
                sums = out[(wave_id, name, value)]
                sums[0] += n
                sums[1] += total
                sums[2] += squares
    return {key: (int(n), total, squares) for key, (n, total, squares) in out.items()}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _scale_range(version: QuestionnaireVersion, item_id: str) -> tuple[int, int]:
    codes = version.scale_of(version.item(item_id)).codes
    return min(codes), max(codes)


def _top_codes(version: QuestionnaireVersion, item_id: str) -> set[int]:
    scale = version.scale_of(version.item(item_id))
    if scale.type == "likert-5":
        return {4, 5}
    if scale.type == "scale-0-10":
        return {9, 10}
    return {max(scale.codes)}


async def _self_and_external(
    unit: StoredUnit,
    units: list[StoredUnit],
    parents: dict[str, str | None],
    latest: StoredWave,
    newest: QuestionnaireVersion,
    values: list[str],
) -> dict[str, tuple[Score | HiddenFigure | None, Score | HiddenFigure | None, list[str]]]:
    """Per value: staff and citizens of the unit's subtree in the same period, on shared items."""
    citizen_waves = [
        w
        for w in await wave_store.list_waves()
        if w.audience == "citizen"
        and w.status in ("open", "closed")
        and w.opens_on <= latest.closes_on
        and w.closes_on >= latest.opens_on
    ]
    if not citizen_waves:
        return {}
    citizen = citizen_waves[-1]
    version = await load_published_version(citizen.questionnaire, citizen.version)
    if version is None:
        return {}
    shared = [i for i in newest.items if i.id in set(version.item_ids) and not newest.scale_of(i).is_text]
    mapping = []
    items_of: dict[str, list[str]] = {}
    for value in values:
        for item in (i for i in shared if value in i.values):
            items_of.setdefault(value, []).append(item.id)
            low, high = _scale_range(newest, item.id)
            mapping.append((latest.id, item.id, f"self:{value}", low, high, item.reverse))
            low, high = _scale_range(version, item.id)
            mapping.append((citizen.id, item.id, f"ext:{value}", low, high, version.item(item.id).reverse))
    if not mapping:
        return {}
    per_unit: dict[int, int] = {}
    for row in await store.respondents([citizen.id]):
        per_unit[row.unit] = row.respondents
    citizen_counts = _subtree_counts(units, per_unit)
    citizen_hidden = (
        {u: Hidden("wave_open", citizen.k) for u, n in citizen_counts.items() if n > 0}
        if citizen.status == "open"  # a clerk could read the rating of the person just served
        else suppress(citizen_counts, parents, citizen.k)
    )
    staff_scores: dict[str, list[float]] = defaultdict(list)
    citizen_scores: dict[str, list[float]] = defaultdict(list)
    for _, _, _, key, score in await store.value_scores([latest.id, citizen.id], mapping, unit.path):
        side, value = key.split(":", 1)
        (staff_scores if side == "self" else citizen_scores)[value].append(score)
    result = {}
    for value, items in items_of.items():
        h = citizen_hidden.get(unit.key)
        external = _hidden(h) if h else _score(citizen_scores[value])
        result[value] = (_score(staff_scores[value]), external, items)
    return result


def _value_mapping(
    waves: list[StoredWave],
    versions: dict[int, QuestionnaireVersion | None],
    newest: QuestionnaireVersion,
    values: list[str],
) -> tuple[list[tuple[int, str, str, int, int, bool]], dict[tuple[int, str], bool], set[tuple[int, str]]]:
    """Which items count for which value in which wave: those comparable with the newest version;
    where a wave has none, its own items, and the value's line breaks there. Third: the (wave,
    value) pairs whose version has no scored item for the value, which nobody was asked."""
    mapping = []
    breaks: dict[tuple[int, str], bool] = {}
    not_asked: set[tuple[int, str]] = set()
    for wave in waves:
        version = versions[wave.version]
        assert version is not None
        comparable = _comparable(version, newest)
        for value in values:
            items = [i for i in version.items if value in i.values and not version.scale_of(i).is_text]
            common = [i for i in items if i.id in comparable]
            breaks[(wave.id, value)] = bool(items) and not common
            if not items:
                not_asked.add((wave.id, value))
            for item in common or items:
                low, high = _scale_range(version, item.id)
                mapping.append((wave.id, item.id, value, low, high, item.reverse))
    return mapping, breaks, not_asked


def _rate_base(audience: str, units: list[StoredUnit], unit: StoredUnit) -> int | None:
    """The headcount a response rate divides by: the staff of the unit's subtree. Citizens have
    none (and the contacts at service points, which would be one, are not recorded)."""
    if audience != "staff":
        return None
    return sum(u.headcount for u in units if u.path.startswith(unit.path))


def _rate(n: int, headcount: int | None, hidden: Hidden | None) -> float | HiddenFigure | None:
    if headcount is None:
        return None
    if hidden:
        return _hidden(hidden)
    return round(n / headcount, 4) if headcount else None


def _comparable(older: QuestionnaireVersion, newer: QuestionnaireVersion) -> set[str]:
    """Items with the same id in both versions: identical or editorial (the catalog's rule)."""
    if older.version == newer.version:
        return set(newer.item_ids)
    return set(older.item_ids) & set(newer.item_ids)


#: figures computed lately, by what they were asked for and the data they came from
_CACHE: OrderedDict[tuple[object, ...], UnitFigures | OrganisationOverview] = OrderedDict()
_CACHE_SIZE = 256


async def _cached(key: tuple[object, ...], compute: Callable[[], Awaitable[_F]]) -> _F:
    """Figures of unchanged data are computed once per worker: a dashboard, its report and the
    exports ask for the same ones. The data stamp makes any new answer, wave change or
    organisation change a miss, in every worker alike."""
    full_key = (*key, await store.data_stamp())
    hit = _CACHE.get(full_key)
    if hit is not None:
        _CACHE.move_to_end(full_key)
        return hit  # type: ignore[return-value]
    result = await compute()
    _CACHE[full_key] = result
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


async def _organisation_moments(
    wave_ids: list[int], mapping: list[tuple[int, str, str, int, int, bool]]
) -> list[tuple[int, int, str, int, float, float]]:
    """value_moments of the whole organisation, computed once per data stamp for every report."""
    key = ("moments", tuple(wave_ids), tuple(mapping))
    return await _cached(key, lambda: store.value_moments(wave_ids, mapping))  # type: ignore[arg-type,return-value]


async def unit_figures(
    unit_key: str, questionnaire: str = "staff-pulse", last: int | None = None, *, until: str | None = None
) -> UnitFigures:
    """The unit's figures across the waves of `questionnaire`; with `until` (a wave key), as they
    stood in that wave: the waves after it are left out, so its items are the latest ones."""
    return await _cached(
        ("unit", unit_key, questionnaire, last, until),
        lambda: _unit_figures(unit_key, questionnaire, last, until),
    )


async def _unit_figures(
    unit_key: str, questionnaire: str, last: int | None, until: str | None
) -> UnitFigures:
    units = await org_store.list_units()
    by_key = {u.key: u for u in units}
    unit = by_key.get(unit_key)
    if unit is None:
        raise SurveyError(
            N_("no unit with key %(unit)s"), unit=Code(unit_key), hint="`survey org list` shows the keys"
        )
    parents = {u.key: u.parent for u in units}
    root = next(u for u in units if u.parent is None)
    parent = by_key.get(unit.parent) if unit.parent else None

    history = await waves_with_figures(questionnaire)
    all_waves = history
    if until is not None:
        keys = [w.key for w in all_waves]
        if until not in keys:
            raise SurveyError(
                N_("%(wave)s is no open or closed wave of questionnaire %(questionnaire)s"),
                wave=Code(until),
                questionnaire=Code(questionnaire),
                hint="`survey wave list` shows the waves",
            )
        all_waves = all_waves[: keys.index(until) + 1]
    waves = all_waves[-last:] if last else all_waves
    versions = {w.version: await load_published_version(questionnaire, w.version) for w in waves}
    newest: QuestionnaireVersion = versions[waves[-1].version]  # type: ignore[assignment]
    leitbild = await load_leitbild(newest.leitbild)
    value_names = {v.key: v.name.get("de", v.key) for v in (leitbild.values if leitbild else [])}
    wave_ids = [w.id for w in waves]
    k = waves[-1].k
    k_text = waves[-1].k_text

    # --- who may be seen, per wave -----------------------------------------------------------
    subtree, hidden, hidden_text, hidden_count = await suppressed_history(history, units, parents)

    def seen(wave: StoredWave, key: str, text: bool = False, count: bool = False) -> Hidden | None:
        table = hidden_text if text else hidden_count if count else hidden
        found = table[wave.id].get(key)
        if found is None and subtree[wave.id].get(key, 0) == 0:
            return None
        return found

    tests = _Tests([])

    # --- waves -------------------------------------------------------------------------------
    audience = waves[-1].audience
    summaries = []
    for wave in waves:
        n = subtree[wave.id].get(unit.key, 0)
        h = seen(wave, unit.key, count=True)
        headcount = _rate_base(wave.audience, units, unit)
        summaries.append(
            WaveSummary(
                wave.key,
                wave.title,
                wave.opens_on,
                wave.closes_on,
                wave.version,
                _hidden(h) if h else n,
                headcount,
                _rate(n, headcount, h),
                wave.audience,
                CONTACTS_NOT_RECORDED if headcount is None else None,
            )
        )

    # --- value scores per person (one grouped query) -------------------------------------------
    mapping, breaks, not_asked = _value_mapping(waves, versions, newest, list(value_names))
    scores: dict[tuple[int, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    # per (wave, value): unit path → person scores, for the unit and its children (its subtree)
    groups = {"unit": unit.path}
    kids = [u for u in units if u.parent == unit.key]
    groups.update({f"child:{kid.key}": kid.path for kid in kids})
    path_of = {u.id: u.path for u in units}
    for _, wave_id, unit_id, value, score in await store.value_scores(wave_ids, mapping, unit.path):
        path = path_of.get(unit_id, "")
        for name, prefix in groups.items():
            if prefix and path.startswith(prefix):
                scores[(wave_id, value)][name].append(score)
    # the parent and the organisation in the latest wave: sums per unit from the database
    latest_id = waves[-1].id
    references = _moments_by_subtree(
        await _organisation_moments([latest_id], [m for m in mapping if m[0] == latest_id]),
        path_of,
        {"organisation": root.path, **({"parent": parent.path} if parent else {})},
    )

    # --- items from count tables -----------------------------------------------------------------
    latest, previous = waves[-1], (waves[-2] if len(waves) > 1 else None)
    counts: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for row in await store.count_table([w.id for w in (latest, previous) if w], unit.path):
        if row.value is not None:
            counts[(row.wave, row.item)][row.value] = (
                counts[(row.wave, row.item)].get(row.value, 0) + row.count
            )

    pending_changes: list[tuple[str, str, int | None, dict]] = []
    items_out = []
    latest_hidden = seen(latest, unit.key)
    for item in newest.items:
        scale = newest.scale_of(item)
        if scale.is_text:
            continue
        low, high = _scale_range(newest, item.id)
        table = counts.get((latest.id, item.id), {})
        n = sum(table.values())
        change: Change | HiddenFigure | None = None
        if latest_hidden:
            items_out.append(
                ItemFigures(
                    item.id,
                    item.text.get("de", ""),
                    item.values,
                    _hidden(latest_hidden),
                    None,
                    None,
                    None,
                    _hidden(latest_hidden),
                    _hidden(latest_hidden),
                )
            )
            continue
        d = describe(table, scale_min=low, scale_max=high) if n else None
        top = sum(c for code, c in table.items() if code in _top_codes(newest, item.id))
        interval = wilson(top, n) if n else None
        text_hidden = seen(latest, unit.key, text=True)
        before = counts.get((previous.id, item.id), {}) if previous else {}
        if previous and before and table:
            prev_hidden = seen(previous, unit.key)
            if prev_hidden:
                change = _hidden(Hidden("other_side_hidden", k))
            else:
                bm = brunner_munzel_counts(before, table)
                delta = cliffs_delta_counts(before, table)
                index = tests.add(bm.p)
                pending_changes.append(
                    (
                        "item",
                        item.id,
                        index,
                        {
                            "test": "Brunner–Munzel",
                            "difference": round(bm.p_hat - 0.5, 4),
                            "p": bm.p,
                            "effect": round(delta.delta, 4),
                            "effect_name": "Cliff's δ",
                        },
                    )
                )
        items_out.append(
            ItemFigures(
                item.id,
                item.text.get("de", ""),
                item.values,
                Score(d.n, round(d.score.mean, 4), _r(d.score.low), _r(d.score.high))
                if d and d.score.mean is not None
                else None,
                round(top / n, 4) if n else None,
                _r(interval.low) if interval else None,
                _r(interval.high) if interval else None,
                _hidden(text_hidden) if text_hidden else {str(code): table[code] for code in sorted(table)},
                change,
            )
        )

    images = await _self_and_external(unit, units, parents, latest, newest, list(value_names))
    if latest_hidden:
        images = {v: (_hidden(latest_hidden), ext, items) for v, (_, ext, items) in images.items()}

    # --- values --------------------------------------------------------------------------------
    values_out = []
    trend_indices: dict[str, int | None] = {}
    for value, name in value_names.items():
        series = []
        trend_points: list[float] = []
        for wave in waves:
            h = seen(wave, unit.key)
            person = scores[(wave.id, value)]["unit"]
            # nobody was asked: nothing to show, and nothing to hide either
            point = None if (wave.id, value) in not_asked else _hidden(h) if h else _score(person)
            series.append(
                WavePoint(
                    wave.key,
                    wave.title,
                    wave.opens_on,
                    wave.version,
                    point,
                    breaks.get((wave.id, value), False),
                    (wave.id, value) not in not_asked,
                )
            )
            if isinstance(point, Score) and not breaks.get((wave.id, value), False):
                trend_points.append(point.mean)
        latest_point = series[-1].score
        asked_now = (latest.id, value) not in not_asked
        change = None
        if previous is not None and asked_now and (previous.id, value) not in not_asked:
            before_h, after_h = seen(previous, unit.key), seen(latest, unit.key)
            x, y = scores[(previous.id, value)]["unit"], scores[(latest.id, value)]["unit"]
            if before_h or after_h:
                change = _hidden(Hidden("other_side_hidden", k))
            elif len(x) >= 2 and len(y) >= 2 and not breaks.get((latest.id, value)):
                data = _value_change(x, y)
                pending_changes.append(("value", value, tests.add(data["p"]), data))
        if len(trend_points) >= MIN_TREND_WAVES:
            mk = mann_kendall(np.asarray(trend_points))
            ts = theil_sen(np.asarray(trend_points))
            trend_indices[value] = tests.add(mk.p)
            trend = Trend(
                len(trend_points), "pending", _r(mk.tau), mk.p, None, _r(ts.slope), _r(ts.low), _r(ts.high)
            )
        else:
            trend = Trend(len(trend_points), "not_enough_waves")

        def reference(
            group: str, key: str | None, value: str = value, asked: bool = asked_now
        ) -> Score | HiddenFigure | None:
            if key is None or not asked:
                return None
            h = seen(latest, key)
            return _hidden(h) if h else _score_of_moments(references.get((latest.id, group, value)))

        reliability: Reliability | HiddenFigure | None = None
        if latest_hidden and asked_now:
            reliability = _hidden(latest_hidden)
        values_out.append(
            ValueFigures(
                value,
                name,
                series,
                latest_point,
                change,
                trend,
                reference("parent", parent.key if parent else None),
                reference("organisation", root.key),
                *images.get(value, (None, None, [])),
                reliability,
                asked=any(point.asked for point in series),
            )
        )

    # --- reliability per value and wave (the unit's people) --------------------------------------
    by_wave: dict[str, list[WaveReliability]] = defaultdict(list)
    shown_waves = [w for w in waves if not seen(w, unit.key) and subtree[w.id].get(unit.key, 0) > 0]
    wanted = sorted(
        {
            i.id
            for w in shown_waves
            for i in versions[w.version].items  # type: ignore[union-attr]
            if not versions[w.version].scale_of(i).is_text
        }
    )  # type: ignore[union-attr]
    matrices: dict[int, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    if shown_waves and wanted:
        for response, wave_id, _, item, answer in await store.answers_by_respondent(
            [w.id for w in shown_waves], wanted, unit.path
        ):
            version = next(versions[w.version] for w in shown_waves if w.id == wave_id)
            assert version is not None
            low, high = _scale_range(version, item)
            reverse = version.item(item).reverse
            matrices[wave_id][response][item] = (
                (high - answer if reverse else answer - low) / (high - low) * 100
            )
    for wave in waves:
        version = versions[wave.version]
        assert version is not None
        h = seen(wave, unit.key)
        for value in value_names:
            items = [i.id for i in version.items if value in i.values and not version.scale_of(i).is_text]
            if h and items:
                by_wave[value].append(WaveReliability(wave.key, _hidden(h)))
                continue
            rows = [
                [row.get(i, np.nan) for i in items]
                for row in matrices[wave.id].values()
                if any(i in row for i in items)
            ]
            if len(items) < 2 or len(rows) < 2:
                by_wave[value].append(WaveReliability(wave.key, None))
                continue
            data = np.array(rows, dtype=float)
            alpha = cronbach_alpha(data)
            omega = omega_total(data) if len(items) >= 3 else None
            by_wave[value].append(
                WaveReliability(
                    wave.key,
                    Reliability(
                        len(items),
                        _r(alpha.alpha),
                        _r(alpha.low),
                        _r(alpha.high),
                        _r(omega.omega) if omega else None,
                    ),
                )
            )
    values_out = [
        msgspec.structs.replace(
            f,
            reliability=by_wave[f.value][-1].reliability if by_wave[f.value] else None,
            reliability_by_wave=by_wave[f.value],
        )
        for f in values_out
    ]

    # --- adjust all tests together, then say what is significant ---------------------------------
    adjusted = list(benjamini_hochberg(tests.raw)) if tests.raw else []
    change_of: dict[tuple[str, str], Change] = {}
    for kind, key, index, data in pending_changes:
        p_adj = adjusted[index] if index is not None else None
        change_of[(kind, key)] = Change(
            p_adjusted=_r(p_adj),
            significant=bool(p_adj is not None and p_adj < ALPHA),
            **{**data, "p": _r(data["p"])},
        )
    items_out = [
        msgspec.structs.replace(i, change=change_of.get(("item", i.item), i.change)) for i in items_out
    ]
    final_values = []
    for figures in values_out:
        trend = figures.trend
        index = trend_indices.get(figures.value)
        if trend.direction == "pending":
            p_adj = adjusted[index] if index is not None else None
            direction = "flat"
            if p_adj is not None and p_adj < ALPHA and trend.tau is not None:
                direction = "rising" if trend.tau > 0 else "falling"
            trend = msgspec.structs.replace(trend, direction=direction, p=_r(trend.p), p_adjusted=_r(p_adj))
        final_values.append(
            msgspec.structs.replace(
                figures, trend=trend, change=change_of.get(("value", figures.value), figures.change)
            )
        )

    children = []
    for child in (u for u in units if u.parent == unit.key):
        n = subtree[latest.id].get(child.key, 0)
        h = seen(latest, child.key, count=True)
        children.append(
            {
                "unit": child.key,
                "name": child.name,
                "respondents": msgspec.to_builtins(_hidden(h)) if h else n,
            }
        )
    child_scores = []
    for kid in kids:
        h = seen(latest, kid.key)
        child_scores.append(
            ChildScores(
                kid.key,
                kid.name,
                {
                    value: None
                    if (latest.id, value) in not_asked
                    else _hidden(h)
                    if h
                    else _score(scores[(latest.id, value)][f"child:{kid.key}"])
                    for value in value_names
                },
            )
        )
    return UnitFigures(
        unit.key,
        unit.name,
        unit.kind,
        unit.parent,
        questionnaire,
        summaries,
        final_values,
        items_out,
        children,
        k,
        k_text,
        len(tests.raw),
        child_scores,
        audience,
    )


async def organisation_overview(questionnaire: str = "staff-pulse") -> OrganisationOverview:
    """Every Dezernat and Fachbereich (and the whole administration) × values: the latest wave's
    scores and their change since the previous wave, with the same suppression as everywhere."""
    return await _cached(("overview", questionnaire), lambda: _organisation_overview(questionnaire))


async def _organisation_overview(questionnaire: str) -> OrganisationOverview:
    units = await org_store.list_units()
    if not units:
        raise SurveyError(N_("no organisation yet"), hint="run `survey org import FILE` first")
    parents = {u.key: u.parent for u in units}
    history = await waves_with_figures(questionnaire)
    waves = history[-2:]
    versions = {w.version: await load_published_version(questionnaire, w.version) for w in waves}
    newest: QuestionnaireVersion = versions[waves[-1].version]  # type: ignore[assignment]
    leitbild = await load_leitbild(newest.leitbild)
    value_names = {v.key: v.name.get("de", v.key) for v in (leitbild.values if leitbild else [])}
    latest, previous = waves[-1], (waves[0] if len(waves) == 2 else None)
    subtree, hidden, _text, hidden_count = await suppressed_history(history, units, parents)
    shown_kinds = ("Verwaltung", "Dezernat", "Fachbereich")
    rows_units = [u for u in units if u.kind in shown_kinds]
    mapping, breaks, not_asked = _value_mapping(waves, versions, newest, list(value_names))
    path_of = {u.id: u.path for u in units}
    # sums per unit from the database, added up per row's subtree: no row per person
    sums = _moments_by_subtree(
        await _organisation_moments([w.id for w in waves], mapping),
        path_of,
        {u.key: u.path for u in rows_units},
    )
    tests = _Tests([])
    pending: dict[tuple[str, str], tuple[int | None, dict]] = {}
    rows = []
    for unit in rows_units:
        h_now = hidden[latest.id].get(unit.key)
        h_before = hidden[previous.id].get(unit.key) if previous else None
        h_count = hidden_count[latest.id].get(unit.key)
        n = subtree[latest.id].get(unit.key, 0)
        headcount = _rate_base(latest.audience, units, unit)
        row_scores: dict[str, Score | HiddenFigure | None] = {}
        row_changes: dict[str, Change | HiddenFigure | None] = {}
        for value in value_names:
            if (latest.id, value) in not_asked:  # nobody was asked: nothing to show or hide
                row_scores[value], row_changes[value] = None, None
                continue
            row_scores[value] = (
                _hidden(h_now) if h_now else _score_of_moments(sums.get((latest.id, unit.key, value)))
            )
            if previous is None or breaks.get((latest.id, value)) or (previous.id, value) in not_asked:
                row_changes[value] = None
            elif h_now or h_before:
                row_changes[value] = _hidden(Hidden("other_side_hidden", latest.k))
            else:
                x, y = sums.get((previous.id, unit.key, value)), sums.get((latest.id, unit.key, value))
                if x is not None and y is not None and x[0] >= 2 and y[0] >= 2:
                    data = _value_change_of_moments(x, y)
                    pending[(unit.key, value)] = (tests.add(data["p"]), data)
                row_changes[value] = None
        rows.append(
            OverviewRow(
                unit.key,
                unit.name,
                unit.kind,
                unit.depth,
                _hidden(h_count) if h_count else n,
                headcount,
                _rate(n, headcount, h_count),
                row_scores,
                row_changes,
                CONTACTS_NOT_RECORDED if headcount is None else None,
            )
        )
    adjusted = list(benjamini_hochberg(tests.raw)) if tests.raw else []
    final = []
    for row in rows:
        changes = dict(row.changes)
        for value in value_names:
            if (row.unit, value) in pending:
                index, data = pending[(row.unit, value)]
                p_adj = adjusted[index] if index is not None else None
                changes[value] = Change(
                    p_adjusted=_r(p_adj),
                    significant=bool(p_adj is not None and p_adj < ALPHA),
                    **{**data, "p": _r(data["p"])},
                )
        final.append(msgspec.structs.replace(row, changes=changes))
    return OrganisationOverview(
        questionnaire,
        latest.key,
        latest.title,
        previous.key if previous else None,
        value_names,
        final,
        latest.k,
        len(tests.raw),
        latest.audience,
        [value for value in value_names if (latest.id, value) in not_asked],
    )
