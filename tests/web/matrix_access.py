"""The access matrix's rows of the wave's access page and its JSON twins: the survey office (and
admins) only. Each aims at a wave, service point or file that does not exist, or sends no form or
body: refused without issuing anything (404, 400), and the files are never made."""

from __future__ import annotations

from matrix_rules import Route, only

OFFICE = only("admin", "buero")
WAVE = "/buero/runden/gibt-es-nicht/zugang"

ROUTES = [
    Route("GET", WAVE, OFFICE, "/buero/runden/{key:str}/zugang"),
    Route("POST", f"{WAVE}/einladungen", OFFICE, "/buero/runden/{key:str}/zugang/einladungen"),
    Route("POST", f"{WAVE}/einheitslink", OFFICE, "/buero/runden/{key:str}/zugang/einheitslink"),
    Route("POST", f"{WAVE}/belege", OFFICE, "/buero/runden/{key:str}/zugang/belege"),
    Route("GET", f"{WAVE}/datei/gibt-es-nicht", OFFICE, "/buero/runden/{key:str}/zugang/datei/{token:str}"),
    Route(
        "GET",
        "/buero/servicestellen/gibt-es-nicht/plakat.pdf?kiosk=1",
        OFFICE,
        "/buero/servicestellen/{key:str}/plakat.pdf",
    ),
    Route(
        "GET",
        "/buero/servicestellen/gibt-es-nicht/plakat.png",
        OFFICE,
        "/buero/servicestellen/{key:str}/plakat.png",
    ),
    Route("POST", "/api/v1/waves/gibt-es-nicht/invitations", OFFICE, "/api/v1/waves/{key:str}/invitations"),
    Route("POST", "/api/v1/waves/gibt-es-nicht/unit-links", OFFICE, "/api/v1/waves/{key:str}/unit-links"),
    Route(
        "POST",
        "/api/v1/service-points/gibt-es-nicht/receipts",
        OFFICE,
        "/api/v1/service-points/{key:str}/receipts",
    ),
    Route(
        "GET",
        "/api/v1/service-points/gibt-es-nicht/poster?format=png",
        OFFICE,
        "/api/v1/service-points/{key:str}/poster",
    ),
    Route("GET", "/api/v1/downloads/gibt-es-nicht", OFFICE, "/api/v1/downloads/{token:str}"),
]
