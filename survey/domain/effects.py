"""The effect check of a measure as the pages, reports and API show it: per value the measure
addresses, one verdict with its figures for the owning units together and one per owning unit,
each shown or hidden with its reason.

Built by survey.services.figures (`measure_effects`) from the value sums the database returns,
survey.stats (`effect_check_units`) and the same suppression as every figure. Points are on the
0–100 scale of every value score; a positive estimate is an improvement.

The verdicts, in the words a page says them in:

    too_early  "zu früh": no closed wave has opened since the start plus the measure's lag
    no_data    nothing to compare (`Effect.reason` says why: no wave before the start, the
               questionnaire changed the value's questions in between, too few answers)
    no_change  "keine Veränderung nachweisbar": with `mde`, the change this check would have found
               (with 80 % probability)
    improved / worsened  "verbessert" / "verschlechtert": the difference in differences against
               the rest of the organisation, significant after Benjamini–Hochberg across every
               check of the same call (`p_adjusted`)
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from survey.domain.figures import HiddenFigure

__all__ = [
    "Effect",
    "EffectVerdict",
    "MeasureEffect",
    "MeasureSummary",
    "NoDataReason",
    "TrendChange",
    "UnitEffect",
    "ValueEffect",
    "WaveRef",
]

EffectVerdict = Literal["too_early", "no_data", "no_change", "improved", "worsened"]

#: why a check has no figures:
#: no_wave_after (too early), no_wave_before (the measure started before the first wave that asks
#: the value), trend_break (the questionnaire asks the value with other questions before the start
#: than after it: the scores are not comparable), too_few_answers (a side without two answers of
#: the units or of the rest in one wave), no_owner (no confirmed owning unit exists any more)
NoDataReason = Literal["no_wave_after", "no_wave_before", "trend_break", "too_few_answers", "no_owner"]


class WaveRef(msgspec.Struct, frozen=True):
    """A wave as a page names it."""

    key: str
    title: str
    opens_on: dt.date


class TrendChange(msgspec.Struct, frozen=True):
    """A coefficient of the segmented regression (interrupted time series) of the units' score
    minus the rest's, from three waves on each side: the jump at the first wave after the start
    (points), or the change of the slope (points per wave). Describes the line; the verdict rests
    on the difference in differences alone, and `p` is not adjusted."""

    estimate: float
    low: float
    high: float
    p: float


class Effect(msgspec.Struct, frozen=True):
    """One check's figures (the owning units together, or one unit). Every figure is None for
    "too_early" and "no_data"; the counts stay.

    `estimate` = (units after − units before) − (rest after − rest before), the rest's means
    weighted to the waves the units answered in, with its 95 % interval `low`–`high`, raw `p`,
    `p_adjusted` (Benjamini–Hochberg across every check of the call) and `mde`, the smallest true
    change found with 80 % probability. `own_*` are the units' mean scores, `rest_*` the rest's,
    before and after. `n_*` count the owning units' answers (persons) in the waves used, `waves_*`
    those waves; `level_change` and `slope_change` exist from three waves on each side.
    """

    verdict: EffectVerdict
    reason: NoDataReason | None
    n_before: int
    n_after: int
    waves_before: int
    waves_after: int
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    p: float | None = None
    p_adjusted: float | None = None
    mde: float | None = None
    own_before: float | None = None
    own_after: float | None = None
    rest_before: float | None = None
    rest_after: float | None = None
    level_change: TrendChange | None = None
    slope_change: TrendChange | None = None


class UnitEffect(msgspec.Struct, frozen=True):
    """One owning unit's own check (its subtree against the same rest). Hidden where the unit's
    scores were hidden in a wave the check covers (`hidden_in` names those waves); "zu früh" is
    never hidden: it says nothing about the unit's answers."""

    unit: str
    name: str
    effect: Effect | HiddenFigure
    hidden_in: list[str] = []


class ValueEffect(msgspec.Struct, frozen=True):
    """The check of one value the measure addresses.

    `effect` is the owning units' check together (`combined`: several units, each compared with
    the rest on its own and weighted by its answers, survey.stats.effect_check_units), or the one
    unit's own check (then equal to `units[0].effect`, and hidden where it is). `units` has every
    confirmed owning unit's own check. `comparable` is False where a change of the questionnaire's
    questions cut earlier waves off: the check runs on the waves since then. `first_wave_after`
    is the first closed wave that counts as after the start (None: too early)."""

    value: str
    name: str
    effect: Effect | HiddenFigure
    combined: bool
    units: list[UnitEffect]
    comparable: bool = True
    first_wave_after: WaveRef | None = None


class MeasureEffect(msgspec.Struct, frozen=True):
    """A measure's effect check on one questionnaire's closed waves, per value it addresses (in
    the measure's order). `tests` is the number of checks adjusted together (Benjamini–Hochberg)."""

    measure: int
    questionnaire: str
    values: list[ValueEffect]
    tests: int


class MeasureSummary(msgspec.Struct, frozen=True):
    """A measure as a report lists it: its facts, its owning units' names and its effect check
    per value (the values' names in the report's language)."""

    id: int
    title: str
    #: geplant | laufend | umgesetzt | verworfen
    status: str
    starts_on: dt.date
    units: list[str]
    values: list[ValueEffect]
