"""The figures a report shows: plain values, each one shown or hidden with its reason.

Built by survey.services.figures from count tables and survey.stats, after anonymity
(survey.domain.anonymity) has decided what may be seen; read by the reports, the web pages,
the API and `survey stats --json`.
"""

from __future__ import annotations

import datetime as dt

import msgspec

__all__ = [
    "CONTACTS_NOT_RECORDED",
    "Change",
    "ChildScores",
    "HiddenFigure",
    "ItemFigures",
    "NoRate",
    "OrganisationOverview",
    "OverviewRow",
    "Reliability",
    "Reorganisation",
    "Reorganised",
    "Score",
    "Trend",
    "UnitFigures",
    "ValueFigures",
    "WavePoint",
    "WaveReliability",
    "WaveSummary",
]


class HiddenFigure(msgspec.Struct, frozen=True):
    hidden: bool
    reason: str
    explanation: str


class NoRate(msgspec.Struct, frozen=True):
    """Why a group has no response rate (and no headcount): there is nothing to divide by.

    Citizens who rate a service contact are no staff: the unit's headcount is no base for them,
    and the contacts at service points, which would be, are not recorded."""

    reason: str  # contacts_not_recorded
    explanation: str


#: the reason of every citizen wave's missing response rate
CONTACTS_NOT_RECORDED = NoRate(
    "contacts_not_recorded",
    "citizen feedback: no response rate, because the number of service contacts is not recorded",
)


class Score(msgspec.Struct, frozen=True):
    """A mean on 0–100 with its 95 % interval and the number of respondents behind it."""

    n: int
    mean: float
    low: float | None
    high: float | None


class Change(msgspec.Struct, frozen=True):
    """From the previous wave to this one; `significant` only after Benjamini–Hochberg."""

    test: str
    difference: float
    p: float
    p_adjusted: float | None
    significant: bool
    effect: float
    effect_name: str


class Trend(msgspec.Struct, frozen=True):
    waves: int
    direction: str  # rising | falling | flat | not_enough_waves
    tau: float | None = None
    p: float | None = None
    p_adjusted: float | None = None
    slope_per_wave: float | None = None
    slope_low: float | None = None
    slope_high: float | None = None


class Reliability(msgspec.Struct, frozen=True):
    items: int
    alpha: float | None
    alpha_low: float | None
    alpha_high: float | None
    omega: float | None


class WaveReliability(msgspec.Struct, frozen=True):
    wave: str
    reliability: Reliability | HiddenFigure | None


class WavePoint(msgspec.Struct, frozen=True):
    wave: str
    title: str
    opens_on: dt.date
    version: int
    score: Score | HiddenFigure | None
    #: the items behind this point are not comparable with the newest version's: the line breaks
    break_before: bool = False
    #: the wave's questionnaire version has items measuring the value; where it has none, `score`
    #: is None because nobody was asked, not because nobody answered
    asked: bool = True


class ValueFigures(msgspec.Struct, frozen=True):
    value: str
    name: str
    series: list[WavePoint]
    latest: Score | HiddenFigure | None
    change: Change | HiddenFigure | None
    trend: Trend
    parent: Score | HiddenFigure | None
    organisation: Score | HiddenFigure | None
    #: staff and citizens on the items both questionnaires share (self-image, external image)
    self_on_shared: Score | HiddenFigure | None
    external: Score | HiddenFigure | None
    shared_items: list[str]
    reliability: Reliability | HiddenFigure | None
    #: α and ω in every wave (on that wave's version's items)
    reliability_by_wave: list[WaveReliability] = []
    #: some wave shown asks for the value (`WavePoint.asked` says which); where none does, every
    #: figure of it is None: not asked by this questionnaire, which is not "no respondents"
    asked: bool = True


class ItemFigures(msgspec.Struct, frozen=True):
    item: str
    text: str
    values: list[str]
    latest: Score | HiddenFigure | None
    top_box: float | None
    top_box_low: float | None
    top_box_high: float | None
    #: answers per code, shown from k_text respondents on
    distribution: dict[str, int] | HiddenFigure | None
    change: Change | HiddenFigure | None


class Reorganised(msgspec.Struct, frozen=True):
    """How a wave before a reorganisation stands for the unit: `merged` (its predecessors'
    answers together) or `shared` (the value of the unit it was split from, which its siblings
    share); `units` names them."""

    relation: str
    units: list[str]


class Reorganisation(msgspec.Struct, frozen=True):
    """A change in the unit's lineage (survey.domain.lineage): its trend charts draw a line there.
    `kind`: split, merged, moved or renamed; `units`: the units before it (the one split, those
    merged; the unit itself where it was moved or renamed)."""

    valid_from: dt.date
    kind: str
    units: list[str]
    #: the first wave shown that ran with the new organisation (None: none yet)
    wave: str | None = None


class WaveSummary(msgspec.Struct, frozen=True):
    wave: str
    title: str
    opens_on: dt.date
    closes_on: dt.date
    version: int
    respondents: int | HiddenFigure
    #: the staff of the unit's subtree; None where the wave's people are no staff (citizens)
    headcount: int | None
    response_rate: float | HiddenFigure | None
    #: staff | citizen
    audience: str = "staff"
    #: why there is no response rate at all (citizen waves); None where there is one, or where it
    #: is hidden (then `response_rate` is the HiddenFigure)
    no_rate: NoRate | None = None
    #: before a reorganisation: whose value the wave's figures are (None: the unit's own)
    reorganised: Reorganised | None = None


class ChildScores(msgspec.Struct, frozen=True):
    unit: str
    name: str
    scores: dict[str, Score | HiddenFigure | None]


class UnitFigures(msgspec.Struct, frozen=True):
    unit: str
    name: str
    kind: str
    parent: str | None
    questionnaire: str
    waves: list[WaveSummary]
    values: list[ValueFigures]
    items: list[ItemFigures]
    children: list[dict[str, object]]
    k: int
    k_text: int
    tests: int
    #: per sub-unit, its value scores in the latest wave (for the heatmap)
    child_scores: list[ChildScores] = []
    #: staff | citizen: who answers the questionnaire
    audience: str = "staff"
    #: the waves still open: participation only (respondents so far, hidden where the group is
    #: small), never answers; the figures above are the closed waves'
    open_waves: list[WaveSummary] = []
    #: the reorganisations within the waves shown, oldest first (survey.domain.lineage)
    reorganisations: list[Reorganisation] = []


class OverviewRow(msgspec.Struct, frozen=True):
    """One Dezernat or Fachbereich in the organisation overview (latest wave)."""

    unit: str
    name: str
    kind: str
    depth: int
    respondents: int | HiddenFigure
    #: None where the questionnaire's people are no staff (citizens)
    headcount: int | None
    response_rate: float | HiddenFigure | None
    scores: dict[str, Score | HiddenFigure | None]
    changes: dict[str, Change | HiddenFigure | None]
    #: why there is no response rate at all (citizen questionnaires)
    no_rate: NoRate | None = None
    #: per value, the trend over the closed waves the row's scores are shown in (adjusted with
    #: the overview's other tests); none for a value nobody was asked about
    trends: dict[str, Trend] = {}


class OrganisationOverview(msgspec.Struct, frozen=True):
    questionnaire: str
    wave: str
    wave_title: str
    previous_wave: str | None
    values: dict[str, str]
    rows: list[OverviewRow]
    k: int
    tests: int
    #: staff | citizen
    audience: str = "staff"
    #: values of the Leitbild the latest wave's version does not ask for: their scores are None
    #: because nobody was asked
    not_asked: list[str] = []
    #: the questionnaire's title (of its newest version) in the overview's language
    title: str = ""
