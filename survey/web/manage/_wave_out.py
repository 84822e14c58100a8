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
from survey.services.participation import Participation, UnitParticipation, wave_participation, wave_responses
from survey.services.waves import FieldProblem, WaveDetail, WaveFacts, WaveListing, wave_detail
from survey.web.api import refusals

__all__ = [
    "EDIT_RESPONSES",
    "ParticipationOut",
    "ProblemOut",
    "UnitParticipationOut",
    "WaveDetailOut",
    "WaveOut",
    "WaveRefusal",
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


class ParticipationOut(msgspec.Struct, frozen=True):
    """An open wave's participation as last counted (at most hourly), under the anonymity rules."""

    counted_at: dt.datetime
    k: int
    units: list[UnitParticipationOut]
    total: UnitParticipationOut
    #: responses per day ([day, count]); null where the wave's total is hidden
    days: list[tuple[dt.date, int]] | None


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
        units=listing.units,
        responses=await wave_responses(w, listing.responses),
        approval_problems=problems,
    )


def _unit_out(u: UnitParticipation) -> UnitParticipationOut:
    return UnitParticipationOut(u.key, u.name, u.depth, u.headcount, u.responses, u.rate)


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
