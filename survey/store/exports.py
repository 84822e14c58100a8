"""Raw rows for the data exports (analysts and admins): responses, answer codes and free texts.

Nothing here returns a submit date or the order in which responses arrived; the caller numbers
the responses itself. Response ids are returned only so the caller can join answers and texts
to their response: they never leave the service.
"""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.columns.combination import Combinable

from survey.store.tables import Answer, Comment, ResponseRow

__all__ = ["ExportAnswer", "ExportResponse", "ExportText", "answers", "responses", "texts"]


@dataclass(frozen=True)
class ExportResponse:
    id: str
    wave: int
    unit: str
    service_point: str | None
    language: str


@dataclass(frozen=True)
class ExportAnswer:
    response: str
    item: str
    #: the answer code; None is "keine Angabe"
    value: int | None


@dataclass(frozen=True)
class ExportText:
    response: str
    item: str
    text: str


def _scope(
    table: type[ResponseRow] | type[Answer] | type[Comment], waves: list[int], units: list[int] | None
) -> Combinable:
    """The rows of these waves, in these units (None: every unit)."""
    if not waves:
        raise ValueError("give at least one wave id")
    where: Combinable = table.wave.is_in(waves)
    if units is not None:
        if not units:
            raise ValueError("give at least one unit id, or None for every unit")
        where = where & table.unit.is_in(units)
    return where


async def responses(waves: list[int], units: list[int] | None = None) -> list[ExportResponse]:
    """The responses of the waves, in the given units (None: every unit)."""
    rows = (
        await ResponseRow.select(
            ResponseRow.id,
            ResponseRow.wave,
            ResponseRow.unit.key.as_alias("unit_key"),
            ResponseRow.service_point.key.as_alias("service_point_key"),
            ResponseRow.language,
        )
        .where(_scope(ResponseRow, waves, units))
        .run()
    )
    return [
        ExportResponse(str(r["id"]), r["wave"], r["unit_key"], r["service_point_key"], r["language"])
        for r in rows
    ]


async def answers(waves: list[int], units: list[int] | None = None) -> list[ExportAnswer]:
    """Every stored answer code of the waves' responses in the units, "keine Angabe" included."""
    rows = (
        await Answer.select(Answer.response, Answer.item, Answer.value)
        .where(_scope(Answer, waves, units))
        .run()
    )
    return [ExportAnswer(str(r["response"]), r["item"], r["value"]) for r in rows]


async def texts(waves: list[int], units: list[int] | None = None) -> list[ExportText]:
    """The free-text answers (the `comment` table) of the waves' responses in the units."""
    rows = (
        await Comment.select(Comment.response, Comment.item, Comment.text)
        .where(_scope(Comment, waves, units) & (Comment.state == "released"))
        .run()
    )
    return [ExportText(str(r["response"]), r["item"], r["text"]) for r in rows]
