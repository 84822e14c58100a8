"""The access matrix's rows of the questionnaire and Leitbild pages and their JSON twins: the
survey office (and an admin) only. Versions and keys that do not exist, so that no row changes
anything: the office's actions answer 303 with a refusal (pages), 409 (API) or 400 (a body the API
does not take); everyone else 403 before any body is read."""

from __future__ import annotations

from matrix_rules import Route, only

OFFICE = only("admin", "buero")
Q = "/buero/frageboegen"
V = "/buero/frageboegen/{questionnaire:str}/{version:int}"
API_V = "/api/v1/questionnaires/{questionnaire:str}/versions/{version:int}"

ROUTES = [
    Route("GET", Q, OFFICE),
    Route("POST", Q, OFFICE),
    Route("POST", f"{Q}/gibt-es-nicht", OFFICE, "/buero/frageboegen/{questionnaire:str}"),
    Route("GET", f"{Q}/staff-pulse/99", OFFICE, V),
    Route("POST", f"{Q}/staff-pulse/99", OFFICE, V),
    Route("GET", f"{Q}/staff-pulse/1/yaml", OFFICE, f"{V}/yaml"),
    Route("GET", f"{Q}/staff-pulse/99/text", OFFICE, f"{V}/text"),
    Route("GET", f"{Q}/staff-pulse/1/vorschau", OFFICE, f"{V}/vorschau"),
    Route("POST", f"{Q}/staff-pulse/1/vorschau", OFFICE, f"{V}/vorschau"),
    Route("GET", f"{Q}/staff-pulse/99/veroeffentlichen", OFFICE, f"{V}/veroeffentlichen"),
    Route("POST", f"{Q}/staff-pulse/99/veroeffentlichen", OFFICE, f"{V}/veroeffentlichen"),
    Route("GET", f"{Q}/staff-pulse/99/verwerfen", OFFICE, f"{V}/verwerfen"),
    Route("POST", f"{Q}/staff-pulse/99/verwerfen", OFFICE, f"{V}/verwerfen"),
    Route("POST", "/buero/leitbilder", OFFICE),
    Route("GET", "/buero/leitbilder/lindenau", OFFICE, "/buero/leitbilder/{key:str}"),
    Route("POST", "/buero/leitbilder/gibt-es-nicht", OFFICE, "/buero/leitbilder/{key:str}"),
    Route("GET", "/buero/leitbilder/lindenau/yaml", OFFICE, "/buero/leitbilder/{key:str}/yaml"),
    Route(
        "GET",
        "/buero/leitbilder/gibt-es-nicht/veroeffentlichen",
        OFFICE,
        "/buero/leitbilder/{key:str}/veroeffentlichen",
    ),
    Route(
        "POST",
        "/buero/leitbilder/gibt-es-nicht/veroeffentlichen",
        OFFICE,
        "/buero/leitbilder/{key:str}/veroeffentlichen",
    ),
    Route(
        "GET", "/buero/leitbilder/gibt-es-nicht/verwerfen", OFFICE, "/buero/leitbilder/{key:str}/verwerfen"
    ),
    Route(
        "POST", "/buero/leitbilder/gibt-es-nicht/verwerfen", OFFICE, "/buero/leitbilder/{key:str}/verwerfen"
    ),
    # the JSON twins
    Route("GET", "/api/v1/questionnaires", OFFICE),
    Route("POST", "/api/v1/questionnaires", OFFICE),
    Route(
        "POST",
        "/api/v1/questionnaires/gibt-es-nicht/versions",
        OFFICE,
        "/api/v1/questionnaires/{questionnaire:str}/versions",
    ),
    Route("GET", "/api/v1/questionnaires/staff-pulse/versions/1", OFFICE, API_V),
    Route("POST", "/api/v1/questionnaires/staff-pulse/versions/99/text", OFFICE, f"{API_V}/text"),
    Route("GET", "/api/v1/questionnaires/staff-pulse/versions/1/yaml", OFFICE, f"{API_V}/yaml"),
    Route("GET", "/api/v1/questionnaires/staff-pulse/versions/99/review", OFFICE, f"{API_V}/review"),
    Route("POST", "/api/v1/questionnaires/staff-pulse/versions/99/publish", OFFICE, f"{API_V}/publish"),
    Route("POST", "/api/v1/questionnaires/staff-pulse/versions/99/discard", OFFICE, f"{API_V}/discard"),
    Route("POST", "/api/v1/leitbilder", OFFICE),
    Route("GET", "/api/v1/leitbilder/lindenau", OFFICE, "/api/v1/leitbilder/{key:str}"),
    Route("POST", "/api/v1/leitbilder/gibt-es-nicht/text", OFFICE, "/api/v1/leitbilder/{key:str}/text"),
    Route("GET", "/api/v1/leitbilder/lindenau/yaml", OFFICE, "/api/v1/leitbilder/{key:str}/yaml"),
    Route("POST", "/api/v1/leitbilder/gibt-es-nicht/publish", OFFICE, "/api/v1/leitbilder/{key:str}/publish"),
    Route("POST", "/api/v1/leitbilder/gibt-es-nicht/discard", OFFICE, "/api/v1/leitbilder/{key:str}/discard"),
]
