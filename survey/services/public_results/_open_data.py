"""Open Data: exactly what the citizens' public pages show, as rows (one per page and value), for
the CSV and JSON downloads.

The rows are read off the pages' own model (`public_page`, in German): the Kommune's page and each
service point's. A figure a page hides is an empty cell with its reason in the column beside it,
never a number; no free text, no measure's notes, no names of people.
"""

from __future__ import annotations

from survey.services.public_results._model import PublicPage, Ratings, ValueRating
from survey.services.public_results._pages import public_page, public_places

__all__ = ["COLUMNS", "OpenDataRow", "open_data_rows"]

#: the columns, in their order; survey.web.public describes each (the data dictionary)
COLUMNS = (
    "scope",
    "service_point",
    "name",
    "questionnaire",
    "wave",
    "period_start",
    "period_end",
    "k",
    "respondents",
    "respondents_hidden",
    "value",
    "value_name",
    "score",
    "score_hidden",
    "change",
    "change_hidden",
    "trend",
    "trend_waves",
)

OpenDataRow = dict[str, str | int | None]


def _rows(page: PublicPage, ratings: Ratings) -> list[OpenDataRow]:
    def row(v: ValueRating) -> OpenDataRow:
        return {
            "scope": "servicestelle" if page.point else "kommune",
            "service_point": page.point.key if page.point else None,
            "name": page.point.name if page.point else page.kommune,
            "questionnaire": ratings.questionnaire,
            "wave": ratings.wave,
            "period_start": ratings.opens_on.isoformat(),
            "period_end": ratings.closes_on.isoformat(),
            "k": ratings.k,
            "respondents": ratings.respondents,
            "respondents_hidden": ratings.respondents_hidden.reason if ratings.respondents_hidden else None,
            "value": v.value,
            "value_name": v.name,
            "score": v.score,
            "score_hidden": v.hidden.reason if v.hidden else None,
            "change": None if v.change == "hidden" else v.change,
            "change_hidden": v.change_hidden.reason if v.change_hidden else None,
            "trend": v.trend,
            "trend_waves": v.trend_waves,
        }

    # a value the questionnaire does not ask about is not on the page either
    return [row(v) for v in ratings.values if v.asked]


async def open_data_rows() -> list[OpenDataRow]:
    """Every public page's ratings (the Kommune's first, then each service point's), in German."""
    _, points, _ = await public_places()
    rows: list[OpenDataRow] = []
    for key in [None, *(p.key for p in points)]:
        page = await public_page(key, "de")
        if page is not None and page.ratings is not None:
            rows += _rows(page, page.ratings)
    return rows
