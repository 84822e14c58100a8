"""The access matrix's rows of the measures pages and their JSON twins (survey/web/measures/).

Every role reads the list (each sees the measures it may read) and asks for a measure; the list of
a unit is for those whose grant covers it. Creating, changing, notes and the status are for leads
(and admins), public or not for the survey office, inviting units for both; confirming a unit for
a lead of that unit and the office. The steps aim at a measure that does not exist and the forms
and bodies are empty, so that trying them changes nothing (those allowed get 400, 404 or the form
again); tests/web/test_measure_pages.py tries each rule on real measures.
"""

from __future__ import annotations

from matrix_rules import Route, everyone, figures, only

NOBODY = 999999
ONE = "/massnahmen/{measure:int}"
API_ONE = "/api/v1/measures/{measure:int}"
LEADS = only("admin", "leitung-jugendamt")
OFFICE = only("admin", "buero")
STEPS = only("admin", "buero", "leitung-jugendamt")


def confirming(user: str, unit: str) -> bool:
    """A lead confirms their own unit, the office (and an admin) any."""
    return user in ("admin", "buero") or (user == "leitung-jugendamt" and unit == "own")


ROUTES = [
    # pages
    Route("GET", "/massnahmen", everyone),
    Route("GET", "/massnahmen?einheit={unit}", figures, "/massnahmen"),
    Route("GET", "/massnahmen/neu", LEADS),
    Route("POST", "/massnahmen/neu", LEADS),
    Route("GET", f"/massnahmen/{NOBODY}", everyone, ONE),
    Route("GET", f"/massnahmen/{NOBODY}/bearbeiten", LEADS, f"{ONE}/bearbeiten"),
    Route("POST", f"/massnahmen/{NOBODY}/bearbeiten", LEADS, f"{ONE}/bearbeiten"),
    Route("POST", f"/massnahmen/{NOBODY}/notizen", LEADS, f"{ONE}/notizen"),
    Route("POST", f"/massnahmen/{NOBODY}/status", LEADS, f"{ONE}/status"),
    Route("POST", f"/massnahmen/{NOBODY}/oeffentlich", OFFICE, f"{ONE}/oeffentlich"),
    Route("POST", f"/massnahmen/{NOBODY}/einheiten", STEPS, f"{ONE}/einheiten"),
    Route(
        "POST",
        f"/massnahmen/{NOBODY}/einheiten/{{unit}}/bestaetigen",
        confirming,
        f"{ONE}/einheiten/{{unit:str}}/bestaetigen",
    ),
    # their JSON twins
    Route("GET", "/api/v1/measures", everyone),
    Route("GET", "/api/v1/measures?unit={unit}", figures, "/api/v1/measures"),
    Route("POST", "/api/v1/measures", LEADS),
    Route("GET", f"/api/v1/measures/{NOBODY}", everyone, API_ONE),
    Route("PATCH", f"/api/v1/measures/{NOBODY}", STEPS, API_ONE),
    Route("POST", f"/api/v1/measures/{NOBODY}/notes", LEADS, f"{API_ONE}/notes"),
    Route("POST", f"/api/v1/measures/{NOBODY}/owners", STEPS, f"{API_ONE}/owners"),
    Route(
        "POST",
        f"/api/v1/measures/{NOBODY}/owners/{{unit}}/confirm",
        confirming,
        f"{API_ONE}/owners/{{unit:str}}/confirm",
    ),
]
