"""The access-control matrix: every signed-in page and API endpoint × every role × own/other unit.

One user per role (tests/web/portal_helpers.py USERS): the lead and one analyst are scoped to
Jugendamt, the others hold their role for the whole organisation. "own" is a unit inside
Jugendamt's subtree (asd), "other" is Sozialamt. A route is either allowed (any answer but 401
and 403; API actions aimed at a wave that does not exist answer 409, the pages' forms 303 to
their page) or refused with 403, and without a session every route answers 401 (API) or sends
to the sign-in page (pages). A test also checks that no route of the app is missing from the
matrix.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from matrix_rules import OTHER, OWN, Route, citizen_figures, everyone, figures, only, raw
from portal_helpers import USERS, sign_in

ROUTES = [
    Route("GET", "/bereich", everyone),
    Route("GET", "/api/v1/session", everyone),
    # the dashboard of the reports
    Route("GET", "/dashboard", everyone),
    Route("GET", "/dashboard/{unit}", figures, "/dashboard/{unit:str}"),
    Route("GET", "/dashboard/{unit}?fragebogen=citizen-contact", citizen_figures, "/dashboard/{unit:str}"),
    Route("GET", "/dashboard/{unit}/fragen", figures, "/dashboard/{unit:str}/fragen"),
    Route("GET", "/dashboard/{unit}/bericht", figures, "/dashboard/{unit:str}/bericht"),
    Route("GET", "/dashboard/{unit}/uebersicht", figures, "/dashboard/{unit:str}/uebersicht"),
    Route("GET", "/dashboard/{unit}/uebersicht.pdf", figures, "/dashboard/{unit:str}/uebersicht.pdf"),
    Route("GET", "/dashboard/organisation/bericht", only("admin", "buero", "personalrat")),
    Route("GET", "/dashboard/{unit}/bericht.pdf", figures, "/dashboard/{unit:str}/bericht.pdf"),
    Route("GET", "/dashboard/organisation/bericht.pdf", only("admin", "buero", "personalrat")),
    Route("GET", "/api/v1/units", everyone),
    Route("GET", "/api/v1/units/{unit}/figures", figures, "/api/v1/units/{unit:str}/figures"),
    Route(
        "GET",
        "/api/v1/units/{unit}/figures?questionnaire=citizen-contact",
        citizen_figures,
        "/api/v1/units/{unit:str}/figures",
    ),
    Route("GET", "/api/v1/units/{unit}/comments", figures, "/api/v1/units/{unit:str}/comments"),
    Route("GET", "/api/v1/overview/figures", only("admin", "buero", "personalrat")),
    # exports: raw answers for analysts, suppressed figures for the others
    Route("GET", "/exporte", everyone),
    Route("GET", "/exporte/rohdaten?format=csv", only("admin", "auswertung"), "/exporte/rohdaten"),
    Route("GET", "/exporte/rohdaten?format=sav&einheit={unit}", raw, "/exporte/rohdaten"),
    Route("GET", "/api/v1/exports/raw?format=xlsx", only("admin", "auswertung"), "/api/v1/exports/raw"),
    Route("GET", "/api/v1/exports/raw?format=csv&unit={unit}", raw, "/api/v1/exports/raw"),
    Route("GET", "/exporte/kennzahlen?einheit={unit}&format=csv", figures, "/exporte/kennzahlen"),
    Route(
        "GET",
        "/exporte/kennzahlen?einheit={unit}&format=csv&fragebogen=citizen-contact",
        citizen_figures,
        "/exporte/kennzahlen",
    ),
    Route(
        "GET", "/api/v1/exports/aggregate/{unit}?format=xlsx", figures, "/api/v1/exports/aggregate/{unit:str}"
    ),
]
#: the rows of each manage area's own module (matrix_<area>.py, each with a list ROUTES)
ROUTES += [
    route
    for module in sorted(Path(__file__).parent.glob("matrix_*.py"))
    if module.stem != "matrix_rules"
    for route in importlib.import_module(module.stem).ROUTES
]
#: routes anyone may use without signing in: respondents, sign-in, health, the public overview
PUBLIC = {
    "/",
    "/health",
    "/api/overview",
    "/anmelden",
    # a new password with a one-time link an admin made (the link's token is the credential)
    "/passwort/{token:str}",
    "/api/v1/password-links/{token:str}",
    "/i",
    "/i/{code:str}",
    "/t/{token:str}",
    "/s/{key:str}",
    "/s/{key:str}/kiosk",
    "/danke",
    "/api/v1/forms/invitations/{code:str}",
    "/api/v1/forms/unit-links/{token:str}",
    "/api/v1/forms/service-points/{key:str}",
    "/api/v1/responses",
    "/api/v1/session",  # POST signs in; GET is in the matrix
}
#: sign-out routes end the session they are called with: tests/web/test_sign_in.py covers them
SIGN_OUT = {"/abmelden"}


def _cases(route: Route) -> list[tuple[str, str]]:
    """(unit kind, concrete path) for each unit the route is tried on."""
    if "{unit}" not in route.path:
        return [("", route.path)]
    return [(kind, route.path.replace("{unit}", key)) for kind, key in (("own", OWN), ("other", OTHER))]


async def _request(client: AsyncTestClient, route: Route, path: str, csrf: str):  # type: ignore[no-untyped-def]
    if route.method == "GET":
        return await client.get(path)
    if route.api:
        return await client.request(route.method, path, headers={"X-CSRF-Token": csrf})
    return await client.request(route.method, path, data={"csrf_token": csrf})


@pytest.fixture
def quick_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Who may fetch a PDF is decided before it is made; the PDFs themselves (seconds of
    WeasyPrint each) are tested in tests/web/test_dashboard.py and tests/report."""
    from survey.web.dashboard import _report

    monkeypatch.setattr(_report, "_cached_pdf", lambda html: b"%PDF-1.7 (not rendered in this test)")


async def test_every_role_reaches_exactly_what_it_may(
    portal_client: AsyncTestClient, quick_pdfs: None
) -> None:
    wrong: list[str] = []
    tried = 0
    for user in USERS:
        csrf = await sign_in(portal_client, user)
        for route in ROUTES:
            for unit, path in _cases(route):
                response = await _request(portal_client, route, path, csrf)
                tried += 1
                status = response.status_code
                allowed = route.allowed(user, unit)
                ok = (status not in (401, 403) and status < 500) if allowed else status == 403
                if not ok:
                    verdict = "allowed" if allowed else "refused"
                    wrong.append(
                        f"{user} {route.method} {path} ({unit or '-'}): {status}, should be {verdict}"
                    )
    assert not wrong, "\n".join(wrong)
    assert tried == len(USERS) * sum(len(_cases(route)) for route in ROUTES)


async def test_without_a_session_every_route_asks_for_sign_in(portal_client: AsyncTestClient) -> None:
    portal_client.cookies.clear()
    for route in ROUTES:
        for _unit, path in _cases(route):
            response = await _request(portal_client, route, path, "")
            if route.anonymous:
                assert response.status_code not in (401, 403) and response.status_code < 500, path
                assert not response.headers.get("location", "").startswith("/anmelden"), path
            elif route.api:
                assert response.status_code == 401, path
            else:
                assert response.status_code == 303, path
                assert response.headers["location"].startswith("/anmelden?weiter="), path


def test_the_matrix_covers_every_route_of_the_app() -> None:
    from survey.settings import Settings
    from survey.web.app import create_app

    app = create_app(Settings())
    in_matrix = {r.pattern or r.path.split("?")[0] for r in ROUTES}
    missing = []
    for route in app.routes:
        path = route.path
        if path.startswith(("/static", "/api/schema")) or path in PUBLIC or path in SIGN_OUT:
            continue
        if path not in in_matrix:
            missing.append(path)
    assert not missing, f"routes without a row in the access matrix: {missing}"


@pytest.mark.parametrize("user", ["leitung-jugendamt"])
async def test_a_jugendamt_lead_gets_403_for_sozialamt_everywhere(
    portal_client: AsyncTestClient, user: str
) -> None:
    """The issue's own example, spelled out: every route with a unit, tried on Sozialamt."""
    csrf = await sign_in(portal_client, user)
    with_unit = [r for r in ROUTES if "{unit}" in r.path]
    assert len(with_unit) >= 10
    for route in with_unit:
        path = route.path.replace("{unit}", OTHER)
        assert (await _request(portal_client, route, path, csrf)).status_code == 403, path
    for path in ("/exporte/rohdaten?format=csv", "/api/v1/exports/raw?format=sav"):
        assert (await portal_client.get(path)).status_code == 403, path
