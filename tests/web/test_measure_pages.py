"""The measures pages and their JSON twins, on SQLite and PostgreSQL: a lead creates a measure of two
units and the other unit's lead joins it, progress notes and statuses, the office marks it public,
the Personalrat only reads; a refused form comes back with each problem next to its field and
nothing typed lost, in German and English; the API answers 201/200, 422 with each field's problem,
409, 403 and 404; every step is in the audit log.

The portal fixtures (tests/web/conftest.py) hold the small demo Kommune and one user per role; a
lead of the Jobcenter is added where a test needs one."""

from __future__ import annotations

import html
import re

from litestar.testing import AsyncTestClient
from portal_helpers import PASSWORD, app_call, sign_in

from survey.services.accounts import add_user
from survey.services.audit import audit_log

NOTICE = re.compile(r'<div class="(notice|error-summary)" role="(?:status|alert)">(.*?)</div>', re.S)
#: English words that must not appear on a German page's messages
ENGLISH = re.compile(r"\b(the|is|enter|choose|measure|unit|value|day|after|before)\b")
GOOD = {
    "title": "Runder Tisch Übergang Schule–Beruf",
    "description": "Jugendamt und Jobcenter treffen sich monatlich.",
    "values": ["gemeinsam"],
    "units": ["jugendamt", "jobcenter"],
    "responsible": "Netzwerkkoordination",
    "starts_on": "2026-12-01",
    "due_on": "",
    "effect_lag_days": "30",
    "status": "geplant",
}


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _error_at(page: str, field: str) -> str:
    """The problem shown next to a field, which the field names as its description."""
    found = re.search(rf'id="{field}-error">([^<]*)<', page)
    assert found, f"no problem shown at {field}"
    control = re.search(rf'<(?:input|select|textarea|fieldset)\b[^>]*\bid="{field}"[^>]*>', page, re.S)
    assert control and f"{field}-error" in control.group(0) and 'aria-invalid="true"' in control.group(0), (
        field
    )
    return html.unescape(found.group(1))


def _rows(page: str) -> str:
    """The list's table body: the measures shown (not the invitations above it)."""
    found = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert found, "no table of measures"
    return found.group(1)


def _notice(page: str) -> str:
    found = NOTICE.search(page)
    return _text(found.group(2)) if found else ""


async def _log(client: AsyncTestClient, action: str) -> list[tuple[str, str]]:
    return [(e.username, e.detail) for e in await app_call(client, audit_log, action=action)]


async def _lead_of_jobcenter(client: AsyncTestClient) -> None:
    await app_call(client, add_user, "leitung-jobcenter", "Leitung Jobcenter", PASSWORD, ["lead:jobcenter"])


async def test_a_lead_creates_a_measure_the_other_lead_joins_and_progress_is_noted(
    portal_client: AsyncTestClient,
) -> None:
    client = portal_client
    await _lead_of_jobcenter(client)
    csrf = await sign_in(client, "leitung-jugendamt")
    start = await client.get("/bereich")
    assert '<a href="/massnahmen">Maßnahmen</a>' in start.text
    form = await client.get("/massnahmen/neu?einheit=jugendamt")
    assert form.status_code == 200 and "Neue Maßnahme" in form.text
    assert re.search(r'id="unit-jugendamt" name="units" value="jugendamt" checked', form.text)
    assert 'value="gemeinsam"' in form.text and "Gemeinsam für Lindenau" in form.text

    # everything wrong at once: each problem next to its field, in German, what was typed kept
    bad = {
        **GOOD,
        "csrf_token": csrf,
        "title": "",
        "values": ["mond"],
        "units": ["sozialamt"],
        "starts_on": "31.2.2026",
        "due_on": "gestern",
        "effect_lag_days": "drei",
    }
    refused = await client.post("/massnahmen/neu", data=bad)
    assert refused.status_code == 400
    assert "Geben Sie einen Titel ein" in _error_at(refused.text, "title")
    assert "mond ist kein Wert des Leitbilds" in _error_at(refused.text, "values")
    assert "Sie leiten keine der gewählten Einheiten" in _error_at(refused.text, "units")
    assert "31.2.2026 ist kein Tag" in _error_at(refused.text, "starts_on")
    assert "gestern ist kein Tag" in _error_at(refused.text, "due_on")
    assert "drei ist keine Wartezeit" in _error_at(refused.text, "effect_lag_days")
    summary = _notice(refused.text)
    assert summary.startswith("Nichts wurde gespeichert") and "Titel:" in summary and "Beginn:" in summary
    assert not ENGLISH.findall(summary.replace("Leitbild", ""))
    assert "Jugendamt und Jobcenter treffen sich monatlich." in refused.text  # the description kept
    assert 'value="Netzwerkkoordination"' in refused.text and 'value="drei"' in refused.text
    assert re.search(r'id="unit-sozialamt" name="units" value="sozialamt" checked', refused.text)
    english = await client.post("/massnahmen/neu?lang=en", data=bad)
    assert "enter a title" in _error_at(english.text, "title").lower()
    assert "you lead none of the chosen units" in _error_at(english.text, "units").lower()
    assert "Sie " not in _notice(english.text)
    assert not await _log(client, "measure.create")

    await client.get("/massnahmen?lang=de")  # German again (a cookie keeps the language)
    created = await client.post("/massnahmen/neu", data={**GOOD, "csrf_token": csrf})
    assert created.status_code == 303
    page_url = created.headers["location"]
    assert re.fullmatch(r"/massnahmen/\d+", page_url)
    shown = await client.get(page_url)
    assert "Die Maßnahme Runder Tisch Übergang Schule–Beruf ist angelegt" in _notice(shown.text)
    assert "Die Leitungen von Fachbereich Jobcenter sind eingeladen" in _notice(shown.text)
    assert "wartet auf die Bestätigung einer Leitung der Einheit" in _text(shown.text)
    assert "Für Fachbereich Jobcenter bestätigen" not in shown.text  # not the inviter's to confirm
    assert not _notice((await client.get(page_url)).text)  # shown once
    measure_id = int(page_url.rsplit("/", 1)[1])
    assert await _log(client, "measure.create") == [
        ("leitung-jugendamt", "units=jugendamt; invited=jobcenter; values=gemeinsam; status=geplant")
    ]

    # the Jobcenter's lead finds the invitation and joins
    csrf = await sign_in(client, "leitung-jobcenter")
    listing = await client.get("/massnahmen")
    assert "Einladungen, die auf Ihre Bestätigung warten" in listing.text and page_url in listing.text
    assert page_url not in _rows((await client.get("/massnahmen?einheit=jobcenter")).text)
    refused_note = await client.post(f"{page_url}/notizen", data={"csrf_token": csrf, "text": "x"})
    assert refused_note.status_code == 403  # not an owner yet
    joined = await client.post(f"{page_url}/einheiten/jobcenter/bestaetigen", data={"csrf_token": csrf})
    assert joined.status_code == 303 and joined.headers["location"] == page_url
    after = await client.get(page_url)
    assert "Fachbereich Jobcenter ist als Trägerin der Maßnahme bestätigt" in _notice(after.text)
    assert _text(after.text).count("trägt die Maßnahme") >= 2
    assert page_url in _rows((await client.get("/massnahmen?einheit=jobcenter")).text)
    again = await client.post(f"{page_url}/einheiten/jobcenter/bestaetigen", data={"csrf_token": csrf})
    assert "Fachbereich Jobcenter hat schon bestätigt" in _notice(
        (await client.get(again.headers["location"])).text
    )

    # progress notes: a refused one keeps what was typed, the saved one shows its day and author
    typed = {"csrf_token": csrf, "noted_on": "2099-01-01", "text": "Zweites Treffen mit Schulen"}
    future = await client.post(f"{page_url}/notizen", data=typed)
    assert future.status_code == 400
    assert "2099-01-01 liegt nach heute" in _error_at(future.text, "note-day")
    assert "Zweites Treffen mit Schulen</textarea>" in future.text
    empty = await client.post(
        f"{page_url}/notizen", data={"csrf_token": csrf, "noted_on": "2026-11-20", "text": " "}
    )
    assert "Schreiben Sie den Vermerk" in _error_at(empty.text, "note-text")
    noted = await client.post(f"{page_url}/notizen", data={**typed, "noted_on": "20.11.2026"})
    assert noted.status_code == 303
    shown = await client.get(page_url)
    assert "Der Fortschrittsvermerk ist gespeichert" in _notice(shown.text)
    assert '<time datetime="2026-11-20">20. November 2026</time> · leitung-jobcenter' in shown.text
    english = _text((await client.get(f"{page_url}?lang=en")).text)
    assert "20 November 2026" in english and "Progress notes" in english and "Fortschritt" not in english

    # the status, and the list filtered by it
    await client.get("/massnahmen?lang=de")
    status = await client.post(f"{page_url}/status", data={"csrf_token": csrf, "status": "laufend"})
    assert status.status_code == 303
    assert "Die Maßnahme läuft jetzt" in _notice((await client.get(page_url)).text)
    running = await client.get("/massnahmen?status=laufend&wert=gemeinsam")
    assert page_url in _rows(running.text) and "laufend" in _rows(running.text)
    assert page_url not in _rows((await client.get("/massnahmen?status=geplant")).text)
    wrong = await client.post(f"{page_url}/status", data={"csrf_token": csrf, "status": "fertig"})
    assert wrong.status_code == 400 and "fertig ist kein Status" in _error_at(wrong.text, "status-choice")

    assert [who for who, _ in await _log(client, "measure.confirm")] == ["leitung-jobcenter"]
    assert await _log(client, "measure.note") == [
        ("leitung-jobcenter", "note of 2026-11-20; units=jugendamt,jobcenter")
    ]
    assert await _log(client, "measure.status") == [
        ("leitung-jobcenter", "status=laufend (was geplant); units=jugendamt,jobcenter")
    ]
    assert measure_id >= 1


async def test_the_form_of_a_change_keeps_what_was_typed(portal_client: AsyncTestClient) -> None:
    client = portal_client
    csrf = await sign_in(client, "leitung-jugendamt")
    page_url = (
        await client.post("/massnahmen/neu", data={**GOOD, "units": ["jugendamt"], "csrf_token": csrf})
    ).headers["location"]
    form = await client.get(f"{page_url}/bearbeiten")
    assert form.status_code == 200 and 'value="Runder Tisch Übergang Schule–Beruf"' in form.text
    assert 'name="units"' not in form.text  # units join and leave on the measure's page
    changed = {**GOOD, "csrf_token": csrf, "title": "Runder Tisch Übergang", "due_on": "1.11.2026"}
    refused = await client.post(f"{page_url}/bearbeiten", data=changed)
    assert refused.status_code == 400
    due = _error_at(refused.text, "due_on")
    assert "Das Zieldatum 2026-11-01 liegt vor dem Beginn 2026-12-01: Wählen Sie den Beginn" in due
    assert 'value="Runder Tisch Übergang"' in refused.text and 'value="1.11.2026"' in refused.text
    saved = await client.post(f"{page_url}/bearbeiten", data={**changed, "due_on": "2027-06-30"})
    assert saved.status_code == 303
    shown = await client.get(page_url)
    assert "Die Änderungen der Maßnahme sind gespeichert" in _notice(shown.text)
    assert "<h1>Runder Tisch Übergang</h1>" in shown.text and "30.06.2027" in shown.text
    assert await _log(client, "measure.edit") == [
        ("leitung-jugendamt", "changed=due_on,title; units=jugendamt")
    ]

    # units join on the measure's page: a unit the lead leads at once, another one invited
    nothing = await client.post(f"{page_url}/einheiten", data={"csrf_token": csrf, "unit": ""})
    assert nothing.status_code == 400
    assert "Wählen Sie die einzuladende Organisationseinheit" in _error_at(nothing.text, "invite-unit")
    invited = await client.post(f"{page_url}/einheiten", data={"csrf_token": csrf, "unit": "sozialamt"})
    assert invited.status_code == 303
    assert "Fachbereich Sozialamt ist eingeladen" in _notice((await client.get(page_url)).text)
    joined = await client.post(f"{page_url}/einheiten", data={"csrf_token": csrf, "unit": "asd"})
    assert joined.status_code == 303
    shown = await client.get(page_url)
    assert "Abteilung Allgemeiner Sozialer Dienst trägt die Maßnahme jetzt mit" in _notice(shown.text)
    assert 'value="sozialamt"' not in shown.text.split('id="invite-unit"')[1].split("</select>")[0]
    twice = await client.post(f"{page_url}/einheiten", data={"csrf_token": csrf, "unit": "sozialamt"})
    again = await client.get(twice.headers["location"])
    assert "Fachbereich Sozialamt gehört schon zu den Einheiten" in _notice(again.text)
    assert [d for _, d in await _log(client, "measure.invite")] == ["unit=sozialamt"]
    assert [d for _, d in await _log(client, "measure.confirm")] == ["unit=asd"]


async def test_the_office_marks_public_the_personalrat_reads_others_are_refused(
    portal_client: AsyncTestClient,
) -> None:
    client = portal_client
    csrf = await sign_in(client, "admin")
    theirs = await client.post(
        "/massnahmen/neu",
        data={**GOOD, "title": "Grundsicherung digital", "units": ["sozialamt"], "csrf_token": csrf},
    )
    other_url = theirs.headers["location"]
    csrf = await sign_in(client, "leitung-jugendamt")
    page_url = (
        await client.post("/massnahmen/neu", data={**GOOD, "units": ["jugendamt"], "csrf_token": csrf})
    ).headers["location"]
    # a lead outside the scope: 403 for the measure and the unit, logged; a measure that is not: 404
    assert (await client.get(other_url)).status_code == 403
    assert (await client.get("/massnahmen?einheit=sozialamt")).status_code == 403
    assert other_url not in (await client.get("/massnahmen")).text
    missing = await client.get("/massnahmen/999999")
    assert missing.status_code == 404 and "Eine Maßnahme 999999 gibt es nicht" in missing.text
    targets = [e.target for e in await app_call(client, audit_log, action="access.refused")]
    assert f"measure {other_url.rsplit('/', 1)[1]}" in targets and "measures sozialamt" in targets

    csrf = await sign_in(client, "buero")
    listing = await client.get("/massnahmen")
    assert page_url in listing.text and other_url in listing.text and "Neue Maßnahme" not in listing.text
    office_page = await client.get(page_url)
    assert "Öffentlich machen" in office_page.text and "Vermerk hinzufügen" not in office_page.text
    assert (await client.get(f"{page_url}/bearbeiten")).status_code == 403
    public = await client.post(f"{page_url}/oeffentlich", data={"csrf_token": csrf, "public": "yes"})
    assert public.status_code == 303
    shown = await client.get(page_url)
    assert (
        "Die Maßnahme ist jetzt öffentlich" in _notice(shown.text) and "Nicht mehr öffentlich" in shown.text
    )
    assert await _log(client, "measure.public") == [("buero", "public=yes; units=jugendamt")]

    csrf = await sign_in(client, "personalrat")
    read = await client.get(page_url)
    assert read.status_code == 200 and "Runder Tisch" in read.text
    for absent in (
        "Vermerk hinzufügen",
        "Status setzen",
        "Öffentlich machen",
        "Organisationseinheit einladen",
    ):
        assert absent not in read.text
    assert '<a href="/massnahmen">Maßnahmen</a>' in read.text
    for path, data in (
        ("notizen", {"noted_on": "2026-11-20", "text": "Notiz"}),
        ("status", {"status": "laufend"}),
        ("oeffentlich", {"public": "no"}),
        ("einheiten", {"unit": "jobcenter"}),
    ):
        refused = await client.post(f"{page_url}/{path}", data={"csrf_token": csrf, **data})
        assert refused.status_code == 403 and "Ihre Rollen erlauben diese Seite nicht" in refused.text, path
    assert not await _log(client, "measure.note")


async def test_the_json_twins(portal_client: AsyncTestClient) -> None:
    client = portal_client
    await _lead_of_jobcenter(client)
    csrf = await sign_in(client, "leitung-jugendamt")
    headers = {"X-CSRF-Token": csrf}
    body = {key: value for key, value in GOOD.items() if key not in ("due_on", "effect_lag_days")}
    body |= {"units": ["jugendamt"], "effect_lag_days": 30}

    bad = await client.post(
        "/api/v1/measures",
        json={**body, "title": " ", "values": ["mond"], "starts_on": "morgen"},
        headers=headers,
    )
    assert bad.status_code == 422
    problems = bad.json()
    assert problems["ok"] is False and problems["message"] == "3 entries need a change"
    assert set(problems["fields"]) == {"title", "values", "starts_on"}
    assert "`mond` is not a value of the Leitbild" in problems["fields"]["values"]
    assert "morgen is no day" in problems["fields"]["starts_on"]
    unknown = await client.post("/api/v1/measures", json={**body, "owner": "x"}, headers=headers)
    assert unknown.status_code == 400
    assert (await client.post("/api/v1/measures", json=body)).status_code == 403  # no CSRF header
    assert (
        await client.post("/api/v1/measures", json={**body, "public": True}, headers=headers)
    ).status_code == 403

    created = await client.post("/api/v1/measures", json=body, headers=headers)
    assert created.status_code == 201, created.text
    measure = created.json()
    one = f"/api/v1/measures/{measure['id']}"
    assert (measure["status"], measure["effect_lag_days"], measure["starts_on"]) == (
        "geplant",
        30,
        "2026-12-01",
    )
    assert [(o["unit"], o["confirmed"]) for o in measure["owners"]] == [("jugendamt", True)]

    changed = await client.patch(one, json={"status": "laufend", "due_on": "2027-06-30"}, headers=headers)
    assert changed.status_code == 200 and changed.json()["due_on"] == "2027-06-30"
    assert (await client.patch(one, json={"public": True}, headers=headers)).status_code == 403
    too_late = await client.patch(one, json={"effect_lag_days": 9999}, headers=headers)
    assert too_late.status_code == 400 and "effect_lag_days" in too_late.text
    before = await client.patch(one, json={"due_on": "2026-01-01"}, headers=headers)
    assert before.status_code == 422 and set(before.json()["fields"]) == {"due_on"}
    noted = await client.post(
        f"{one}/notes", json={"text": "Erstes Treffen", "noted_on": "2026-11-20"}, headers=headers
    )
    assert noted.status_code == 201 and noted.json()["notes"][0]["author"] == "leitung-jugendamt"
    invited = await client.post(f"{one}/owners", json={"unit": "jobcenter"}, headers=headers)
    assert invited.status_code == 200 and invited.json()["owners"][-1]["confirmed"] is False
    twice = await client.post(f"{one}/owners", json={"unit": "jobcenter"}, headers=headers)
    assert twice.status_code == 409 and "already" in twice.json()["message"]
    nowhere = await client.post(f"{one}/owners", json={"unit": "mond"}, headers=headers)
    assert nowhere.status_code == 422 and set(nowhere.json()["fields"]) == {"unit"}
    assert (await client.post(f"{one}/owners/jobcenter/confirm", headers=headers)).status_code == 403

    csrf = await sign_in(client, "leitung-jobcenter")
    joined = await client.post(f"{one}/owners/jobcenter/confirm", headers={"X-CSRF-Token": csrf})
    assert joined.status_code == 200 and all(o["confirmed"] for o in joined.json()["owners"])
    assert (
        await client.post(f"{one}/owners/jobcenter/confirm", headers={"X-CSRF-Token": csrf})
    ).status_code == 409
    listed = await client.get("/api/v1/measures?unit=jobcenter&value=gemeinsam&status=laufend")
    assert [m["id"] for m in listed.json()] == [measure["id"]]
    assert (await client.get("/api/v1/measures?status=fertig")).status_code == 400
    assert (await client.get("/api/v1/measures?unit=mond")).status_code == 404
    assert (await client.get("/api/v1/measures?unit=sozialamt")).status_code == 403
    assert (await client.get("/api/v1/measures/999999")).status_code == 404

    csrf = await sign_in(client, "buero")
    public = await client.patch(one, json={"public": True}, headers={"X-CSRF-Token": csrf})
    assert public.status_code == 200 and public.json()["public"] is True
    assert (
        await client.patch(one, json={"title": "Anders"}, headers={"X-CSRF-Token": csrf})
    ).status_code == 403
    csrf = await sign_in(client, "personalrat")
    read = await client.get(one)
    assert read.status_code == 200 and read.json()["notes"][0]["text"] == "Erstes Treffen"
    assert (
        await client.patch(one, json={"status": "umgesetzt"}, headers={"X-CSRF-Token": csrf})
    ).status_code == 403
    await sign_in(client, "auswertung-jugendamt")
    assert (await client.get(one)).status_code == 200
    assert [m["id"] for m in (await client.get("/api/v1/measures")).json()] == [measure["id"]]
    assert [who for who, _ in await _log(client, "measure.create")] == ["leitung-jugendamt"]
    assert [who for who, _ in await _log(client, "measure.public")] == ["buero"]
