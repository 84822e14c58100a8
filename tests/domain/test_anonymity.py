"""Suppression: thresholds and differencing across the org tree and across waves."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.domain.anonymity import Hidden, WaveGroups, delta_hidden, suppress, suppress_union, suppress_waves

# Fachbereich fb with three teams; the Fachbereich's own office has nobody.
TREE = {"fb": None, "a": "fb", "b": "fb", "c": "fb"}


def test_a_unit_of_four_is_hidden() -> None:
    hidden = suppress({"fb": 4, "a": 4}, {"fb": None, "a": "fb"}, k=5)
    assert hidden == {"fb": Hidden("below_k", 5), "a": Hidden("below_k", 5)}
    assert hidden["a"].explain() == "fewer than 5 respondents"


def test_children_of_12_9_and_3_hide_the_3_and_the_9() -> None:
    hidden = suppress({"fb": 24, "a": 12, "b": 9, "c": 3}, TREE, k=5)
    assert hidden == {"c": Hidden("below_k", 5), "b": Hidden("secondary", 5)}
    # fb − a = 12 = b + c together: neither can be worked out alone.


def test_hidden_parts_of_zero_or_at_least_k_need_nothing_more() -> None:
    assert suppress({"fb": 30, "a": 12, "b": 9, "c": 9}, TREE, k=5) == {}
    hidden = suppress({"fb": 27, "a": 12, "b": 9, "c": 6}, TREE, k=7)
    assert hidden == {"c": Hidden("below_k", 7), "b": Hidden("secondary", 7)}


def test_the_units_own_people_count_as_a_hidden_part() -> None:
    # The Fachbereich office has 2 people of its own: fb − (a + b + c) = 2 would single them out.
    hidden = suppress({"fb": 32, "a": 12, "b": 9, "c": 9}, TREE, k=5)
    assert hidden == {"b": Hidden("secondary", 5)}  # the next-smallest (b before c by key)


def test_up_the_tree() -> None:
    tree = {"root": None, "d1": "root", "d2": "root", "t1": "d1", "t2": "d1"}
    # t2 has 2: hidden; t1 next to it must go; then d1 equals t1 + t2 + own (0): d1 is shown,
    # but the root − d2 = d1 is fine because d1 itself is shown.
    hidden = suppress({"root": 40, "d1": 12, "d2": 28, "t1": 10, "t2": 2}, tree, k=5)
    assert hidden == {"t2": Hidden("below_k", 5), "t1": Hidden("secondary", 5)}


def test_a_secondary_hidden_group_is_not_the_sum_of_shown_children() -> None:
    tree = {"root": None, "d1": "root", "d2": "root", "d3": "root", "t1": "d2", "t2": "d2"}
    counts = {"root": 30, "d1": 3, "d2": 12, "d3": 15, "t1": 6, "t2": 6}
    hidden = suppress(counts, tree, k=5)
    assert hidden["d1"].reason == "below_k"
    assert hidden["d2"].reason == "secondary"  # next-smallest sibling of d1
    # d2 = t1 + t2 would give d2 away, and with it d1 = root − d2 − d3: one child of d2 is hidden
    assert {"t1", "t2"} & set(hidden)


def test_threshold_never_below_three() -> None:
    with pytest.raises(ValueError, match="never below 3"):
        suppress({"a": 1}, {"a": None}, k=2)


def test_deltas_are_hidden_where_either_side_is() -> None:
    hide = Hidden("below_k", 5)
    assert delta_hidden(None, None, 5) is None
    assert delta_hidden(hide, None, 5) == Hidden("other_side_hidden", 5)
    assert delta_hidden(None, hide, 5) == Hidden("other_side_hidden", 5)


@st.composite
def trees(draw):  # type: ignore[no-untyped-def]
    size = draw(st.integers(2, 12))
    parents: dict[str, str | None] = {"u0": None}
    for i in range(1, size):
        parents[f"u{i}"] = f"u{draw(st.integers(0, i - 1))}"
    own = {u: draw(st.integers(0, 15)) for u in parents}
    counts: dict[str, int] = {}

    def total(unit: str) -> int:
        counts[unit] = own[unit] + sum(total(c) for c, p in parents.items() if p == unit)
        return counts[unit]

    total("u0")
    return parents, counts, draw(st.integers(3, 8))


@settings(max_examples=300, deadline=None)
@given(trees())
def test_no_hidden_group_can_be_worked_out_by_difference(case) -> None:  # type: ignore[no-untyped-def]
    parents, counts, k = case
    hidden = suppress(counts, parents, k)
    for unit in parents:
        if 0 < counts[unit] < k:
            assert unit in hidden
        kids = [c for c, p in parents.items() if p == unit]
        if not kids or counts[unit] == 0:
            continue
        rest = counts[unit] - sum(counts[c] for c in kids) + sum(counts[c] for c in kids if c in hidden)
        if unit not in hidden:
            # What a reader gets by difference is 0 or a group of at least k.
            assert rest == 0 or rest >= k, (unit, rest)
        else:
            assert rest > 0 or all(counts[c] == 0 or c in hidden for c in kids)


def test_suppression_only_hides() -> None:
    counts = {"fb": 24, "a": 12, "b": 9, "c": 3}
    for k in range(3, 10):
        hidden = suppress(counts, TREE, k)
        for unit, count in counts.items():
            if count >= k and unit not in hidden:
                continue
            assert unit in hidden or count == 0


# --- across waves -------------------------------------------------------------------------------


def test_an_open_wave_shows_nothing() -> None:
    [hidden] = suppress_waves([WaveGroups({"fb": 40, "a": 20, "b": 20, "c": 0}, 5, open=True)], TREE)
    assert hidden == {u: Hidden("wave_open", 5) for u in ("fb", "a", "b")}


def test_one_person_more_than_in_the_last_shown_wave_is_hidden() -> None:
    waves = [
        WaveGroups({"fb": 21, "a": 6, "b": 9, "c": 6}, 5),
        WaveGroups({"fb": 22, "a": 7, "b": 9, "c": 6}, 5),  # a: 6 → 7
        WaveGroups({"fb": 23, "a": 8, "b": 9, "c": 6}, 5),  # a: still compared with the 6
        WaveGroups({"fb": 27, "a": 12, "b": 9, "c": 6}, 5),  # a: 6 → 12, six more
    ]
    first, second, third, fourth = suppress_waves(waves, TREE)
    assert first == {}
    # a is hidden, and c with it: fb − b would give a back
    assert second == {"a": Hidden("few_changed", 5), "c": Hidden("secondary", 5)}
    assert third["a"] == Hidden("few_changed", 5)
    assert "a" not in fourth
    # b and c did not change: shown, and fb changed by 1 to 6 people among 21 or more: shown
    assert "fb" not in second and "fb" not in fourth


def test_large_groups_may_change_by_a_few() -> None:
    waves = [WaveGroups({"fb": 40, "a": 20, "b": 20}, 5), WaveGroups({"fb": 41, "a": 21, "b": 20}, 5)]
    assert suppress_waves(waves, {"fb": None, "a": "fb", "b": "fb"}) == [{}, {}]


def test_one_person_fewer_is_hidden_too() -> None:
    waves = [WaveGroups({"fb": 9, "a": 9}, 5), WaveGroups({"fb": 8, "a": 8}, 5)]
    assert suppress_waves(waves, {"fb": None, "a": "fb"})[1] == {
        "fb": Hidden("few_changed", 5),
        "a": Hidden("few_changed", 5),
    }


def test_open_waves_do_not_count_as_shown() -> None:
    waves = [
        WaveGroups({"fb": 6, "a": 6}, 5),
        WaveGroups({"fb": 9, "a": 9}, 5, open=True),
        WaveGroups({"fb": 7, "a": 7}, 5),
    ]
    assert suppress_waves(waves, {"fb": None, "a": "fb"})[2]["a"] == Hidden("few_changed", 5)


@st.composite
def histories(draw):  # type: ignore[no-untyped-def]
    parents, _, k = draw(trees())
    waves = []
    for _ in range(draw(st.integers(2, 5))):
        own = {u: draw(st.integers(0, 12)) for u in parents}
        counts: dict[str, int] = {}

        def total(unit: str, own: dict[str, int] = own, counts: dict[str, int] = counts) -> int:
            counts[unit] = own[unit] + sum(total(c) for c, p in parents.items() if p == unit)
            return counts[unit]

        total("u0")
        waves.append(WaveGroups(counts, k, open=draw(st.booleans()) and draw(st.booleans())))
    return parents, waves


@settings(max_examples=300, deadline=None)
@given(histories())
def test_no_group_is_shown_after_a_change_of_fewer_than_k(case) -> None:  # type: ignore[no-untyped-def]
    parents, waves = case
    last: dict[str, int] = {}
    for wave, hidden in zip(waves, suppress_waves(waves, parents), strict=True):
        if wave.open:
            assert all(h.reason == "wave_open" for h in hidden.values())
            assert set(hidden) == {u for u, n in wave.counts.items() if n > 0}
            continue
        k = wave.k
        for unit, n in wave.counts.items():
            if n == 0 or unit in hidden:
                continue
            assert n >= k
            if unit in last:
                change = abs(n - last[unit])
                assert change == 0 or change >= k or min(n, last[unit]) >= 2 * k, (unit, last[unit], n)
            last[unit] = n
        # Within the wave, the tree rule still holds (a group hidden for its change counts as hidden).
        for unit in parents:
            kids = [c for c, p in parents.items() if p == unit]
            if not kids or wave.counts[unit] == 0 or unit in hidden:
                continue
            rest = wave.counts[unit] - sum(wave.counts[c] for c in kids if c not in hidden)
            assert rest == 0 or rest >= k
            alone = [c for c in kids if c in hidden and wave.counts[c] > 0]
            own = wave.counts[unit] - sum(wave.counts[c] for c in kids)
            if own == 0 and len(alone) == 1:
                assert hidden[alone[0]].reason != "few_changed", "a changed group recomputable by difference"


# --- across a reorganisation --------------------------------------------------------------------


def test_a_unit_split_off_a_few_people_short_of_the_whole_is_hidden() -> None:
    """A (9 people) splits into B (7) and C (2) beside D (5): B goes on from A. Shown next to A's
    last value, B's would give C's two away if everybody else answered as before."""
    before = WaveGroups({"p": 14, "a": 9, "d": 5}, 5, parents={"p": None, "a": "p", "d": "p"})
    tree = {"p": None, "b": "p", "c": "p", "d": "p"}
    after = WaveGroups({"p": 14, "b": 7, "c": 2, "d": 5}, 5, parents=tree, follows={"b": ["a"], "c": ["a"]})
    first, second = suppress_waves([before, after], {})
    assert first == {}
    assert second["b"] == Hidden("few_changed", 5) and second["c"] == Hidden("below_k", 5)
    # without the lineage B would be a new group: the tree hides D (the smallest) and shows B,
    # whose difference to A's value is C
    unlinked = WaveGroups(after.counts, 5, parents=tree)
    assert "b" not in suppress_waves([before, unlinked], {})[1]


def test_a_split_of_40_and_3_hides_the_3_and_what_gives_it_away() -> None:
    """A (43) splits into B (40) and C (3): C is below k; the parent less B would give C (with the
    parent's own people) away, so the next-smallest sibling goes too; B's 3 fewer than A's 43 are
    too few among 40 to single anyone out (2k rule), as for any group of that size."""
    tree = {"p": None, "b": "p", "c": "p", "d": "p"}
    before = WaveGroups({"p": 63, "a": 43, "d": 20}, 5, parents={"p": None, "a": "p", "d": "p"})
    after = WaveGroups({"p": 63, "b": 40, "c": 3, "d": 20}, 5, parents=tree, follows={"b": ["a"], "c": ["a"]})
    _, hidden = suppress_waves([before, after], {})
    assert hidden["c"] == Hidden("below_k", 5) and hidden["d"] == Hidden("secondary", 5)
    assert "b" not in hidden and "p" not in hidden


def test_a_merged_unit_goes_on_from_its_predecessors_together() -> None:
    before = WaveGroups({"p": 10, "m1": 5, "m2": 5}, 5, parents={"p": None, "m1": "p", "m2": "p"})
    after = WaveGroups({"p": 8, "m": 8}, 5, parents={"p": None, "m": "p"}, follows={"m": ["m1", "m2"]})
    assert suppress_waves([before, after], {})[1]["m"] == Hidden("few_changed", 5)


def test_a_union_is_shown_only_where_each_of_its_parts_is() -> None:
    secondary, below = Hidden("secondary", 5), Hidden("below_k", 5)
    assert suppress_union([(6, None), (9, None)], 5) is None
    assert suppress_union([(6, None), (3, below)], 5) == secondary  # the union less 6 is the 3
    assert suppress_union([(3, below), (3, below)], 5) == secondary  # the parent less it: its own people
    assert suppress_union([(2, below), (1, below)], 5) == below
    assert suppress_union([(0, None), (0, None)], 5) is None
