"""Who may be seen: thresholds and suppression, in one place, before any figure is shown.

Every group (an org unit's subtree in one wave) with fewer than k respondents is hidden
(primary suppression). Because a parent's figure and its shown children's figures would let a
reader compute a hidden child by difference, the respondents of a shown group's hidden parts —
its hidden children plus the people in the unit itself, outside any child — must together be
0 or at least k; otherwise the next-smallest shown sibling is hidden too, and this repeats, up
and down the tree, until nothing changes (secondary suppression). A group hidden for that
reason must itself not be recomputable from its shown children, so at least one of its parts
stays hidden as well.

Across waves (`suppress_waves`): figures of an open wave are not shown at all (every new
submission would change them, and watching them change would show what the person who just
answered said), only once it has closed. And a group whose respondents differ from the last
wave in which it was shown by fewer than k people (but not by none) is hidden in the later wave
while it is small (under 2k on either side): the difference of the two waves would otherwise be
the answers of those few people, if the others answered as before. Such a group must not be
recomputable from its parent and shown siblings either, so it counts as a hidden part like a
group below k.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "K_DEFAULT",
    "K_MIN",
    "K_TEXT_DEFAULT",
    "Hidden",
    "Reason",
    "WaveGroups",
    "delta_hidden",
    "suppress",
    "suppress_union",
    "suppress_waves",
]

K_MIN = 3
K_DEFAULT = 5
K_TEXT_DEFAULT = 10

Reason = Literal["below_k", "secondary", "other_side_hidden", "wave_open", "few_changed"]


@dataclass(frozen=True)
class Hidden:
    """A figure that is not shown, and why; never shown as zero or left out silently."""

    reason: Reason
    k: int

    def explain(self) -> str:
        match self.reason:
            case "below_k":
                return f"fewer than {self.k} respondents"
            case "secondary":
                return "hidden so that a smaller group cannot be worked out by difference"
            case "wave_open":
                return "the wave is still open: its results are shown once it has closed"
            case "few_changed":
                return (
                    f"fewer than {self.k} respondents more or fewer than in the last wave shown: "
                    "the difference could single them out"
                )
            case _:
                return "one of the compared groups is hidden"


def suppress(
    counts: Mapping[str, int],
    parents: Mapping[str, str | None],
    k: int,
    primary: Mapping[str, Hidden] | None = None,
) -> dict[str, Hidden]:
    """Groups to hide: `counts` maps each unit to its subtree's respondents in one wave;
    `parents` gives each unit's parent (None for the root). Units absent from `counts` have 0.
    `primary`: groups hidden for a reason of their own besides k (see `suppress_waves`)."""
    if k < K_MIN:
        raise ValueError(f"k={k}: the threshold is never below {K_MIN}")
    children: dict[str, list[str]] = {}
    for unit, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    n = {unit: counts.get(unit, 0) for unit in parents}
    hidden: dict[str, Hidden] = {u: Hidden("below_k", k) for u, count in n.items() if 0 < count < k}
    hidden.update(primary or {})  # their own reason first: it says more than "below k"
    # Units with nobody are shown as "no respondents": nothing can be learnt from them.

    def own(unit: str) -> int:
        """People in the unit itself, outside any child: never shown on their own."""
        return n[unit] - sum(n[c] for c in children.get(unit, []))

    changed = True
    while changed:
        changed = False
        for unit in parents:
            kids = children.get(unit, [])
            if not kids or n[unit] == 0:
                continue
            hidden_kids = [c for c in kids if c in hidden and n[c] > 0]
            hidden_sum = own(unit) + sum(n[c] for c in hidden_kids)
            shown = sorted((c for c in kids if c not in hidden and n[c] > 0), key=lambda c: (n[c], c))
            # A shown group's hidden parts are 0 or ≥ k, and not one group hidden for a reason
            # of its own alone; a hidden group is not the sum of its shown children.
            alone = (
                own(unit) == 0 and len(hidden_kids) == 1 and hidden[hidden_kids[0]].reason == "few_changed"
            )
            need = (0 < hidden_sum < k or alone) if unit not in hidden else hidden_sum == 0
            if need and shown:
                hidden[shown[0]] = Hidden("secondary", k)
                changed = True
            elif alone and not shown and unit not in hidden:
                # nothing else to hide beside it: the unit itself would be the changed group
                hidden[unit] = Hidden("secondary", k)
                changed = True
    return hidden


def delta_hidden(before: Hidden | None, after: Hidden | None, k: int) -> Hidden | None:
    """A change between two waves is hidden where either side is."""
    if before is None and after is None:
        return None
    return Hidden("other_side_hidden", k)


@dataclass(frozen=True)
class WaveGroups:
    """One wave's respondents per group (unit → its subtree's respondents), its k, and whether it
    is still open. After a reorganisation a wave has its own tree (`parents`; None: the tree
    given to `suppress_waves`), and a group may go on from others (`follows`: a unit split off
    goes on from the unit it was part of, a merged unit from the units merged into it)."""

    counts: Mapping[str, int]
    k: int
    open: bool = False
    parents: Mapping[str, str | None] | None = None
    follows: Mapping[str, Sequence[str]] | None = None


def _last_count(unit: str, wave: WaveGroups, last_shown: Mapping[str, int]) -> int | None:
    """The group's respondents in the last wave it was shown in; for a group that goes on from
    others, theirs (together: all of them must have been shown)."""
    if unit in last_shown:
        return last_shown[unit]
    before = (wave.follows or {}).get(unit)
    if before and all(b in last_shown for b in before):
        return sum(last_shown[b] for b in before)
    return None


def suppress_waves(waves: Sequence[WaveGroups], parents: Mapping[str, str | None]) -> list[dict[str, Hidden]]:
    """What to hide of each wave's figures, waves in their order (all of a questionnaire's waves,
    whatever part of them is shown: hiding must not depend on the window a reader picks).

    An open wave hides every group that has respondents (`wave_open`). In a closed wave, a group
    of at least k whose respondents differ from those of the last wave it was shown in by 1 to
    k − 1, while either count is under 2k, is hidden (`few_changed`) before the usual primary and
    secondary suppression runs over the wave's tree. Across a reorganisation, the last wave a
    group was shown in is that of the groups it goes on from (`WaveGroups.follows`): a unit split
    off with a few people fewer than the whole was is hidden as if it had simply lost them."""
    last_shown: dict[str, int] = {}
    out: list[dict[str, Hidden]] = []
    for wave in waves:
        if wave.open:
            out.append({u: Hidden("wave_open", wave.k) for u, count in wave.counts.items() if count > 0})
            continue
        changed = {}
        for unit, count in wave.counts.items():
            last = _last_count(unit, wave, last_shown)
            if (
                count >= wave.k
                and last is not None
                and 0 < abs(count - last) < wave.k
                and min(count, last) < 2 * wave.k
            ):
                changed[unit] = Hidden("few_changed", wave.k)
        hidden = suppress(wave.counts, wave.parents if wave.parents is not None else parents, wave.k, changed)
        last_shown.update({u: count for u, count in wave.counts.items() if count > 0 and u not in hidden})
        out.append(hidden)
    return out


def suppress_union(parts: Sequence[tuple[int, Hidden | None]], k: int) -> Hidden | None:
    """Whether a group made of several groups of one wave is hidden: a merged unit's earlier value
    is its predecessors' together, each already suppressed in that wave's tree (`parts`:
    respondents, and why hidden). It is shown only where every part with respondents is: then it
    says nothing their own figures do not. With one part hidden, the union less the shown parts,
    or the parent less its shown children and the union, would give something hidden away."""
    total = sum(n for n, _ in parts)
    if 0 < total < k:
        return Hidden("below_k", k)
    if any(h is not None and n > 0 for n, h in parts):
        return Hidden("secondary", k)
    return None
