"""The pages without sign-in (issue 19, points 4 and 5) through litestar's test client, on SQLite
and PostgreSQL: the citizens' public pages in German, English, Arabic and Leichte Sprache, Open
Data and its data dictionary, a unit's feedback page and its PDF, the survey office's page of
feedback links, and the thank-you pages that lead to them.

The Kommune is tests/public_kommune.py (its starting point, built once per run): `mitte` and
`nord` share a unit and `nord` is under k in the latest wave, so neither is shown; `schalter` is
all of its unit; staff unit `amt` is under k; every answer carries a planted comment.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from typing import Any

import pypdfium2
import pytest
from litestar.testing import AsyncTestClient
from portal_helpers import app_call, sign_in
from public_kommune import KLEINSTADT, PASSWORD, PLANTED, QUESTIONNAIRES
from snapshots import Snapshots

from survey.services.public_results import COLUMNS, renew_feedback_link
from survey.settings import Settings
from survey.web.app import create_app

#: per language: the Leitbild's name of `kundenorientiert`, and the words of a hidden figure
LANGUAGE_WORDS = {
    "de": ("Bürgerinnen und Bürger im Mittelpunkt", "nicht gezeigt"),
    "en": ("Citizens at the centre", "not shown"),
    "ar": ("المواطنون في صميم عملنا", "غير معروض"),
    "de-x-ls": ("Die Bürger sind uns wichtig", "Wir zeigen das nicht"),
}
SCORE = re.compile(r'<strong class="number">([^<]*)</strong>')


@pytest.fixture
async def kleinstadt_public(db: str, database_engine: str, snapshots: Snapshots) -> dict[str, Any]:
    return await snapshots.facts(database_engine, KLEINSTADT)


@pytest.fixture
async def client(kleinstadt_public: dict[str, Any], db: str) -> AsyncIterator[AsyncTestClient]:
    settings = Settings(database_url=db, questionnaires=QUESTIONNAIRES, base_url="http://umfrage.example")
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        test_client.follow_redirects = False
        yield test_client


def _scores(page: str) -> list[str]:
    return SCORE.findall(page)


@pytest.mark.parametrize("lang", list(LANGUAGE_WORDS))
async def test_the_public_pages_in_each_language(client: AsyncTestClient, lang: str) -> None:
    value_name, hidden_words = LANGUAGE_WORDS[lang]
    direction = "rtl" if lang == "ar" else "ltr"
    kommune = await client.get(f"/oeffentlich?lang={lang}")
    assert kommune.status_code == 200
    page = kommune.text
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert value_name in page
    assert "<script" not in page and kommune.headers["cache-control"].startswith("no-store")
    # every service point has its page; the names the Kommune typed are marked German elsewhere
    for key in ("mitte", "nord", "schalter"):
        assert f'href="/oeffentlich/{key}?lang={lang}"' in page
    if not lang.startswith("de"):
        assert 'lang="de">Bürgerbüro Mitte</a>' in page
    # whole numbers only: 21 citizens, 7 of them at schalter answering 3 of 5 (50)
    assert all(score.isdigit() for score in _scores(page))
    schalter = (await client.get(f"/oeffentlich/schalter?lang={lang}")).text
    assert set(_scores(schalter)) == {"50"}
    assert f'<html lang="{lang}" dir="{direction}">' in schalter
    # mitte would give nord (under k) away by difference: no figure, the reason in words
    mitte = (await client.get(f"/oeffentlich/mitte?lang={lang}")).text
    assert _scores(mitte) == [] and hidden_words in mitte
    assert 'class="bar-fill"' not in mitte


async def test_public_pages_show_the_public_measures_and_no_free_text(client: AsyncTestClient) -> None:
    pages = {}
    for path in ("/oeffentlich", "/oeffentlich/mitte", "/oeffentlich/nord", "/oeffentlich/schalter"):
        for lang in ("de", "en"):
            response = await client.get(f"{path}?lang={lang}")
            assert response.status_code == 200
            pages[f"{path}?lang={lang}"] = response.text
    for data in ("/oeffentlich/daten.csv", "/oeffentlich/daten.json", "/oeffentlich/datenbeschreibung"):
        pages[data] = (await client.get(data)).text
    for where, text in pages.items():
        assert PLANTED not in text, where
        assert "Maßnahme internal" not in text, where
    assert "Maßnahme public" in pages["/oeffentlich/mitte?lang=de"]
    assert "Maßnahme amt" not in pages["/oeffentlich/mitte?lang=de"]
    assert "Maßnahme amt" in pages["/oeffentlich/schalter?lang=en"]
    assert (
        "Maßnahme public" in pages["/oeffentlich?lang=de"] and "Maßnahme amt" in pages["/oeffentlich?lang=de"]
    )
    # a measure's status in words, its start in the page's language
    english = pages["/oeffentlich/schalter?lang=en"]
    assert "in progress" in english and "1 March 2026" in english


async def test_open_data_is_exactly_what_the_pages_show(client: AsyncTestClient) -> None:
    response = await client.get("/oeffentlich/daten.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows and list(rows[0]) == list(COLUMNS)
    document = (await client.get("/oeffentlich/daten.json")).json()
    assert [{k: "" if v is None else str(v) for k, v in row.items()} for row in document["rows"]] == rows
    assert [f["name"] for f in document["schema"]["fields"]] == list(COLUMNS)
    for key in ("mitte", "nord", "schalter"):
        page = (await client.get(f"/oeffentlich/{key}?lang=de")).text
        mine = [r for r in rows if r["service_point"] == key]
        assert [r["score"] for r in mine if r["score"]] == _scores(page)
        for row in mine:
            # a hidden cell is empty, with its reason beside it
            assert bool(row["score"]) != bool(row["score_hidden"])
            assert bool(row["respondents"]) != bool(row["respondents_hidden"])
    kommune = [r for r in rows if r["scope"] == "kommune"]
    assert {r["respondents"] for r in kommune} == {"21"}
    assert [r["score"] for r in kommune] == _scores((await client.get("/oeffentlich?lang=de")).text)


async def test_the_data_dictionary_describes_every_column(client: AsyncTestClient) -> None:
    schema = (await client.get("/oeffentlich/datenbeschreibung.json")).json()
    fields = {f["name"]: f for f in schema["fields"]}
    assert list(fields) == list(COLUMNS)
    assert all(f["description"]["de"] and f["description"]["en"] for f in fields.values())
    assert fields["score"]["description"]["de"] != fields["score"]["description"]["en"]
    for lang in ("de", "en", "ar", "de-x-ls"):
        page = (await client.get(f"/oeffentlich/datenbeschreibung?lang={lang}")).text
        for column in COLUMNS:
            assert f"<code>{column}</code>" in page, (lang, column)
    assert 'href="/oeffentlich/daten.csv"' in page and 'href="/oeffentlich/daten.json"' in page


async def test_unknown_addresses_answer_404_in_the_readers_language(client: AsyncTestClient) -> None:
    point = await client.get("/oeffentlich/gibt-es-nicht?lang=en")
    assert point.status_code == 404 and "We do not know this service point" in point.text
    assert '<html lang="en"' in point.text
    link = await client.get("/rueckmeldung/kein-link?lang=ar")
    assert link.status_code == 404 and '<html lang="ar" dir="rtl">' in link.text
    pdf = await client.get("/rueckmeldung/kein-link/pdf", headers={"Accept-Language": "tr"})
    assert pdf.status_code == 404 and '<html lang="tr"' in pdf.text


async def test_a_units_feedback_page_and_its_pdf(client: AsyncTestClient) -> None:
    jobs = await app_call(client, renew_feedback_link, "jobs", by="buero")
    german = await client.get(f"/rueckmeldung/{jobs}?lang=de")
    assert german.status_code == 200
    page = german.text
    assert "Fachbereich Jobcenter" in page and "Sie haben gesagt – wir haben gehandelt" in page
    assert "8 Personen haben geantwortet." in page and "25" in _scores(page)
    assert PLANTED not in page and 'name="referrer" content="no-referrer"' in page
    english = (await client.get(f"/rueckmeldung/{jobs}?lang=en")).text
    assert "Together for Lindenau" in english and "8 people answered." in english
    pdf = await client.get(f"/rueckmeldung/{jobs}/pdf?lang=de")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert len(pypdfium2.PdfDocument(pdf.content)) == 1
    # a unit under k: its figures are hidden, with the reason
    amt = await app_call(client, renew_feedback_link, "amt", by="buero")
    hidden = (await client.get(f"/rueckmeldung/{amt}?lang=de")).text
    assert _scores(hidden) == [] and "weniger als 5 Personen haben geantwortet" in hidden
    arabic = await client.get(f"/rueckmeldung/{amt}/pdf?lang=ar")
    assert arabic.status_code == 200 and len(pypdfium2.PdfDocument(arabic.content)) == 1
    # buerger's measures, public or not, with their effect check in words
    buerger = await app_call(client, renew_feedback_link, "buerger", by="buero")
    measures = (await client.get(f"/rueckmeldung/{buerger}?lang=de")).text
    assert "Maßnahme public" in measures and "Maßnahme internal" in measures
    assert "Hat es geholfen?" in measures


async def test_the_office_makes_renews_and_prints_feedback_links(client: AsyncTestClient) -> None:
    csrf = await sign_in(client, "buero", PASSWORD)
    listing = await client.get("/buero/rueckmeldung")
    assert listing.status_code == 200 and "Rückmeldelinks für Beschäftigte" in listing.text
    assert "Noch kein Rückmeldelink." in listing.text
    made = await client.post("/buero/rueckmeldung/jobs", data={"csrf_token": csrf})
    assert made.status_code == 303 and made.headers["location"].startswith("/buero/rueckmeldung")
    shown = (await client.get("/buero/rueckmeldung")).text
    assert "Der Rückmeldelink von jobs ist neu" in shown
    first = re.search(r'value="http://umfrage\.example/rueckmeldung/([^"]+)"', shown)
    assert first and (await client.get(f"/rueckmeldung/{first.group(1)}")).status_code == 200
    notice = await client.get("/buero/rueckmeldung/jobs/aushang.pdf")
    assert notice.status_code == 200 and len(pypdfium2.PdfDocument(notice.content)) == 1
    # renewed: the old link leads nowhere at once, the new one works
    assert (await client.post("/buero/rueckmeldung/jobs", data={"csrf_token": csrf})).status_code == 303
    renewed = re.search(
        r'value="http://umfrage\.example/rueckmeldung/([^"]+)"',
        (await client.get("/buero/rueckmeldung")).text,
    )
    assert renewed and renewed.group(1) != first.group(1)
    assert (await client.get(f"/rueckmeldung/{first.group(1)}?lang=en")).status_code == 404
    assert (await client.get(f"/rueckmeldung/{renewed.group(1)}")).status_code == 200
    assert (
        await client.post("/buero/rueckmeldung/gibt-es-nicht", data={"csrf_token": csrf})
    ).status_code == 404
    assert (await client.get("/buero/rueckmeldung/amt/aushang.pdf")).status_code == 404
    # every new link is in the audit log (the admin reads it)
    await sign_in(client, "chef", PASSWORD)
    log = (await client.get("/protokoll?was=access.feedback_link")).text
    assert log.count("hat einen Rückmeldelink für die Einheit jobs erstellt") == 2
    assert "der erste Rückmeldelink der Einheit" in log and "Der alte funktioniert nicht mehr" in log
    assert (await client.get("/buero/rueckmeldung")).status_code == 200


async def test_the_thank_you_page_leads_to_the_results(client: AsyncTestClient) -> None:
    from survey.services.public_results import thanks_reference
    from survey.store.org import list_units

    jobs = await app_call(client, renew_feedback_link, "jobs", by="buero")
    [unit_id] = [u.id for u in await app_call(client, list_units) if u.key == "jobs"]
    reference = await app_call(client, thanks_reference, unit_id, client.app.state["settings"])
    staff = (await client.get(f"/danke?lang=en&einheit={reference}")).text
    assert f'href="/rueckmeldung/{jobs}?lang=en"' in staff
    assert "What happens next: results and measures of your unit" in staff
    citizen = (await client.get("/danke?lang=ar&stelle=mitte")).text
    assert 'href="/oeffentlich/mitte?lang=ar"' in citizen
    for bogus in (
        "/danke?lang=de&stelle=gibt-es-nicht",
        # a unit's number without the installation's signature opens nobody's link
        f"/danke?lang=de&einheit={unit_id}",
        f"/danke?lang=de&einheit={unit_id}.0123456789abcdef",
        "/danke?lang=de&einheit=falsch",
        "/danke?lang=de",
    ):
        assert 'href="/oeffentlich' not in (await client.get(bogus)).text
        assert 'href="/rueckmeldung' not in (await client.get(bogus)).text


# --- the redirect after answering, on the field's open waves ------------------------------------


@pytest.fixture
async def field_client(field) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    from survey.store.submissions import stop_writer

    await stop_writer()
    async with AsyncTestClient(app=create_app(field.settings)) as test_client:
        test_client.follow_redirects = False
        yield test_client


def _key(page: str) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert match
    return match.group(1)


async def test_after_answering_the_thank_you_page_links_the_results(
    field_client: AsyncTestClient, field
) -> None:  # type: ignore[no-untyped-def]
    from survey.services.invitations import create_unit_link

    client = field_client
    form = (await client.get("/s/buergerbuero-mitte?lang=tr")).text
    sent = await client.post(
        "/s/buergerbuero-mitte",
        data={"submission_key": _key(form), "lang": "tr", "freundlich-respektvoll": "4"},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/danke?lang=tr&stelle=buergerbuero-mitte"
    thanks = (await client.get(sent.headers["location"])).text
    assert 'href="/oeffentlich/buergerbuero-mitte?lang=tr"' in thanks
    # staff of a unit with a feedback link are led to it; without one, to nothing
    link = await app_call(client, create_unit_link, field.settings, "puls", "jugendamt")
    token = link.url.rsplit("/", 1)[-1]
    for with_link in (False, True):
        feedback = await app_call(client, renew_feedback_link, "jugendamt", by="buero") if with_link else None
        page = (await client.get(f"/t/{token}?lang=de")).text
        answer = await client.post(
            f"/t/{token}",
            data={
                "submission_key": _key(page),
                "lang": "de",
                "access_code": link.access_code,
                "fachbereiche-ziehen-mit": "4",
            },
        )
        assert answer.status_code == 303, answer.text
        # the unit, signed: the submission reads nothing more for it; /danke finds the link
        assert answer.headers["location"].startswith("/danke?lang=de&einheit=")
        thanks = (await client.get(answer.headers["location"])).text
        if feedback:
            assert f'href="/rueckmeldung/{feedback}?lang=de"' in thanks
        else:
            assert 'href="/rueckmeldung' not in thanks
