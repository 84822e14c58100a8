"""The access matrix's rows of the audit log: its page, its CSV file and its JSON twin, for the
Personalrat and the admin only, filtered by unit too (the log is the whole organisation's: a unit
filter narrows what is shown, it grants nothing)."""

from __future__ import annotations

from matrix_rules import Route, only

READERS = only("admin", "personalrat")

ROUTES = [
    Route("GET", "/protokoll", READERS),
    Route("GET", "/protokoll?einheit={unit}&was=signin&von=2026-01-01", READERS),
    Route("GET", "/protokoll/csv", READERS),
    Route("GET", "/protokoll/csv?einheit={unit}&bis=2026-12-31", READERS),
    Route("GET", "/api/v1/audit", READERS),
    Route("GET", "/api/v1/audit?unit={unit}&action=signin.ok&limit=5", READERS),
]
