"""The audit log as the Personalrat reads it: every entry in words (German, English), filtered by
who, what, when and unit, paged over everything kept, as a CSV file for Excel and as JSON; each
reading written to the log itself. On SQLite and PostgreSQL; the registry checks need no database.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import html
import io
import re
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from portal_helpers import QUESTIONNAIRES, app_call, sign_in

from survey.errors import Message, SurveyError
from survey.services.audit import audit_log
from survey.services.audit_events import EVENTS, GROUPS, READINGS, Reader, describe, say
from survey.services.waves import create_wave, open_wave
from survey.store.audit import insert_entry, words_of
from survey.web.i18n import portal_translations

SURVEY = Path(__file__).resolve().parents[2] / "survey"
REGISTRY = "survey/services/audit_events.py"
HASH = "d2eb2deaeb1a" + "0123456789abcdef" * 3 + "0123"  # 64 hex characters
#: what the log's pages must not show any more: raw codes of known events
RAW_CODE = re.compile(r"\b(signin\.ok|signin\.failed|approval\.wave|audit\.view|access\.refused)\b")
ENGLISH = re.compile(r"\b(signed in|approved|wrong password|was refused|the wave)\b")
GERMAN = re.compile(r"\b(hat sich angemeldet|freigegeben|falsches Passwort|abgewiesen|Befragungsrunde)\b")
DAY = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)


def _text(page: str) -> str:
    """What a reader sees: tags, select options and hidden whole checksums removed."""
    page = re.sub(r"<select.*?</select>", " ", page, flags=re.S)
    page = re.sub(r'<code class="whole">.*?</code>', " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _table(page: str) -> str:
    found = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    return _text(found.group(1)) if found else ""


# --- the registry: every code passed to record() has its sentence ----------------------------------


def _strings(node: ast.expr) -> list[ast.expr]:
    """The texts an expression can be: a literal, an f-string, either side of `a if c else b`."""
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return [node]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _written_codes(action: ast.expr, scope: ast.AST) -> list[ast.expr]:
    """The codes an action argument can be: itself, or what its name is set to in the function."""
    if not isinstance(action, ast.Name):
        return [action]
    found: list[ast.expr] = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == action.id for t in node.targets
        ):
            found += _strings(node.value)
    return found or [action]


def _recorded_actions() -> list[tuple[str, int, ast.expr]]:
    """(file, line, code) of every action code passed to record() in survey/."""
    found = []
    for path in sorted(SURVEY.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name != "record":
                continue
            action = next((k.value for k in node.keywords if k.arg == "action"), None)
            if action is None and len(node.args) >= 2:
                action = node.args[1]
            if action is None:
                continue
            scope = next((f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or 0)), tree)
            for code in _written_codes(action, scope):
                found.append((str(path.relative_to(SURVEY.parent)), node.lineno, code))
    return found


def _line_to_add(code: str) -> str:
    prefix = code.split(".")[0]
    groups = {e.group for c, e in EVENTS.items() if c.split(".")[0] == prefix}
    group = groups.pop() if len(groups) == 1 else "|".join(GROUPS)
    return f'    "{code}": Event("{group}", N_("…what the user did, said after their name…")),'


def test_every_recorded_action_has_a_description() -> None:
    calls = _recorded_actions()
    assert len(calls) >= 20, "the scan finds the record() calls"
    missing = []
    for file, line, action in calls:
        where = f"{file}:{line}"
        if isinstance(action, ast.Constant) and isinstance(action.value, str):
            if action.value not in EVENTS:
                missing.append(
                    f"{where} records {action.value!r}: add to EVENTS\n{_line_to_add(action.value)}"
                )
        elif isinstance(action, ast.JoinedStr):
            shape = "".join(
                re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_]+" for v in action.values
            )
            if not any(re.fullmatch(shape, code) for code in EVENTS):
                written = ast.unparse(action)
                missing.append(
                    f"{where} records {written}: add to EVENTS one line for each code it makes\n"
                    f"{_line_to_add(written[2:-1])}"
                )
        else:
            missing.append(
                f"{where} records the code {ast.unparse(action)}: write it as a literal or f-string"
            )
    assert not missing, (
        f"action codes without a description in {REGISTRY} (and the German of each new msgid at the end of "
        "survey/web/locale/de/LC_MESSAGES/portal.po):\n" + "\n".join(missing)
    )


def test_the_registry_and_its_readings_fit_together() -> None:
    placeholder = re.compile(r"%\((\w+)\)([sd])")
    for code, event in EVENTS.items():
        assert "." in code and event.group in GROUPS, code
        assert {n for n, _ in placeholder.findall(event.says)} <= {"target"}, code
    assert not set(GROUPS) & set(EVENTS)
    for reading in READINGS:
        written = set(placeholder.findall(reading.pattern or reading.says))
        assert set(placeholder.findall(reading.says)) <= written, reading
    # a text read the same way in both languages, part by part, an unknown code as itself
    german = portal_translations("de").gettext
    cases = {
        ("signin.failed", "", "wrong password (3 in a row)"): (
            "could not sign in · wrong password (failed attempt 3 in a row)",
            "konnte sich nicht anmelden · falsches Passwort (3. Fehlversuch in Folge)",
        ),
        ("approval.wave", "puls-2026", f"sha256 {HASH}"): (
            f"approved the wave puls-2026 · checksum {HASH}",
            f"hat die Befragungsrunde puls-2026 freigegeben · Prüfsumme {HASH}",
        ),
        ("access.refused", "raw export csv waves=all unit=asd", ""): (
            "was refused (not allowed): raw answers (csv) of all closed waves, unit asd · ",
            "wurde abgewiesen (keine Berechtigung): Rohdaten (csv) aller abgeschlossenen Befragungsrunden, "
            "Einheit asd · ",
        ),
        ("audit.view", "", "user=buero; action=approvals; from=2026-03-01; fremd"): (
            "viewed the audit log · who: buero; what: Approvals; from 2026-03-01; fremd",
            "hat das Protokoll angesehen · wer: buero; was: Freigaben; ab 2026-03-01; fremd",
        ),
    }
    for (code, target, detail), expected in cases.items():
        described = describe(code, target, detail)
        for gettext, wanted in zip((None, german), expected, strict=True):
            assert described.sentence is not None
            said = (
                say(described.sentence, gettext)
                + " · "
                + "; ".join(say(p, gettext) for p in described.detail)
            )
            assert said == wanted
    # the words a unit filter finds: keys as whole words, no checksums, numbers or file endings
    assert words_of("dashboard asd", f"unit=asd-nord; lead:Jugendamt; sha256 {HASH}; 12; x.csv") == [
        "dashboard",
        "asd",
        "unit",
        "asd-nord",
        "lead",
        "jugendamt",
        "sha256",
        "x",
        "csv",
    ]
    unknown = describe("made.up", "x", "y")
    assert unknown.sentence is None and unknown.detail == ("y",)
    # a broken translation never crashes a page: the English text, or the values, are shown
    assert say(Message("%(gone)s and %(target)s", {"target": "x"})) == "x"
    # an error's message recorded as its English text reads back in German through the catalog
    catalog = Reader(extra=["%(wave)s is open already"], least=4)
    assert catalog.read("puls is open already") == Message("%(wave)s is open already", {"wave": "puls"})
    assert Reader(extra=["%(a)s: %(b)s"]).read("x: y") is None  # too little text to be sure


# --- the page --------------------------------------------------------------------------------------


async def _entries(client: AsyncTestClient) -> None:
    """Entries of known kinds on known days: a failed sign-in with a formula for a name, an approval
    with its checksum, views of free text in two units, refusals."""
    rows = [
        (DAY, "=HYPERLINK(1)", "signin.failed", "", "unknown user"),
        (DAY, "buero", "signin.failed", "", "wrong password (2 in a row)"),
        (DAY + dt.timedelta(days=1), "personalrat", "approval.wave", "puls-2026", f"sha256 {HASH}"),
        (
            DAY + dt.timedelta(days=2),
            "leitung-jugendamt",
            "comments.view",
            "asd",
            "staff-pulse puls-2026: 12",
        ),
        (DAY + dt.timedelta(days=2), "leitung-jugendamt", "access.refused", "dashboard sozialamt", ""),
        (
            DAY + dt.timedelta(days=3),
            "auswertung",
            "export.raw",
            "raw export csv waves=all unit=asd-nord",
            "",
        ),
        (DAY + dt.timedelta(days=3), "cli", "made.up", "ziel", "Größe"),
    ]
    for row in rows:
        await app_call(client, insert_entry, *row)


async def _refused_opening(client: AsyncTestClient) -> None:
    """A staff wave the office tries to open before the Personalrat approved it: the refusal is
    recorded as the English text of the service's messages."""
    today = dt.date.today()
    await app_call(
        client,
        create_wave,
        key="probe",
        questionnaires=QUESTIONNAIRES,
        questionnaire="staff-pulse",
        version=None,
        units=["jugendamt"],
        opens_on=today,
        closes_on=today + dt.timedelta(days=10),
    )
    with pytest.raises(SurveyError):
        await app_call(client, open_wave, "probe", today, QUESTIONNAIRES, by="buero")


async def test_the_log_reads_in_words_and_filters(portal_client: AsyncTestClient) -> None:
    await _entries(portal_client)
    await _refused_opening(portal_client)
    await sign_in(portal_client, "personalrat")
    page = await portal_client.get("/protokoll")
    assert page.status_code == 200
    shown = _table(page.text)
    assert "hat sich angemeldet" in shown and "hat die Befragungsrunde puls-2026 freigegeben" in shown
    assert "falsches Passwort (2. Fehlversuch in Folge)" in shown and "kein Benutzer dieses Namens" in shown
    assert "Kommandozeile (IT)" in shown and "made.up ziel" in shown  # an unknown code as itself
    # a service's refusal, recorded in English, reads in German through the portal catalog
    assert "konnte die Befragungsrunde probe nicht öffnen" in shown
    assert "Der Personalrat hat die Befragungsrunde probe noch nicht freigegeben" in shown
    assert not RAW_CODE.search(shown) and not ENGLISH.search(shown)
    # the checksum: 12 characters, the whole one in a disclosure a keyboard opens
    assert HASH not in shown and f"Prüfsumme {HASH[:12]}… ganze Prüfsumme" in shown
    assert f'<code class="whole">{HASH}</code></details>' in page.text
    # every field labelled; the table with caption and scoped headers, in a focusable region
    for field in ("wer", "was", "von", "bis", "einheit"):
        assert f'<label for="f-{field}">' in page.text and f'id="f-{field}"' in page.text
    assert '<caption id="audit-caption">' in page.text and '<th scope="col">' in page.text
    assert 'role="region" aria-labelledby="audit-caption" tabindex="0"' in page.text

    english = _table((await portal_client.get("/protokoll?lang=en")).text)
    assert "signed in" in english and "approved the wave puls-2026" in english
    assert "wrong password (failed attempt 2 in a row)" in english and not GERMAN.search(english)

    async def rows(query: str) -> str:
        answer = await portal_client.get(f"/protokoll?lang=de&{query}")
        assert answer.status_code == 200, query
        return _table(answer.text)

    who = await rows("wer=BUERO")
    assert "falsches Passwort" in who and "hat sich angemeldet" not in who
    what = await rows("was=signin")
    assert "hat sich angemeldet" in what and "freigegeben" not in what
    assert "freigegeben" in await rows("was=approval.wave")
    days = await rows("von=11.03.2026&bis=2026-03-12")
    assert "freigegeben" in days and "Freitext" in days and "falsches Passwort" not in days
    assert "made.up" not in days
    # the Jugendamt: asd below it counts, asd-nord (another key) and Sozialamt do not
    unit = await rows("einheit=jugendamt")
    assert "Freitext-Kommentare von asd" in unit and "sozialamt" not in unit and "asd-nord" not in unit
    assert "sozialamt" in await rows("einheit=sozialamt")
    # each reading is in the log, with its filters
    views = await app_call(portal_client, audit_log, action="audit.view")
    assert views[0].username == "personalrat" and views[0].detail == "unit=sozialamt"
    assert "user=BUERO" in {v.detail for v in views}


async def test_wrong_filters_are_refused_next_to_their_field(portal_client: AsyncTestClient) -> None:
    await sign_in(portal_client, "personalrat")
    for query, field, german, english in (
        ("von=31.02.2026&wer=buero", "von", "31.02.2026 ist kein Tag", "31.02.2026 is not a day"),
        (
            "von=2026-03-12&bis=2026-03-11",
            "bis",
            "Der letzte Tag liegt vor dem ersten",
            "The last day is before",
        ),
        ("was=gibt.es.nicht", "was", "Bitte eine Art von Ereignis", "Choose a kind of event"),
        ("einheit=gibt-es-nicht", "einheit", "gibt-es-nicht", "gibt-es-nicht"),
        ("wer=" + "x" * 65, "wer", "höchstens 64 Zeichen", "at most 64 characters"),
    ):
        for lang, wanted in (("de", german), ("en", english)):
            refused = await portal_client.get(f"/protokoll?lang={lang}&{query}")
            assert refused.status_code == 400, query
            error = re.search(rf'<span class="field-error" id="f-{field}-error">(.*?)</span>', refused.text)
            assert error and wanted in html.unescape(error.group(1)), (query, lang)
            assert re.search(rf'id="f-{field}"[^>]*aria-describedby="[^"]*f-{field}-error"', refused.text)
            assert "<tbody>" not in refused.text and "survey " not in _text(refused.text)
            other = _text(refused.text)
            assert not (ENGLISH if lang == "de" else GERMAN).search(other), (query, lang)
    # what was typed stays in the form
    kept = await portal_client.get("/protokoll?von=31.02.2026&wer=buero&einheit=asd&bis=2026-03-12")
    assert 'name="wer" value="buero"' in kept.text and 'value="asd" selected' in kept.text
    assert 'name="bis" value="2026-03-12"' in kept.text
    broken = await portal_client.get("/protokoll?lang=de&vor=abc")
    assert broken.status_code == 400 and "Dieser Link auf eine Seite des Protokolls" in broken.text
    # refused filters are no reading of the log
    assert await app_call(portal_client, audit_log, action="audit.view") == []
    # the others never see it
    await sign_in(portal_client, "buero")
    assert (await portal_client.get("/protokoll/csv")).status_code == 403


# --- paging, the JSON twin and the CSV file -------------------------------------------------------


async def test_pages_over_everything_kept_and_the_json_twin(portal_client: AsyncTestClient) -> None:
    for n in range(130):
        at = DAY + dt.timedelta(minutes=n)
        await app_call(portal_client, insert_entry, at, f"nutzer{n % 2}", "signin.ok", "", "")
    await sign_in(portal_client, "personalrat")
    seen: list[str] = []
    url = "/protokoll?wer=nutzer1&was=signin.ok"
    for _ in range(3):
        page = await portal_client.get(url)
        stamps = re.findall(r'<td class="when">(.*?)</td>', page.text)
        seen += stamps
        assert "Einträge passend zu den Filtern: 65." in _text(page.text)
        older = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        if older is None:
            break
        url = html.unescape(older.group(1))
        assert "wer=nutzer1" in url and "was=signin.ok" in url and "vor=" in url
    assert len(seen) == 65 == len(set(seen))  # 50 + 15, none twice, though each view adds an entry
    newer = re.search(r'<a href="([^"]+)" rel="prev">', page.text)
    assert newer and "nach=" in html.unescape(newer.group(1))
    back = await portal_client.get(html.unescape(newer.group(1)))
    assert re.findall(r'<td class="when">(.*?)</td>', back.text) == seen[:50]

    # the JSON twin: the same filters and pages, the description in English next to the code
    api = await portal_client.get(
        "/api/v1/audit", params={"user": "nutzer1", "action": "signin", "limit": 40}
    )
    assert api.status_code == 200
    body = api.json()
    assert body["total"] == 65 and len(body["entries"]) == 40 and body["newer"] is None
    assert body["entries"][0]["description"] == "signed in" and body["entries"][0]["action"] == "signin.ok"
    rest = (
        await portal_client.get("/api/v1/audit", params={"user": "nutzer1", "before": body["older"]})
    ).json()
    assert len(rest["entries"]) == 25 and rest["older"] is None
    assert {e["id"] for e in rest["entries"]}.isdisjoint({e["id"] for e in body["entries"]})
    later = (
        await portal_client.get("/api/v1/audit", params={"from": "2026-03-10", "to": "2026-03-10"})
    ).json()
    assert later["total"] == 130
    assert (
        await portal_client.get("/api/v1/audit", params={"from": "2026-03-11", "to": "2026-03-10"})
    ).json()["total"] == 0
    for params, name in (
        ({"from": "10.03.2026"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"before": "abc"}, "before"),
        ({"action": "gibt.es.nicht"}, "action"),
    ):
        refused = await portal_client.get("/api/v1/audit", params=params)
        assert refused.status_code == 400, params
        assert f"query parameter `{name}` takes" in refused.json()["detail"], refused.json()
    unknown = await portal_client.get("/api/v1/audit", params={"unit": "gibt-es-nicht"})
    assert unknown.status_code == 404 and "`unit`" in unknown.json()["detail"]
    details = {v.detail for v in await app_call(portal_client, audit_log, action="audit.view")}
    assert "user=nutzer1; action=signin" in details and f"user=nutzer1; before={body['older']}" in details


async def test_the_csv_file_opens_in_german_excel(portal_client: AsyncTestClient) -> None:
    await _entries(portal_client)
    await sign_in(portal_client, "personalrat")
    answer = await portal_client.get("/protokoll/csv?von=2026-03-10&bis=2026-03-13")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="protokoll-')
    assert answer.content.startswith(b"\xef\xbb\xbf")  # the byte order mark: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Wann (UTC)",
        "Wer",
        "Was",
        "Einzelheiten",
        "Code",
        "Ziel (wie geschrieben)",
        "Einzelheiten (wie geschrieben)",
    ]
    assert len(rows) == 1 + 7 and all(len(r) == 7 for r in rows)
    by_code = {r[4]: r for r in rows[1:]}
    approval = by_code["approval.wave"]
    assert approval[2] == "hat die Befragungsrunde puls-2026 freigegeben"
    assert approval[3] == f"Prüfsumme {HASH}" and approval[0] == "2026-03-11 09:30:00"
    assert by_code["made.up"][3] == "Größe"
    # a name typed at the sign-in that a spreadsheet would run as a formula stays text
    assert "'=HYPERLINK(1)" in {r[1] for r in rows}
    english = await portal_client.get("/protokoll/csv?lang=en&was=approvals")
    table = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["When (UTC)", "Who", "What"]
    assert "approved the wave puls-2026" in {r[2] for r in table}
    exports = await app_call(portal_client, audit_log, action="audit.export")
    assert [e.detail for e in exports] == [
        "action=approvals; entries=" + str(len(table) - 1),
        "from=2026-03-10; until=2026-03-13; entries=7",
    ]
    refused = await portal_client.get("/protokoll/csv?bis=gestern")
    assert refused.status_code == 400 and "gestern ist kein Tag" in refused.text
