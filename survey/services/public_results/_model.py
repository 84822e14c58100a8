"""What the pages without sign-in show, as plain values: ratings of one wave per value, measures
with their status (and, for staff, their effect), each figure shown or hidden with its reason.

Built from the suppressed figures of survey.services.figures only: a hidden figure stays a
`HiddenFigure` and never becomes a number here. Scores are whole numbers (rounded half up from the
figures' own means); words are codes (`better`, `same`, `worse`), said by the pages in their
language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from survey.domain.effects import EffectVerdict, NoDataReason
from survey.domain.figures import HiddenFigure

__all__ = [
    "ChangeWord",
    "EffectLine",
    "FeedbackPage",
    "PlaceLink",
    "PublicMeasure",
    "PublicPage",
    "Ratings",
    "TrendWord",
    "ValueRating",
]

#: the change since the wave before, as the dashboard says it: better or worse only where the test
#: says so after Benjamini–Hochberg; `none` where there is nothing to compare, `hidden` where
#: either side is hidden
ChangeWord = Literal["better", "same", "worse", "none", "hidden"]
#: the trend over the waves: rising or falling only where significant after the adjustment
TrendWord = Literal["rising", "falling", "flat", "not_enough_waves"]


@dataclass(frozen=True)
class ValueRating:
    """One value of the Leitbild in the latest closed wave."""

    value: str
    #: in the page's language
    name: str
    #: some wave shown asks for the value; where none does, nothing else is set
    asked: bool
    #: 0–100, rounded to a whole number; None where hidden (`hidden` says why) or nobody answered
    score: int | None
    hidden: HiddenFigure | None
    change: ChangeWord
    change_hidden: HiddenFigure | None
    trend: TrendWord
    #: the waves the trend is over
    trend_waves: int


@dataclass(frozen=True)
class Ratings:
    """The latest closed wave of one questionnaire for one group (a unit, a service point, the
    Kommune): how many answered (or why that is hidden) and each value's rating."""

    questionnaire: str
    wave: str
    opens_on: dt.date
    closes_on: dt.date
    respondents: int | None
    respondents_hidden: HiddenFigure | None
    k: int
    values: list[ValueRating]
    #: the period of the wave the changes compare with, if there is one
    previous: tuple[dt.date, dt.date] | None = None


@dataclass(frozen=True)
class EffectLine:
    """The effect check of a measure on one value, for the staff page: the owning units together
    (or the one owning unit). `verdict` None: hidden (`hidden` says why)."""

    value: str
    name: str
    verdict: EffectVerdict | None
    hidden: HiddenFigure | None = None
    reason: NoDataReason | None = None
    #: the owning units' answers in the waves the check used
    n: int = 0
    #: points (0–100), rounded to one decimal
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    mde: float | None = None


@dataclass(frozen=True)
class PublicMeasure:
    """A measure as the pages without sign-in show it (no notes, no people's names)."""

    id: int
    title: str
    description: str
    #: geplant | laufend | umgesetzt | verworfen
    status: str
    starts_on: dt.date
    due_on: dt.date | None
    #: (key, name in the page's language) of each value it addresses
    values: list[tuple[str, str]]
    #: the owning units' names
    owners: list[str]
    #: the effect per value (staff pages only; empty on the public pages)
    effects: list[EffectLine] = field(default_factory=list)


@dataclass(frozen=True)
class PlaceLink:
    """A service point with a public page."""

    key: str
    name: str


@dataclass(frozen=True)
class PublicPage:
    """The citizens' page of a service point (`point` set) or of the whole Kommune."""

    kommune: str
    #: the service point (None: the Kommune's page)
    point: PlaceLink | None
    #: the latest closed citizen wave's ratings; None before any has closed
    ratings: Ratings | None
    measures: list[PublicMeasure]
    #: every service point with a page (the Kommune's page lists them)
    points: list[PlaceLink]
    #: the languages of the citizens' questionnaire
    languages: list[str]


@dataclass(frozen=True)
class FeedbackPage:
    """A unit's page for its staff: the latest closed staff wave and the unit's measures."""

    kommune: str
    unit: str
    unit_name: str
    ratings: Ratings | None
    measures: list[PublicMeasure]
    #: the languages of the staff questionnaire
    languages: list[str]
