"""Who may be seen: thresholds and suppression, in one place, before any figure is shown.

Every group (an org unit's subtree in one wave) with fewer than k respondents is hidden
(primary suppression). Because a parent's figure and its shown children's figures would let a
reader compute a hidden child by difference, the respondents of a shown group's hidden parts —
its hidden children plus the people in the unit itself, outside any child — must together be
0 or at least k; otherwise the next-smallest shown sibling is hidden too, and this repeats, up
and down the tree, until nothing changes (secondary suppression). A group hidden for that
reason must itself not be recomputable from its shown children, so at least one of its parts
stays hidden as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["K_DEFAULT", "K_MIN", "K_TEXT_DEFAULT", "Hidden", "Reason", "delta_hidden", "suppress"]

K_MIN = 3
K_DEFAULT = 5
K_TEXT_DEFAULT = 10

Reason = Literal["below_k", "secondary", "other_side_hidden"]


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
            case _:
                return "one of the compared groups is hidden"


def suppress(
    counts: Mapping[str, int],
    parents: Mapping[str, str | None],
    k: int,
) -> dict[str, Hidden]:
    """Groups to hide: `counts` maps each unit to its subtree's respondents in one wave;
    `parents` gives each unit's parent (None for the root). Units absent from `counts` have 0."""
    if k < K_MIN:
        raise ValueError(f"k={k}: the threshold is never below {K_MIN}")
    children: dict[str, list[str]] = {}
    for unit, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    n = {unit: counts.get(unit, 0) for unit in parents}
    hidden: dict[str, Hidden] = {u: Hidden("below_k", k) for u, count in n.items() if 0 < count < k}
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
            hidden_sum = own(unit) + sum(n[c] for c in kids if c in hidden)
            shown = sorted((c for c in kids if c not in hidden and n[c] > 0), key=lambda c: (n[c], c))
            # A shown group's hidden parts are 0 or ≥ k; a hidden group is not the sum of its
            # shown children.
            need = 0 < hidden_sum < k if unit not in hidden else hidden_sum == 0
            if need and shown:
                hidden[shown[0]] = Hidden("secondary", k)
                changed = True
    return hidden


def delta_hidden(before: Hidden | None, after: Hidden | None, k: int) -> Hidden | None:
    """A change between two waves is hidden where either side is."""
    if before is None and after is None:
        return None
    return Hidden("other_side_hidden", k)
