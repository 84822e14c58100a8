"""Series across reorganisations (survey.domain.lineage): each wave read in the tree it ran with,
each current unit's earlier values found through the declared lineage."""

from __future__ import annotations

import datetime as dt

from survey.domain.lineage import Edge, Marker, TreeUnit, WaveTree, unit_series

ROOT, P1, P2 = 1, 2, 3
A, M1, M2, T, X, D = 10, 11, 12, 13, 14, 15
B, C, M, N = 20, 21, 22, 23
E = 24
DAY2, DAY3 = dt.date(2026, 3, 1), dt.date(2026, 9, 1)


def _tree(*units: tuple[int, int | None, str]) -> list[TreeUnit]:
    return [TreeUnit(i, parent, path) for i, parent, path in units]


#: version 1: A under P1; M1 (with team T) and M2 under P2; X and D under P2
V1 = _tree(
    (ROOT, None, "/r/"),
    (P1, ROOT, "/r/p1/"),
    (P2, ROOT, "/r/p2/"),
    (A, P1, "/r/p1/a/"),
    (M1, P2, "/r/p2/m1/"),
    (T, M1, "/r/p2/m1/t/"),
    (M2, P2, "/r/p2/m2/"),
    (X, P2, "/r/p2/x/"),
    (D, P2, "/r/p2/d/"),
)
#: version 2: A split into B and C, M1 + M2 merged into M, T moved to P1, X renamed, D dissolved,
#: N new
V2 = _tree(
    (ROOT, None, "/r/"),
    (P1, ROOT, "/r/p1/"),
    (P2, ROOT, "/r/p2/"),
    (B, P1, "/r/p1/b/"),
    (C, P1, "/r/p1/c/"),
    (T, P1, "/r/p1/t/"),
    (M, P2, "/r/p2/m/"),
    (X, P2, "/r/p2/x2/"),
    (N, P2, "/r/p2/n/"),
)
#: version 3: B and C merged again into E
V3 = _tree(
    (ROOT, None, "/r/"),
    (P1, ROOT, "/r/p1/"),
    (P2, ROOT, "/r/p2/"),
    (E, P1, "/r/p1/e/"),
    (T, P1, "/r/p1/t/"),
    (M, P2, "/r/p2/m/"),
    (X, P2, "/r/p2/x2/"),
    (N, P2, "/r/p2/n/"),
)
EDGES = [
    Edge(2, DAY2, "split", A, B, 0.9, "Schul- und Sportverwaltung"),
    Edge(2, DAY2, "split", A, C, 0.1, "Schul- und Sportverwaltung"),
    Edge(2, DAY2, "merged", M1, M, None, "Bürgerbüro Nord"),
    Edge(2, DAY2, "merged", M2, M, None),  # stored before names were kept
    Edge(2, DAY2, "moved", T, T, None),
    Edge(2, DAY2, "renamed", X, X, None, "Bauhof"),
    Edge(2, DAY2, "dissolved", D, None, None),
    Edge(2, DAY2, "new", None, N, None),
    Edge(3, DAY3, "merged", B, E, None),
    Edge(3, DAY3, "merged", C, E, None),
]
#: two waves closed under version 1, one under version 2, one open (the current tree, version 2)
WAVES = [WaveTree(101, 1, V1), WaveTree(102, 1, V1), WaveTree(103, 2, V2), WaveTree(104, None, V2)]
TWO = EDGES[:8]


def test_a_split_units_earlier_series_is_the_shared_value_of_the_unit_it_came_from() -> None:
    for successor in (B, C):
        series = unit_series(successor, WAVES, TWO)
        assert series.of(101) == series.of(102) == {A}
        assert series.relation[101] == "shared" and series.stand_ins[101] == (A,)
        assert series.of(103) == series.of(104) == {successor}
        assert series.relation[103] == "own" and 103 not in series.stand_ins
        assert series.markers == (Marker(2, DAY2, "split", (A,), ("Schul- und Sportverwaltung",)),)


def test_a_merged_units_earlier_series_is_its_predecessors_together() -> None:
    series = unit_series(M, WAVES, TWO)
    assert series.of(101) == {M1, T, M2}  # T was in M1 then: its answers belonged to M1's value
    assert series.relation[101] == "merged" and series.stand_ins[101] == (M1, M2)
    assert series.of(103) == {M}  # T has moved away since
    # each predecessor with its name then, where it was kept
    assert series.markers == (Marker(2, DAY2, "merged", (M1, M2), ("Bürgerbüro Nord", "")),)


def test_a_moved_or_renamed_unit_keeps_its_series_and_parents_keep_their_past() -> None:
    for unit in (T, X):
        series = unit_series(unit, WAVES, TWO)
        assert all(series.of(w) == {unit} for w in (101, 102, 103, 104))
        assert set(series.relation.values()) == {"own"}
    # P1's past is the tree it had then: A, not the team that moved in later
    p1 = unit_series(P1, WAVES, TWO)
    assert p1.of(101) == {P1, A} and p1.of(103) == {P1, B, C, T}
    assert set(p1.relation.values()) == {"own"} and p1.markers == ()
    p2 = unit_series(P2, WAVES, TWO)
    assert p2.of(101) == {P2, M1, T, M2, X, D} and p2.of(103) == {P2, M, X, N}


def test_a_new_unit_has_no_earlier_series() -> None:
    series = unit_series(N, WAVES, TWO)
    assert series.of(101) == frozenset() and 101 not in series.relation
    assert series.of(103) == {N}


def test_a_unit_merged_from_split_parts_is_told_as_shared_before_both_changes() -> None:
    waves = [*WAVES[:3], WaveTree(105, 3, V3)]
    series = unit_series(E, waves, EDGES)
    assert series.of(101) == {A} and series.relation[101] == "shared"
    assert series.of(103) == {B, C} and series.relation[103] == "merged"
    assert series.of(105) == {E} and series.relation[105] == "own"
    assert [m.kind for m in series.markers] == ["split", "merged"]


def test_without_reorganisations_a_series_is_the_subtree_in_each_wave() -> None:
    waves = [WaveTree(101, 1, V1), WaveTree(102, None, V1)]
    series = unit_series(P2, waves, [])
    assert series.of(101) == series.of(102) == {P2, M1, T, M2, X, D}
    assert series.markers == ()
