"""The users pages (admin) and their JSON twins, on SQLite and PostgreSQL: adding a user with roles
and their units, setting roles, disabling and enabling, unlocking, and new passwords by a one-time
link or generated and shown once; the public page of the link; the refusals, each next to its
field, in the page's language and without command text; the audit log's entries (who, what).

Each test walks one whole story, checking many things on the way (the portal fixtures are built
once per run and copied per test; these tests start from the organisation and the users of
portal_helpers.USERS, without survey data)."""

from __future__ import annotations

import html
import re

from litestar.testing import AsyncTestClient
from portal_helpers import PASSWORD, app_call, sign_in

from survey.services import accounts
from survey.services.audit import audit_log

USERS = "/verwaltung/benutzer"
ACCOUNT = "/verwaltung/benutzer/konto"
#: what only a command line shows: code marks, options, `survey` commands
COMMAND = re.compile(r"`|--role|--password|\bsurvey (?:user|org|db)\b")
SECRET = re.compile(r'<textarea id="secret-value"[^>]*>([^<]+)</textarea>')
NOTICE = re.compile(r'<div class="(notice|error-summary)" role="(?:status|alert)">(.*?)</div>', re.S)
ENGLISH = re.compile(r"\b(the|is|cannot|already|there|user|role|password|choose)\b")


async def _log(client: AsyncTestClient, action: str) -> list[tuple[str, str, str]]:
    """(who, target, detail) of the entries of `action`, newest first; not the fixture's own
    users, which the command line's service calls added ("cli")."""
    entries = await app_call(client, audit_log, action=action)
    return [(e.username, e.target, e.detail) for e in entries if e.username != "cli"]


async def _users(client: AsyncTestClient) -> dict[str, accounts.UserListing]:
    return {u.username: u for u in await app_call(client, accounts.list_users)}


def _clean(page: str, what: str) -> str:
    """The page's text, checked for command text; German pages also for English words."""
    assert not COMMAND.search(page), f"{what}: command text {COMMAND.search(page)!r}"
    return html.unescape(page)


def _error_at(page: str, field: str) -> str:
    """The problem shown next to a field, which the field names as its description."""
    found = re.search(rf'id="{field}-error">([^<]*)<', page)
    assert found, f"no problem shown at {field}"
    control = re.search(rf'<(?:input|select) id="{field}"[^>]*>', page, re.S)
    assert control and f"{field}-error" in control.group(0) and 'aria-invalid="true"' in control.group(0)
    return html.unescape(found.group(1))


async def _signed_in_ok(client: AsyncTestClient, username: str, password: str) -> bool:
    client.cookies.clear()
    response = await client.post("/anmelden", data={"username": username, "password": password})
    return response.status_code == 303


async def test_admin_adds_a_user_who_sets_a_password_on_the_one_time_link(
    accounts_client: AsyncTestClient,
) -> None:
    client = accounts_client
    csrf = await sign_in(client, "admin")
    form = await client.get(f"{USERS}/neu")
    assert form.status_code == 200 and 'name="role-0"' in form.text and 'value="jugendamt"' in form.text
    _clean(form.text, "new user form")
    # everything wrong at once: each problem next to its field, what was typed kept
    bad = {"csrf_token": csrf, "username": "Chef In", "display_name": "Chef\nIn", "password": "kurz"}
    bad |= {"role-0": "lead", "unit-0": "", "role-1": "", "unit-1": "", "role-2": "analyst", "unit-2": "mond"}
    refused = await client.post(f"{USERS}/neu", data=bad)
    assert refused.status_code == 400
    page = _clean(refused.text, "refused new user")
    assert "ist kein Benutzername" in _error_at(refused.text, "username")
    assert "zu kurz (4 Zeichen)" in _error_at(refused.text, "password")
    assert "Zeilenumbrüche" in _error_at(refused.text, "display_name")
    assert "leitet eine Einheit" in _error_at(refused.text, "role-0")
    assert "Organisationseinheit mond gibt es nicht" in _error_at(refused.text, "role-2")
    assert 'value="Chef In"' in refused.text and "kurz" not in re.sub(r"zu kurz", "", page)
    assert re.search(r'<option value="lead" selected>', refused.text)
    summary = NOTICE.search(refused.text)
    assert summary and not ENGLISH.findall(re.sub(r"<[^>]+>", " ", summary.group(2)))
    english = await client.post(f"{USERS}/neu?lang=en", data=bad)
    assert "is not a user name" in _error_at(english.text, "username")
    _clean(english.text, "refused new user (en)")
    assert not await _log(client, "user.add")

    good = {"csrf_token": csrf, "username": "m.schmidt", "display_name": "Maria Schmidt"}
    good |= {"role-0": "lead", "unit-0": "jugendamt", "role-1": "analyst", "unit-1": "", "role-2": ""}
    assert (await client.get(f"{USERS}?lang=de")).status_code == 200  # German again (a cookie keeps it)
    added = await client.post(f"{USERS}/neu", data=good)
    assert added.status_code == 303 and added.headers["location"] == f"{ACCOUNT}/m.schmidt"
    shown = await client.get(f"{ACCOUNT}/m.schmidt")
    link = SECRET.search(shown.text)
    assert shown.status_code == 200 and link, shown.text
    assert link.group(1).startswith("http://127.0.0.1:8000/passwort/")
    assert "wird nur jetzt angezeigt" in _clean(shown.text, "added")
    again = await client.get(f"{ACCOUNT}/m.schmidt")  # shown once: a reload does not show it
    assert not SECRET.search(again.text) and link.group(1) not in again.text
    listed = (await _users(client))["m.schmidt"]
    assert [g.label for g in listed.grants] == ["lead:jugendamt", "analyst"] and listed.active
    assert await _log(client, "user.add") == [
        ("admin", "m.schmidt", "lead:jugendamt, analyst; no password yet")
    ]
    assert [(who, target) for who, target, _ in await _log(client, "user.reset_link")] == [
        ("admin", "m.schmidt")
    ]
    duplicate = await client.post(f"{USERS}/neu", data=good | {"display_name": "Noch eine"})
    assert duplicate.status_code == 400 and "gibt es schon" in _error_at(duplicate.text, "username")
    assert 'value="Noch eine"' in duplicate.text

    # the user's own page, without signing in
    client.cookies.clear()
    path = link.group(1).removeprefix("http://127.0.0.1:8000")
    opened = await client.get(path)
    assert opened.status_code == 200 and "Maria Schmidt" in opened.text and 'type="password"' in opened.text
    differ = await client.post(path, data={"password": "ein-langes-passwort", "repeated": "ein-anderes-pw"})
    assert differ.status_code == 400 and "unterscheiden sich" in _error_at(differ.text, "repeated")
    short = await client.post(path, data={"password": "kurz", "repeated": "kurz"})
    assert short.status_code == 400 and "zu kurz" in _error_at(short.text, "password")
    assert "kurz" not in re.sub(r"zu kurz", "", html.unescape(short.text))
    done = await client.post(
        path, data={"password": "ein-langes-passwort", "repeated": "ein-langes-passwort"}
    )
    assert done.status_code == 303 and done.headers["location"] == path
    used = await client.get(path)
    assert used.status_code == 200 and "wurde benutzt" in used.text and 'type="password"' not in used.text
    reused = await client.post(path, data={"password": "noch-ein-passwort", "repeated": "noch-ein-passwort"})
    assert reused.status_code == 400 and 'type="password"' not in reused.text
    assert (await client.get("/passwort/gibt-es-nicht")).status_code == 404
    assert await _signed_in_ok(client, "m.schmidt", "ein-langes-passwort")
    assert not await _signed_in_ok(client, "m.schmidt", "noch-ein-passwort")
    assert await _log(client, "user.password_set") == [("m.schmidt", "m.schmidt", "through a one-time link")]
    assert len(await _log(client, "user.password_link_refused")) == 1


async def test_roles_disable_enable_unlock_and_a_password_shown_once(
    accounts_client: AsyncTestClient,
) -> None:
    client = accounts_client
    csrf = await sign_in(client, "admin")
    lead = f"{ACCOUNT}/leitung-jugendamt"
    page = await client.get(lead)
    assert page.status_code == 200 and re.search(r'<option value="jugendamt" selected>', page.text)
    moved = await client.post(lead, data={"csrf_token": csrf, "role-0": "lead", "unit-0": "sozialamt"})
    assert moved.status_code == 303 and moved.headers["location"] == lead
    assert "Die Rollen von leitung-jugendamt sind gespeichert" in (await client.get(lead)).text
    assert [g.label for g in (await _users(client))["leitung-jugendamt"].grants] == ["lead:sozialamt"]
    assert await _log(client, "user.roles") == [
        ("admin", "leitung-jugendamt", "lead:jugendamt → lead:sozialamt")
    ]
    nobody = await client.get(f"{ACCOUNT}/niemand")
    assert nobody.status_code == 404 and "Es gibt keinen Benutzer niemand" in nobody.text
    no_step = await client.get(f"{lead}/befoerdern")
    assert no_step.status_code == 404 and "Diesen Schritt gibt es nicht" in no_step.text
    none = await client.post(lead, data={"csrf_token": csrf, "role-0": "", "unit-0": "sozialamt"})
    assert none.status_code == 400 and "mindestens eine Rolle" in _error_at(none.text, "role-0")
    assert re.search(r'<option value="sozialamt" selected>', none.text)  # what was chosen stays

    # an admin keeps their own administration, and their own account
    own = await client.post(f"{ACCOUNT}/admin", data={"csrf_token": csrf, "role-0": "office", "unit-0": ""})
    assert own.status_code == 400 and "Administration" in _error_at(own.text, "role-0")
    assert [g.label for g in (await _users(client))["admin"].grants] == ["admin"]
    myself = await client.post(f"{ACCOUNT}/admin/disable", data={"csrf_token": csrf})
    assert myself.status_code == 303 and myself.headers["location"] == f"{ACCOUNT}/admin"
    refusal = NOTICE.search((await client.get(f"{ACCOUNT}/admin")).text)
    assert refusal and refusal.group(1) == "error-summary" and "eigenes Konto" in refusal.group(2)
    assert (await _users(client))["admin"].active

    # disable asks first, ends the sessions; enable lets the user in again
    session = await app_call(client, accounts.sign_in, "auswertung", PASSWORD)
    confirm = await client.get(f"{ACCOUNT}/auswertung/disable")
    assert confirm.status_code == 200 and "Jetzt deaktivieren" in _clean(confirm.text, "confirm")
    assert (await client.post(f"{ACCOUNT}/auswertung/disable", data={"csrf_token": csrf})).status_code == 303
    assert (await app_call(client, accounts.session_principal, session.token)).principal is None
    assert "deaktiviert" in (await client.get(USERS)).text
    assert not await _signed_in_ok(client, "auswertung", PASSWORD)
    csrf = await sign_in(client, "admin")
    assert (await client.post(f"{ACCOUNT}/auswertung/enable", data={"csrf_token": csrf})).status_code == 303
    assert await _signed_in_ok(client, "auswertung", PASSWORD)

    # five failed sign-ins lock; the list says who; unlocking lets them in at once
    for attempt in range(accounts.MAX_FAILURES):
        await client.post("/anmelden", data={"username": "buero", "password": f"falsch-{attempt}"})
    csrf = await sign_in(client, "admin")
    listing = await client.get(USERS)
    assert "gesperrt nach 5 Fehlversuchen" in listing.text and f'href="{ACCOUNT}/buero"' in listing.text
    assert "gesperrt" in (await client.get(f"{ACCOUNT}/buero")).text
    assert (await client.post(f"{ACCOUNT}/buero/unlock", data={"csrf_token": csrf})).status_code == 303
    assert not (await _users(client))["buero"].locked
    assert await _log(client, "user.unlock") == [("admin", "buero", "after 5 failed sign-ins")]

    # a generated password: shown once, works, ends the user's sessions
    buero = await app_call(client, accounts.sign_in, "buero", PASSWORD)
    assert (await client.post(f"{ACCOUNT}/buero/password", data={"csrf_token": csrf})).status_code == 303
    shown = await client.get(f"{ACCOUNT}/buero")
    password = SECRET.search(shown.text)
    assert password and len(password.group(1)) >= accounts.MIN_PASSWORD
    assert password.group(1) not in (await client.get(f"{ACCOUNT}/buero")).text
    assert (await app_call(client, accounts.session_principal, buero.token)).principal is None
    assert await _signed_in_ok(client, "buero", password.group(1))
    assert not await _signed_in_ok(client, "buero", PASSWORD)
    for action in ("user.disable", "user.enable", "user.reset_password"):
        assert [who for who, _, _ in await _log(client, action)] == ["admin"], action
    entries = await app_call(client, audit_log, limit=500)
    assert all(password.group(1) not in f"{e.target} {e.detail}" for e in entries)


async def test_the_json_twins_and_who_may_use_them(accounts_client: AsyncTestClient) -> None:
    client = accounts_client
    csrf = await sign_in(client, "buero")
    body = {"username": "neu", "roles": ["office"]}
    assert (await client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": csrf})).status_code == 403
    assert (await client.get("/api/v1/users")).status_code == 403
    csrf = await sign_in(client, "admin")
    headers = {"X-CSRF-Token": csrf}
    bad = {
        "username": "Neu",
        "password": "kurz",
        "roles": ["lead", "office:mond", "boss"],
    }
    refused = await client.post("/api/v1/users", json=bad, headers=headers)
    assert refused.status_code == 409, refused.text
    answer = refused.json()
    fields = answer["fields"]
    assert not answer["ok"] and set(fields) == {"username", "password", "roles.0", "roles.1", "roles.2"}
    assert "a lead leads a unit" in fields["roles.0"] and "`boss` is not a role" in fields["roles.2"]
    assert answer["message"] == "5 entries need a change" and len(answer["details"]) == 5
    assert not COMMAND.search(re.sub(r"`(Neu|mond|boss)`", "", refused.text))
    unknown_field = await client.post("/api/v1/users", json=body | {"admin": True}, headers=headers)
    assert unknown_field.status_code == 400
    added = await client.post(
        "/api/v1/users",
        json={"username": "k.weber", "display_name": "Kai Weber", "roles": ["analyst"]},
        headers=headers,
    )
    assert added.status_code == 200 and added.json()["link"].startswith("http://127.0.0.1:8000/passwort/")
    token = added.json()["link"].rsplit("/", 1)[1]
    with_password = {"username": "l.berg", "password": "ein-langes-passwort", "roles": ["office"]}
    chosen = (await client.post("/api/v1/users", json=with_password, headers=headers)).json()
    assert chosen["ok"] and chosen["link"] is None and chosen["password"] is None
    roles = await client.post("/api/v1/users/k.weber/roles", json={"roles": ["lead:asd"]}, headers=headers)
    assert roles.status_code == 200 and roles.json()["ok"]
    own = await client.post("/api/v1/users/admin/roles", json={"roles": ["office"]}, headers=headers)
    assert (
        own.status_code == 409 and "administration of the whole organisation" in own.json()["fields"]["roles"]
    )
    for action in ("disable", "enable", "unlock", "password-link", "password"):
        nobody = await client.post(f"/api/v1/users/gibt-es-nicht/{action}", headers=headers)
        assert nobody.status_code == 409 and nobody.json()["message"] == "there is no user `gibt-es-nicht`"
    made = await client.post("/api/v1/users/l.berg/password", headers=headers)
    assert made.status_code == 200 and len(made.json()["password"]) >= accounts.MIN_PASSWORD
    assert (await client.post("/api/v1/users/admin/password", headers=headers)).status_code == 409
    assert (await client.post("/api/v1/users/admin/disable", headers=headers)).status_code == 409
    listed = {u["username"]: u for u in (await client.get("/api/v1/users")).json()}
    assert listed["k.weber"]["roles"] == [
        {"role": "lead", "unit": "asd", "unit_name": listed["k.weber"]["roles"][0]["unit_name"]}
    ]

    client.cookies.clear()
    short = await client.post(f"/api/v1/password-links/{token}", json={"password": "kurz"})
    assert short.status_code == 409 and "password" in short.json()["fields"]
    done = await client.post(f"/api/v1/password-links/{token}", json={"password": "ein-langes-passwort"})
    assert done.status_code == 200 and done.json()["ok"]
    again = await client.post(f"/api/v1/password-links/{token}", json={"password": "ein-langes-passwort"})
    assert again.status_code == 409
    assert await _signed_in_ok(client, "k.weber", "ein-langes-passwort")
