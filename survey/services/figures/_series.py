"""Each current unit's series over a questionnaire's waves (survey.domain.lineage): the units
whose answers in each wave make its comparable value, read in the tree the wave ran with."""

from __future__ import annotations

from survey.domain.lineage import Edge, Series, TreeUnit, WaveTree, unit_series
from survey.store import org_versions as version_store
from survey.store.org import StoredUnit
from survey.store.waves import Wave

__all__ = ["series_of_units"]


async def series_of_units(units: list[StoredUnit], waves: list[Wave]) -> dict[str, Series]:
    """The series of each of `units` (by key) over `waves`."""
    trees = await version_store.wave_trees([w.id for w in waves])
    edges = [
        Edge(e.version, e.valid_from, e.kind, e.predecessor, e.successor, e.share)
        for e in await version_store.lineage()
    ]
    wave_trees = [WaveTree(w.id, trees[w.id][0], [TreeUnit(*unit) for unit in trees[w.id][1]]) for w in waves]
    return {u.key: unit_series(u.id, wave_trees, edges) for u in units}
