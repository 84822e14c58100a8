"""Hostile input against the app, each bad input next to a good one, on SQLite and PostgreSQL.

- Free text with markup and spreadsheet formulas is stored exactly as typed and shown escaped
  everywhere it appears: the lead's dashboard, the comments API (JSON, never HTML), the
  department report (served and written by `survey report`) and the exports, where a cell that
  starts with = + - @ is neutralised (CSV: a leading apostrophe; Excel: a text cell with Excel's
  own apostrophe mark, the text unchanged). Markup in questionnaire files is shown escaped too.
- Bodies too large (413), of the wrong type (415), broken (400) or with wrong fields (400/422)
  get a clear answer, never a 500, and store nothing: through litestar's test client, and
  through the real server where the HTTP server itself matters (bodies without Content-Length,
  raw request lines no client library would send).
- Paths that try to leave the static folder end in 404 or 400.
- A path or query parameter with a control character, a JSON body with NUL in a text or a name:
  400 naming the parameter or field, before any handler runs (the OpenAPI document states the
  same rules: tests/web/test_schemathesis.py); the same texts without it go through.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pyreadstat
import pytest
import yaml
from litestar.testing import AsyncTestClient
from markupsafe import escape
from portal_helpers import PASSWORD, app_call, sign_in

from survey.services.accounts import add_user
from survey.services.exports import aggregate_export, raw_export
from survey.services.invitations import issue_invitations
from survey.services.waves import close_wave
from survey.store.tables import Comment, ResponseRow
from survey.web.app import MAX_BODY_BYTES, create_app
from survey.web.dashboard._report import PRINT_SCRIPT

ROOT = Path(__file__).resolve().parents[2]
POINT = "/s/buergerbuero-mitte"
FORM = "application/x-www-form-urlencoded"
#: what a hostile respondent types into the comment box
HOSTILE = [
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    '"><b>fett</b>',
    '=HYPERLINK("http://x.invalid","y")',
    "+1+1",
    "-2",
    "@SUM(A1)",
]
#: what an unescaped page would contain if any of HOSTILE got through as markup
RAW_MARKUP = ("<script", "<img src=x", '"><b>', "<b>fett")
FORMULA_START = ("=", "+", "-", "@")
#: the element a report embeds its figures in (JSON, the only script element it has)
DATA_ELEMENT = r'<script type="application/json" id="report-data">(.*?)</script>'


@pytest.fixture
async def client(field) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    from survey.store.submissions import stop_writer

    await stop_writer()  # the app's lifespan runs its own writer
    async with AsyncTestClient(app=create_app(field.settings)) as test_client:
        test_client.follow_redirects = False
        yield test_client


async def _responses(client: AsyncTestClient) -> int:
    return await app_call(client, ResponseRow.count().run)


def _key(page: str) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert match, "the form carries a submission key"
    return match.group(1)


async def _point_key(client: AsyncTestClient) -> str:
    return (await client.get(f"/api/v1/forms/service-points/{POINT[3:]}")).json()["submission_key"]


def _rating(key: str, **answers: Any) -> dict[str, Any]:
    return {
        "channel": "service_point",
        "reference": POINT[3:],
        "language": "de",
        "submission_key": key,
        "answers": answers or {"gesamturteil": 8},
    }


def _shown(text: str) -> str:
    """How jinja's autoescape writes `text` into a page."""
    return str(escape(text))


def _no_raw_markup(page: str, where: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in page, f"{where}: {raw!r} came through unescaped"


# --- 1. free text: stored as typed, shown escaped, exported neutralised ---------------------------


async def _comment_through_form_and_api(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    """Twelve staff of Jugendamt answer, each with one of HOSTILE as the comment: six through the
    form, six through the JSON API (k_text is 10, so their comments are shown)."""
    issued = await app_call(client, issue_invitations, field.settings, "puls", "jugendamt", 12)
    for number, code in enumerate(issued.codes):
        comment = HOSTILE[number % len(HOSTILE)]
        if number < 6:
            page = (await client.get(f"/i/{code}")).text
            sent = await client.post(
                f"/i/{code}",
                data={
                    "submission_key": _key(page),
                    "lang": "de",
                    "wissen-geteilt": "4",
                    "kommentar": comment,
                },
            )
            assert sent.status_code == 303, sent.text
        else:
            key = (await client.get(f"/api/v1/forms/invitations/{code}")).json()["submission_key"]
            body = {
                "channel": "invitation",
                "reference": code,
                "language": "de",
                "submission_key": key,
                "answers": {"wissen-geteilt": 3, "kommentar": comment},
            }
            sent = await client.post("/api/v1/responses", json=body)
            assert sent.status_code == 201, sent.text


async def test_free_text_is_stored_as_typed_and_shown_escaped_everywhere(
    client: AsyncTestClient, field, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    await _comment_through_form_and_api(client, field)
    stored = await app_call(client, Comment.select(Comment.text).run)
    assert sorted(row["text"] for row in stored) == sorted(HOSTILE * 2), "stored exactly as typed"
    await app_call(client, close_wave, "puls")  # figures and comments appear once a wave has ended

    await app_call(client, add_user, "leitung-jugendamt", "Leitung Jugendamt", PASSWORD, ["lead:jugendamt"])
    await sign_in(client, "leitung-jugendamt")

    # The comments page of the unit: each comment escaped, none as markup (each was written twice,
    # so each stands once with its count).
    page = await client.get("/dashboard/jugendamt/kommentare")
    assert page.status_code == 200, page.text
    for comment in HOSTILE:
        assert f"<li>{_shown(comment)} <span" in page.text, comment
    _no_raw_markup(page.text, "dashboard")
    _no_raw_markup((await client.get("/dashboard/jugendamt")).text, "dashboard")
    assert "onerror=alert(2)>" not in page.text  # the escaped form ends in &gt;

    # The comments API: the very text, as JSON that no browser renders as a page.
    api = await client.get("/api/v1/units/jugendamt/comments")
    assert api.status_code == 200
    assert api.headers["content-type"].startswith("application/json")
    assert api.headers["x-content-type-options"] == "nosniff"
    assert sorted(api.json()["comments"]) == sorted(HOSTILE * 2)

    # The department report as the dashboard serves it.
    report = await client.get("/dashboard/jugendamt/bericht")
    assert report.status_code == 200
    _report_is_safe(report.text, "served report")

    # The exports: CSV neutralises formulas with an apostrophe, Excel keeps the text in a text
    # cell marked like a typed apostrophe, SPSS (no formulas there) keeps it as it is.
    csv_file = await app_call(client, raw_export, fmt="csv", waves=["puls"])
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8"), newline="")))
    expected = ["'" + c if c.startswith(FORMULA_START) else c for c in HOSTILE * 2]
    assert sorted(r["kommentar"] for r in rows) == sorted(expected)
    assert [r["wissen_geteilt"] for r in rows].count("4") == 6  # the rest of the row is untouched

    # The same file as an analyst downloads it: an attachment, never a page to render.
    await app_call(client, add_user, "auswertung", "Auswertung", PASSWORD, ["analyst"])
    await sign_in(client, "auswertung")
    download = await client.get("/api/v1/exports/raw?format=csv&wave=puls")
    assert download.status_code == 200 and download.content == csv_file.content
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"

    xlsx_file = await app_call(client, raw_export, fmt="xlsx", waves=["puls"])
    book = openpyxl.load_workbook(io.BytesIO(xlsx_file.content))
    sheet = book["Daten"]
    header = [c.value for c in sheet[1]]
    column = header.index("kommentar")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == sorted(HOSTILE * 2), "the text, not a byte lost"
    for cell in cells:
        assert cell.data_type == "s", cell.value
        assert cell.quotePrefix == cell.value.startswith(FORMULA_START), cell.value
    assert not [c for s in book for row in s.iter_rows() for c in row if c.data_type == "f"], "no formula"

    sav_file = await app_call(client, raw_export, fmt="sav", waves=["puls"])
    (tmp_path / "raw.sav").write_bytes(sav_file.content)
    frame, _ = pyreadstat.read_sav(str(tmp_path / "raw.sav"))
    assert sorted(frame["kommentar"]) == sorted(HOSTILE * 2)

    # `survey report` writes the same report: in a process of its own, as a person runs it.
    out = tmp_path / "jugendamt.html"
    written = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "survey", "report", "jugendamt", "--out", str(out)],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": field.settings.database_url,
            "OPENBLAS_NUM_THREADS": "1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert written.returncode == 0, written.stderr
    _report_is_safe(out.read_text(encoding="utf-8"), "survey report")


#: the one script of the app's bar above a served report (its print button), exactly this text
APP_BAR_SCRIPT = f"<script>{PRINT_SCRIPT}</script>"


def _report_is_safe(page: str, where: str) -> None:
    for comment in HOSTILE:
        assert _shown(comment) in page, f"{where}: {comment!r} is missing"
    # besides the app's own print script (served reports only), no script but the figures' data
    assert page.replace(APP_BAR_SCRIPT, "", 1).count("<script") == 1, (
        f"{where}: only the element of the embedded figures"
    )
    data = re.search(DATA_ELEMENT, page, re.S)
    assert data and "<" not in data.group(1), f"{where}: no markup inside the embedded figures"
    json.loads(data.group(1))  # still JSON
    _no_raw_markup(re.sub(DATA_ELEMENT, "", page, flags=re.S).replace(APP_BAR_SCRIPT, "", 1), where)


async def test_markup_in_questionnaire_files_is_shown_escaped(
    db: str, questionnaires_copy: Path, tmp_path: Path
) -> None:
    """A survey office may write `<b>` into an item text, or worse: forms, reports and exports
    show the text, never the markup; and a required item left out is named, nothing stored."""
    from survey.services.catalog import publish_folder
    from survey.services.demo import demo_org_file
    from survey.services.org import import_org
    from survey.services.waves import create_wave, open_wave
    from survey.settings import Settings

    bold = "Wie <b>fett</b> war es? <script>alert(3)</script>"
    formula = '=HYPERLINK("http://x.invalid","Klick") Waren wir freundlich?'
    intro = "Kurz & <img src=x onerror=alert(4)> anonym"
    path = questionnaires_copy / "citizen-contact" / "v1.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["intro"]["de"] = intro
    items = {item["id"]: item for item in data["items"]}
    items["gesamturteil"]["text"]["de"] = bold
    items["gesamturteil"]["required"] = True
    items["freundlich-respektvoll"]["text"]["de"] = formula
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    import datetime as dt

    today = dt.date.today()
    await import_org(demo_org_file())
    await publish_folder(questionnaires_copy)
    await create_wave(
        key="buerger",
        questionnaires=questionnaires_copy,
        questionnaire="citizen-contact",
        version=None,
        units=["verwaltung"],
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
    )
    await open_wave("buerger", today, questionnaires_copy)
    await add_user("admin", "Admin", PASSWORD, ["admin"])
    settings = Settings(database_url=db, questionnaires=questionnaires_copy)
    async with AsyncTestClient(app=create_app(settings)) as client:
        client.follow_redirects = False
        form = (await client.get(POINT)).text
        for text in (bold, formula, intro):
            assert _shown(text) in form, text
        assert "<script" not in form and "<b>" not in form and "<img" not in form

        # The required question left out: named, with everything else kept; nothing stored.
        missing = await client.post(
            POINT, data={"submission_key": _key(form), "lang": "de", "freundlich-respektvoll": "4"}
        )
        assert missing.status_code == 400
        assert "Bitte beantworten Sie diese Frage." in missing.text and 'value="4" checked' in missing.text
        assert f'href="#item-gesamturteil">{_shown(bold)}' in missing.text
        assert "<script" not in missing.text and await _responses(client) == 0

        for _ in range(10):
            body = _rating(await _point_key(client), gesamturteil=9, **{"freundlich-respektvoll": 4})
            assert (await client.post("/api/v1/responses", json=body)).status_code == 201
        await app_call(client, close_wave, "buerger")  # figures appear once a wave has ended
        await sign_in(client, "admin")
        for url in ("/dashboard/verwaltung/bericht", "/dashboard/verwaltung/fragen", "/dashboard/verwaltung"):
            page = await client.get(f"{url}?fragebogen=citizen-contact")
            assert page.status_code == 200, url
            if not url.endswith("/verwaltung"):  # the unit's page shows values, not questions
                assert _shown(bold) in page.text, url
            data = re.search(DATA_ELEMENT, page.text, re.S)
            assert data is None or ("<" not in data.group(1) and "fett" in data.group(1)), url
            without_data = re.sub(DATA_ELEMENT, "", page.text, flags=re.S).replace(APP_BAR_SCRIPT, "", 1)
            assert "<script" not in without_data and "<b>fett" not in without_data, url

        # Item texts are labels in the exports: a formula there is neutralised as well.
        aggregate = await app_call(
            client, aggregate_export, fmt="csv", unit="verwaltung", questionnaire="citizen-contact"
        )
        labels = {row["label"] for row in csv.DictReader(io.StringIO(aggregate.content.decode(), newline=""))}
        assert "'" + formula in labels and formula not in labels
        excel = await app_call(client, raw_export, fmt="xlsx", waves=["buerger"])
        variables = openpyxl.load_workbook(io.BytesIO(excel.content))["Variablen"]
        label = next(
            row[2] for row in variables.iter_rows(min_row=2) if row[1].value == "freundlich-respektvoll"
        )
        assert label.value.startswith(formula) and label.data_type == "s" and label.quotePrefix


# --- 2. bodies: too large, wrongly typed, broken, with wrong fields --------------------------------


async def test_json_api_refuses_bad_bodies_with_a_clear_message(client: AsyncTestClient) -> None:
    good = _rating(await _point_key(client))
    post = client.post

    async def refused(status: int, content: bytes, content_type: str = "application/json") -> str:
        response = await post("/api/v1/responses", content=content, headers={"content-type": content_type})
        assert response.status_code == status, (content[:80], response.text)
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        return (
            body.get("detail", "") + json.dumps(body.get("extra", "")) + json.dumps(body.get("problems", ""))
        )

    as_json = json.dumps(good).encode()
    assert "application/json" in await refused(415, as_json, "text/plain")
    assert "application/json" in await refused(415, as_json, FORM)
    assert "multipart/form-data" in await refused(415, as_json, "multipart/form-data; boundary=x")
    assert "not valid JSON" in await refused(400, b'{"channel": "service_point", ')
    assert "not UTF-8 (byte 15)" in await refused(400, b'{"reference": "\xff\xfe"}')
    assert "nested more than 32" in await refused(400, b'{"answers": ' + b"[" * 50_000 + b"]" * 50_000 + b"}")
    assert "nested more than 32" in await refused(400, b'{"answers": ' + b"[" * 40 + b"]" * 40 + b"}")
    huge = json.dumps(good).replace('"gesamturteil": 8', '"gesamturteil": 1' + "0" * 5000).encode()
    assert "`answers.gesamturteil` is out of range" in await refused(400, huge)
    infinite = json.dumps(good).replace('"gesamturteil": 8', '"gesamturteil": 1e999').encode()
    assert "`answers.gesamturteil` is out of range" in await refused(400, infinite)
    assert "NUL" in await refused(400, json.dumps({**good, "reference": "buergerbuero\u0000"}).encode())
    assert "unknown field `spy`" in await refused(400, json.dumps({**good, "spy": 1}).encode())
    assert '"key": "reference"' in await refused(400, json.dumps({**good, "reference": 5}).encode())
    assert '"key": "answers"' in await refused(400, json.dumps({**good, "answers": [8]}).encode())
    big_but_in_range = json.dumps(_rating(good["submission_key"], gesamturteil=10**300)).encode()
    problems = await refused(422, big_but_in_range)
    assert "outside_scale" in problems and "gesamturteil" in problems
    long_text = json.dumps(_rating(good["submission_key"], kommentar="x" * 100_000)).encode()
    problems = await refused(422, long_text)
    assert "too_long" in problems and "kommentar" in problems and "1000" in problems
    unknown_item = json.dumps(_rating(good["submission_key"], spy=1)).encode()
    assert "unknown_item" in await refused(422, unknown_item)
    assert await _responses(client) == 0, "nothing of the above is stored"

    too_large = json.dumps(_rating(good["submission_key"], kommentar="x" * (MAX_BODY_BYTES + 1))).encode()
    detail = await refused(413, too_large)
    assert f"larger than {MAX_BODY_BYTES:,} bytes" in detail and "shorten the free text" in detail

    # The good one, next to them: the same body as it should be sent.
    stored = await post("/api/v1/responses", content=as_json, headers={"content-type": "application/json"})
    assert stored.status_code == 201 and await _responses(client) == 1


async def test_respondent_form_refuses_bad_bodies_and_fields(client: AsyncTestClient) -> None:
    page = (await client.get(POINT)).text
    key = _key(page)

    async def sent(content: bytes | str, content_type: str = FORM, **headers: str):  # type: ignore[no-untyped-def]
        body = content.encode() if isinstance(content, str) else content
        return await client.post(POINT, content=body, headers={"content-type": content_type, **headers})

    # Not a form as a browser sends it: 415, with a page that says so.
    for content_type in ("application/json", "multipart/form-data; boundary=x", "text/plain"):
        response = await sent(json.dumps({"submission_key": key, "gesamturteil": "8"}), content_type)
        assert response.status_code == 415, content_type
        assert "nimmt Antworten nur aus dem Formular dieser Seite an" in response.text
    multipart = await client.post(
        POINT, data={"submission_key": key, "gesamturteil": "8"}, files={"f": ("x", b"y")}
    )
    assert multipart.status_code == 415

    # Too large: 413 in the respondent's language, before anything is read into a form.
    huge = f"submission_key={key}&gesamturteil=8&kommentar=" + "x" * (MAX_BODY_BYTES + 1)
    german = await sent(huge)
    assert german.status_code == 413 and "Ihre Antworten sind zu lang" in german.text
    assert f"größer als {MAX_BODY_BYTES // 1024} Kilobyte" in german.text
    english = await sent(huge, **{"accept-language": "en"})
    assert english.status_code == 413 and "Your answers are too long" in english.text
    many = "&".join(f"f{n}=1" for n in range(201))
    assert (await sent(many)).status_code == 413

    # Broken or changed forms: 400, the problem named, what was typed kept.
    changed = "Der Fragebogen wurde geändert oder ist nicht mehr aktuell"
    for body in (
        f"submission_key={key}&gesamturteil=8&gesamturteil=2",  # a field twice
        f"submission_key={key}&gesamturteil=8&kommentar=Gut%00so",  # NUL
        f"submission_key={key}&gesamturteil=8&kommentar=%FF%FE",  # not UTF-8
        f"submission_key={key}&gesamturteil=8&spy=1",  # no such question
        "gesamturteil=8",  # no submission key
    ):
        response = await sent(body)
        assert response.status_code == 400 and changed in response.text, body
    raw_bytes = await sent(b"submission_key=" + key.encode() + b"&kommentar=\xff")
    assert raw_bytes.status_code == 400 and changed in raw_bytes.text
    outside = await sent(f"submission_key={key}&gesamturteil=11")
    assert outside.status_code == 400 and "Bitte wählen Sie eine der vorgegebenen Antworten." in outside.text
    long_comment = "Sehr lang " + "x" * 100_000
    too_long = await sent(f"submission_key={key}&gesamturteil=8&kommentar=" + long_comment)
    assert too_long.status_code == 400
    assert "Bitte kürzen Sie Ihren Text auf höchstens 1000 Zeichen." in too_long.text
    assert 'maxlength="1000"' in too_long.text and long_comment in too_long.text  # kept, to shorten
    assert await _responses(client) == 0, "nothing of the above is stored"

    # The good one, next to them.
    good = await sent(f"submission_key={key}&lang=de&gesamturteil=8&kommentar=Gut+so")
    assert good.status_code == 303 and await _responses(client) == 1
    stored = await app_call(client, Comment.select(Comment.text).run)
    assert stored == [{"text": "Gut so"}]


async def test_code_entry_form_refuses_what_is_no_form(client: AsyncTestClient) -> None:
    wrong_type = await client.post("/i", json={"code": "K7QM-2XHD-9RTC"})
    assert wrong_type.status_code == 415
    unknown = await client.post("/i", data={"code": "K7QM-2XHD-9RTC", "lang": "en"})
    assert unknown.status_code == 404 and 'id="code-error"' in unknown.text


async def test_sign_in_with_nul_characters_is_refused_not_a_crash(
    accounts_client: AsyncTestClient, database_engine: str
) -> None:
    """A NUL in the sign-in form: PostgreSQL cannot compare a text holding one, so it must be
    refused before the database is asked. The JSON sign-in is covered by the request guard."""
    api = await accounts_client.post("/api/v1/session", json={"username": "a\u0000b", "password": "x" * 12})
    assert api.status_code == 400 and "NUL" in api.json()["detail"]
    good = await accounts_client.post("/anmelden", data={"username": "admin", "password": PASSWORD})
    assert good.status_code == 303
    accounts_client.cookies.clear()
    for data in (
        {"username": "ad\x00min", "password": PASSWORD},
        {"username": "admin", "password": "x\x00" * 8},
    ):
        response = await accounts_client.post("/anmelden", data=data)
        assert response.status_code in (400, 401), (data, response.status_code)
        assert "lp_session" not in response.headers.get("set-cookie", "")


# --- 3. paths that try to leave the static folder -------------------------------------------------


async def test_paths_never_leave_the_static_folder(client: AsyncTestClient) -> None:
    assert (await client.get("/static/site.css")).status_code == 200
    for path in (
        "/static/%2e%2e/pyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2fpyproject.toml",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd",
        "/static/..%5c..%5cpyproject.toml",
        "/static/%252e%252e/%252e%252e/pyproject.toml",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/s/..%2f..%2fetc",
        "/s/..%2f..%2fetc%2fpasswd/kiosk",
        "/static/site.css%00.png",
        "/static/%00",
        "/s/buergerbuero-mitte%00",
        "/api/v1/forms/service-points/%00",
        "/i/%2e%2e",
    ):
        response = await client.get(path)
        assert response.status_code in (400, 404), (path, response.status_code)
        assert "[project]" not in response.text and "root:" not in response.text, path
    nul = await client.get("/static/site.css%00")
    assert nul.status_code == 400 and "control character" in nul.json()["detail"]
    query = await client.get("/s/buergerbuero-mitte?lang=de%00")
    assert query.status_code == 400


# --- 4. the guard's character rules: said where, and nothing more refused -------------------------


async def test_a_control_character_in_the_address_is_refused_by_name(client: AsyncTestClient) -> None:
    """Path parameters, query names and values: C0 control characters and DEL are refused with the
    parameter named (before sign-in is even asked for); printable text of any script is not."""
    for path, source, key, character in (
        ("/api/v1/forms/invitations/AB%06CD", "path", "code", "U+0006"),
        ("/api/v1/units/jugend%7Famt/figures", "path", "unit", "U+007F"),
        ("/s/buergerbuero-mitte?lang=de%0A", "query", "lang", "U+000A"),
        ("/api/v1/exports/raw?wave=puls&wave=b%09", "query", "wave", "U+0009"),
        ("/api/v1/units?frage%00bogen=x", "query", "frage\\x00bogen", "U+0000"),
    ):
        response = await client.get(path)
        assert response.status_code == 400, (path, response.status_code)
        problem = response.json()
        assert f"`{key}`" in problem["detail"] and character in problem["detail"], problem
        assert "check the link" in problem["detail"]
        assert problem["extra"][0]["source"] == source, problem
        assert character in problem["extra"][0]["message"], problem
    # Printable text, also beyond ASCII (C1 characters included), gets past the guard: unknown
    # keys are 404, the API behind a sign-in 401.
    for path, status in (
        ("/api/v1/forms/invitations/%C3%84%C2%85X", 404),
        ("/api/v1/forms/service-points/b%C3%BCrgerb%C3%BCro%20mitte", 404),
        ("/api/v1/units/jugendamt/figures?questionnaire=%C3%A9%E2%80%AF", 401),
    ):
        assert (await client.get(path)).status_code == status, path


async def test_nul_in_a_json_body_is_refused_where_it_is(client: AsyncTestClient) -> None:
    """A NUL in a value or in a name of a JSON body: 400 naming the field; a text that only spells
    `\\u0000` (a backslash and five characters) is an ordinary text and is stored."""
    key = await _point_key(client)
    for body, place, field in (
        ({**_rating(key), "reference": "buerger\u0000buero"}, "`reference`", "reference"),
        (_rating(key, gesamturteil=8, kommentar="gut\u0000"), "`answers.kommentar`", "answers.kommentar"),
        ({**_rating(key), "answers": {"gesamt\u0000urteil": 8}}, "a name in `answers`", "answers"),
    ):
        response = await client.post("/api/v1/responses", json=body)
        assert response.status_code == 400, response.text
        problem = response.json()
        assert f"NUL character (\\u0000) in {place}" in problem["detail"], problem
        assert problem["extra"] == [
            {"message": problem["extra"][0]["message"], "key": field, "source": "body"}
        ], problem
    assert await _responses(client) == 0
    spelt = await client.post("/api/v1/responses", json=_rating(key, gesamturteil=8, kommentar="C:\\u0000"))
    assert spelt.status_code == 201, spelt.text
    stored = await app_call(client, Comment.select(Comment.text).run)
    assert [row["text"] for row in stored] == ["C:\\u0000"]


# --- the real server: bodies without Content-Length, raw request lines ---------------------------


def _exchange(base: str, request: bytes, *, body: bytes = b"", chunk: int = 16_384) -> tuple[int, str]:
    """Send `request` (and `body` in chunks) over one connection; the status and the answer."""
    host = urlsplit(base)
    with socket.create_connection((host.hostname, host.port), timeout=20) as connection:
        try:
            connection.sendall(request)
            for start in range(0, len(body), chunk):
                connection.sendall(body[start : start + chunk])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the body was all sent: as it should
        answer = b""
        try:
            while True:
                part = connection.recv(65_536)
                if not part:
                    break
                answer += part
                if b"\r\n\r\n" in answer and _complete(answer):
                    break
        except (ConnectionResetError, TimeoutError):
            pass
    head = answer.split(b"\r\n", 1)[0].decode("latin-1")
    match = re.match(r"HTTP/1\.[01] (\d{3})", head)
    assert match, f"no HTTP answer: {answer[:200]!r}"
    return int(match.group(1)), answer.decode("utf-8", "replace")


def _complete(answer: bytes) -> bool:
    head, _, rest = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return length is None or len(rest) >= int(length.group(1))


def _chunked(data: bytes, size: int = 8192) -> bytes:
    parts = [
        b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size]) for i in range(0, len(data), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def _post_head(path: str, content_type: str, length: int | None = None) -> bytes:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n{framing}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


def _get(path: bytes) -> bytes:
    return b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


async def test_the_real_server_refuses_large_and_malformed_requests(field, running_server) -> None:  # type: ignore[no-untyped-def]
    import urllib.request

    with running_server(field.settings.database_url) as server:
        base = server.base

        def key() -> str:
            with urllib.request.urlopen(f"{base}/api/v1/forms/service-points/buergerbuero-mitte") as answer:
                return json.loads(answer.read())["submission_key"]

        def scenario() -> None:
            large = b"x" * (MAX_BODY_BYTES + 50_000)
            # Announced too large: refused before a byte of the body is read.
            status, _ = _exchange(base, _post_head(POINT, FORM, 50_000_000))
            assert status == 413
            # Too large, sent in chunks without Content-Length: refused once the limit is passed.
            form_body = f"submission_key={key()}&gesamturteil=8&kommentar=".encode() + large
            status, text = _exchange(base, _post_head(POINT, FORM), body=_chunked(form_body))
            assert status == 413 and "Ihre Antworten sind zu lang" in text
            api_body = json.dumps(_rating(key(), kommentar=large.decode())).encode()
            status, text = _exchange(
                base, _post_head("/api/v1/responses", "application/json"), body=_chunked(api_body)
            )
            assert status == 413 and f"larger than {MAX_BODY_BYTES:,} bytes" in text
            status, text = _exchange(
                base, _post_head("/api/v1/responses", "text/plain"), body=_chunked(b"{}")
            )
            assert status == 415
            # The good one: a small body in chunks is taken.
            small = json.dumps(_rating(key(), kommentar="Gut")).encode()
            status, text = _exchange(
                base, _post_head("/api/v1/responses", "application/json"), body=_chunked(small)
            )
            assert status == 201, text

            # Request lines no client library sends: never a file outside the static folder.
            for path in (
                b"/static/../pyproject.toml",
                b"/static/../../pyproject.toml",
                b"/static/%2e%2e/pyproject.toml",
                b"/static/..%2f..%2fpyproject.toml",
                b"/static/./../survey/web/app.py",
                b"/static/../../../../etc/passwd",
                b"/s/..%2f..%2fetc%2fpasswd",
                b"/static/site.css%00",
            ):
                status, text = _exchange(base, _get(path))
                assert status in (400, 404), (path, status)
                assert "[project]" not in text and "root:" not in text and "MAX_BODY_BYTES" not in text, path
            assert _exchange(base, _get(b"/static/site.css"))[0] == 200
            # Not HTTP at all, or a header with a NUL: the server says 400 and stays up.
            assert _exchange(base, b"HELLO\r\n\r\n")[0] == 400
            assert _exchange(base, b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x00c\r\n\r\n")[0] == 400
            assert _exchange(base, _get(b"/health"))[0] == 200

        await asyncio.to_thread(scenario)
    assert "Traceback" not in server.err, server.err
    assert await ResponseRow.count().run() == 1, "only the good one is stored"
