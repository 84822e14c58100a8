"""The access matrix's rows of the organisation pages and their JSON twins: the survey office (and
admins) only. The POSTs aim at an upload and a unit that do not exist, or send no file or body:
each is refused without changing anything (a page again, 303 with a refusal, 400, 404, 409)."""

from __future__ import annotations

from matrix_rules import Route, only

OFFICE = only("admin", "buero")

ROUTES = [
    Route("GET", "/buero/organisation", OFFICE),
    Route("GET", "/buero/organisation/datei", OFFICE),
    Route("POST", "/buero/organisation/datei", OFFICE),
    Route(
        "GET",
        "/buero/organisation/vorschau/gibt-es-nicht",
        OFFICE,
        "/buero/organisation/vorschau/{token:str}",
    ),
    Route(
        "POST",
        "/buero/organisation/vorschau/gibt-es-nicht",
        OFFICE,
        "/buero/organisation/vorschau/{token:str}",
    ),
    Route(
        "POST",
        "/buero/organisation/vorschau/gibt-es-nicht/neuordnung",
        OFFICE,
        "/buero/organisation/vorschau/{token:str}/neuordnung",
    ),
    Route(
        "POST",
        "/buero/organisation/einheiten/gibt-es-nicht/mitarbeitende",
        OFFICE,
        "/buero/organisation/einheiten/{key:str}/mitarbeitende",
    ),
    Route("GET", "/api/v1/organisation", OFFICE),
    Route("POST", "/api/v1/organisation/preview", OFFICE),
    Route("POST", "/api/v1/organisation", OFFICE),
    Route(
        "POST",
        "/api/v1/organisation/units/gibt-es-nicht/headcount",
        OFFICE,
        "/api/v1/organisation/units/{key:str}/headcount",
    ),
]
