"""Whether a hidden number follows from the shown ones: the audit that official statistics run after
suppression (τ-ARGUS and the like), for the participation monitor's table of service point weeks.

Every number the monitor shows is a sum of unknowns (responses per place and week). Suppression
(survey.domain.anonymity.suppress, over the small trees of survey.services.participation_weeks)
keeps each tree's rules, but the table's rows and the units' series cross each other, and a
hidden number can then be the result of several shown ones together. The audit writes every
shown sum as an equation and asks linear algebra whether a hidden sum lies in their span (is
some combination of them); where it does and a shown cell of the table takes part, the smallest
such cell is hidden too, and the audit runs again.

A number that follows from what the table does not decide (a unit's series, the whole wave's
days, the units' counts) is left as it is: it is a growth of a group the monitor shows, which it
shows on purpose (survey.services.participation_series).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

__all__ = ["determined"]

#: below this a singular value or a residual is zero (the sums have coefficients 0 and 1)
_TOLERANCE = 1e-8


def _matrix(rows: Sequence[frozenset[Hashable]], index: Mapping[Hashable, int]) -> np.ndarray:
    out = np.zeros((len(rows), len(index)))
    for i, row in enumerate(rows):
        for atom in row:
            out[i, index[atom]] = 1.0
    return out


def _null_space(a: np.ndarray, width: int) -> np.ndarray:
    if a.shape[0] == 0:
        return np.eye(width)
    _u, s, vt = np.linalg.svd(a)
    rank = int((s > _TOLERANCE * max(1.0, s[0] if s.size else 1.0)).sum())
    return vt[rank:].T


def determined(
    atoms: Sequence[Hashable],
    fixed: Sequence[frozenset[Hashable]],
    shown: Mapping[Hashable, frozenset[Hashable]],
    targets: Mapping[Hashable, frozenset[Hashable]],
) -> dict[Hashable, list[Hashable]]:
    """The `targets` (hidden sums) that follow from the `fixed` sums and the `shown` ones, each
    with the shown ones its combination takes (empty where the fixed sums alone give it)."""
    if not targets:
        return {}
    index = {atom: i for i, atom in enumerate(atoms)}
    null = _null_space(_matrix(fixed, index), len(atoms))
    names = list(shown)
    t = _matrix(list(targets.values()), index) @ null
    c = _matrix([shown[n] for n in names], index) @ null
    out: dict[Hashable, list[Hashable]] = {}
    if null.shape[1] == 0:  # the fixed sums give every unknown
        return {name: [] for name in targets}
    if c.shape[0]:
        _u, s, vt = np.linalg.svd(c, full_matrices=False)
        basis = vt[: int((s > _TOLERANCE * max(1.0, s[0])).sum())]
    else:
        basis = np.zeros((0, null.shape[1]))
    residual = t - (t @ basis.T) @ basis
    for row, (name, _sum) in enumerate(targets.items()):
        if np.abs(residual[row]).max(initial=0.0) > 1e-6:
            continue
        if np.abs(t[row]).max(initial=0.0) <= 1e-6:
            out[name] = []
            continue
        y, *_ = np.linalg.lstsq(c.T, t[row], rcond=None)
        out[name] = [names[i] for i in np.flatnonzero(np.abs(y) > 1e-6)]
    return out
