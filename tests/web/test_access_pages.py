"""The wave's access page (survey office) and its JSON twins, on SQLite and PostgreSQL.

Invitation codes, unit links, receipt codes and posters come from the browser: every form answers
303 to the page, which offers the files of codes once each, to the person who issued them; then
only the number of codes stays. Each bad input is refused next to its field, in German or English,
with what was typed kept and nothing issued. Only one PDF is made per run and engine (the letters):
WeasyPrint takes seconds; everything else is checked through the CSVs and PNGs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from bs4 import BeautifulSoup
from litestar.testing import AsyncTestClient
from portal_helpers import QUESTIONNAIRES, Portal, app_call, sign_in

from survey.services import access_files
from survey.services.answering import EntryError, entry_for
from survey.services.audit import audit_log
from survey.services.org import organisation_listing
from survey.services.waves import create_wave, list_waves, open_wave
from survey.web.app import create_app

TODAY = dt.date.today()
STAFF, CITIZEN = "zugang-puls", "zugang-buerger"
ASD, KITA = "Abteilung Allgemeiner Sozialer Dienst", "Abteilung Kita-Verwaltung"
LETTERS, TABLE = f"Briefe für {ASD} (PDF)", f"Codes für {ASD} als Tabelle für den Serienbrief (CSV)"
#: what only a command line shows: code marks, options, `survey` commands
COMMAND = re.compile(r"`|--unit|--count|\bsurvey (?:wave|org|poster|invite|receipts)\b")
CODE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


@pytest.fixture
async def office(portal: Portal) -> AsyncIterator[AsyncTestClient]:
    """The portal's demo Kommune with a draft staff wave (Jugendamt and its sub-units) and an open
    citizen wave (Bürgerdienste and its service points)."""
    async with AsyncTestClient(app=create_app(portal.settings)) as client:
        client.follow_redirects = False
        for key, questionnaire, unit in (
            (STAFF, "staff-pulse", "jugendamt"),
            (CITIZEN, "citizen-contact", "buergerdienste"),
        ):
            await app_call(
                client,
                create_wave,
                key=key,
                questionnaires=QUESTIONNAIRES,
                questionnaire=questionnaire,
                version=None,
                units=[unit],
                opens_on=TODAY,
                closes_on=TODAY + dt.timedelta(days=14),
            )
        await app_call(client, open_wave, CITIZEN, TODAY, QUESTIONNAIRES)
        yield client


def _soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def _said(node: Any) -> str:
    return " ".join(node.get_text(" ").split())


def _refused_at(page: str, form: str, field: str, typed: str | None = None) -> str:
    """The problem next to the field (its error, linked by aria-describedby, the field marked
    invalid, what was typed kept), also in the summary at the top; its text."""
    soup = _soup(page)
    control = soup.find(id=f"{form}-{field}")
    assert control is not None, f"{form}-{field}"
    error = soup.find(id=f"{form}-{field}-error")
    assert error is not None, f"no error next to {form}-{field}"
    assert f"{form}-{field}-error" in control.get("aria-describedby", "").split()
    assert control.get("aria-invalid") == "true"
    if typed is not None and control.name == "input":
        assert control.get("value") == typed
    summary = soup.find(id="error-summary")
    assert summary is not None and summary.find("a", href=f"#{form}-{field}") is not None
    return _said(error)


def _summary(page: str) -> str:
    summary = _soup(page).find(id="error-summary")
    assert summary is not None
    return _said(summary)


def _notice(page: str) -> str:
    found = _soup(page).find(class_="notice", role="status")
    assert found is not None, "no result on the page"
    return _said(found)


def _links(page: str) -> dict[str, str]:
    """The one-time downloads on the page: link text → address."""
    section = _soup(page).find(class_="waiting")
    return {} if section is None else {_said(a): a["href"] for a in section.find_all("a")}


async def _audit(client: AsyncTestClient, action: str) -> list[Any]:
    return await app_call(client, audit_log, action=action)


async def _entry(client: AsyncTestClient, portal: Portal, code: str) -> str:
    """Where an invitation code leads: `open`, or why not (survey.services.answering)."""
    try:
        await app_call(client, entry_for, portal.settings, "invitation", code, TODAY)
    except EntryError as error:
        return error.problem
    return "open"


async def _post(client: AsyncTestClient, path: str, csrf: str, **fields: str) -> Any:
    return await client.post(path, data={"csrf_token": csrf, **fields})


async def test_invitation_codes_and_unit_links_from_the_wave_page(
    office: AsyncTestClient, portal: Portal
) -> None:
    csrf = await sign_in(office, "buero")
    page_url = f"/buero/runden/{STAFF}/zugang"

    # The static segment `zugang` is this page, not the confirmation of /buero/runden/KEY/ACTION.
    shown = await office.get(page_url)
    assert shown.status_code == 200, shown.text
    assert "<h1>Zugang für Befragte: " in shown.text and not COMMAND.search(shown.text)
    options = [o["value"] for o in _soup(shown.text).find(id="invitations-unit").find_all("option")]
    assert options == ["jugendamt", "asd", "kita-verwaltung"]
    assert (await office.get(f"/buero/runden/{STAFF}/open")).status_code == 200  # still the confirmation

    # Every bad input: the page again (400), the problem next to its field, nothing issued.
    refusals = [
        ({"unit": "nirgendwo", "count": "3"}, "unit", None, "Keine Organisationseinheit nirgendwo"),
        ({"unit": "sozialamt", "count": "3"}, "unit", None, "sozialamt gehört nicht zu den Einheiten"),
        ({"unit": "asd", "count": "0"}, "count", "0", "eine ganze Zahl von 1 bis 100.000"),
        ({"unit": "asd", "count": "zwölf"}, "count", "zwölf", "eine ganze Zahl von 1 bis 100.000"),
        ({"unit": "asd", "count": "100001"}, "count", "100001", "eine ganze Zahl von 1 bis 100.000"),
        ({"unit": "jugendamt", "count": ""}, "count", "", "Jugendamt hat laut Organisationsdatei"),
        (
            {"unit": "asd", "count": "2", "language": "fr"},
            "language",
            None,
            "auf Deutsch (de) oder Englisch (en)",
        ),
    ]
    for fields, field, typed, expected in refusals:
        refused = await _post(office, f"{page_url}/einladungen", csrf, **fields)
        assert refused.status_code == 400, (fields, refused.status_code)
        said = _refused_at(refused.text, "invitations", field, typed)
        assert expected in said, (fields, said)
        assert not COMMAND.search(refused.text), fields
    assert await _audit(office, "access.invitations") == []
    # ... in English on an English page, with no German in it
    office.cookies.set("lp_lang", "en")
    refused = await _post(office, f"{page_url}/einladungen", csrf, unit="sozialamt", count="3")
    said = _refused_at(refused.text, "invitations", "unit")
    assert said == f"sozialamt is not among the units of {STAFF}: choose one of its units", said
    office.cookies.set("lp_lang", "de")

    # Issued: 303 to the page, which says so once and offers the letters and the CSV once each.
    sent = await _post(office, f"{page_url}/einladungen", csrf, unit="asd", count="3", language="de")
    assert sent.status_code == 303 and sent.headers["location"] == page_url
    shown = (await office.get(page_url)).text
    assert f"3 Einladungscodes für {ASD} sind ausgegeben" in _notice(shown)
    links = _links(shown)
    assert set(links) == {LETTERS, TABLE}
    again = (await office.get(page_url)).text
    assert _soup(again).find(class_="notice", role="status") is None  # the result is shown once
    issued_rows = _said(_soup(again).find(id="issued-caption").find_parent("table").find("tbody"))
    assert issued_rows.startswith(f"{ASD} 3 ") and "buero" in issued_rows

    # The CSV: for German Excel (BOM, semicolons), the CLI's columns; the codes work; once only.
    table = await office.get(links[TABLE])
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    assert f'filename="{STAFF}-asd-codes.csv"' in table.headers["content-disposition"]
    assert table.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["code", "link"] and len(rows) == 4
    for code, link in rows[1:]:
        assert CODE.match(code) and link == f"{portal.settings.base_url}/i/{code}"
    # the draft wave knows the codes (not open yet), and no made-up one
    assert await _entry(office, portal, rows[1][0]) == "not_yet_open"
    assert await _entry(office, portal, "ABCD-EFGH-JKMN") == "code_unknown"
    gone = await office.get(links[TABLE])
    assert gone.status_code == 404 and "bereits heruntergeladen" in gone.text

    # Nobody else gets the letters (not even an admin), and they stay for their issuer.
    await sign_in(office, "admin")
    assert (await office.get(links[LETTERS])).status_code == 404
    assert (
        await office.get(f"/buero/runden/{CITIZEN}/zugang/datei/{links[LETTERS].rsplit('/', 1)[1]}")
    ).status_code == 404
    csrf = await sign_in(office, "buero")
    assert list(_links((await office.get(page_url)).text)) == [LETTERS]
    # The letters: the one PDF of this test run
    letters = await office.get(links[LETTERS])
    assert letters.status_code == 200 and letters.content.startswith(b"%PDF")
    assert letters.headers["content-type"] == "application/pdf"
    assert _links((await office.get(page_url)).text) == {}

    # Audited: who, what unit, how many; never a code.
    issued = await _audit(office, "access.invitations")
    assert [(e.username, e.target, e.detail) for e in issued] == [("buero", STAFF, "unit=asd count=3")]
    downloads = await _audit(office, "access.download")
    assert len(downloads) == 2
    everything = " ".join(f"{e.target} {e.detail}" for e in await app_call(office, audit_log, limit=500))
    assert not any(code in everything for code, _link in rows[1:])

    # A unit link: its access code shown on the page once; the link stays listed.
    sent = await _post(office, f"{page_url}/einheitslink", csrf, unit="kita-verwaltung")
    assert sent.status_code == 303
    shown = (await office.get(page_url)).text
    assert f"Der Einheitslink für {KITA} ist angelegt" in _notice(shown)
    secret = _soup(shown).find(class_="secret")
    code = _said(secret.find("strong"))
    assert CODE.match(code), code
    token = re.search(r"/t/([\w-]+)", _said(secret)).group(1)
    assert (await office.get(page_url)).text.count(code) == 0  # shown once
    assert f"/t/{token}" in (await office.get(page_url)).text
    refused = await _post(office, f"{page_url}/einheitslink", csrf, unit="bauhof")
    assert "bauhof gehört nicht zu den Einheiten" in _refused_at(refused.text, "unit_link", "unit")
    assert [e.detail for e in await _audit(office, "access.unit_link")] == ["unit=kita-verwaltung"]

    # The wave itself takes no invitations: a citizen wave, a closed wave; one that does not exist.
    refused = await _post(office, f"/buero/runden/{CITIZEN}/zugang/einladungen", csrf, unit="asd", count="2")
    assert refused.status_code == 409 and "ist eine Befragungsrunde der Bürgerinnen und Bürger" in _summary(
        refused.text
    )
    closed = next(
        w.wave.key
        for w in await app_call(office, list_waves)
        if w.wave.status == "closed" and w.wave.audience == "staff"
    )
    refused = await _post(office, f"/buero/runden/{closed}/zugang/einladungen", csrf, unit="asd", count="2")
    assert refused.status_code == 409 and "ist abgeschlossen" in _summary(refused.text)
    assert (
        'action="/buero/runden/'
        not in (await office.get(f"/buero/runden/{closed}/zugang")).text.split("<main")[1]
    )
    missing = await _post(office, "/buero/runden/gibt-es-nicht/zugang/einladungen", csrf, unit="asd")
    assert missing.status_code == 404 and "Es gibt keine Befragungsrunde gibt-es-nicht" in missing.text
    assert len(await _audit(office, "access.invitations")) == 1


async def test_receipts_posters_and_the_json_twins(office: AsyncTestClient, portal: Portal) -> None:
    csrf = await sign_in(office, "buero")
    page_url = f"/buero/runden/{CITIZEN}/zugang"
    shown = await office.get(page_url)
    assert shown.status_code == 200 and not COMMAND.search(shown.text)
    points = [o["value"] for o in _soup(shown.text).find(id="receipts-service_point").find_all("option")]
    assert "buergerbuero-mitte" in points and "musikschule-anmeldung" not in points
    assert 'href="/buero/servicestellen/buergerbuero-mitte/plakat.pdf?kiosk=1&amp;sprache=en"' in shown.text

    refusals = [
        (
            {"service_point": "nirgendwo", "count": "2"},
            "service_point",
            None,
            "Keine Servicestelle nirgendwo",
        ),
        (
            {"service_point": "musikschule-anmeldung", "count": "2"},
            "service_point",
            None,
            "gehört zu keiner Einheit",
        ),
        (
            {"service_point": "buergerbuero-mitte", "count": ""},
            "count",
            "",
            "eine ganze Zahl von 1 bis 100.000",
        ),
        (
            {"service_point": "buergerbuero-mitte", "count": "2", "valid_days": "400"},
            "valid_days",
            "400",
            "von 1 bis 366",
        ),
        (
            {"service_point": "buergerbuero-mitte", "count": "2", "valid_days": "-3"},
            "valid_days",
            "-3",
            "von 1 bis 366",
        ),
    ]
    for fields, field, typed, expected in refusals:
        refused = await _post(office, f"{page_url}/belege", csrf, **{"valid_days": "90", **fields})
        assert refused.status_code == 400, (fields, refused.status_code)
        said = _refused_at(refused.text, "receipts", field, typed)
        assert expected in said, (fields, said)
    staff_wave = await _post(
        office,
        f"/buero/runden/{STAFF}/zugang/belege",
        csrf,
        service_point="buergerbuero-mitte",
        count="2",
        valid_days="9",
    )
    assert staff_wave.status_code == 409 and "ist eine Befragungsrunde der Beschäftigten" in _summary(
        staff_wave.text
    )
    assert await _audit(office, "access.receipts") == []

    sent = await _post(
        office, f"{page_url}/belege", csrf, service_point="buergerbuero-mitte", count="2", valid_days="30"
    )
    assert sent.status_code == 303
    shown = (await office.get(page_url)).text
    until = TODAY + dt.timedelta(days=30)
    assert f"2 Belegcodes für Bürgerbüro Mitte sind ausgegeben, gültig bis {until.isoformat()}" in _notice(
        shown
    )
    (link,) = _links(shown).values()
    table = await office.get(link)
    assert table.status_code == 200 and table.content.startswith(b"\xef\xbb\xbf")
    assert 'filename="buergerbuero-mitte-receipt-codes.csv"' in table.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["code", "link"] and len(rows) == 3
    assert rows[1][1] == f"{portal.settings.base_url}/s/buergerbuero-mitte?beleg={rows[1][0]}"
    assert (await office.get(link)).status_code == 404
    receipts_rows = _said(
        _soup((await office.get(page_url)).text).find(id="receipts-caption").find_parent("table")
    )
    assert "Bürgerbüro Mitte 2" in receipts_rows

    # Posters hold nothing secret: plain downloads (the PNG here; the PDF takes WeasyPrint's seconds).
    png = await office.get("/buero/servicestellen/buergerbuero-mitte/plakat.png?kiosk=1")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert png.headers["content-type"] == "image/png"
    assert (await office.get("/buero/servicestellen/nirgendwo/plakat.png")).status_code == 404

    # The JSON twins: codes in the answer, once; refusals name the field, in English, no command.
    headers = {"X-CSRF-Token": csrf}
    api = await office.post(
        f"/api/v1/waves/{STAFF}/invitations", json={"unit": "asd", "count": 2}, headers=headers
    )
    assert api.status_code == 200, api.text
    body = api.json()
    assert body["count"] == 2 and all(CODE.match(c) for c in body["codes"])
    assert body["letters"].startswith("/api/v1/downloads/") and api.headers["cache-control"] == "no-store"
    headcount = await office.post(
        f"/api/v1/waves/{STAFF}/invitations", json={"unit": "kita-verwaltung"}, headers=headers
    )
    many = await office.post(
        f"/api/v1/waves/{STAFF}/invitations", json={"unit": "asd", "count": 1001}, headers=headers
    )
    assert many.status_code == 200 and len(many.json()["codes"]) == 1001
    assert many.json()["letters"] is None  # letters as PDF up to 1,000 codes; beyond, the table only
    _kommune, units, _points = await app_call(office, organisation_listing)
    kita = next(u.headcount for u in units if u.key == "kita-verwaltung")
    assert headcount.status_code == 200 and headcount.json()["count"] == kita > 0  # the unit's headcount
    for path, data, status, field, expected in (
        (
            f"/api/v1/waves/{STAFF}/invitations",
            {"unit": "sozialamt"},
            409,
            "unit",
            "`sozialamt` is not among",
        ),
        (
            f"/api/v1/waves/{CITIZEN}/invitations",
            {"unit": "asd"},
            409,
            None,
            f"`{CITIZEN}` is a citizen wave",
        ),
        (
            f"/api/v1/waves/{STAFF}/invitations",
            {"unit": "jugendamt"},
            409,
            "count",
            "has no staff of its own",
        ),
        (
            f"/api/v1/waves/{STAFF}/unit-links",
            {"unit": "nirgendwo"},
            409,
            "unit",
            "there is no unit `nirgendwo`",
        ),
    ):
        refused = await office.post(path, json=data, headers=headers)
        assert refused.status_code == status, (path, data, refused.text)
        assert refused.json()["field"] == field and expected in refused.json()["message"], refused.json()
        assert "survey " not in refused.json()["message"]
    for path, data in (
        (f"/api/v1/waves/{STAFF}/invitations", {"unit": "asd", "count": 0}),
        (f"/api/v1/waves/{STAFF}/invitations", {"unit": "asd", "language": "fr"}),
        ("/api/v1/service-points/buergerbuero-nord/receipts", {"count": 2, "valid_days": 0}),
    ):
        refused = await office.post(path, json=data, headers=headers)
        assert refused.status_code == 400 and list(data)[-1] in refused.text, refused.text
    missing = await office.post(
        "/api/v1/waves/gibt-es-nicht/invitations", json={"unit": "asd"}, headers=headers
    )
    assert missing.status_code == 404 and "there is no wave `gibt-es-nicht`" in missing.json()["detail"]

    link = await office.post(f"/api/v1/waves/{STAFF}/unit-links", json={"unit": "asd"}, headers=headers)
    assert link.status_code == 200 and CODE.match(link.json()["access_code"]) and "/t/" in link.json()["url"]
    receipts = await office.post(
        "/api/v1/service-points/buergerbuero-nord/receipts",
        json={"count": 3, "valid_days": 10},
        headers=headers,
    )
    assert receipts.status_code == 200 and len(receipts.json()["codes"]) == 3
    assert receipts.json()["valid_until"] == (TODAY + dt.timedelta(days=10)).isoformat()
    nowhere = await office.post(
        "/api/v1/service-points/nirgendwo/receipts", json={"count": 3}, headers=headers
    )
    assert nowhere.status_code == 404
    png = await office.get("/api/v1/service-points/buergerbuero-nord/poster?format=png&kiosk=true")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert (await office.get("/api/v1/service-points/buergerbuero-nord/poster?format=gif")).status_code == 400
    other = await office.get(f"/api/v1/downloads/{'x' * 32}")
    assert other.status_code == 404

    # The API's issues are on the page too (how many, never a code), and audited.
    staff_page = (await office.get(f"/buero/runden/{STAFF}/zugang")).text
    assert f"{KITA} {kita}" in _said(_soup(staff_page).find(id="issued-caption").find_parent("table"))
    assert not any(code in staff_page for code in body["codes"])
    assert {e.target for e in await _audit(office, "access.receipts")} == {
        "buergerbuero-mitte",
        "buergerbuero-nord",
    }
    posters = [e.detail for e in await _audit(office, "access.download") if e.target == "buergerbuero-nord"]
    assert posters == ["poster kiosk-png de"]

    # A file not fetched within a day is deleted unseen.
    await _post(
        office, f"{page_url}/belege", csrf, service_point="buergerbuero-nord", count="1", valid_days="5"
    )
    (late,) = _links((await office.get(page_url)).text).values()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(access_files, "utc_now", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(hours=25))
        assert _links((await office.get(page_url)).text) == {}
    assert (await office.get(late)).status_code == 404
