"""Sign-in, sessions, CSRF and lock-out over HTTP, on SQLite and PostgreSQL.

Each refusal is checked twice: the answer the browser gets, and the audit log entry it leaves.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from litestar.testing import AsyncTestClient
from portal_helpers import PASSWORD, app_call, sign_in

from survey.services import accounts
from survey.services.audit import audit_log
from survey.store.tables import WebSession


async def _actions(client: AsyncTestClient, action: str) -> list[tuple[str, str, str]]:
    return [(e.username, e.target, e.detail) for e in await app_call(client, audit_log, action=action)]


async def test_sign_in_sets_a_strict_http_only_cookie_whose_hash_alone_is_stored(
    accounts_client: AsyncTestClient,
) -> None:
    response = await accounts_client.post(
        "/anmelden", data={"username": "leitung-jugendamt", "password": PASSWORD, "next": "/bereich"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/bereich"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lp_session=") and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    token = response.cookies["lp_session"]
    stored = await app_call(accounts_client, WebSession.select(WebSession.token_hash).run)
    assert [row["token_hash"] for row in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert all(token not in str(row) for row in stored)
    start = await accounts_client.get("/bereich")
    assert start.status_code == 200 and "Leitung Jugendamt" in start.text
    assert await _actions(accounts_client, "signin.ok") == [("leitung-jugendamt", "", "")]


async def test_wrong_password_is_refused_without_a_session_and_logged(
    accounts_client: AsyncTestClient,
) -> None:
    response = await accounts_client.post(
        "/anmelden",
        data={"username": "leitung-jugendamt", "password": "falsch-falsch-falsch", "next": "/bereich"},
    )
    assert response.status_code == 401
    assert "Benutzername oder das Passwort stimmt nicht" in response.text
    assert 'value="leitung-jugendamt"' in response.text  # what was typed stays, the password does not
    assert "falsch-falsch-falsch" not in response.text
    assert "lp_session" not in response.headers.get("set-cookie", "")
    unknown = await accounts_client.post("/anmelden", data={"username": "niemand", "password": "x" * 12})
    assert unknown.status_code == 401 and "Benutzername oder das Passwort stimmt nicht" in unknown.text
    empty = await accounts_client.post("/anmelden", data={"username": "", "password": ""})
    assert empty.status_code == 400 and "Benutzernamen und Ihr Passwort" in empty.text
    failed = await _actions(accounts_client, "signin.failed")
    assert ("niemand", "", "unknown user") in failed
    assert ("leitung-jugendamt", "", "wrong password (1 in a row)") in failed
    assert all("falsch" not in str(entry) for entry in failed)


async def test_five_failures_lock_the_account_and_a_new_password_unlocks_it(
    accounts_client: AsyncTestClient,
) -> None:
    for attempt in range(1, accounts.MAX_FAILURES + 1):
        response = await accounts_client.post(
            "/anmelden", data={"username": "buero", "password": f"falsch-{attempt}"}
        )
        assert response.status_code == 401
    locked = await accounts_client.post("/anmelden", data={"username": "buero", "password": PASSWORD})
    assert locked.status_code == 423 and "gesperrt" in locked.text
    assert await _actions(accounts_client, "signin.locked") == [("buero", "", "")]
    listing = {u.username: u for u in await app_call(accounts_client, accounts.list_users)}
    assert listing["buero"].locked and not listing["admin"].locked
    await app_call(accounts_client, accounts.set_password, "buero", "ein-neues-langes-passwort")
    assert (
        await accounts_client.post("/anmelden", data={"username": "buero", "password": PASSWORD})
    ).status_code == 401
    again = await accounts_client.post(
        "/anmelden", data={"username": "buero", "password": "ein-neues-langes-passwort"}
    )
    assert again.status_code == 303


async def test_sign_in_rate_limit_counts_every_attempt(accounts_client: AsyncTestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(accounts, "SIGN_IN_RATE", 3)
    statuses = [
        (
            await accounts_client.post("/anmelden", data={"username": f"x{i}", "password": "y" * 12})
        ).status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    assert (await _actions(accounts_client, "signin.rate_limited"))[0][0] == "x3"


async def test_expired_session_is_refused_and_logged(accounts_client: AsyncTestClient) -> None:
    await sign_in(accounts_client, "personalrat")
    token = accounts_client.cookies["lp_session"]
    idle = dt.datetime.now(dt.UTC) - accounts.SESSION_IDLE - dt.timedelta(minutes=1)
    await app_call(accounts_client, accounts.expire_session_for_test, token, idle)
    page = await accounts_client.get("/protokoll")
    assert page.status_code == 303 and page.headers["location"].startswith("/anmelden?weiter=%2Fprotokoll")
    assert "lp_session=" in page.headers.get("set-cookie", "")  # the stale cookie is removed
    accounts_client.cookies.set("lp_session", token)
    api = await accounts_client.get("/api/v1/audit")
    assert api.status_code == 401
    assert await _actions(accounts_client, "session.expired") == [("personalrat", "", "")]


async def test_missing_or_wrong_csrf_token_is_refused_and_logged(accounts_client: AsyncTestClient) -> None:
    csrf = await sign_in(accounts_client, "buero")
    for data in ({}, {"csrf_token": "falsch"}, {"csrf_token": csrf[:-1]}):
        refused = await accounts_client.post("/abmelden", data=data)
        assert refused.status_code == 403 and "CSRF" in refused.text
    api = await accounts_client.post("/api/v1/waves/gibt-es-nicht/open")
    assert api.status_code == 403 and "CSRF" in api.json()["detail"]
    assert len(await _actions(accounts_client, "csrf.refused")) == 4
    assert (await accounts_client.get("/bereich")).status_code == 200  # still signed in: nothing happened
    with_header = await accounts_client.post(
        "/api/v1/waves/gibt-es-nicht/open", headers={"X-CSRF-Token": csrf}
    )
    assert with_header.status_code == 409 and "gibt-es-nicht" in with_header.json()["message"]
    signed_out = await accounts_client.post("/abmelden", data={"csrf_token": csrf})
    assert signed_out.status_code == 303
    assert (await accounts_client.get("/bereich")).status_code == 303


async def test_forged_cookies_get_nobody_in(accounts_client: AsyncTestClient) -> None:
    accounts_client.cookies.set("lp_session", "admin")
    forged = await accounts_client.get("/verwaltung/benutzer")
    assert forged.status_code == 303 and forged.headers["location"].startswith("/anmelden")
    accounts_client.cookies.set("lp_session", "x" * 43)
    assert (await accounts_client.get("/api/v1/users")).status_code == 401
    assert len(await _actions(accounts_client, "session.unknown")) == 2
    # a role cannot ride along in a cookie: roles come from the database only
    await sign_in(accounts_client, "leitung-jugendamt")
    for name in ("role", "roles", "lp_role", "user"):
        accounts_client.cookies.set(name, "admin")
    assert (await accounts_client.get("/verwaltung/benutzer")).status_code == 403
    assert (await accounts_client.get("/api/v1/users")).status_code == 403


async def test_a_planted_session_cookie_is_never_adopted(accounts_client: AsyncTestClient) -> None:
    planted = "planted-by-an-attacker-0123456789abcdef"
    accounts_client.cookies.set("lp_session", planted)
    response = await accounts_client.post(
        "/anmelden", data={"username": "admin", "password": PASSWORD, "next": "/bereich"}
    )
    assert response.status_code == 303
    assert response.cookies["lp_session"] != planted
    accounts_client.cookies.clear()
    accounts_client.cookies.set("lp_session", planted)
    assert (await accounts_client.get("/bereich")).status_code == 303


async def test_sign_in_goes_back_only_to_a_page_of_this_site(accounts_client: AsyncTestClient) -> None:
    for target, expected in (
        ("/protokoll", "/protokoll"),
        ("//evil.example/x", "/bereich"),
        ("https://evil.example/", "/bereich"),
        ("/\\evil.example", "/bereich"),
        ("/bereich\r\nSet-Cookie: x=1", "/bereich"),
    ):
        accounts_client.cookies.clear()
        response = await accounts_client.post(
            "/anmelden", data={"username": "admin", "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == expected, target


async def test_json_sign_in_and_csrf_header(accounts_client: AsyncTestClient) -> None:
    wrong = await accounts_client.post(
        "/api/v1/session", json={"username": "admin", "password": "falsch-falsch"}
    )
    assert wrong.status_code == 401 and "lp_session" not in wrong.headers.get("set-cookie", "")
    bad_body = await accounts_client.post("/api/v1/session", json={"user": "admin"})
    assert bad_body.status_code == 400
    me = await accounts_client.post("/api/v1/session", json={"username": "admin", "password": PASSWORD})
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "admin" and body["roles"] == [
        {"role": "admin", "unit": None, "unit_name": None}
    ]
    assert (await accounts_client.get("/api/v1/session")).json()["csrf_token"] == body["csrf_token"]
    assert (await accounts_client.delete("/api/v1/session")).status_code == 403
    out = await accounts_client.delete("/api/v1/session", headers={"X-CSRF-Token": body["csrf_token"]})
    assert out.status_code == 204
    assert (await accounts_client.get("/api/v1/session")).status_code == 401


async def test_disabled_user_cannot_sign_in_and_loses_open_sessions(accounts_client: AsyncTestClient) -> None:
    await sign_in(accounts_client, "auswertung")
    await app_call(accounts_client, accounts.disable_user, "auswertung")
    assert (await accounts_client.get("/bereich")).status_code == 303
    again = await accounts_client.post("/anmelden", data={"username": "auswertung", "password": PASSWORD})
    assert again.status_code == 401
