"""Open Data at stable addresses: exactly what the public pages show, as CSV and JSON, with a data
dictionary that describes every column (as a page in the reader's language, and as JSON in German
and English).

    /oeffentlich/daten.csv                 one row per public page and value (UTF-8, comma)
    /oeffentlich/daten.json                the same rows, with the columns described
    /oeffentlich/datenbeschreibung         what the columns mean (a page)
    /oeffentlich/datenbeschreibung.json    the same as a table schema (German and English)

A figure a page hides is an empty cell, with the reason in the column beside it: never a number
the page does not show.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from litestar import Request, Response, get
from litestar.response import Template

from survey.services.public_results import COLUMNS, OpenDataRow, open_data_rows, public_places
from survey.web.i18n import LANGUAGES, language
from survey.web.public._common import NO_STORE, lang_of, public_template
from survey.web.respond_text import N_, translators

__all__ = ["DESCRIPTIONS", "OPEN_DATA_ROUTES"]

DATA = "/oeffentlich/daten"
DICTIONARY = "/oeffentlich/datenbeschreibung"

#: column → (type, its meaning); every column of the files has one (tests/web/test_public_pages.py)
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "scope": (
        "string",
        N_("Which page: kommune (the whole administration) or servicestelle (one service point)."),
    ),
    "service_point": (
        "string",
        N_(
            "The key of the service point, as in the address of its page; empty for the whole administration."
        ),
    ),
    "name": ("string", N_("The name of the administration or of the service point.")),
    "questionnaire": ("string", N_("The key of the questionnaire.")),
    "wave": ("string", N_("The key of the survey round.")),
    "period_start": ("date", N_("The first day of the survey round (YYYY-MM-DD).")),
    "period_end": ("date", N_("The last day of the survey round (YYYY-MM-DD).")),
    "k": ("integer", N_("The smallest number of people a figure is shown for.")),
    "respondents": ("integer", N_("How many people answered; empty where it is not shown.")),
    "respondents_hidden": (
        "string",
        N_(
            "Why the number is not shown: below_k (fewer than k people), secondary (so that a smaller "
            "group cannot be worked out from other figures), few_changed (too few people more or fewer "
            "than in the round before); empty where it is shown."
        ),
    ),
    "value": (
        "string",
        N_("The key of the value of the Leitbild (only the values the questionnaire asks about)."),
    ),
    "value_name": ("string", N_("The name of the value (in German).")),
    "score": (
        "integer",
        N_(
            "The rating from 0 (worst) to 100 (best), rounded to a whole number; empty where it is not "
            "shown or nobody answered."
        ),
    ),
    "score_hidden": (
        "string",
        N_("Why the rating is not shown (the same codes as for the number); empty where it is shown."),
    ),
    "change": (
        "string",
        N_(
            "Compared with the round before: better, same or worse (better and worse only where the "
            "difference is statistically significant), none where there is nothing to compare; empty "
            "where it is not shown."
        ),
    ),
    "change_hidden": (
        "string",
        N_("Why the change is not shown: other_side_hidden (one of the two rounds is not shown)."),
    ),
    "trend": (
        "string",
        N_(
            "Over all rounds: rising, falling, flat (no clear trend) or not_enough_waves (fewer than "
            "five rounds)."
        ),
    ),
    "trend_waves": ("integer", N_("How many rounds the trend is over.")),
}


def _cell(value: str | int | None) -> str:
    return "" if value is None else str(value)


def _csv(rows: list[OpenDataRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return out.getvalue()


def _schema() -> list[dict[str, Any]]:
    """The columns in German and English (a Frictionless-style table schema)."""
    german, _ = translators(language("de"))
    return [
        {"name": c, "type": kind, "description": {"de": german(text), "en": text}}
        for c, (kind, text) in ((c, DESCRIPTIONS[c]) for c in COLUMNS)
    ]


@get(f"{DATA}.csv", name="open-data-csv", include_in_schema=False)
async def data_csv() -> Response[bytes]:
    body = "\ufeff" + _csv(await open_data_rows())  # the BOM: spreadsheets read it as UTF-8
    return Response(
        body.encode("utf-8"),
        media_type="text/csv",
        headers={"content-disposition": 'inline; filename="daten.csv"', **NO_STORE},
    )


@get(f"{DATA}.json", name="open-data-json", include_in_schema=False)
async def data_json() -> Response[dict[str, Any]]:
    kommune, _, _ = await public_places()
    body = {
        "title": f"{kommune}: Bewertungen der Bürgerinnen und Bürger",
        "description": f"{DICTIONARY}.json",
        "schema": {"fields": _schema()},
        "rows": await open_data_rows(),
    }
    return Response(body, headers=NO_STORE)


@get(f"{DICTIONARY}.json", name="open-data-dictionary-json", include_in_schema=False)
async def dictionary_json() -> Response[dict[str, Any]]:
    return Response({"fields": _schema(), "data": [f"{DATA}.csv", f"{DATA}.json"]}, headers=NO_STORE)


@get(DICTIONARY, name="open-data-dictionary", include_in_schema=False)
async def dictionary_page(request: Request[Any, Any, Any]) -> Template:
    lang = lang_of(request, list(LANGUAGES))
    gettext, _ = translators(lang)
    kommune, _points, _units = await public_places()
    return public_template(
        request,
        "public/data_dictionary.html",
        lang,
        list(LANGUAGES),
        page_title=gettext("Open Data: what the columns mean"),
        kommune=kommune,
        columns=[(c, DESCRIPTIONS[c][0], gettext(DESCRIPTIONS[c][1])) for c in COLUMNS],
        data=DATA,
        dictionary=DICTIONARY,
    )


OPEN_DATA_ROUTES = [data_csv, data_json, dictionary_json, dictionary_page]
