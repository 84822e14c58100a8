"""Respondent pages and the JSON API through litestar's test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator

import pytest
from babel.dates import format_date
from litestar.testing import AsyncTestClient
from portal_helpers import QUESTIONNAIRES, app_call

from survey.domain import load_catalog
from survey.services.invitations import create_unit_link, issue_invitations, issue_receipt_codes
from survey.services.waves import close_wave
from survey.store.tables import Answer, Comment, ResponseRow
from survey.web.app import create_app

#: the languages of the newest staff-pulse version, which the field's open staff wave asks in
STAFF_LANGUAGES = set(load_catalog(QUESTIONNAIRES).versions_of("staff-pulse")[-1].languages)


@pytest.fixture
async def client(field) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    # The app's lifespan opens the database and the writer itself; the fixture's writer stops first.
    from survey.store.submissions import stop_writer

    await stop_writer()
    async with AsyncTestClient(app=create_app(field.settings)) as test_client:
        yield test_client


def _key(page: str) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert match, "the form carries a submission key"
    return match.group(1)


async def _code(client: AsyncTestClient, field, unit: str = "jugendamt") -> str:  # type: ignore[no-untyped-def]
    issued = await app_call(client, issue_invitations, field.settings, "puls", unit, 1)
    return issued.codes[0]


async def test_the_staff_form_is_accessible_html(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    code = await _code(client, field)
    response = await client.get(f"/i/{code}")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="de" dir="ltr">' in page
    assert response.headers["cache-control"].startswith("no-store")
    assert 'autocomplete="off"' in page and "<script" not in page
    fieldsets = page.count("<fieldset")
    assert fieldsets == page.count("<legend>") == 16  # every scored item of staff-pulse v2
    assert page.count('value="na"') == fieldsets  # "keine Angabe" everywhere
    ids = re.findall(r'<(?:input|textarea)[^>]*\bid="([^"]+)"', page)
    labels = set(re.findall(r'<label for="([^"]+)"', page))
    assert ids and set(ids) <= labels, "every control has a label"
    assert set(re.findall(r'hreflang="([^"]+)"', page)) == STAFF_LANGUAGES  # what the version offers


async def test_language_switch_and_right_to_left(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    english = (await client.get(f"/i/{await _code(client, field)}?lang=en")).text
    assert '<html lang="en" dir="ltr">' in english
    arabic = (await client.get("/s/buergerbuero-mitte?lang=ar")).text
    assert '<html lang="ar" dir="rtl">' in arabic
    for tag in ("de", "de-x-ls", "en", "tr", "ar", "uk", "ru"):
        assert f'hreflang="{tag}"' in arabic
    turkish = await client.get("/s/buergerbuero-mitte", headers={"Accept-Language": "tr-TR,tr;q=0.9"})
    assert '<html lang="tr"' in turkish.text
    fallback = await client.get("/s/buergerbuero-mitte?lang=xx")
    assert '<html lang="de"' in fallback.text


async def test_submit_stores_once_and_thanks(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    code = await _code(client, field)
    page = (await client.get(f"/i/{code}")).text
    form = {"submission_key": _key(page), "lang": "de", "fachbereiche-ziehen-mit": "5", "kommentar": "Gut so"}
    first = await client.post(f"/i/{code}", data=form, follow_redirects=False)
    # the thank-you page in the language answered in, with the unit signed (for its feedback link)
    assert first.status_code == 303 and first.headers["location"].startswith("/danke?lang=de&einheit=")
    again = await client.post(f"/i/{code}", data=form, follow_redirects=False)  # reload / double click
    assert again.status_code == 303 and "again=1" in again.headers["location"]
    assert await app_call(client, ResponseRow.count().run) == 1
    thanks = await client.get(again.headers["location"])
    assert thanks.status_code == 200 and "<h1>" in thanks.text
    used = await client.get(f"/i/{code}")
    assert used.status_code == 410


async def test_problems_come_back_with_everything_typed(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    code = await _code(client, field)
    page = (await client.get(f"/i/{code}?lang=en")).text
    typed = "<script>alert(1)</script> Mein Text"
    form = {
        "submission_key": _key(page),
        "lang": "en",
        "fachbereiche-ziehen-mit": "9",
        "eine-anlaufstelle": "2",
        "kommentar": typed + "x" * 1000,
    }
    response = await client.post(f"/i/{code}", data=form)
    assert response.status_code == 400
    page = response.text
    assert 'role="alert"' in page
    assert 'href="#item-fachbereiche-ziehen-mit"' in page and 'href="#input-kommentar"' in page
    assert 'id="eine-anlaufstelle-2" name="eine-anlaufstelle" value="2" checked' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Mein Text" in page and "<script>" not in page
    assert 'aria-describedby="error-fachbereiche-ziehen-mit"' in page
    assert await app_call(client, ResponseRow.count().run) == 0


async def test_tampered_field_is_named(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    code = await _code(client, field)
    page = (await client.get(f"/i/{code}?lang=en")).text
    response = await client.post(
        f"/i/{code}",
        data={"submission_key": _key(page), "lang": "en", "wave": "42", "fachbereiche-ziehen-mit": "3"},
    )
    assert response.status_code == 400
    assert "The form was changed or is out of date" in response.text
    forged = await client.post(f"/i/{code}", data={"submission_key": "forged.0000", "lang": "en"})
    assert forged.status_code == 400 and "The form was changed" in forged.text
    assert await app_call(client, ResponseRow.count().run) == 0


async def test_entry_pages(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get("/i/K7QM-2XHD-9RTC")).status_code == 404
    assert (await client.get("/t/unknown-token")).status_code == 404
    assert (await client.get("/s/nirgendwo")).status_code == 404
    entry = await client.get("/i?lang=en")
    assert entry.status_code == 200 and 'name="code"' in entry.text
    code = await _code(client, field)
    found = await client.post("/i", data={"code": code.lower(), "lang": "en"}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"].startswith(f"/i/{code.replace('-', '')}")
    wrong = await client.post("/i", data={"code": "K7QM-2XHD-9RTC", "lang": "en"})
    assert (
        wrong.status_code == 404
        and 'id="code-error"' in wrong.text
        and 'value="K7QM-2XHD-9RTC"' in wrong.text
    )


async def test_closed_wave_refuses_but_keeps_the_text(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    code = await _code(client, field)
    page = (await client.get(f"/i/{code}?lang=en")).text
    await app_call(client, close_wave, "puls")
    response = await client.post(
        f"/i/{code}", data={"submission_key": _key(page), "lang": "en", "kommentar": "Bitte mehr Homeoffice"}
    )
    assert response.status_code == 410
    assert "Bitte mehr Homeoffice" in response.text
    assert await app_call(client, Comment.count().run) == 0


async def test_unit_link_wrong_then_right_code(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    link = await app_call(client, create_unit_link, field.settings, "puls", "musikschule")
    path = link.url.removeprefix(field.settings.base_url)
    page = (await client.get(path + "?lang=en")).text
    assert 'id="access_code"' in page
    form = {
        "submission_key": _key(page),
        "lang": "en",
        "access_code": "K7QM-2XHD-9RTC",
        "loesungen-tragen": "4",
    }
    wrong = await client.post(path, data=form)
    assert wrong.status_code == 400 and 'href="#access_code"' in wrong.text
    assert 'value="4" checked' in wrong.text
    right = await client.post(path, data={**form, "access_code": link.access_code}, follow_redirects=False)
    assert right.status_code == 303
    assert await app_call(
        client, Answer.select(Answer.value).where(Answer.item == "loesungen-tragen").run
    ) == [{"value": 4}]


async def test_kiosk_resets_after_each_submission(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    page = (await client.get("/s/buergerbuero-mitte/kiosk?lang=tr")).text
    assert 'class="kiosk"' in page and 'action="/s/buergerbuero-mitte/kiosk"' in page
    assert "kiosk-thanks" not in page
    sent = await client.post(
        "/s/buergerbuero-mitte/kiosk",
        follow_redirects=False,
        data={"submission_key": _key(page), "lang": "tr", "gesamturteil": "8", "kommentar": "Çok iyi"},
    )
    # Straight back to an empty form in the default language, with a note in Turkish on top.
    assert sent.status_code == 303 and sent.headers["location"] == "/s/buergerbuero-mitte/kiosk?danke=tr"
    fresh = await client.get(sent.headers["location"])
    assert fresh.headers["cache-control"].startswith("no-store")
    assert '<html lang="de"' in fresh.text and 'role="status" lang="tr"' in fresh.text
    assert "checked" not in fresh.text and "Çok iyi" not in fresh.text
    assert "http-equiv" not in fresh.text  # no timed refresh (WCAG 2.2.1)
    assert _key(fresh.text) != _key(page)
    stored = await app_call(
        client, ResponseRow.select(ResponseRow.language, ResponseRow.service_point.key).run
    )
    assert stored == [{"language": "tr", "service_point.key": "buergerbuero-mitte"}]


async def test_json_api(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    form = (await client.get("/api/v1/forms/service-points/buergerbuero-mitte?lang=uk")).json()
    assert form["wave"] == "buerger" and form["language"] == "uk" and "ar" in form["languages"]
    assert any(i["id"] == "gesamturteil" for i in form["questionnaire"]["items"])
    body = {
        "channel": "service_point",
        "reference": "buergerbuero-mitte",
        "language": "uk",
        "submission_key": form["submission_key"],
        "answers": {"gesamturteil": 10, "freundlich-respektvoll": None, "kommentar": "Дякую"},
    }
    created = await client.post("/api/v1/responses", json=body)
    assert created.status_code == 201 and created.json()["status"] == "stored"
    again = await client.post("/api/v1/responses", json=body)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    bad = await client.post(
        "/api/v1/responses",
        json={**body, "submission_key": form["submission_key"] + "x", "answers": {"gesamturteil": 11}},
    )
    problems = bad.json()["problems"]
    assert bad.status_code == 422 and {p["code"] for p in problems} == {"form_changed", "outside_scale"}
    assert all(p["message"] for p in problems)
    unknown = await client.post("/api/v1/responses", json={**body, "reference": "nirgendwo"})
    assert unknown.status_code == 404 and unknown.json()["status"] == "service_point_unknown"
    malformed = await client.post("/api/v1/responses", json={"channel": "fax"})
    assert malformed.status_code == 400
    code = await _code(client, field)
    staff = {"channel": "invitation", "reference": code, "language": "de", "answers": {"kommentar": "Gut"}}
    key = (await client.get(f"/api/v1/forms/invitations/{code}")).json()["submission_key"]
    assert (await client.post("/api/v1/responses", json={**staff, "submission_key": key})).status_code == 201
    used = await client.post("/api/v1/responses", json={**staff, "submission_key": key + "0"})
    assert used.status_code == 410
    schema = (await client.get("/api/schema/openapi.json")).json()
    assert "/api/v1/responses" in schema["paths"] and "/api/v1/forms/service-points/{key}" in schema["paths"]


async def test_oversized_body_is_refused(client: AsyncTestClient) -> None:
    response = await client.post(
        "/s/buergerbuero-mitte",
        content=b"x=" + b"a" * 300_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


async def test_an_empty_form_is_refused_and_nothing_stored(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    page = (await client.get("/s/buergerbuero-mitte")).text
    empty = await client.post("/s/buergerbuero-mitte", data={"submission_key": _key(page), "lang": "de"})
    assert empty.status_code == 400
    assert "Bitte beantworten Sie mindestens eine Frage, bevor Sie das Formular absenden." in empty.text
    assert "Ihre Antworten sind gespeichert" not in empty.text
    assert 'href="#item-freundlich-respektvoll"' in empty.text  # the summary leads to the first question
    code = await _code(client, field)
    staff = (await client.get(f"/i/{code}?lang=en")).text
    refused = await client.post(
        f"/i/{code}", data={"submission_key": _key(staff), "lang": "en", "kommentar": " "}
    )
    assert refused.status_code == 400 and "Please answer at least one question" in refused.text
    assert await app_call(client, ResponseRow.count().run) == 0
    # the same form with one answer is stored, and "keine Angabe" is an answer too
    one = await client.post(
        "/s/buergerbuero-mitte",
        data={"submission_key": _key(page), "lang": "de", "gesamturteil": "na"},
        follow_redirects=False,
    )
    assert one.status_code == 303
    assert await app_call(client, ResponseRow.count().run) == 1


async def test_an_empty_api_body_is_refused_with_the_forms_message(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    form = (await client.get("/api/v1/forms/service-points/buergerbuero-mitte?lang=de")).json()
    body = {
        "channel": "service_point",
        "reference": "buergerbuero-mitte",
        "language": "de",
        "submission_key": form["submission_key"],
        "answers": {},
    }
    refused = await client.post("/api/v1/responses", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["problems"] == [
        {
            "code": "empty",
            "message": "Bitte beantworten Sie mindestens eine Frage, bevor Sie das Formular absenden.",
            "item": None,
        }
    ]
    blank = await client.post("/api/v1/responses", json={**body, "answers": {"kommentar": "   "}})
    assert blank.status_code == 422 and blank.json()["problems"][0]["code"] == "empty"
    assert await app_call(client, ResponseRow.count().run) == 0
    stored = await client.post("/api/v1/responses", json={**body, "answers": {"gesamturteil": 7}})
    assert stored.status_code == 201
    assert await app_call(client, ResponseRow.count().run) == 1


async def test_a_wrong_receipt_code_can_be_corrected_or_removed(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    _name, (genuine,) = await app_call(
        client, issue_receipt_codes, field.settings, "buergerbuero-mitte", 1, 30
    )
    page = (await client.get("/s/buergerbuero-mitte?beleg=K7QM-2XHD-9RTC")).text
    # the code from the receipt's QR code is a visible field, not a hidden one
    assert 'id="receipt_code" name="receipt_code" value="K7QM-2XHD-9RTC"' in page
    assert 'type="hidden" name="receipt_code"' not in page
    form = {"submission_key": _key(page), "lang": "de", "gesamturteil": "8", "receipt_code": "K7QM-2XHD-9RTC"}
    wrong = await client.post("/s/buergerbuero-mitte", data=form)
    assert wrong.status_code == 400
    assert 'href="#receipt_code"' in wrong.text and 'id="receipt_code-error"' in wrong.text
    assert "Bitte korrigieren Sie ihn, oder löschen Sie ihn, um ohne ihn zu antworten." in wrong.text
    assert "Bitte prüfen Sie Folgendes" in wrong.text and "1 Antwort" not in wrong.text
    assert 'value="K7QM-2XHD-9RTC"' in wrong.text and 'value="8" checked' in wrong.text
    # removed: the rating is stored without a code, and the field does not come back filled
    removed = await client.post(
        "/s/buergerbuero-mitte", data={**form, "receipt_code": ""}, follow_redirects=False
    )
    assert removed.status_code == 303
    # corrected: stored with the genuine code, which is then used
    page = (await client.get("/s/buergerbuero-mitte?beleg=K7QM-2XHD-9RTX")).text
    corrected = await client.post(
        "/s/buergerbuero-mitte",
        data={**form, "submission_key": _key(page), "receipt_code": genuine},
        follow_redirects=False,
    )
    assert corrected.status_code == 303
    assert await app_call(client, ResponseRow.count().run) == 2
    page = (await client.get("/s/buergerbuero-mitte")).text
    reused = await client.post(
        "/s/buergerbuero-mitte", data={**form, "submission_key": _key(page), "receipt_code": genuine}
    )
    assert reused.status_code == 400 and "bereits verwendet" in reused.text


async def test_the_staff_form_names_unit_and_last_day(client: AsyncTestClient, field) -> None:  # type: ignore[no-untyped-def]
    code = await _code(client, field)
    last_day = field.today + dt.timedelta(days=30)
    german = (await client.get(f"/i/{code}")).text
    assert "Ihre Antworten zählen für: Fachbereich Jugendamt" in german
    assert (
        f"Sie können bis einschließlich {format_date(last_day, 'long', locale='de_DE')} antworten." in german
    )
    english = (await client.get(f"/i/{code}?lang=en")).text
    assert "Your answers count for: Fachbereich Jugendamt" in english
    assert f"You can answer until {format_date(last_day, 'long', locale='en_GB')}." in english
    citizen = (await client.get("/s/buergerbuero-mitte")).text
    assert "zählen für" not in citizen  # citizens see the service point instead


async def test_staff_entry_pages_offer_the_staff_questionnaires_languages(
    client: AsyncTestClient, field
) -> None:  # type: ignore[no-untyped-def]
    code = await _code(client, field)
    page = (await client.get(f"/i/{code}")).text
    stored = await client.post(
        f"/i/{code}",
        data={"submission_key": _key(page), "lang": "de", "kommentar": "Gut"},
        follow_redirects=False,
    )
    assert stored.status_code == 303
    for path in ("/i", "/i/K7QM-2XHD-9RTC", f"/i/{code}", "/t/unknown-token"):
        response = await client.get(path)
        offered = set(re.findall(r'hreflang="([^"]+)"', response.text))
        assert offered == STAFF_LANGUAGES, f"{path} ({response.status_code}) offers {sorted(offered)}"
    wrong = await client.post("/i", data={"code": "K7QM-2XHD-9RTC", "lang": "ar"})
    assert set(re.findall(r'hreflang="([^"]+)"', wrong.text)) == STAFF_LANGUAGES
    assert '<html lang="ar" dir="rtl"' in wrong.text
    # a language no staff questionnaire offers falls back to German
    unoffered = await client.post("/i", data={"code": "K7QM-2XHD-9RTC", "lang": "xx"})
    assert '<html lang="de"' in unoffered.text
    # a citizen's unknown service point still offers every language
    assert 'hreflang="ar"' in (await client.get("/s/nirgendwo")).text
    # the languages come from the open staff waves: with none open, German and English
    await app_call(client, close_wave, "puls")
    assert set(re.findall(r'hreflang="([^"]+)"', (await client.get("/i")).text)) == {"de", "en"}
