"""Figures per service point, and who may be seen in them: the citizens' ratings of one place where
they are served (a Bürgerbüro counter, the Jobcenter's Eingangszone), for the public pages.

A service point belongs to one unit, and the unit's citizen figures are shown (on the dashboard,
with the suppression of survey.domain.anonymity). A service point's figures are a part of its
unit's: shown beside the unit's, they must not let anyone work out by difference what the
suppression hides. So, per unit and wave (`suppress_service_points`):

- an open wave shows nothing (`wave_open`), as everywhere;
- where the unit's own figures are hidden, every service point of it is hidden too (below k, or
  `secondary`): its figures would be the unit's, or a part of them, and so a way back to them;
- else the unit is the parent of its service points in a tree of its own, and the rules of
  survey.domain.anonymity run on it: a service point needs k respondents, and the respondents of
  the unit that no shown service point holds — its other service points, answers without a
  service point, its sub-units the dashboard hides — together are 0 or at least k; otherwise the
  next-smallest service point is hidden too (`secondary`), until that holds;
- across waves, a service point whose respondents differ by 1 to k − 1 from the last wave it was
  shown in (while either count is under 2k) is hidden (`few_changed`), as a unit is.

The unit's figures are known (the dashboard shows them), and so are its shown sub-units': what is
left, `rest` + the hidden service points, is therefore 0 or ≥ k, and nothing smaller than k can
be worked out from any combination of shown figures. Where a unit has exactly one service point
and nothing else, its figures are the unit's and hidden exactly where the unit's are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec

from survey.domain.anonymity import Hidden, suppress
from survey.domain.figures import Change, HiddenFigure, Score, Trend, WavePoint, WaveSummary

__all__ = [
    "PointGroups",
    "PointValue",
    "ServicePointFigures",
    "suppress_service_points",
]

#: the unit in its own small tree (no service point key is empty)
_UNIT = ""


@dataclass(frozen=True)
class PointGroups:
    """One wave at one unit: respondents per service point of the unit, and the rest.

    `rest` counts the unit's respondents (its subtree's) that neither a service point here nor a
    sub-unit the dashboard shows holds: answers without a service point or from a retired one,
    and the sub-units hidden on the dashboard. `unit_hidden` is why the dashboard hides the unit's
    own figures in this wave, if it does."""

    points: Mapping[str, int]
    rest: int
    k: int
    open: bool = False
    unit_hidden: Hidden | None = None


def suppress_service_points(waves: Sequence[PointGroups]) -> list[dict[str, Hidden]]:
    """What to hide of each service point of one unit, per wave in the waves' order (all of the
    questionnaire's waves, so that hiding does not depend on the waves a reader looks at)."""
    last_shown: dict[str, int] = {}
    out: list[dict[str, Hidden]] = []
    for wave in waves:
        k = wave.k
        present = {point: n for point, n in wave.points.items() if n > 0}
        if wave.open:
            out.append({point: Hidden("wave_open", k) for point in present})
            continue
        if wave.unit_hidden is not None:
            out.append({p: Hidden("below_k" if n < k else "secondary", k) for p, n in present.items()})
            continue
        changed = {
            point: Hidden("few_changed", k)
            for point, n in present.items()
            if n >= k
            and point in last_shown
            and 0 < abs(n - last_shown[point]) < k
            and min(n, last_shown[point]) < 2 * k
        }
        counts = {_UNIT: wave.rest + sum(present.values()), **present}
        parents: dict[str, str | None] = {_UNIT: None, **{point: _UNIT for point in wave.points}}
        hidden = suppress(counts, parents, k, changed)
        if _UNIT in hidden:  # the rules hid the unit itself: nothing of it may be shown apart
            hidden = {point: hidden.get(point, Hidden("secondary", k)) for point in present}
        hidden.pop(_UNIT, None)
        last_shown.update({point: n for point, n in present.items() if point not in hidden})
        out.append(hidden)
    return out


class PointValue(msgspec.Struct, frozen=True):
    """A value at a service point across the closed waves: the names as in `ValueFigures`."""

    value: str
    name: str
    series: list[WavePoint]
    latest: Score | HiddenFigure | None
    change: Change | HiddenFigure | None
    trend: Trend
    asked: bool = True


class ServicePointFigures(msgspec.Struct, frozen=True):
    """One service point's figures over a citizen questionnaire's closed waves, oldest first.

    `sole`: in every closed wave its respondents are all of its unit's (one service point, nothing
    else): its figures are the unit's own, and a page shows the unit's (survey.services.figures
    `unit_figures`), with the same tests as the dashboard."""

    service_point: str
    name: str
    unit: str
    questionnaire: str
    waves: list[WaveSummary]
    values: list[PointValue]
    k: int
    tests: int
    sole: bool
