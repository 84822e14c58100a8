"""The access matrix's rows of the Personalrat's approvals and their JSON twins: the Personalrat only
(an admin does not approve, reject or look in its place). The pages aim at versions and waves that
do not exist, or send no reason: each is refused without changing anything (404, 303 with a
refusal, 400, 409)."""

from __future__ import annotations

from matrix_rules import Route, only

PERSONALRAT = only("personalrat")
VERSION_PAGE = "/personalrat/freigaben/version/{questionnaire:str}/{version:int}"
WAVE_PAGE = "/personalrat/freigaben/runde/{key:str}"
VERSION_API = "/api/v1/approvals/versions/{questionnaire:str}/{version:int}"
WAVE_API = "/api/v1/approvals/waves/{key:str}"

ROUTES = [
    Route("GET", "/personalrat/freigaben", PERSONALRAT),
    Route("GET", "/api/v1/approvals", PERSONALRAT),
    # the page of a version and of a wave: everything decided on
    Route("GET", "/personalrat/freigaben/version/staff-pulse/2", PERSONALRAT, VERSION_PAGE),
    Route("GET", "/personalrat/freigaben/version/staff-pulse/99", PERSONALRAT, VERSION_PAGE),
    Route("GET", "/personalrat/freigaben/runde/gibt-es-nicht", PERSONALRAT, WAVE_PAGE),
    Route("GET", "/api/v1/approvals/versions/staff-pulse/2", PERSONALRAT, VERSION_API),
    Route("GET", "/api/v1/approvals/waves/gibt-es-nicht", PERSONALRAT, WAVE_API),
    # approving
    Route("POST", "/personalrat/freigaben/version/staff-pulse/99", PERSONALRAT, VERSION_PAGE),
    Route("POST", "/personalrat/freigaben/runde/gibt-es-nicht", PERSONALRAT, WAVE_PAGE),
    Route("POST", "/api/v1/approvals/versions/staff-pulse/99", PERSONALRAT, VERSION_API),
    Route("POST", "/api/v1/approvals/waves/gibt-es-nicht", PERSONALRAT, WAVE_API),
    # rejecting (no reason sent)
    Route(
        "POST",
        "/personalrat/freigaben/version/staff-pulse/99/ablehnen",
        PERSONALRAT,
        f"{VERSION_PAGE}/ablehnen",
    ),
    Route(
        "POST", "/personalrat/freigaben/runde/gibt-es-nicht/ablehnen", PERSONALRAT, f"{WAVE_PAGE}/ablehnen"
    ),
    Route("POST", "/api/v1/approvals/versions/staff-pulse/99/reject", PERSONALRAT, f"{VERSION_API}/reject"),
    Route("POST", "/api/v1/approvals/waves/gibt-es-nicht/reject", PERSONALRAT, f"{WAVE_API}/reject"),
]
