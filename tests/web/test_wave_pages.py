"""The survey office creates, changes, opens and watches waves in the browser, on SQLite and
PostgreSQL: the form (every refusal next to its field, what was typed kept), a wave's own page,
its participation under the anonymity rules, and the JSON twins with the same checks.

The Kommune is the portal's small demo (tests/web/portal_helpers.py): its waves are closed,
staff-pulse v1 and v2 approved. Every refusal is said in the page's language and never with
command-line text.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.testing import AsyncTestClient
from portal_helpers import QUESTIONNAIRES, app_call, sign_in

from survey.services.audit import audit_log
from survey.store.bulk import ResponseBatch, bulk_insert_responses
from survey.store.tables import OrgUnitRow, WaveRow

TODAY = dt.date.today()
COMMAND = re.compile(r"`|--\w|\bsurvey (?:approve|wave|questionnaires|org|db|user|export)\b")
ERRORS = re.compile(r'<span class="field-error" id="([\w-]+)-error-\d+">(.*?)</span>')


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _errors(page: str) -> dict[str, str]:
    """Field id → its problem, as the page puts it next to the field."""
    return {field: html.unescape(text) for field, text in ERRORS.findall(page)}


async def _waves(client: AsyncTestClient) -> dict[str, Any]:
    rows = await app_call(client, WaveRow.select().run)
    return {r["key"]: r for r in rows}


async def _audit(client: AsyncTestClient, action: str) -> list[Any]:
    return await app_call(client, audit_log, action=action)


def _form(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "key": "",
        "version": "staff-pulse:2",
        "units": ["jugendamt"],
        "subtrees": "yes",
        "opens_on": (TODAY + dt.timedelta(days=1)).isoformat(),
        "closes_on": (TODAY + dt.timedelta(days=15)).isoformat(),
        "k": "5",
        "k_text": "10",
        "titles.de": "",
        "titles.en": "",
    }
    fields.update(changes)
    return fields


async def _post(client: AsyncTestClient, path: str, csrf: str, fields: dict[str, Any]) -> Any:
    return await client.post(path, data={"csrf_token": csrf, **fields})


async def test_the_office_creates_and_changes_a_wave_with_every_refusal_at_its_field(
    portal_client: AsyncTestClient, approve: Callable[..., Awaitable[None]]
) -> None:
    client = portal_client
    csrf = await sign_in(client, "buero")
    before = set(await _waves(client))

    # The form: a label for every field, the versions to choose from (no draft), the thresholds
    # each with what it protects; the address /buero/runden/neu is the form, not a wave "neu".
    form = await client.get("/buero/runden/neu")
    assert form.status_code == 200
    page = html.unescape(form.text)
    for said in (
        "Neue Befragungsrunde",
        "Fragebogen und Version",
        "Organisationseinheiten",
        "mit ihren Untereinheiten",
        "Erster Tag",
        "Letzter Tag",
        "k schützt die Einzelnen",
        "k_text schützt, was Einzelne geschrieben",
        "Titel (Deutsch)",
        "Titel (English)",
        "ein Entwurf kann nicht gewählt werden",
    ):
        assert said in page, said
    for value in ("staff-pulse:1", "staff-pulse:2", "citizen-contact:1"):
        assert f'value="{value}"' in form.text
    for field in ("key", "version", "opens_on", "closes_on", "k", "k_text", "titles-de", "titles-en"):
        assert f'<label for="{field}">' in form.text, field
    assert 'id="unit-jugendamt"' in form.text and '<label for="unit-jugendamt">' in form.text

    # Everything wrong at once: each problem next to its field, what was typed kept, nothing saved.
    bad = _form(
        key="Runde 1",
        units=[],
        opens_on="2026-12-10",
        closes_on="1.12.2026",
        k="2",
        k_text="1",
        **{"titles.de": "x" * 201, "titles.en": "Pulse\nwith a line break"},
    )
    refused = await _post(client, "/buero/runden/neu", csrf, bad)
    assert refused.status_code == 400
    errors = _errors(refused.text)
    assert errors == {
        "key": "Nur Kleinbuchstaben, Ziffern und Bindestriche (höchstens 64), z. B. puls-2026-q4",
        "closes_on": "Der letzte Tag liegt vor dem ersten Tag (2026-12-10): Wählen Sie einen späteren Tag",
        "k": "Werte brauchen mindestens 3 Antwortende: Geben Sie 3 oder mehr ein (üblich sind 5)",
        "k_text": "Verteilungen und Freitexte brauchen mindestens so viele Antwortende wie Werte "
        "(k = 2): Geben Sie 2 oder mehr ein (üblich sind 10)",
        "units": "Wählen Sie mindestens eine Organisationseinheit (auf Wunsch mit ihren Untereinheiten)",
        "titles-de": "Ein Titel hat höchstens 200 Zeichen; dieser hat 201",
        "titles-en": "Ein Titel ist eine Zeile Text: Entfernen Sie Zeilenumbrüche und Steuerzeichen",
    }
    for field in errors:
        assert re.search(rf'aria-describedby="[^"]*\b{field}-error-1\b[^"]*"', refused.text), field
        assert f'href="#{field}"' in refused.text, field  # the summary leads to the field
    assert 'value="Runde 1"' in refused.text and 'value="1.12.2026"' in refused.text
    assert "x" * 201 in refused.text and 'value="2"' in refused.text
    assert not COMMAND.search(_text(refused.text)), COMMAND.search(_text(refused.text))
    unreadable = await _post(client, "/buero/runden/neu", csrf, _form(opens_on="bald", k="fünf", version="x"))
    assert _errors(unreadable.text) == {
        "opens_on": "bald ist kein Tag: Geben Sie ihn als 2026-12-01 oder 1.12.2026 ein",
        "k": "fünf ist keine ganze Zahl: Geben Sie z. B. 5 ein",
        "version": "Wählen Sie eine Fragebogenversion aus der Liste",
    }
    taken = await _post(client, "/buero/runden/neu", csrf, _form(key="neu", units=["gibt-es-nicht"]))
    assert _errors(taken.text) == {
        "key": "neu ist die Adresse der Seite, auf der Befragungsrunden angelegt werden: Wählen Sie "
        "eine andere Kennung",
        "units": "Keine Organisationseinheit mit der Kennung gibt-es-nicht: Wählen Sie Einheiten aus der "
        "Liste",
    }
    assert set(await _waves(client)) == before
    assert len(await _audit(client, "wave.create_refused")) == 3

    # Another version's title fields (without JavaScript: a button sends the form, nothing is saved).
    shown = await _post(client, "/buero/runden/neu", csrf, _form(version="citizen-contact:1", refresh="1"))
    assert shown.status_code == 200 and not _errors(shown.text)
    for tag in ("de", "de-x-ls", "en", "tr", "ar", "uk", "ru"):
        assert f'id="titles-{tag}"' in shown.text, tag
    assert set(await _waves(client)) == before

    # Created: 303 to the wave's page, which says so once; a key is made where none was typed.
    created = await _post(client, "/buero/runden/neu", csrf, _form(**{"titles.en": "Staff pulse winter"}))
    assert created.status_code == 303, _errors(created.text)
    key = f"staff-pulse-{TODAY + dt.timedelta(days=1):%Y-%m}"
    assert created.headers["location"] == f"/buero/runden/{key}"
    wave_page = await client.get(created.headers["location"])
    text = _text(wave_page.text)
    assert "ist als Entwurf angelegt" in text and "Personalrat" in text
    assert "Noch nicht zu öffnen" in text and f"Befragungsrunde {key} noch nicht freigegeben" in text
    assert f'href="/buero/runden/{key}/open"' not in wave_page.text
    assert "Staff pulse winter (en)" in text and "Organisationseinheiten (3)" in text
    stored = (await _waves(client))[key]
    assert json.loads(stored["titles"])["en"] == "Staff pulse winter"
    assert stored["title"] == json.loads(stored["titles"])["de"]
    assert stored["title"].startswith("Mitarbeitenden-Puls")
    [entry] = await _audit(client, "wave.create")
    assert (entry.target, entry.username) == (key, "buero")
    again = await client.get(created.headers["location"])
    assert "ist als Entwurf angelegt" not in _text(again.text)  # shown once

    # The list offers "Öffnen" only where the wave may open; this one says what it lacks instead.
    listing = await client.get("/buero/runden")
    row = listing.text[listing.text.index(f'href="/buero/runden/{key}"') :].split("</tr>")[0]
    assert f"/buero/runden/{key}/open" not in row
    assert "noch nicht freigegeben" in html.unescape(row) and f"/buero/runden/{key}/bearbeiten" in row
    assert not COMMAND.search(_text(listing.text))

    # Changed while a draft: the same form, filled in; a refusal keeps what was typed.
    edit = await client.get(f"/buero/runden/{key}/bearbeiten")
    assert edit.status_code == 200 and 'value="staff-pulse:2" selected' in edit.text
    assert 'id="unit-asd" name="units" value="asd" checked' in edit.text
    wrong = await _post(client, f"/buero/runden/{key}/bearbeiten", csrf, _form(k="7", k_text="6"))
    assert wrong.status_code == 400 and set(_errors(wrong.text)) == {"k_text"}
    assert 'name="k" value="7"' in wrong.text

    # Saved while nobody has approved it yet: nothing to approve "again".
    saved = await _post(client, f"/buero/runden/{key}/bearbeiten", csrf, _form(k="7"))
    assert saved.status_code == 303
    said = _text((await client.get(f"/buero/runden/{key}")).text)
    assert "ist gespeichert" in said and "erneut" not in said and "ab 7 Antwortenden" in said

    # The Personalrat approves it; a change of its thresholds then needs a new approval, and the
    # page says so, while a new title does not.
    await app_call(client, approve, key, QUESTIONNAIRES)
    edit = html.unescape((await client.get(f"/buero/runden/{key}/bearbeiten")).text)
    assert "Der Personalrat hat diese Befragungsrunde in ihrer jetzigen Fassung freigegeben" in edit
    retitled = await _post(
        client,
        f"/buero/runden/{key}/bearbeiten",
        csrf,
        _form(k="7", **{"titles.de": "Winterpuls"}),
    )
    assert retitled.status_code == 303
    said = _text((await client.get(f"/buero/runden/{key}")).text)
    assert "Winterpuls" in said and "ist gespeichert" in said and "erneut" not in said
    changed = await _post(
        client,
        f"/buero/runden/{key}/bearbeiten",
        csrf,
        _form(k="6", k_text="12", **{"titles.de": "Winterpuls"}),
    )
    assert changed.status_code == 303
    shown = (await client.get(f"/buero/runden/{key}")).text
    assert f'<a href="/buero/runden/{key}/zugang">' in shown  # the respondents' access, from its page
    notice = shown[shown.index('<div class="notice" role="status">') :].split("</div>")[0]
    assert "Die Änderung braucht erneut die Freigabe des Personalrats" in html.unescape(notice)
    assert "<li>" in notice  # and why: what changed since the approval
    entries = await _audit(client, "wave.edit")
    assert (
        len(entries) == 3 and "k=7, k_text=10" in entries[0].detail and "k=6, k_text=12" in entries[0].detail
    )

    # In English, the same form is English throughout.
    english = await client.get(f"/buero/runden/{key}/bearbeiten?lang=en")
    words = _text(english.text)
    assert "Questionnaire and version" in words and "k protects each person" in words
    assert not re.search(r"\b(Befragungsrunde|Einheiten|Schwellen|Titel|Tag)\b", words), words


async def _answer(client: AsyncTestClient, wave_id: int, sizes: dict[str, int]) -> None:
    """Responses of today in the given units (nothing else is needed to count them)."""
    units = {
        r["key"]: r["id"]
        for r in await app_call(client, OrgUnitRow.select(OrgUnitRow.key, OrgUnitRow.id).run)
    }
    batch = ResponseBatch()
    for unit, people in sizes.items():
        for _ in range(people):
            rid = uuid.uuid4()
            batch.responses.append((rid, units[unit], None, "de", TODAY))
            batch.answers.append((rid, units[unit], "eine-anlaufstelle", 4))
    await app_call(client, bulk_insert_responses, wave_id, [batch])


async def test_the_api_twins_and_the_participation_of_an_open_wave(
    portal_client: AsyncTestClient, approve: Callable[..., Awaitable[None]]
) -> None:
    client = portal_client
    csrf = await sign_in(client, "buero")
    headers = {"X-CSRF-Token": csrf}
    period = {"opens_on": TODAY.isoformat(), "closes_on": (TODAY + dt.timedelta(days=14)).isoformat()}

    # POST /api/v1/waves: the same checks as the form, every problem with its field.
    bad = {"questionnaire": "kantine", "units": [], "opens_on": "2026-12-10", "closes_on": "2026-12-01"}
    refused = await client.post(
        "/api/v1/waves", json={**bad, "key": "Runde 1", "k": 2, "k_text": 1}, headers=headers
    )
    assert refused.status_code == 409, refused.text
    problems = {p["field"]: p["message"] for p in refused.json()["problems"]}
    assert set(problems) == {"key", "closes_on", "k", "k_text", "units", "questionnaire"}
    assert problems["questionnaire"] == "there is no questionnaire `kantine`: choose one of the list"
    assert not re.search(r"--\w|survey ", refused.text)
    assert (
        await client.post("/api/v1/waves", json={**bad, "colour": "blau"}, headers=headers)
    ).status_code == 400
    assert (await client.post("/api/v1/waves", json=bad)).status_code == 403  # no CSRF token
    body = {"key": "puls-ja", "questionnaire": "staff-pulse", "units": ["jugendamt"], **period}
    created = await client.post(
        "/api/v1/waves", json={**body, "titles": {"en": "Youth office pulse"}}, headers=headers
    )
    assert created.status_code == 201, created.text
    wave = created.json()
    assert (wave["version"], wave["status"], wave["units"], wave["participation"]) == (2, "draft", 3, None)
    assert wave["titles"]["en"] == "Youth office pulse" and wave["titles"]["de"].startswith(
        "Mitarbeitenden-Puls"
    )
    assert wave["unit_keys"] == ["jugendamt", "asd", "kita-verwaltung"] and wave["approval_problems"]

    # PATCH /api/v1/waves/KEY: a draft changes, refusals name the field; unknown waves are 404.
    patched = await client.patch("/api/v1/waves/puls-ja", json={"k": 2}, headers=headers)
    assert patched.status_code == 409 and [p["field"] for p in patched.json()["problems"]] == ["k"]
    patched = await client.patch(
        "/api/v1/waves/puls-ja", json={"units": ["asd"], "subtrees": False, "k": 6}, headers=headers
    )
    assert patched.status_code == 200 and (patched.json()["unit_keys"], patched.json()["k"]) == (["asd"], 6)
    back = await client.patch("/api/v1/waves/puls-ja", json={"units": ["jugendamt"], "k": 5}, headers=headers)
    assert back.status_code == 200 and back.json()["units"] == 3
    unreadable = await client.patch("/api/v1/waves/puls-ja", json={"closes_on": "morgen"}, headers=headers)
    assert unreadable.status_code == 409 and unreadable.json()["problems"] == [
        {"field": "closes_on", "message": "morgen is no day: enter it as 2026-12-01 or 1.12.2026"}
    ]
    assert (await client.patch("/api/v1/waves/gibt-es-nicht", json={}, headers=headers)).status_code == 404
    assert [e.target for e in await _audit(client, "wave.edit")] == ["puls-ja", "puls-ja"]

    # The addresses resolve: the wave's page, its form, its confirmation, an unknown step or wave.
    for path, status in (
        ("/buero/runden/puls-ja", 200),
        ("/buero/runden/puls-ja/bearbeiten", 200),
        ("/buero/runden/puls-ja/open", 200),
        ("/buero/runden/puls-ja/unsinn", 404),
        ("/buero/runden/gibt-es-nicht", 404),
        ("/buero/runden/gibt-es-nicht/bearbeiten", 404),
    ):
        assert (await client.get(path)).status_code == status, path

    # Open, with the Personalrat's approval; then answers: ASD 7, Kita-Verwaltung 2 (under k = 5).
    await app_call(client, approve, "puls-ja", QUESTIONNAIRES)
    assert (await client.post("/api/v1/waves/puls-ja/open", headers=headers)).status_code == 200
    wave_id = (await _waves(client))["puls-ja"]["id"]
    await _answer(client, wave_id, {"asd": 7, "kita-verwaltung": 2})
    page = await client.get("/buero/runden/puls-ja")
    text = _text(page.text)
    assert re.search(r"Stand: \d+\. \w+ \d{4}, \d\d:\d\d Uhr", text), text
    rows = re.findall(
        r'<th scope="row" class="indent-\d">(.*?)<span class="staff">(.*?)</span></th>\s*'
        r'<td class="num[^"]*">(.*?)</td>\s*<td class="num[^"]*">(.*?)</td>',
        page.text,
    )
    assert [(html.unescape(name), n, rate) for name, _staff, n, rate in rows[1:]] == [
        ("Abteilung Allgemeiner Sozialer Dienst", "verborgen", "verborgen"),
        ("Abteilung Kita-Verwaltung", "unter 5", "verborgen"),
    ]
    assert html.unescape(rows[0][0]) == "Fachbereich Jugendamt" and rows[0][2] == "9"
    assert rows[0][1].endswith(" Beschäftigte") and re.fullmatch(r"\d+,\d\xa0%", html.unescape(rows[0][3]))
    assert "unter 5: weniger als 5 Antworten" in text and "verborgen: Gezeigt, ließe diese Zahl" in text
    assert "<svg" in page.text and 'role="img" aria-label="Antworten pro Tag"' in page.text
    assert f"Vom {TODAY.day}.{TODAY.month}. bis zum" in text and "insgesamt 9 Antworten" in text
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", page.text)  # never a list of who answered
    detail = (await client.get("/api/v1/waves/puls-ja")).json()
    counted = detail["participation"]
    by_unit = {u["unit"]: u for u in counted["units"]}
    assert by_unit["jugendamt"]["responses"] == 9 and counted["total"]["responses"] == 9
    assert by_unit["asd"]["responses"]["reason"] == "secondary" and by_unit["asd"]["rate"]["hidden"]
    assert by_unit["kita-verwaltung"]["responses"] == {
        "hidden": True,
        "reason": "below_k",
        "explanation": "fewer than 5 respondents",
    }
    assert counted["days"] == [[TODAY.isoformat(), 9]]

    # Counted at most hourly, the same for every worker: new answers show only with the next count.
    await _answer(client, wave_id, {"kita-verwaltung": 5})
    again = (await client.get("/api/v1/waves/puls-ja")).json()["participation"]
    assert again == counted
    listing = {w["key"]: w for w in (await client.get("/api/v1/waves")).json()}
    assert listing["puls-ja"]["responses"] == 9  # the whole wave, as last counted

    # An open wave: only its titles and last day change.
    locked = await client.patch(
        "/api/v1/waves/puls-ja", json={"k": 7, "opens_on": "2026-01-01"}, headers=headers
    )
    assert locked.status_code == 409 and {p["field"] for p in locked.json()["problems"]} == {"k", "opens_on"}
    longer = await client.patch(
        "/api/v1/waves/puls-ja",
        json={"closes_on": (TODAY + dt.timedelta(days=30)).isoformat()},
        headers=headers,
    )
    assert (
        longer.status_code == 200
        and longer.json()["closes_on"] == (TODAY + dt.timedelta(days=30)).isoformat()
    )
    form = await client.get("/buero/runden/puls-ja/bearbeiten")
    assert 'name="k"' not in form.text and 'name="closes_on"' in form.text and 'name="titles.de"' in form.text

    # In English, the page says it in English.
    english = _text((await client.get("/buero/runden/puls-ja?lang=en")).text)
    assert "As of" in english and "under 5" in english and "hidden" in english and "Stand" not in english

    # Closed: nothing changes any more; the page points to the results.
    assert (await client.post("/api/v1/waves/puls-ja/close", headers=headers)).status_code == 200
    closed = await client.patch("/api/v1/waves/puls-ja", json={"titles": {"de": "x"}}, headers=headers)
    assert closed.status_code == 409 and closed.json()["problems"][0]["field"] == "wave"
    assert (await client.get("/api/v1/waves/puls-ja")).json()["participation"] is None

    # Only the office (and admin) reaches any of it; PATCH, which the matrix cannot send, is here.
    for user in ("auswertung", "leitung-jugendamt", "personalrat"):
        other = await sign_in(client, user)
        for response in (
            await client.patch("/api/v1/waves/puls-ja", json={}, headers={"X-CSRF-Token": other}),
            await client.get("/api/v1/waves/puls-ja"),
            await client.get("/buero/runden/puls-ja"),
        ):
            assert response.status_code == 403, (user, response.request.url)
    admin = await sign_in(client, "admin")
    done = await client.patch("/api/v1/waves/puls-ja", json={}, headers={"X-CSRF-Token": admin})
    assert done.status_code == 409  # allowed, and refused as closed
    client.cookies.clear()
    assert (await client.patch("/api/v1/waves/puls-ja", json={})).status_code == 401


async def test_the_reminders_are_chosen_in_the_wave_form_with_each_refusal_at_its_field(
    portal_client: AsyncTestClient,
) -> None:
    """Reminder days and mode: what cannot be read, what is not ascending, what would go out after
    the last day, each refused at its field with the typed text kept; a good choice is saved."""
    client = portal_client
    csrf = await sign_in(client, "buero")
    for typed, said in (
        ("sieben", "ganze Zahlen von Tagen"),
        ("14, 7", "jeden größer als den davor"),
        ("7, 40", "nach dem letzten Tag der Befragungsrunde"),
    ):
        refused = await _post(client, "/buero/runden/neu", csrf, _form(key="erinnert", reminder_days=typed))
        assert refused.status_code == 400, typed
        assert said in _errors(refused.text)["reminder_days"], (typed, _errors(refused.text))
        assert f'value="{typed}"' in refused.text
    assert "erinnert" not in await _waves(client)
    wrong_mode = await _post(
        client, "/buero/runden/neu", csrf, _form(key="erinnert", reminder_days="7", reminder_mode="jeden")
    )
    assert wrong_mode.status_code == 400 and "reminder_mode" in _errors(wrong_mode.text)

    saved = await _post(
        client,
        "/buero/runden/neu",
        csrf,
        _form(key="erinnert", reminder_days="7, 14", reminder_mode="open_codes"),
    )
    assert saved.status_code == 303
    row = (await _waves(client))["erinnert"]
    assert (row["reminder_mode"], row["reminder_days"]) == ("open_codes", "7,14")
    form = await client.get("/buero/runden/erinnert/bearbeiten")
    assert 'value="7, 14"' in form.text and re.search(r'value="open_codes"\s+checked', form.text)
