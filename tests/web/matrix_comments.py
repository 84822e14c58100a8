"""The access matrix's rows of the comment pages (survey/web/comments/): the release pages for the
survey office and the Personalrat (which waves each releases, the service decides: a wave that
does not exist is refused with 404, a decision about it with 303 and a refusal); the office's
redaction settings and codebook (a save without any field is refused, 422: nothing changes); a
unit's comments page for whoever reads the unit's figures."""

from __future__ import annotations

from matrix_rules import Route, figures, only

OFFICE = only("admin", "buero")
REVIEWERS = only("admin", "buero", "personalrat")

ROUTES = [
    Route("GET", "/kommentare/freigabe", REVIEWERS),
    Route("GET", "/kommentare/freigabe/gibt-es-nicht", REVIEWERS, "/kommentare/freigabe/{wave:str}"),
    Route(
        "POST",
        "/kommentare/freigabe/gibt-es-nicht/1",
        REVIEWERS,
        "/kommentare/freigabe/{wave:str}/{comment:int}",
    ),
    Route("GET", "/buero/schwaerzung", OFFICE),
    Route("POST", "/buero/schwaerzung", OFFICE),
    Route("GET", "/buero/codebuch", OFFICE),
    Route("POST", "/buero/codebuch", OFFICE),
    Route("GET", "/dashboard/{unit}/kommentare", figures, "/dashboard/{unit:str}/kommentare"),
]
