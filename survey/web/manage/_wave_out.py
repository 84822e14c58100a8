"""The office API's schemas of a wave: its record in the list, its detail with participation, and
what a refused create or change answers (every problem with its field)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
from litestar import Response
from litestar.openapi.datastructures import ResponseSpec

from survey.domain.figures import HiddenFigure
from survey.services.approvals import wave_approval_problems
from survey.services.participation import (
    Participation,
    ServicePointWeeks,
    UnitParticipation,
    UnitSeries,
    wave_participation,
    wave_responses,
)
from survey.services.waves import FieldProblem, WaveDetail, WaveFacts, WaveListing, wave_detail
from survey.web.api import refusals

__all__ = [
    "EDIT_RESPONSES",
    "DayPointOut",
    "ParticipationOut",
    "ProblemOut",
    "ServicePointWeeksOut",
    "ServicePointsOut",
    "UnitParticipationOut",
    "UnitSeriesOut",
    "WaveDetailOut",
    "WaveOut",
    "WaveRefusal",
    "WeekOut",
    "api_detail",
    "detail_out",
    "refused",
    "wave_out",
]


class WaveOut(WaveFacts, frozen=True):
    """The office API's schema of a wave record (survey.services.waves.Wave): its facts, its
    thresholds, its units and responses; the database id stays inside."""

    k: int
    k_text: int
    #: who releases free-text comments before leads read them: none | office | personalrat | both
    comment_review: str
    #: who gets e-mail reminders (all | open_codes) and the days after the first day they go out
    reminder_mode: str
    reminder_days: list[int]
    units: int
    #: responses so far; under k hidden (with the reason), as everywhere
    responses: int | HiddenFigure
    #: why a staff wave may not open yet (Personalrat approvals, changed files); empty: it may
    approval_problems: list[str]


class UnitParticipationOut(msgspec.Struct, frozen=True):
    """One unit's participation: its responses (or why they are hidden: under k, or so that a
    smaller group cannot be worked out by difference) and its response rate (staff only)."""

    #: empty for the whole wave
    unit: str
    name: str
    depth: int
    headcount: int | None
    responses: int | HiddenFigure
    rate: float | HiddenFigure | None


class DayPointOut(msgspec.Struct, frozen=True):
    """A unit's responses up to and including `day` (never the day's own number), and its rate."""

    day: dt.date
    responses: int | HiddenFigure
    rate: float | HiddenFigure | None


class UnitSeriesOut(msgspec.Struct, frozen=True):
    """A unit the count shows (with at least one response) over the wave's days; a unit hidden in
    the count has none."""

    unit: str
    name: str
    headcount: int | None
    points: list[DayPointOut]


class WeekOut(msgspec.Struct, frozen=True):
    """An ISO week of the wave (`2026-W49`), with its first and last day in the wave so far."""

    week: str
    first_day: dt.date
    last_day: dt.date


class ServicePointWeeksOut(msgspec.Struct, frozen=True):
    """A service point's ratings per week (in the order of `weeks`) and so far; the total is
    hidden where a week is."""

    service_point: str
    name: str
    unit: str
    total: int | HiddenFigure
    weeks: list[int | HiddenFigure]


class ServicePointsOut(msgspec.Struct, frozen=True):
    weeks: list[WeekOut]
    rows: list[ServicePointWeeksOut]


class ParticipationOut(msgspec.Struct, frozen=True):
    """An open wave's participation as last counted (at most hourly), under the anonymity rules."""

    counted_at: dt.datetime
    k: int
    units: list[UnitParticipationOut]
    total: UnitParticipationOut
    #: responses per day ([day, count]); null where the wave's total is hidden
    days: list[tuple[dt.date, int]] | None
    #: the shown units over the days; empty where the wave's total is hidden
    series: list[UnitSeriesOut]
    #: citizens: ratings per service point and ISO week; null for staff and where the total is hidden
    service_points: ServicePointsOut | None


class WaveDetailOut(WaveOut, frozen=True):
    """A wave with its units, its title per language and, while it is open, its participation."""

    unit_keys: list[str]
    titles: dict[str, str]
    #: null unless the wave is open (a draft has no answers; a closed wave shows its results)
    participation: ParticipationOut | None


class ProblemOut(msgspec.Struct, frozen=True):
    #: the field of the request body (`titles.en` for a title)
    field: str
    message: str


class WaveRefusal(msgspec.Struct, frozen=True):
    """A create or change that was refused: every problem with its field (English, no commands)."""

    ok: bool
    message: str
    problems: list[ProblemOut]


#: the OpenAPI responses of creating or changing a wave
EDIT_RESPONSES = {
    409: ResponseSpec(
        WaveRefusal,
        generate_examples=False,
        description="Refused: `problems` names each field and what to do",
    ),
    **refusals(401, 403),
}


async def wave_out(listing: WaveListing, problems: list[str]) -> WaveOut:
    w = listing.wave
    facts = {f: getattr(w, f) for f in WaveFacts.__struct_fields__}
    return WaveOut(
        **facts,
        k=w.k,
        k_text=w.k_text,
        comment_review=w.comment_review,
        reminder_mode=w.reminder_mode,
        reminder_days=list(w.reminder_days),
        units=listing.units,
        responses=await wave_responses(w, listing.responses),
        approval_problems=problems,
    )


def _unit_out(u: UnitParticipation) -> UnitParticipationOut:
    return UnitParticipationOut(u.key, u.name, u.depth, u.headcount, u.responses, u.rate)


def _series_out(s: UnitSeries) -> UnitSeriesOut:
    return UnitSeriesOut(
        s.key, s.name, s.headcount, [DayPointOut(p.day, p.responses, p.rate) for p in s.points]
    )


def _points_out(p: ServicePointWeeks | None) -> ServicePointsOut | None:
    if p is None:
        return None
    return ServicePointsOut(
        [WeekOut(w.name, w.first, w.last) for w in p.weeks],
        [ServicePointWeeksOut(r.key, r.name, r.unit, r.total, r.weeks) for r in p.points],
    )


async def detail_out(
    detail: WaveDetail, problems: list[str], participation: Participation | None
) -> WaveDetailOut:
    listing = WaveListing(detail.wave, len(detail.unit_keys), detail.responses)
    shown = None
    if participation is not None:
        shown = ParticipationOut(
            participation.counted_at,
            detail.wave.k,
            [_unit_out(u) for u in participation.units],
            _unit_out(participation.total),
            participation.days,
            [_series_out(line) for line in participation.series],
            _points_out(participation.service_points),
        )
    return WaveDetailOut(
        **msgspec.structs.asdict(await wave_out(listing, problems)),
        unit_keys=detail.unit_keys,
        titles=detail.titles,
        participation=shown,
    )


def refused(problems: list[FieldProblem]) -> Response[WaveRefusal]:
    """409 with every problem, in English, values marked as code, never a command (409 as every
    refused action of the office API: the request fits the document, the data behind it does not)."""
    body = WaveRefusal(
        False,
        "the wave cannot be saved as asked: see problems",
        [ProblemOut(p.field, p.message.text(code=True)) for p in problems],
    )
    return Response(body, status_code=409)


async def api_detail(key: str, questionnaires: Path) -> WaveDetailOut:
    """The API's detail of wave `key` (WaveError where there is none)."""
    detail = await wave_detail(key)
    w = detail.wave
    problems = (
        await wave_approval_problems(key, questionnaires)
        if w.audience == "staff" and w.status == "draft"
        else []
    )
    return await detail_out(detail, [p.text(code=True) for p in problems], await wave_participation(key))
