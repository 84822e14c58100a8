"""Who may be seen, per wave: suppression over a questionnaire's whole history, computed once
per data stamp and shared by a page's figures, its comments and the overview."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from survey.domain.anonymity import Hidden, WaveGroups, suppress, suppress_union, suppress_waves
from survey.domain.figures import HiddenFigure
from survey.domain.lineage import Edge, Series, TreeUnit, WaveTree, ancestors, unit_series
from survey.errors import N_, Code, SurveyError
from survey.services.figures._cache import cached
from survey.store import counts as store
from survey.store import org_versions as version_store
from survey.store import waves as wave_store
from survey.store.org import StoredUnit
from survey.store.waves import Wave

__all__ = [
    "NoClosedWave",
    "Visibility",
    "closed_waves",
    "hidden_figure",
    "suppressed_history",
    "visibility",
    "waves_with_figures",
]

_OWN_REASONS = ("wave_open", "few_changed")
_Counts = dict[int, dict[str, int]]
_HiddenByWave = dict[int, dict[str, Hidden]]


def hidden_figure(h: Hidden) -> HiddenFigure:
    return HiddenFigure(True, h.reason, h.explain())


async def waves_with_figures(questionnaire: str) -> list[Wave]:
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


class NoClosedWave(SurveyError):
    """The questionnaire has waves, but none has closed yet: there are no results to show, only
    the participation of its open waves."""


def closed_waves(history: list[Wave], questionnaire: str) -> list[Wave]:
    """The closed waves of a history, oldest first: the only waves whose results are shown (an
    open wave shows participation only). A clear error if none has closed yet."""
    closed = [w for w in history if w.status == "closed"]
    if not closed:
        raise NoClosedWave(
            N_("no wave of questionnaire %(questionnaire)s has closed yet: results are shown once one has"),
            questionnaire=Code(questionnaire),
            hint="`survey wave list` shows the waves",
        )
    return closed


async def suppressed_history(
    history: list[Wave], units: list[StoredUnit], parents: dict[str, str | None]
) -> tuple[_Counts, _HiddenByWave, _HiddenByWave, _HiddenByWave]:
    """Per wave of a questionnaire's whole history: respondents per subtree, and what to hide of
    its scores, of its distributions and comments (k_text), and of its respondent counts (an open
    wave shows how many answered, at k, but none of their answers). Always over the whole
    history, so that the waves a reader picks do not change what is hidden.

    Computed once per data stamp: a department page asks for it for its figures and again for
    its comments. The result is shared; callers only read it. Each wave's suppression depends on
    the closed waves before it only (`suppress_waves`), so the history of a closed wave's figures
    is the closed waves, and that of an open wave's participation the open waves."""
    view = await visibility(history, units, parents)
    return view.subtree, view.hidden, view.hidden_text, view.hidden_count


async def _suppressed_history(
    history: list[Wave], units: list[StoredUnit], parents: dict[str, str | None]
) -> Visibility:
    trees = await _wave_trees(history)
    edges = await _edges()
    series = {u.key: unit_series(u.id, list(trees.values()), edges) for u in units}
    people: dict[int, dict[int, int]] = defaultdict(dict)
    for row in await store.respondents([w.id for w in history]):
        people[row.wave][row.unit] = row.respondents
    rounds, previous = [], None
    for wave in history:
        tree = trees[wave.id]
        rounds.append(_groups(wave, tree, people[wave.id], previous, edges))
        previous = tree.version
    hidden = suppress_waves(rounds, {})
    view = _Per(series, {}, {}, {}, {}, {})
    for wave, groups, hidden_ids in zip(history, rounds, hidden, strict=True):
        tree_parents = groups.parents or {}
        text_ids = suppress(
            groups.counts,
            tree_parents,
            wave.k_text,
            {u: h for u, h in hidden_ids.items() if h.reason in _OWN_REASONS},
        )
        count_ids = suppress(groups.counts, tree_parents, wave.k) if wave.status == "open" else hidden_ids
        view.add(wave, trees[wave.id], groups.counts, hidden_ids, text_ids, count_ids)
    return view.visibility()


async def series_over(unit_id: int, history: list[Wave]) -> Series:
    """One unit's series over closed waves, each read in the tree it ran with: per wave the unit
    ids whose answers make its value there (for a unit split off or merged, its predecessors')."""
    return unit_series(unit_id, list((await _wave_trees(history)).values()), await _edges())


async def _wave_trees(history: list[Wave]) -> dict[int, WaveTree]:
    kept = await version_store.wave_trees([w.id for w in history])
    return {w.id: WaveTree(w.id, kept[w.id][0], [TreeUnit(*unit) for unit in kept[w.id][1]]) for w in history}


async def _edges() -> list[Edge]:
    return [
        Edge(e.version, e.valid_from, e.kind, e.predecessor, e.successor, e.share, e.name_before)
        for e in await version_store.lineage()
    ]


def _groups(
    wave: Wave, tree: WaveTree, people: dict[int, int], previous: int | None, edges: list[Edge]
) -> WaveGroups:
    """One wave's groups: every unit of the tree it ran with (by id), its subtree's respondents,
    and the groups of the wave before that each one goes on from, across a reorganisation."""
    below = tree.below
    counts = {str(u.id): sum(people.get(v, 0) for v in below.get(u.id, ())) for u in tree.units}
    tree_parents = {str(u.id): None if u.parent is None else str(u.parent) for u in tree.units}
    follows = {}
    if previous is not None and previous != tree.version:
        for unit in tree.units:
            before, _ = ancestors(unit.id, previous, tree.version, edges)
            if before != {unit.id}:
                follows[str(unit.id)] = [str(b) for b in sorted(before)]
    return WaveGroups(counts, wave.k, wave.status == "open", tree_parents, follows)


@dataclass
class _Per:
    """The decisions by the tree's unit ids, said again per current unit (its series)."""

    series: dict[str, Series]
    subtree: _Counts
    staff: _Counts
    hidden: _HiddenByWave
    hidden_text: _HiddenByWave
    hidden_count: _HiddenByWave
    versions: dict[int, int | None] = field(default_factory=dict)

    def add(
        self, wave: Wave, tree: WaveTree, counts: Mapping[str, int], *decided: Mapping[str, Hidden]
    ) -> None:
        self.versions[wave.id] = tree.version
        headcount = {u.id: u.headcount for u in tree.units if u.active}  # a retired unit's is stale
        for target in (self.subtree, self.staff, self.hidden, self.hidden_text, self.hidden_count):
            target[wave.id] = {}
        thresholds = (wave.k, wave.k_text, wave.k)
        for key, series in self.series.items():
            members = series.of(wave.id)
            if not members:
                continue
            roots = series.stand_ins.get(wave.id) or (series.unit,)
            self.subtree[wave.id][key] = sum(counts.get(str(r), 0) for r in roots)
            self.staff[wave.id][key] = sum(headcount.get(m, 0) for m in members)
            targets = (self.hidden, self.hidden_text, self.hidden_count)
            for target, by_id, k in zip(targets, decided, thresholds, strict=True):
                h = (
                    by_id.get(str(roots[0]))
                    if len(roots) == 1
                    else suppress_union([(counts.get(str(r), 0), by_id.get(str(r))) for r in roots], k)
                )
                if h is not None:
                    target[wave.id][key] = h

    def visibility(self) -> Visibility:
        return Visibility(
            self.subtree,
            self.hidden,
            self.hidden_text,
            self.hidden_count,
            self.series,
            self.staff,
            self.versions,
        )


@dataclass(frozen=True)
class Visibility:
    """What suppressed_history decided, asked per wave and (current) unit; with each unit's series
    (which units' answers make its value in each wave) and its staff per wave."""

    subtree: _Counts
    hidden: _HiddenByWave
    hidden_text: _HiddenByWave
    hidden_count: _HiddenByWave
    series: dict[str, Series] = field(default_factory=dict)
    staff: _Counts = field(default_factory=dict)
    #: the organisation version each wave ran with (None: the current one, while it runs)
    versions: dict[int, int | None] = field(default_factory=dict)

    def scores(self, wave_id: int, key: str) -> Hidden | None:
        """Why the group's scores (and everything built from its answers) are hidden, if they are."""
        return self.hidden[wave_id].get(key)

    def texts(self, wave_id: int, key: str) -> Hidden | None:
        """Why its distributions and comments (at k_text) are hidden, if they are."""
        return self.hidden_text[wave_id].get(key)

    def counts(self, wave_id: int, key: str) -> Hidden | None:
        """Why its number of respondents is hidden, if it is."""
        return self.hidden_count[wave_id].get(key)

    def respondents(self, wave_id: int, key: str) -> int:
        return self.subtree[wave_id].get(key, 0)

    def members(self, key: str, wave_id: int) -> frozenset[int]:
        """The units (ids) whose answers in the wave make the unit's value there (its series)."""
        series = self.series.get(key)
        return series.of(wave_id) if series else frozenset()

    def headcount(self, wave_id: int, key: str) -> int:
        """The staff of the unit's group in the wave, as the wave's organisation had it."""
        return self.staff.get(wave_id, {}).get(key, 0)


async def visibility(
    history: list[Wave], units: list[StoredUnit], parents: dict[str, str | None]
) -> Visibility:
    """suppressed_history's decisions, with each unit's series and staff per wave (computed once
    per data stamp and shared)."""
    key = ("suppression", tuple(history), tuple(units), tuple(parents.items()))
    # of closed waves only (a unit's figures, a closed wave's comments): a new answer in an open
    # wave changes nothing of it
    closed = all(w.status == "closed" for w in history)
    return await cached(key, lambda: _suppressed_history(history, units, parents), closed_waves=closed)
