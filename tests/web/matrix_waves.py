"""Access-matrix rows of the survey office's waves (survey/web/manage/_waves.py, _wave_edit.py).

The office (and admin) only. A wave that does not exist answers 404 to the office's pages and
409 to its API actions; a form posted for it answers 303 (the confirmation) or 404 (the change),
and a new wave posted empty is refused with 400 (the form or the API): each of them is
"allowed" here, since none is 401 or 403.
"""

from __future__ import annotations

from matrix_rules import Route, only

OFFICE = only("admin", "buero")

ROUTES = [
    Route("GET", "/buero/runden", OFFICE),
    # a wave's own page and the form that changes it
    Route("GET", "/buero/runden/gibt-es-nicht", OFFICE, "/buero/runden/{key:str}"),
    Route("GET", "/buero/runden/gibt-es-nicht/bearbeiten", OFFICE, "/buero/runden/{key:str}/bearbeiten"),
    Route("POST", "/buero/runden/gibt-es-nicht/bearbeiten", OFFICE, "/buero/runden/{key:str}/bearbeiten"),
    # the form that creates a wave
    Route("GET", "/buero/runden/neu", OFFICE),
    Route("POST", "/buero/runden/neu", OFFICE),
    # the page that asks before a wave opens (a wave that does not exist: 404 for the office)
    Route("GET", "/buero/runden/gibt-es-nicht/open", OFFICE, "/buero/runden/{key:str}/{action:str}"),
    Route("POST", "/buero/runden/gibt-es-nicht/open", OFFICE, "/buero/runden/{key:str}/{action:str}"),
    # the JSON twins
    Route("GET", "/api/v1/waves", OFFICE),
    Route("POST", "/api/v1/waves", OFFICE),
    Route("GET", "/api/v1/waves/gibt-es-nicht", OFFICE, "/api/v1/waves/{key:str}"),
    Route("PATCH", "/api/v1/waves/gibt-es-nicht", OFFICE, "/api/v1/waves/{key:str}"),
    Route("POST", "/api/v1/waves/gibt-es-nicht/open", OFFICE, "/api/v1/waves/{key:str}/open"),
    Route("POST", "/api/v1/waves/gibt-es-nicht/close", OFFICE, "/api/v1/waves/{key:str}/close"),
    # a staff wave's e-mail invitations: the page, its list form and the JSON twins
    Route("GET", "/buero/runden/gibt-es-nicht/einladungen", OFFICE, "/buero/runden/{key:str}/einladungen"),
    Route("POST", "/buero/runden/gibt-es-nicht/einladungen", OFFICE, "/buero/runden/{key:str}/einladungen"),
    Route("GET", "/api/v1/waves/gibt-es-nicht/mail", OFFICE, "/api/v1/waves/{key:str}/mail"),
    Route("POST", "/api/v1/waves/gibt-es-nicht/addresses", OFFICE, "/api/v1/waves/{key:str}/addresses"),
]
