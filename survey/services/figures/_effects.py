"""The effect check of measures: per measure and value it addresses, the owning units' value
scores before and after the start against the rest of the organisation, from the closed waves of
one questionnaire (survey.stats.effect_check_units computes; this module assembles and hides).

What goes in, per value:
- the waves: the questionnaire's closed waves, oldest first (an open wave never counts). "After"
  begins at the first closed wave opening on or after the start plus the measure's lag; there is
  none: "too_early".
- the questions: those every wave since the value's last break asks (the same item id in each
  version: identical or editorial), so that each wave's score is built alike. Waves before the
  break are cut off (`comparable` False); where that leaves no wave before the start: "no_data",
  reason "trend_break".
- the groups: an owning unit counts with everything below it (as on its own page); the rest is
  the organisation (its active units) outside every owning subtree. Every sum comes from one
  query for all measures (`organisation_moments`, per data stamp).

Suppression, as for every figure (`Visibility.scores` per wave and unit):
- a wave where the organisation's scores are hidden counts for nobody.
- in a wave where an owning unit's scores are hidden, the unit contributes nothing, and its
  answers count with the rest of that wave: kept out of both, the rest would be the organisation
  minus the shown owners minus the hidden one, and the hidden unit's sums the difference. So every
  sum a check uses is a shown group or a difference of shown groups (organisation − shown owners).
- a unit's own check is shown only where its scores were shown in every wave the check covers in
  which it had answers; else a hidden figure with the first wave's reason (and `hidden_in`).
  "too_early" is never hidden. The owners' combined check uses each unit only in waves it is
  shown in, so it is shown whenever it has figures.

Benjamini–Hochberg runs across every check one call shows (the combined checks and each shown
unit's own); the verdicts are decided on the adjusted p (survey.stats.verdict).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec

from survey.domain import QuestionnaireVersion
from survey.domain.anonymity import Hidden
from survey.domain.effects import (
    Effect,
    MeasureEffect,
    NoDataReason,
    TrendChange,
    UnitEffect,
    ValueEffect,
    WaveRef,
)
from survey.domain.figures import HiddenFigure
from survey.services.figures._adjustment import Tests
from survey.services.figures._cache import cached, organisation_moments
from survey.services.figures._context import load_versions, value_names_of
from survey.services.figures._language import wave_titles_in
from survey.services.figures._mapping import Mapping, scale_range
from survey.services.figures._scores import Moments
from survey.services.figures._suppression import Visibility, hidden_figure, visibility
from survey.stats import Coefficient, EffectCheck, add_moments, effect_check_units, verdict
from survey.store import catalog as catalog_store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.org import StoredUnit
from survey.store.waves import Wave

if TYPE_CHECKING:
    from survey.services.measures import Measure

__all__ = ["comparable_items", "measure_effects", "measure_effects_in_language"]


async def measure_effects(
    measures: Sequence[Measure], questionnaire: str = "staff-pulse"
) -> list[MeasureEffect]:
    """The effect check of each measure (in the order given) on `questionnaire`'s closed waves, per
    value it addresses: the confirmed owning units together and each on its own. All checks of
    the call are adjusted together (Benjamini–Hochberg). Computed once per data stamp and set of
    measures (what a check depends on: ids, owning units, values, start and lag)."""
    key = ("measure_effects", questionnaire, tuple(_identity(m) for m in measures))
    return await cached(
        key, lambda: _measure_effects(list(measures), questionnaire), kept=True, closed_waves=True
    )


def _identity(measure: Measure) -> tuple[object, ...]:
    owners = tuple(o.unit for o in measure.owners if o.confirmed)  # in order: the units are listed so
    return (measure.id, owners, tuple(measure.values), measure.starts_on, measure.effect_lag_days)


def comparable_items(
    waves: Sequence[Wave], versions: dict[int, QuestionnaireVersion | None], value: str
) -> tuple[set[str], int]:
    """The scored items of `value` that every wave since its last break asks, and the index of the
    first wave after that break (0: none). Going back from the newest wave, a wave whose version
    shares none of the items so far is where the line breaks; a version that does not ask the
    value at all is skipped (nobody was asked, nothing broke)."""
    common: set[str] | None = None
    start = 0
    for index in range(len(waves) - 1, -1, -1):
        version = versions[waves[index].version]
        assert version is not None
        items = {i.id for i in version.items if value in i.values and not version.scale_of(i).is_text}
        if not items:
            continue
        if common is not None and not common & items:
            start = index + 1
            break
        common = items if common is None else common & items
    return common or set(), start


@dataclass(frozen=True)
class _Data:
    """What every check of one call is built from."""

    #: the closed waves, oldest first
    waves: list[Wave]
    units: dict[str, StoredUnit]
    root: StoredUnit | None
    view: Visibility | None
    value_names: dict[str, str]
    #: value → index of the first wave of its comparable run (waves before it are cut off)
    run_from: dict[str, int]
    #: the (wave id, value) pairs whose version asks the value at all
    asked: set[tuple[int, str]]
    #: (wave id, value) → (unit id, sums) of each unit with answers
    rows: dict[tuple[int, str], list[tuple[int, Moments]]]

    def under(self, wave: Wave, value: str, members: frozenset[int]) -> Moments | None:
        """The sums of a group: the units of its series in the wave."""
        return add_moments(*(m for unit, m in self.rows.get((wave.id, value), []) if unit in members))

    def outside(
        self, wave: Wave, value: str, inside: frozenset[int], everyone: frozenset[int]
    ) -> Moments | None:
        """The sums of the organisation (`everyone`: the root's series) less the units `inside`."""
        rows = self.rows.get((wave.id, value), [])
        return add_moments(*(m for unit, m in rows if unit in everyone and unit not in inside))

    def asks(self, index: int, value: str) -> bool:
        return (self.waves[index].id, value) in self.asked

    def in_run(self, index: int, value: str) -> bool:
        return index >= self.run_from.get(value, 0) and self.asks(index, value)


async def _load(questionnaire: str) -> _Data:
    # the closed waves: an open wave never counts, nor changes their suppression
    waves = [
        w for w in await wave_store.list_waves() if w.questionnaire == questionnaire and w.status == "closed"
    ]
    if not waves:  # nothing to compare yet: every check is too early
        leitbild = await catalog_store.load_leitbild()
        names = {v.key: v.name.get("de", v.key) for v in (leitbild.values if leitbild else [])}
        return _Data([], {}, None, None, names, {}, set(), {})
    all_units = await org_store.list_units()
    parents = {u.key: u.parent for u in all_units}
    versions = await load_versions(questionnaire, waves)
    newest: QuestionnaireVersion = versions[waves[-1].version]  # type: ignore[assignment]
    value_names = await value_names_of(newest)
    mapping: Mapping = []
    run_from: dict[str, int] = {}
    asked: set[tuple[int, str]] = set()
    for value in value_names:
        items, run_from[value] = comparable_items(waves, versions, value)
        for index, wave in enumerate(waves):
            version = versions[wave.version]
            assert version is not None
            scored = [i for i in version.items if value in i.values and not version.scale_of(i).is_text]
            if scored:
                asked.add((wave.id, value))
            if index >= run_from[value]:
                for item in (i for i in scored if i.id in items):
                    mapping.append((wave.id, item.id, value, *scale_range(version, item.id), item.reverse))
    rows: dict[tuple[int, str], list[tuple[int, Moments]]] = defaultdict(list)
    for wave_id, unit_id, value, n, total, squares in await organisation_moments(
        [w.id for w in waves], sorted(mapping)
    ):
        # each wave's groups are those of the tree it ran with (survey.domain.lineage)
        rows[(wave_id, value)].append((unit_id, (n, total, squares)))
    return _Data(
        waves,
        {u.key: u for u in all_units},
        next((u for u in all_units if u.parent is None), None),
        await visibility(waves, all_units, parents),
        value_names,
        run_from,
        asked,
        dict(rows),
    )


@dataclass(frozen=True)
class _Series:
    """One value's sums per wave for a measure: each owner's own, the rest's, and the waves of
    the check in which each owner's scores were hidden."""

    own: dict[str, list[Moments | None]]
    rest: list[Moments | None]
    hidden_in: dict[str, list[tuple[Wave, Hidden]]]


def _series(d: _Data, owners: list[StoredUnit], outermost: list[StoredUnit], value: str) -> _Series:
    assert d.view is not None and d.root is not None
    view, root = d.view, d.root
    # an owner inside another owner is hidden with it: its answers then count with the rest
    container = {u.key: next(o for o in outermost if u.path.startswith(o.path)) for u in owners}
    own: dict[str, list[Moments | None]] = {u.key: [] for u in owners}
    hidden_in: dict[str, list[tuple[Wave, Hidden]]] = {u.key: [] for u in owners}
    rest: list[Moments | None] = []
    for index, wave in enumerate(d.waves):
        covered = d.in_run(index, value)
        used = covered and view.scores(wave.id, root.key) is None
        hidden = {u.key: view.scores(wave.id, u.key) for u in [*owners, *outermost]}
        shown = frozenset().union(*(view.members(o.key, wave.id) for o in outermost if hidden[o.key] is None))
        everyone = view.members(root.key, wave.id)
        rest.append(d.outside(wave, value, shown, everyone) if used else None)
        for unit in owners:
            h = hidden[unit.key] or hidden[container[unit.key].key] or view.scores(wave.id, root.key)
            if covered and h is not None and view.respondents(wave.id, unit.key) > 0:
                hidden_in[unit.key].append((wave, h))
            members = view.members(unit.key, wave.id)
            own[unit.key].append(d.under(wave, value, members) if used and h is None else None)
    return _Series(own, rest, hidden_in)


@dataclass(frozen=True)
class _Pending:
    """A check whose verdict waits for every test of the call: its figures and test index."""

    check: EffectCheck
    reason: NoDataReason | None
    index: int | None


@dataclass(frozen=True)
class _Draft:
    value: str
    effect: _Pending | HiddenFigure
    combined: bool
    units: list[tuple[StoredUnit, _Pending | HiddenFigure, list[str]]]
    comparable: bool
    first_after: Wave | None


def _after_from(d: _Data, measure: Measure) -> int:
    """The index of the first closed wave opening on or after the start plus the lag."""
    begins = measure.starts_on + dt.timedelta(days=measure.effect_lag_days)
    return next((i for i, w in enumerate(d.waves) if w.opens_on >= begins), len(d.waves))


def _reason(d: _Data, check: EffectCheck, value: str, after_from: int) -> NoDataReason | None:
    if check.verdict == "too_early":
        return "no_wave_after"
    if check.verdict != "no_data":
        return None
    if not any(d.asks(i, value) for i in range(after_from)):
        return "no_wave_before"
    if not any(d.in_run(i, value) for i in range(after_from)):
        return "trend_break"
    return "too_few_answers"


def _owners(d: _Data, measure: Measure) -> tuple[list[StoredUnit], list[StoredUnit]]:
    """The confirmed owners still in the organisation, and those of them inside no other owner."""
    owners = [d.units[o.unit] for o in measure.owners if o.confirmed and o.unit in d.units]
    outermost = [u for u in owners if not any(u is not o and u.path.startswith(o.path) for o in owners)]
    return owners, outermost


def _value_draft(d: _Data, measure: Measure, value: str, tests: Tests) -> _Draft:
    after_from = _after_from(d, measure)
    first_after = d.waves[after_from] if after_from < len(d.waves) else None
    comparable = not any(d.asks(i, value) for i in range(d.run_from.get(value, 0)))
    owners, outermost = _owners(d, measure)
    if not d.waves or not owners:
        reason: NoDataReason = "no_wave_after" if first_after is None else "no_owner"
        empty = effect_check_units([[None] * len(d.waves)], [None] * len(d.waves), after_from)
        no_figures = _Pending(empty, reason, None)
        return _Draft(value, no_figures, False, [], comparable, first_after)
    series = _series(d, owners, outermost, value)

    def pending(units: list[StoredUnit]) -> _Pending:
        check = effect_check_units([series.own[u.key] for u in units], series.rest, after_from)
        return _Pending(check, _reason(d, check, value, after_from), None)

    units: list[tuple[StoredUnit, _Pending | HiddenFigure, list[str]]] = []
    for unit in owners:
        own = pending([unit])
        hidden = series.hidden_in[unit.key]
        if hidden and own.check.verdict != "too_early":
            units.append((unit, hidden_figure(hidden[0][1]), [w.key for w, _ in hidden]))
        else:
            units.append((unit, own, []))
    units = [(u, _tested(e, tests), h) for u, e, h in units]
    combined = len(outermost) > 1
    if combined:
        effect: _Pending | HiddenFigure = _tested(pending(outermost), tests)
    else:  # one unit (with any owner inside it): its own check is the measure's
        effect = next(e for u, e, _ in units if u is outermost[0])
    return _Draft(value, effect, combined, units, comparable, first_after)


def _tested(effect: _Pending | HiddenFigure, tests: Tests) -> _Pending | HiddenFigure:
    """The check with its p in the call's family of tests (a hidden one is not shown: no test)."""
    if isinstance(effect, HiddenFigure) or effect.index is not None:
        return effect
    return _Pending(effect.check, effect.reason, tests.add(effect.check.p))


def _r(x: float | None) -> float | None:
    """Rounded as every figure is shown, and a plain float (the statistics hand numpy's)."""
    return None if x is None else round(float(x), 4)


def _trend_change(c: Coefficient | None) -> TrendChange | None:
    if c is None:
        return None
    return TrendChange(*(round(float(x), 4) for x in (c.estimate, c.low, c.high, c.p)))


def _effect(pending: _Pending | HiddenFigure, tests: Tests) -> Effect | HiddenFigure:
    if isinstance(pending, HiddenFigure):
        return pending
    c, p_adjusted = pending.check, tests.p_adjusted(pending.index)
    segmented = c.segmented
    return Effect(
        verdict(c, p_adjusted),
        pending.reason,
        c.n_before,
        c.n_after,
        c.waves_before,
        c.waves_after,
        _r(c.estimate),
        _r(c.low),
        _r(c.high),
        _r(c.p),
        _r(p_adjusted),
        _r(c.mde),
        _r(c.own_before),
        _r(c.own_after),
        _r(c.rest_before),
        _r(c.rest_after),
        _trend_change(segmented.level_change if segmented else None),
        _trend_change(segmented.slope_change if segmented else None),
    )


def _wave_ref(wave: Wave | None) -> WaveRef | None:
    return WaveRef(wave.key, wave.title, wave.opens_on) if wave else None


def _value_effect(d: _Data, draft: _Draft, tests: Tests) -> ValueEffect:
    return ValueEffect(
        draft.value,
        d.value_names.get(draft.value, draft.value),
        _effect(draft.effect, tests),
        draft.combined,
        [UnitEffect(u.key, u.name, _effect(e, tests), hidden) for u, e, hidden in draft.units],
        draft.comparable,
        _wave_ref(draft.first_after),
    )


async def _measure_effects(measures: list[Measure], questionnaire: str) -> list[MeasureEffect]:
    d = await _load(questionnaire)
    tests = Tests()
    drafts = [[_value_draft(d, m, value, tests) for value in m.values] for m in measures]
    family = len(tests.raw)
    return [
        MeasureEffect(m.id, questionnaire, [_value_effect(d, draft, tests) for draft in values], family)
        for m, values in zip(measures, drafts, strict=True)
    ]


async def measure_effects_in_language(effects: list[MeasureEffect], language: str) -> list[MeasureEffect]:
    """The checks with the values' names and the waves' titles in `language` (German where a text
    has no translation), from the Leitbild the newest closed wave's version names."""
    if language == "de" or not effects:
        return effects
    names = await _value_names_in(effects[0].questionnaire, language)
    keys = sorted({v.first_wave_after.key for e in effects for v in e.values if v.first_wave_after})
    titles = await wave_titles_in(keys, language) if keys else {}

    def translated(v: ValueEffect) -> ValueEffect:
        wave = v.first_wave_after
        if wave is not None:
            wave = msgspec.structs.replace(wave, title=titles.get(wave.key, wave.title))
        return msgspec.structs.replace(v, name=names.get(v.value, v.name), first_wave_after=wave)

    return [msgspec.structs.replace(e, values=[translated(v) for v in e.values]) for e in effects]


async def _value_names_in(questionnaire: str, language: str) -> dict[str, str]:
    closed = [
        w for w in await wave_store.list_waves() if w.questionnaire == questionnaire and w.status == "closed"
    ]
    newest = await catalog_store.load_published_version(questionnaire, closed[-1].version) if closed else None
    leitbild = await catalog_store.load_leitbild(newest.leitbild if newest else None)
    return {
        v.key: v.name.get(language) or v.name.get("de") or v.key
        for v in (leitbild.values if leitbild else [])
    }
