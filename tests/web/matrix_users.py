"""The access matrix's rows of the users pages and their JSON twins (survey/web/manage/_users.py,
_users_api.py): the admin only, every other role 403. The actions aim at a user who does not
exist, so that trying them changes nothing (the admin gets the refusal: a 404 page, the form
again with its problems, a 303 back to the list, or 409 from the API)."""

from __future__ import annotations

from matrix_rules import Route, only

ADMIN = only("admin")
NOBODY = "gibt-es-nicht"
ACCOUNT = "/verwaltung/benutzer/konto/{username:str}"

ROUTES = [
    Route("GET", "/verwaltung/benutzer", ADMIN),
    Route("GET", "/api/v1/users", ADMIN),
    Route("GET", "/verwaltung/benutzer/neu", ADMIN),
    Route("POST", "/verwaltung/benutzer/neu", ADMIN),
    Route("GET", f"/verwaltung/benutzer/konto/{NOBODY}", ADMIN, ACCOUNT),
    Route("POST", f"/verwaltung/benutzer/konto/{NOBODY}", ADMIN, ACCOUNT),
    Route("GET", f"/verwaltung/benutzer/konto/{NOBODY}/disable", ADMIN, f"{ACCOUNT}/{{action:str}}"),
    Route("POST", f"/verwaltung/benutzer/konto/{NOBODY}/unlock", ADMIN, f"{ACCOUNT}/{{action:str}}"),
    Route("POST", "/api/v1/users", ADMIN),
    *(
        Route("POST", f"/api/v1/users/{NOBODY}/{action}", ADMIN, f"/api/v1/users/{{username:str}}/{action}")
        for action in ("roles", "disable", "enable", "unlock", "password-link", "password")
    ),
]
