"""Security headers on every response of every route, for anonymous and signed-in requests, and the
session cookie's flags; on SQLite and PostgreSQL.

tests/web/test_app.py checks the headers on three pages; here every route of the app (from
`app.routes`, path parameters filled with the demo's keys) is asked with each of its methods,
without and with a session, and so are the error answers (400, 401, 404, 413, 415, 422, 429,
500), the static files and the report pages, whose Content-Security-Policy is the report's own.
Every answer but a static file is `Cache-Control: no-store`. The 404 and 405 that litestar's
router gives for a path or method no route has pass by the app's middleware: they carry the
headers once the app sends them through the `before_send` hook survey.web.security provides
(test_router_answers_carry_the_headers says whether it does).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from portal_helpers import PASSWORD, QUESTIONNAIRES, Portal, app_call, sign_in

from survey.web.app import MAX_BODY_BYTES, create_app
from survey.web.security import add_security_headers

#: the app's own policy (every page but the reports)
APP_POLICY = "default-src 'self'"
#: path parameter → a value of the demo Kommune (waves: one that does not exist, so that no
#: POST below changes anything)
PARAMETERS = {
    "unit": "jugendamt",
    "key": "buergerbuero-mitte",
    "code": "K7QM-2XHD-9RTC",
    "token": "kein-link",
    "username": "gibt-es-nicht",
    "questionnaire": "staff-pulse",
    "version": "99",
    "action": "open",
    "file_path": "site.css",
    "path": "openapi.json",
    # a measure that does not exist: no POST below changes anything
    "measure": "999999",
    # a wave and a comment that do not exist: the release steps change nothing
    "wave": "gibt-es-nicht",
    "comment": "999999",
}
#: routes whose `key` is a wave's
WAVE_KEY_ROUTES = ("/runden/", "/runde/", "/waves/")
#: requests that end the session they are sent with: asked without the CSRF token (403), so
#: that the session goes on
SIGN_OUT = {("POST", "/abmelden"), ("DELETE", "/api/v1/session")}


def _path(template: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "key" and any(part in template for part in WAVE_KEY_ROUTES):
            return "gibt-es-nicht"
        return PARAMETERS[name]

    return re.sub(r"\{(\w+):\w+\}", fill, template)


def _requests(app: Any) -> Iterator[tuple[str, str]]:
    """(method, path) of every route of the app, each method once."""
    for route in app.routes:
        for method in sorted(route.methods):
            yield method, _path(route.path)


def check_headers(response: Any, what: str, *, own_policy: bool = False) -> list[str]:
    """What is wrong with the security headers of `response` (an empty list: nothing)."""
    headers = response.headers
    wrong = []
    policy = headers.get("content-security-policy", "")
    if "frame-ancestors 'none'" not in policy or "unsafe-inline" in policy:
        wrong.append(f"{what}: Content-Security-Policy {policy!r}")
    if not own_policy and not policy.startswith(APP_POLICY):
        wrong.append(f"{what}: not the app's policy: {policy!r}")
    if own_policy and not policy.startswith("default-src 'none'"):
        wrong.append(f"{what}: not the report's own policy: {policy!r}")
    expected = {
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
    }
    for name, value in expected.items():
        if headers.get(name) != value:
            wrong.append(f"{what}: {name} is {headers.get(name)!r}")
    static = " /static/" in what
    if not static and "no-store" not in headers.get("cache-control", ""):
        wrong.append(f"{what}: Cache-Control {headers.get('cache-control')!r}")
    return wrong


@pytest.fixture
async def app_and_client(portal: Portal):  # type: ignore[no-untyped-def]
    app = create_app(portal.settings)
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        yield app, client


async def _ask(client: AsyncTestClient, method: str, path: str, csrf: str | None) -> Any:
    headers = {"X-CSRF-Token": csrf} if csrf and (method, path) not in SIGN_OUT else {}
    if method == "POST" and not path.startswith("/api/"):
        data = {"csrf_token": csrf} if csrf and (method, path) not in SIGN_OUT else {}
        return await client.post(path, data=data, headers=headers)
    return await client.request(method, path, headers=headers)


async def test_every_route_anonymous_and_signed_in(app_and_client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # the headers of a PDF answer do not depend on its content: not rendered here (seconds each)
    from survey.web.dashboard import _report

    monkeypatch.setattr(_report, "_cached_pdf", lambda html: b"%PDF-1.7 (not rendered in this test)")
    app, client = app_and_client
    asked = list(_requests(app))
    assert len(asked) > 100 and ("GET", "/dashboard/jugendamt/bericht") in asked
    wrong: list[str] = []
    statuses: set[int] = set()
    for who in ("anonymous", "admin", "leitung-jugendamt"):
        csrf = None if who == "anonymous" else await sign_in(client, who)
        for method, path in asked:
            response = await _ask(client, method, path, csrf)
            statuses.add(response.status_code)
            report = (
                method == "GET" and path.endswith(("/bericht", "/uebersicht")) and response.status_code == 200
            )
            wrong += check_headers(
                response, f"{who} {method} {path} ({response.status_code})", own_policy=report
            )
        if csrf:  # still signed in: nothing above ended the session
            assert (await client.get("/bereich")).status_code == 200, who
    assert not wrong, "\n".join(wrong)
    # every kind of answer was among them: pages, redirects, refusals, not found
    assert {200, 204, 303, 400, 401, 403, 404, 409} <= statuses, statuses


async def test_report_pages_carry_their_own_policy(app_and_client) -> None:  # type: ignore[no-untyped-def]
    _, client = app_and_client
    await sign_in(client, "admin")
    for path in ("/dashboard/jugendamt/bericht", "/dashboard/organisation/bericht"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert not check_headers(response, path, own_policy=True)
        policy = response.headers["content-security-policy"]
        # the app's bar above the report has one inline script (the print button), allowed by its
        # hash only; nothing else may run
        assert "style-src-elem 'sha256-" in policy
        assert "script-src 'sha256-" in policy and "'unsafe-inline'" not in policy
        assert "form-action 'none'" in policy and "base-uri 'none'" in policy
        assert response.headers["cache-control"].startswith("no-store")


async def _open_citizen_wave() -> None:
    from survey.services.waves import create_wave, open_wave

    today = dt.date.today()
    await create_wave(
        key="kopfzeilen",
        questionnaires=QUESTIONNAIRES,
        questionnaire="citizen-contact",
        version=None,
        units=["verwaltung"],
        opens_on=today,
        closes_on=today + dt.timedelta(days=7),
    )
    await open_wave("kopfzeilen", today, QUESTIONNAIRES)


async def test_error_answers_carry_the_headers(app_and_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from survey.services import accounts

    _, client = app_and_client
    await app_call(client, _open_citizen_wave)  # the demo's waves have all ended
    point = "/s/buergerbuero-mitte"
    cases = {
        413: await client.post(
            point,
            content=b"x=" + b"a" * MAX_BODY_BYTES,
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        415: await client.post("/api/v1/responses", content=b"{}", headers={"content-type": "text/plain"}),
        400: await client.get("/static/site.css%00"),
        422: await client.post(
            "/api/v1/responses",
            json={
                "channel": "service_point",
                "reference": "buergerbuero-mitte",
                "answers": {"gesamturteil": 11},
            },
        ),
        404: await client.get("/s/gibt-es-nicht"),
        401: await client.get("/api/v1/units"),
    }
    monkeypatch.setattr(accounts, "SIGN_IN_RATE", 0)
    cases[429] = await client.post("/anmelden", data={"username": "admin", "password": PASSWORD})
    monkeypatch.undo()

    def broken() -> None:
        raise RuntimeError("secret detail of a failure")

    monkeypatch.setattr("survey.web.app.health", broken)
    cases[500] = await client.get("/health")
    for status, response in cases.items():
        assert response.status_code == status, (status, response.text[:200])
        assert not check_headers(response, str(status)), check_headers(response, str(status))
    assert "secret detail" not in cases[500].text and "Traceback" not in cases[500].text


async def test_static_files_carry_the_headers_and_may_be_cached(app_and_client) -> None:  # type: ignore[no-untyped-def]
    _, client = app_and_client
    for path in ("/static/site.css", "/static/respond.css", "/static/portal.css"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert not check_headers(response, f"GET {path}")
        assert response.headers["content-type"].startswith("text/css")
        assert "no-store" not in response.headers.get("cache-control", "")
    missing = await client.get("/static/nirgends.css")
    assert missing.status_code == 404 and not check_headers(missing, "GET /static/nirgends.css")


async def test_router_answers_carry_the_headers(app_and_client) -> None:  # type: ignore[no-untyped-def]
    """404 for a path no route has and 405 for a wrong method come from litestar's router, before
    any app middleware: only a `before_send` hook of the app reaches them."""
    app, client = app_and_client
    assert add_security_headers in app.before_send
    for response, status in (
        (await client.get("/gibt-es-nicht"), 404),
        (await client.put("/health"), 405),
        (await client.delete("/api/v1/responses"), 405),
    ):
        assert response.status_code == status
        assert not check_headers(response, str(status)), check_headers(response, str(status))


async def test_session_cookie_flags(portal: Portal) -> None:
    """HttpOnly, SameSite=Strict, Path=/ always; Secure where the app is reached over HTTPS."""
    for base_url, secure in (("http://127.0.0.1:8000", False), ("https://umfrage.lindenau.example", True)):
        settings = dataclasses.replace(portal.settings, base_url=base_url)
        async with AsyncTestClient(app=create_app(settings)) as client:
            client.follow_redirects = False
            form = await client.post("/anmelden", data={"username": "admin", "password": PASSWORD})
            api = await client.post("/api/v1/session", json={"username": "admin", "password": PASSWORD})
            for response in (form, api):
                assert response.status_code in (200, 303)
                cookie = response.headers["set-cookie"]
                flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
                assert cookie.startswith("lp_session=") and len(cookie.split(";")[0]) > 40
                assert "httponly" in flags and flags["samesite"].lower() == "samesite=strict"
                assert flags["path"] == "Path=/"
                assert ("secure" in flags) is secure, (base_url, cookie)
                assert "domain" not in flags  # this host only
            if secure:
                continue  # the test client talks plain HTTP: it rightly keeps a Secure cookie to itself
            csrf = api.json()["csrf_token"]
            out = await client.post("/abmelden", data={"csrf_token": csrf})
            assert out.status_code == 303
            removed = out.headers["set-cookie"]
            assert removed.startswith("lp_session=") and "Path=/" in removed
            assert "Max-Age=0" in removed or "expires=" in removed.lower()
