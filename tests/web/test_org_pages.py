"""The organisation in the browser (survey office), on SQLite and PostgreSQL: an organisation file
uploaded, checked as `survey org import` checks it, previewed (nothing changes) and applied
(Post/Redirect/Get, audited); a stale preview refused; one unit's headcount changed; the JSON twins.

Every refusal names the field (the file: each problem with its line and field) and says what to do
in the page's language, German or English, never with command-line text.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from litestar.testing import AsyncTestClient
from portal_helpers import app_call, sign_in

from survey.domain import check_org
from survey.domain.schemas import ORG_SCHEMA
from survey.services.audit import audit_log
from survey.services.demo_reorganisation import reorganised
from survey.services.org import organisation_tree
from survey.store.org_versions import latest_version, lineage
from survey.web.manage._file_problems import HINTS, is_known, problem_text

#: what only a command line shows: code marks, options, `survey` commands
COMMAND = re.compile(r"`|--[a-z]|\bsurvey (?:org|db|user|questionnaires)\b")
NOTICE = re.compile(r'<div class="(notice|error-summary)" role="(?:status|alert)"[^>]*>(.*?)</div>', re.S)
ENGLISH = re.compile(r"\b(the|is|has|not|file|units?|changed|nothing|enter)\b")
GERMAN = re.compile(r"\b(der|die|das|ist|nicht|Datei|Einheiten?|geändert|nichts|Bitte)\b")


def _text(page: str) -> str:
    """The visible words of the page's main part, tags removed."""
    main = page.split('<main id="main">', 1)[-1].split("</main>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _notice(page: str) -> str | None:
    found = NOTICE.search(page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split()) if found else None


#: the keys of an organisation file, which the page names as the file writes them
FILE_KEYS = re.compile(r"\b(kommune|units|unit|service_points|key|name|kind|parent|headcount)\b")


def _in_language(lang: str, text: str, what: str) -> None:
    """No word of the other language (keys, file names and unit names left out) and no command."""
    assert not COMMAND.search(text), f"{what} ({lang}): command text {COMMAND.search(text)!r}"
    words = re.sub(r"\S*[/_.\[\]-]\S*", "", text)
    words = FILE_KEYS.sub("", words) if lang == "de" else words
    foreign = (ENGLISH if lang == "de" else GERMAN).findall(words)
    assert not foreign, f"{what} ({lang}): words of the other language {foreign}: {text[:300]!r}"


async def _download(client: AsyncTestClient) -> dict[str, Any]:
    response = await client.get("/buero/organisation/datei")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/yaml")
    return yaml.safe_load(response.text)


def _changed(data: dict[str, Any]) -> dict[str, Any]:
    """The organisation with one of each change: a unit added, one moved, one renamed, one retired
    (with its service point), a headcount changed."""
    data = copy.deepcopy(data)
    units = {u["key"]: u for u in data["units"]}
    units["stadtplanung"]["parent"] = "zentral"
    units["bauhof"]["name"] = "Fachbereich Bauhof und Grünflächen"
    units["kita-verwaltung"]["headcount"] += 5
    data["units"] = [u for u in data["units"] if u["key"] != "kfz-zulassung"]
    data["units"].append(
        {
            "key": "team-digital",
            "name": "Team Digitale Verwaltung",
            "kind": "Team",
            "parent": "it",
            "headcount": 7,
        }
    )
    data["service_points"] = [p for p in data["service_points"] if p["unit"] != "kfz-zulassung"]
    return data


async def _upload(client: AsyncTestClient, csrf: str, content: bytes, name: str = "org.yaml") -> Any:
    return await client.post(
        "/buero/organisation/datei",
        data={"csrf_token": csrf},
        files={"file": (name, content, "application/yaml")},
    )


def _confirmation(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="(content_hash|organisation_stamp)" value="([^"]+)"', page))
    assert set(fields) == {"content_hash", "organisation_stamp"}, "the preview has its confirmation form"
    return fields


async def test_upload_preview_and_apply_in_the_browser(portal_client: AsyncTestClient) -> None:
    client = portal_client
    csrf = await sign_in(client, "buero")
    page = await client.get("/buero/organisation")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and 'id="headcount-asd"' in page.text
    _in_language("de", _text(page.text), "organisation page")
    english = await client.get("/buero/organisation?lang=en")
    _in_language("en", _text(english.text), "organisation page")
    await client.get("/buero/organisation?lang=de")

    # the downloaded file is the organisation as stored: it passes the checks and changes nothing
    stored = await _download(client)
    unchanged = await _upload(client, csrf, yaml.safe_dump(stored, allow_unicode=True).encode())
    assert unchanged.status_code == 303
    same = await client.get(unchanged.headers["location"])
    assert "applying it would change nothing" not in same.text  # German page
    assert "würde nichts ändern" in same.text and "Organisation jetzt übernehmen" not in same.text

    before = await app_call(client, organisation_tree)
    sent = await _upload(
        client, csrf, yaml.safe_dump(_changed(stored), allow_unicode=True).encode(), "neu.yaml"
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/buero/organisation/vorschau/")
    preview_url = sent.headers["location"]
    for lang in ("en", "de"):
        preview = await client.get(f"{preview_url}?lang={lang}")
        assert preview.status_code == 200
        text = _text(preview.text)
        _in_language(lang, text, "preview")
        for expected in (
            "Team Digitale Verwaltung",  # added, under IT
            "Fachbereich Stadtplanung",  # moved …
            "Dezernat I – Zentrale Dienste, Finanzen",  # … to here
            "Fachbereich Bauhof und Grünflächen",  # renamed
            "Abteilung Kfz-Zulassung und Fahrerlaubnisse",  # retired
            "Kfz-Zulassungsstelle",  # its service point too
            "Abteilung Kita-Verwaltung",  # headcount
        ):
            assert expected in text, f"{expected} in the preview ({lang})"
        assert re.search(r"<caption[^>]*>", preview.text) and 'scope="col"' in preview.text
        assert (
            "Units added: 1" in text and "Units retired: 1" in text
            if lang == "en"
            else "Hinzugefügte Einheiten: 1" in text and "Aufgelöste Einheiten: 1" in text
        )
    # nothing has changed before the confirmation
    assert await app_call(client, organisation_tree) == before

    confirm = _confirmation(preview.text)
    applied = await client.post(preview_url, data={"csrf_token": csrf, **confirm})
    assert applied.status_code == 303 and applied.headers["location"] == "/buero/organisation"
    shown = await client.get("/buero/organisation")
    notice = _notice(shown.text)
    assert notice and "übernommen" in notice and "hinzugefügt: 1" in notice, notice
    _in_language("de", notice, "applied")
    assert _notice((await client.get("/buero/organisation")).text) is None, "the result is shown once"

    after = await app_call(client, organisation_tree)
    units = {u.key: u for u in after.units}
    assert "kfz-zulassung" not in units and units["team-digital"].parent == "it"
    assert units["stadtplanung"].parent == "zentral"
    assert units["bauhof"].name == "Fachbereich Bauhof und Grünflächen"
    old = {u.key: u for u in before.units}
    assert units["kita-verwaltung"].headcount == old["kita-verwaltung"].headcount + 5
    assert "kfz-zulassungsstelle" not in {p.key for p in after.service_points}
    entry = (await app_call(client, audit_log, limit=1, action="org.import"))[0]
    assert entry.username == "buero" and entry.target == "neu.yaml"
    assert entry.detail.startswith("sha256 ") and "; added 1; moved 1; renamed 1; retired 1;" in entry.detail

    # the same confirmation again: the upload has been applied, nothing happens twice
    again = await client.post(preview_url, data={"csrf_token": csrf, **confirm})
    assert again.status_code == 303
    refusal = _notice((await client.get(again.headers["location"])).text)
    assert refusal and "nicht mehr vorhanden" in refusal, refusal
    assert (await client.get(preview_url)).status_code == 404


async def test_a_declared_reorganisation_is_previewed_with_its_trends_and_applied(
    portal_client: AsyncTestClient,
) -> None:
    """The office uploads a file whose `changes:` split the Schul- und Sportverwaltung (with
    shares), merge the two Bürgerbüro teams and move the Team Eingangszone: the preview
    says for each how the trends go on, in German and English; applying it stores the version and
    its lineage; a wrong declaration is refused next to the file's line, nothing applied."""
    client = portal_client
    csrf = await sign_in(client, "buero")
    data = copy.deepcopy(await _download(client))
    data = reorganised(data, dt.date.today())
    wrong = copy.deepcopy(data)
    wrong["changes"][0]["shares"]["sportamt"] = 20
    refused = await _upload(client, csrf, yaml.safe_dump(wrong, allow_unicode=True).encode(), "falsch.yaml")
    assert refused.status_code == 400
    assert "Die Anteile ergeben zusammen 94, nicht 100" in _text(refused.text)

    sent = await _upload(client, csrf, yaml.safe_dump(data, allow_unicode=True).encode(), "neuordnung.yaml")
    assert sent.status_code == 303
    preview_url = sent.headers["location"]
    said = {
        "de": (
            "Wie die Trends weitergehen",
            "Fachbereich Schul- und Sportverwaltung wird geteilt in Fachbereich Schulverwaltung und Sportamt",
            "Anteile am Personal: Fachbereich Schulverwaltung 74",
            "Team Bürgerbüro Mitte und Team Bürgerbüro Nord werden zu Team Bürgerbüro zusammengelegt",
            "Team Eingangszone wechselt die übergeordnete Einheit",
            "Abgeschlossene Befragungsrunden behalten die Organisation, mit der sie liefen",
        ),
        "en": (
            "How the trends go on",
            "Fachbereich Schul- und Sportverwaltung is split into Fachbereich Schulverwaltung and Sportamt",
            "Shares of its staff: Fachbereich Schulverwaltung 74%",
            "Team Bürgerbüro Mitte and Team Bürgerbüro Nord are merged into Team Bürgerbüro",
            "Closed waves keep the organisation they ran with",
        ),
    }
    for lang, sentences in said.items():
        preview = await client.get(f"{preview_url}?lang={lang}")
        text = _text(preview.text)
        _in_language(lang, text, "reorganisation preview")
        for sentence in sentences:
            assert sentence in text, f"{sentence!r} in the preview ({lang})"
    await client.get(f"{preview_url}?lang=de")
    applied = await client.post(preview_url, data={"csrf_token": csrf, **_confirmation(preview.text)})
    assert applied.status_code == 303 and applied.headers["location"] == "/buero/organisation"
    edges = await app_call(client, lineage)
    assert sorted(e.kind for e in edges) == ["merged", "merged", "moved", "split", "split"]
    assert sorted(e.share for e in edges if e.kind == "split") == [0.26, 0.74]
    assert (await app_call(client, latest_version)).applied_by == "buero"  # type: ignore[union-attr]


async def test_every_bad_input_is_refused_next_to_its_field(portal_client: AsyncTestClient) -> None:
    client = portal_client
    csrf = await sign_in(client, "buero")
    stored = await _download(client)
    before = await app_call(client, organisation_tree)

    broken = copy.deepcopy(stored)
    broken["units"][3]["parent"] = "gibt-es-nicht"
    broken["units"][4]["headcount"] = -4
    broken["units"][5]["kind"] = "Referat"
    content = yaml.safe_dump(broken, allow_unicode=True).encode()
    for lang, expected in (
        ("de", ["Zeile", "Feld units[3].parent", "Es gibt keine Einheit mit dem Schlüssel gibt-es-nicht"]),
        ("en", ["Line", "field units[3].parent", "No unit has the key gibt-es-nicht"]),
    ):
        await client.get(f"/buero/organisation?lang={lang}")
        refused = await _upload(client, csrf, content)
        assert refused.status_code == 400
        text = _text(refused.text)
        for part in expected:
            assert part in text, f"{part!r} ({lang}): {text[:600]}"
        assert "units[4].headcount" in text and "units[5].kind" in text
        assert (
            'aria-describedby="file-hint file-error"' in refused.text
            and 'aria-invalid="true"' in refused.text
        )
        assert "gibt-es-nicht</code>" in refused.text, "the line of the file is shown"
        _in_language(lang, text, "file problems")
    await client.get("/buero/organisation?lang=de")

    for content, name, expected in (
        (b"", "", "Wählen Sie die Organisationsdatei"),
        (b"PK\x03\x04 rest of a workbook", "org.xlsx", "Excel"),
        (b"kommune: [unclosed", "org.yaml", "kein gültiges YAML"),
        ("kommune: Stadt\nunits: []\n".encode("utf-16"), "org.yaml", "UTF-8"),
        (
            b"#" * (6 * 1024 * 1024),
            "gross.yaml",
            "Die Datei hat 6.291.456 Bytes; Dateien über 5.242.880 Bytes",
        ),
    ):
        refused = await _upload(client, csrf, content, name)
        assert refused.status_code == 400, (name, refused.status_code)
        assert expected in _text(refused.text), (expected, _text(refused.text)[:500])
        _in_language("de", _text(refused.text), f"upload {name!r}")
    # larger than any form this page takes: back to the page, which says how large a file may be
    too_large = await _upload(client, csrf, b"#" * (11 * 1024 * 1024), "riesig.yaml")
    assert too_large.status_code == 303 and too_large.headers["location"] == "/buero/organisation"
    assert "größer als 5 MB" in (_notice((await client.get("/buero/organisation")).text) or "")

    # a stale preview: a headcount changes between preview and confirmation
    sent = await _upload(client, csrf, yaml.safe_dump(_changed(stored), allow_unicode=True).encode())
    preview_url = sent.headers["location"]
    confirm = _confirmation((await client.get(preview_url)).text)
    assert (
        await client.post(
            "/buero/organisation/einheiten/asd/mitarbeitende", data={"csrf_token": csrf, "headcount": "99"}
        )
    ).status_code == 303
    stale = await client.post(preview_url, data={"csrf_token": csrf, **confirm})
    assert stale.headers["location"] == preview_url, (
        "back to the preview, shown with the changes as they are now"
    )
    again = await client.get(preview_url)
    refusal = _notice(again.text)
    assert refusal and "geändert" in refusal and "erneut" in refusal, refusal
    assert re.search(r"Allgemeiner Sozialer Dienst.*?</th><td class=\"num\">99</td>", again.text, re.S), (
        "the preview shown again compares with the headcount as it is now"
    )
    assert {u.key for u in (await app_call(client, organisation_tree)).units} == {u.key for u in before.units}
    assert (await app_call(client, audit_log, limit=1, action="org.import_refused"))[
        0
    ].detail == "organisation_changed"
    assert (
        await client.post(preview_url, data={"csrf_token": csrf, **_confirmation(again.text)})
    ).status_code == 303
    assert "team-digital" in {u.key for u in (await app_call(client, organisation_tree)).units}

    # one unit's headcount: every wrong entry is shown again with what was typed, next to the field
    for typed in ("-3", "zwölf", "12,5", "", "10000000"):
        refused = await client.post(
            "/buero/organisation/einheiten/asd/mitarbeitende", data={"csrf_token": csrf, "headcount": typed}
        )
        assert refused.status_code == 400, typed
        assert (
            f'value="{html.escape(typed)}" aria-invalid="true" aria-describedby="headcount-asd-error"'
            in refused.text
        )
        assert 'id="headcount-asd-error"' in refused.text and 'href="#headcount-asd"' in refused.text
        _in_language("de", _text(refused.text), f"headcount {typed!r}")
    unknown = await client.post(
        "/buero/organisation/einheiten/gibt-es-nicht/mitarbeitende",
        data={"csrf_token": csrf, "headcount": "3"},
    )
    assert unknown.status_code == 400 and "gibt-es-nicht" in _notice(unknown.text)  # type: ignore[operator]
    saved = await client.post(
        "/buero/organisation/einheiten/asd/mitarbeitende?lang=en",
        data={"csrf_token": csrf, "headcount": " 121 "},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/buero/organisation#unit-asd"
    notice = _notice((await client.get("/buero/organisation?lang=en")).text)
    # the file (applied after the stale refusal) set it back to what it was when it was downloaded
    asd = next(u["headcount"] for u in stored["units"] if u["key"] == "asd")
    assert notice == f"The headcount of Abteilung Allgemeiner Sozialer Dienst is now 121 (before: {asd})", (
        notice
    )
    assert {u.key: u.headcount for u in (await app_call(client, organisation_tree)).units}["asd"] == 121
    entry = (await app_call(client, audit_log, limit=1, action="org.headcount"))[0]
    assert (entry.username, entry.target, entry.detail) == ("buero", "asd", f"{asd} → 121")


async def test_the_json_twins(portal_client: AsyncTestClient) -> None:
    client = portal_client
    await sign_in(client, "admin")
    me = (await client.get("/api/v1/session")).json()
    headers = {"X-CSRF-Token": me["csrf_token"]}
    tree = (await client.get("/api/v1/organisation")).json()
    assert tree["units"][0]["parent"] is None and tree["units"][0]["subtree_headcount"] > 0
    stored = {
        "kommune": tree["kommune"],
        "units": [
            {k: u[k] for k in ("key", "name", "kind", "headcount")}
            | ({"parent": u["parent"]} if u["parent"] else {})
            for u in tree["units"]
        ],
        "service_points": tree["service_points"],
    }

    bad = copy.deepcopy(stored)
    bad["units"][2]["parent"] = bad["units"][2]["key"]
    refused = await client.post(
        "/api/v1/organisation/preview",
        json={"text": yaml.safe_dump(bad), "filename": "x.yaml"},
        headers=headers,
    )
    assert refused.status_code == 409
    problem = refused.json()["problems"][0]
    assert (
        problem["field"] == "units[2].parent" and problem["line"] > 1 and "names itself" in problem["message"]
    )

    preview = await client.post(
        "/api/v1/organisation/preview", json={"text": yaml.safe_dump(_changed(stored))}, headers=headers
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["counts"]["added"] == 1 and body["counts"]["retired"] == 1 and body["counts"]["moved"] == 1
    assert body["retired"][0]["key"] == "kfz-zulassung" and body["moved"][0]["new_parent"] == "zentral"
    confirm = {k: body[k] for k in ("upload", "content_hash", "organisation_stamp")}

    wrong = await client.post(
        "/api/v1/organisation", json={**confirm, "content_hash": "0" * 64}, headers=headers
    )
    assert wrong.status_code == 409 and "does not belong" in wrong.json()["message"]
    missing = await client.post("/api/v1/organisation", json={"upload": "x"}, headers=headers)
    assert missing.status_code == 400
    headcount = await client.post(
        "/api/v1/organisation/units/asd/headcount", json={"headcount": -1}, headers=headers
    )
    assert headcount.status_code == 400
    unknown = await client.post(
        "/api/v1/organisation/units/gibt-es-nicht/headcount", json={"headcount": 1}, headers=headers
    )
    assert unknown.status_code == 409 and "`gibt-es-nicht`" in unknown.json()["message"]
    ok = await client.post(
        "/api/v1/organisation/units/asd/headcount", json={"headcount": 50}, headers=headers
    )
    assert ok.status_code == 200 and ok.json()["ok"], ok.text

    stale = await client.post("/api/v1/organisation", json=confirm, headers=headers)
    assert stale.status_code == 409 and "has changed since" in stale.json()["message"]
    current = (await client.get("/api/v1/organisation")).json()["organisation_stamp"]
    applied = await client.post(
        "/api/v1/organisation", json={**confirm, "organisation_stamp": current}, headers=headers
    )
    assert applied.status_code == 200 and applied.json()["ok"], applied.text
    assert "Units added: 1, moved: 1" in applied.json()["message"]
    keys = {u["key"] for u in (await client.get("/api/v1/organisation")).json()["units"]}
    assert "team-digital" in keys and "kfz-zulassung" not in keys


# --- the file's problems in the page's language (no database) -------------------------------------


def _hints(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["x-hint"]] if "x-hint" in schema else []
        return own + [h for value in schema.values() for h in _hints(value)]
    if isinstance(schema, list):
        return [h for value in schema for h in _hints(value)]
    return []


BROKEN_FILES = {
    "empty": "",
    "not yaml": "kommune: [a\n",
    "tag": "kommune: !!int abc\n",
    "alias": "kommune: &k Stadt\nunits: *k\n",
    "merge": "kommune: Stadt\nunits:\n  - <<: {key: a}\n",
    "twice": "kommune: Stadt\nkommune: Dorf\nunits: []\n",
    "control": "kommune: Stadt\x07\n",
    "structure": (
        "kommune: ''\nextra: 1\nunits:\n  - key: A_b\n    name: ''\n    kind: Amt\n    headcount: 1.5\n"
        "    parent: 3\n  - name: x\n    kind: Team\n    headcount: 2000000\n"
        "service_points: {}\n"
    ),
    "rules": (
        "kommune: Stadt\nunits:\n"
        "  - {key: a, name: A, kind: Verwaltung, headcount: 1}\n"
        "  - {key: b, name: B, kind: Verwaltung, headcount: 1}\n"
        "  - {key: c, name: C, kind: Team, headcount: 1, parent: d}\n"
        "  - {key: d, name: D, kind: Abteilung, headcount: 1, parent: c}\n"
        "  - {key: e, name: E, kind: Dezernat, headcount: 1, parent: e}\n"
        "  - {key: f, name: F, kind: Dezernat, headcount: 1, parent: x}\n"
        "  - {key: g, name: G, kind: Verwaltung, headcount: 1, parent: c}\n"
        "  - {key: a, name: A2, kind: Team, headcount: 1, parent: a}\n"
        "service_points:\n  - {key: p, name: P, unit: zz}\n  - {key: p, name: Q, unit: a}\n"
    ),
    "no root": "kommune: Stadt\nunits:\n  - {key: a, name: A, kind: Team, headcount: 1, parent: b}\n"
    "  - {key: b, name: B, kind: Abteilung, headcount: 1, parent: a}\n",
    "types": "- 1\n",
    "day": "kommune: Stadt\nvalid_from: soon\nunits:\n  - {key: a, name: A, kind: Verwaltung, headcount: 1}\n"
    "changes: [{kind: gone, from: 7}]\n",
    "changes": (
        "kommune: Stadt\nunits:\n"
        "  - {key: a, name: A, kind: Verwaltung, headcount: 1}\n"
        "  - {key: b, name: B, kind: Dezernat, headcount: 1, parent: a}\n"
        "  - {key: c, name: C, kind: Dezernat, headcount: 1, parent: a}\n"
        "changes:\n"
        "  - {kind: split, from: x, to: [b, zz], shares: {b: 50.5, zz: 20}}\n"
        "  - {kind: split, from: y, to: [b]}\n"
        "  - {kind: merged, from: [p, q], to: c, shares: {c: 100}}\n"
        "  - {kind: moved, from: c, to: b}\n"
        "  - {kind: dissolved, from: b}\n"
        "  - {kind: renamed, from: m, to: n}\n"
        "  - {kind: renamed, from: n, to: m}\n"
        "  - {kind: new}\n"
        "  - {kind: split, from: s, to: [t, u]}\n"
        "  - {kind: merged, from: [v, w]}\n"
        "  - {kind: dissolved, from: [d, e], to: f}\n"
        "  - {kind: moved, to: g}\n"
        "  - {kind: renamed, from: [h, i], to: j}\n"
        "  - {kind: split, from: k, to: [l, o], shares: {l: 90, o: 10, r: 5}}\n"
        "  - {kind: split, from: k2, to: [a2, b2], shares: {a2: 100}}\n"
    ),
    "share of nothing": (
        "kommune: Stadt\nunits: []\nchanges:\n  - {kind: split, from: k, to: [l], shares: {l: 0}}\n"
    ),
}

#: an organisation stored before, against which STORED_BROKEN's changes are wrong
STORED_UNITS = [
    ("a", "A", None, True),
    ("b", "B", "a", True),
    ("c", "C", "a", True),
    ("old", "Old", "a", False),
]
STORED_BROKEN = (
    "kommune: Stadt\nvalid_from: 2030-01-01\nunits:\n"
    "  - {key: a, name: A, kind: Verwaltung, headcount: 1}\n"
    "  - {key: old, name: B, kind: Dezernat, headcount: 1, parent: a}\n"
    "  - {key: c, name: C, kind: Dezernat, headcount: 1, parent: a}\n"
    "  - {key: n, name: N, kind: Dezernat, headcount: 1, parent: a}\n"
    "changes:\n"
    "  - {kind: renamed, from: b, to: old}\n"
    "  - {kind: moved, from: c, to: c}\n"
    "  - {kind: merged, from: [zz, yy], to: n}\n"
    "  - {kind: new, to: a}\n"
)


def test_every_problem_of_an_organisation_file_is_said_in_german_and_english() -> None:
    assert set(_hints(ORG_SCHEMA)) <= set(HINTS), "a hint of the organisation schema is not in HINTS"
    seen = set()
    with tempfile.TemporaryDirectory() as folder:
        for what, text in BROKEN_FILES.items():
            path = Path(folder) / "org.yaml"
            path.write_text(text, encoding="utf-8")
            _, problems = check_org(path)
            assert problems, what
            for problem in problems:
                seen.add(problem.message)
                assert is_known(problem.message), (
                    f"{what}: not said in the page's language: {problem.message!r}"
                )
                german, english = problem_text(problem.message, "de"), problem_text(problem.message, "en")
                assert german != english, f"{what}: not translated: {problem.message!r}"
                assert "`" not in german + english
                _in_language("de", german, what)
    assert len(seen) >= 40, f"the broken files should show most of the checks, found {len(seen)}"


def test_every_problem_of_a_reorganisation_against_the_stored_one_is_said_in_german_and_english() -> None:
    import datetime as dt
    from types import SimpleNamespace

    from survey.domain.org import StoredOrganisation

    units = [SimpleNamespace(key=k, name=n, parent=p, active=a) for k, n, p, a in STORED_UNITS]
    stored = StoredOrganisation(units, dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "org.yaml"
        path.write_text(STORED_BROKEN, encoding="utf-8")
        _, problems = check_org(path, stored)
        path.write_text(STORED_BROKEN.replace("2030-01-01", "2025-01-01"), encoding="utf-8")
        problems += check_org(path, stored)[1]
    seen = {p.message for p in problems}
    assert len(seen) >= 6, seen
    for message in seen:
        assert is_known(message), f"not said in the page's language: {message!r}"
        german, english = problem_text(message, "de"), problem_text(message, "en")
        assert german != english and "`" not in german + english
        _in_language("de", german, message)


async def test_the_preview_asks_what_became_of_each_unit_that_ends(portal_client: AsyncTestClient) -> None:
    """A file ends the Schul- und Sportverwaltung and the two Bürgerbüro teams and adds three new
    units, with no `changes:`: the preview asks what became of each unit that ends. Answers that
    do not fit are refused next to their unit (nothing kept); fitting ones become the file's
    `changes:` (a split without shares shares by headcount), and its preview then applies them."""
    client = portal_client
    csrf = await sign_in(client, "buero")
    data = reorganised(await _download(client), dt.date.today())
    del data["changes"]
    sent = await _upload(client, csrf, yaml.safe_dump(data, allow_unicode=True).encode(), "neu.yaml")
    assert sent.status_code == 303
    preview_url = sent.headers["location"]
    page = (await client.get(f"{preview_url}?lang=de")).text
    text = _text(page)
    assert "Was aus den endenden Einheiten wird" in text
    for unit in ("schule-sport", "team-buergerbuero-mitte", "team-buergerbuero-nord"):
        assert f'id="lineage-{unit}"' in page and f'id="fate-{unit}-dissolved" checked' in page
    for new in ("schulverwaltung", "sportamt", "team-buergerbuero"):
        assert f'id="into-schule-sport--{new}"' in page
    assert 'id="lineage-musikschule"' not in page  # stays: nothing to ask

    merged = {
        "fate-team-buergerbuero-mitte": "merged",
        "into-team-buergerbuero-mitte": "team-buergerbuero",
        "fate-team-buergerbuero-nord": "merged",
        "into-team-buergerbuero-nord": "team-buergerbuero",
    }
    split = {"fate-schule-sport": "split", "into-schule-sport": ["schulverwaltung", "sportamt"]}
    wrong = [
        (
            {**merged, "into-schule-sport": "sportamt"},
            "schule-sport",
            "wählen Sie, was aus dieser Einheit wird",
        ),
        (
            {**merged, "fate-schule-sport": "dissolved", "into-schule-sport": "sportamt"},
            "schule-sport",
            "eine aufgelöste Einheit geht in keine neue Einheit über",
        ),
        (
            {**merged, "fate-schule-sport": "split", "into-schule-sport": "sportamt"},
            "schule-sport",
            "eine Teilung geht in zwei oder mehr neue Einheiten",
        ),
        (
            {
                **merged,
                **split,
                "share-schule-sport--schulverwaltung": "viel",
                "share-schule-sport--sportamt": "",
            },
            "schule-sport",
            "geben Sie den Anteil jedes Teils als Zahl über 0 und bis 100 an",
        ),
        (
            {
                **merged,
                **split,
                "share-schule-sport--schulverwaltung": "60",
                "share-schule-sport--sportamt": "30",
            },
            "schule-sport",
            "die Anteile ergeben zusammen 90, nicht 100",
        ),
        (
            {
                **split,
                **merged,
                "fate-team-buergerbuero-nord": "dissolved",
                "into-team-buergerbuero-nord": [],
            },
            "team-buergerbuero-mitte",
            "eine Zusammenlegung führt zwei oder mehr endende Einheiten zu einer neuen zusammen",
        ),
        (
            {**split, **merged, "fate-team-buergerbuero-nord": "renamed"},
            "team-buergerbuero-nord",
            "weitere endende Einheiten gehen in dieselbe neue Einheit über",
        ),
        (
            {**merged, "fate-schule-sport": "renamed", "into-schule-sport": "musikschule"},
            "schule-sport",
            "wählen Sie nur unter den aufgeführten neuen Einheiten",
        ),
    ]
    for form, unit, said in wrong:
        refused = await client.post(f"{preview_url}/neuordnung", data={"csrf_token": csrf, **form})
        assert refused.status_code == 400, (form, refused.status_code)
        error = re.search(rf'<p class="field-error" id="lineage-{unit}-error">(.*?)</p>', refused.text)
        assert error and said.lower() in html.unescape(error.group(1)).lower(), (said, form)
        assert f'aria-describedby="lineage-{unit}-error"' in refused.text
        assert (await client.get(preview_url)).status_code == 200  # the upload is kept as it was

    answered = await client.post(f"{preview_url}/neuordnung", data={"csrf_token": csrf, **merged, **split})
    assert answered.status_code == 303
    new_url = answered.headers["location"].split("#")[0]
    assert new_url != preview_url and (await client.get(preview_url)).status_code == 404
    page = (await client.get(new_url)).text
    text = _text(page)
    assert "Was aus den endenden Einheiten wird" not in text
    assert "Anteile am Personal: Fachbereich Schulverwaltung 74,1 % und Sportamt 25,9 %" in text
    assert "Team Bürgerbüro Mitte und Team Bürgerbüro Nord werden zu Team Bürgerbüro zusammengelegt" in text
    assert "Ihre Angaben stehen jetzt im Abschnitt changes der Datei" in (_notice(page) or "")
    applied = await client.post(new_url, data={"csrf_token": csrf, **_confirmation(page)})
    assert applied.status_code == 303 and applied.headers["location"] == "/buero/organisation"
    edges = await app_call(client, lineage)
    assert sorted(e.kind for e in edges) == ["merged", "merged", "split", "split"]
    assert sorted(e.share for e in edges if e.kind == "split") == [0.259, 0.741]
