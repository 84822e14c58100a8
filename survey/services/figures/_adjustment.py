"""Every p-value one report shows, adjusted together (Benjamini–Hochberg): what is significant
is decided once all of the report's tests are known."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import msgspec

from survey.domain.figures import Change, Trend
from survey.services.figures._scores import r
from survey.stats import MIN_TREND_WAVES, benjamini_hochberg, mann_kendall, theil_sen

__all__ = ["ALPHA", "Tests"]

#: the false discovery rate across the tests of one report
ALPHA = 0.05


@dataclass
class Tests:
    """The raw p-values of one report, in the order they were added."""

    raw: list[float] = field(default_factory=list)
    _adjusted: list[float] | None = None

    def add(self, p: float | None) -> int | None:
        """Take part in the adjustment; the index to ask for the result with (None: no test)."""
        if p is None or math.isnan(p):
            return None
        assert self._adjusted is None, "every test is added before the first result is read"
        self.raw.append(p)
        return len(self.raw) - 1

    def p_adjusted(self, index: int | None) -> float | None:
        if index is None:
            return None
        if self._adjusted is None:
            self._adjusted = list(benjamini_hochberg(self.raw))
        return self._adjusted[index]

    def change(self, index: int | None, data: dict) -> Change:
        """A change's figures (test, difference, p, effect) with its adjusted p and verdict."""
        p_adj = self.p_adjusted(index)
        return Change(
            p_adjusted=r(p_adj),
            significant=bool(p_adj is not None and p_adj < ALPHA),
            **{**data, "p": r(data["p"])},
        )

    def pending_trend(self, points: list[float]) -> tuple[Trend, int | None]:
        """The trend over the points (Mann–Kendall, Theil–Sen), its direction pending until every
        test of the report is added; the index to read it with `trend`."""
        if len(points) < MIN_TREND_WAVES:
            return Trend(len(points), "not_enough_waves"), None
        mk = mann_kendall(points)
        ts = theil_sen(points)
        index = self.add(mk.p)
        return Trend(len(points), "pending", r(mk.tau), mk.p, None, r(ts.slope), r(ts.low), r(ts.high)), index

    def trend(self, trend: Trend, index: int | None) -> Trend:
        """A pending trend's direction: rising or falling only where significant after adjustment."""
        if trend.direction != "pending":
            return trend
        p_adj = self.p_adjusted(index)
        direction = "flat"
        if p_adj is not None and p_adj < ALPHA and trend.tau is not None:
            direction = "rising" if trend.tau > 0 else "falling"
        return msgspec.structs.replace(trend, direction=direction, p=r(trend.p), p_adjusted=r(p_adj))
