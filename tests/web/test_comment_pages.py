"""The comment pages (issue 21) through litestar's test client on the small demo Kommune, on SQLite
and PostgreSQL: a unit's comments by value and theme (German and English, audited, its JSON twin
with the themes), the office's redaction settings and codebook with a bad input refused next to
its field and the typed text kept, and the release pages' list."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from portal_helpers import QUESTIONNAIRES, app_call, sign_in

from survey.services.audit import audit_log
from survey.services.redaction import redact_comments

BAD_RULES = "case_numbers:\n  - label: Kassenzeichen\n    pattern: '(\\d+)+'\nkeep: [Lindenau]\n"


async def test_the_comments_by_value_and_theme(portal_client: AsyncTestClient) -> None:
    # the whole organisation: in the small demo Kommune a Fachbereich's comments stay under k_text
    client = portal_client
    await sign_in(client, "buero")
    unit = await client.get("/dashboard/verwaltung")
    assert unit.status_code == 200
    assert 'href="/dashboard/verwaltung/kommentare?fragebogen=staff-pulse"' in unit.text
    page = await client.get("/dashboard/verwaltung/kommentare")
    assert page.status_code == 200, page.text
    text = page.text
    for value in ("Gemeinsam für Lindenau", "Vertrauen schenken und verdienen"):
        assert value in text
    assert 'class="theme-list"' in text and "Häufige Wörter" in text
    assert "Schneider aus der Zentrale" not in text and "0351 4187723" not in text
    english = await client.get("/dashboard/verwaltung/kommentare?lang=en")
    assert "Together for Lindenau" in english.text and "Frequent words" in english.text
    views = await app_call(client, audit_log, action="comments.view")
    assert views and views[0].username == "buero" and views[0].target == "verwaltung"

    api = (await client.get("/api/v1/units/verwaltung/comments")).json()
    assert api["comments"] and api["hidden"] is None
    themes = api["themes"]
    assert themes["themed"] and themes["total"] == len(api["comments"])
    assert {v["value"] for v in themes["values"]} >= {"gemeinsam", "nachhaltig"}
    keys = {t["key"] for v in themes["values"] for t in v["themes"]}
    assert keys and keys <= {
        "abstimmung", "informationsfluss", "silodenken", "wartezeit", "terminvergabe", "freundlichkeit",
        "erreichbarkeit", "fuehrung", "fehlerkultur", "wertschaetzung", "entscheidungen", "information",
        "formulare", "digitalisierung", "genehmigungswege", "personal", "umsetzung", "ausstattung",
    }  # fmt: skip


async def test_the_office_keeps_names_and_rules_of_the_redaction(portal_client: AsyncTestClient) -> None:
    client = portal_client
    csrf = await sign_in(client, "buero")
    page = await client.get("/buero/schwaerzung")
    assert page.status_code == 200 and "Lindenau" in page.text  # the shipped rules, to edit
    assert "Was sich in jeder Sprache nicht prüfen lässt" in page.text

    refused = await client.post(
        "/buero/schwaerzung", data={"csrf_token": csrf, "names": "Zorbatin Quelldrach", "rules": BAD_RULES}
    )
    assert refused.status_code == 422
    assert "3: case_numbers[0].pattern" in refused.text and 'aria-invalid="true"' in refused.text
    assert "Zorbatin Quelldrach" in refused.text and "Kassenzeichen" in refused.text  # typed text kept
    empty = await client.post("/buero/schwaerzung", data={"csrf_token": csrf})
    assert empty.status_code == 422

    typed = [("k", "Zorbatin Quelldrach war da")]
    before = await app_call(client, redact_comments, QUESTIONNAIRES, typed, "de")
    assert before == typed  # no name list knows him
    saved = await client.post(
        "/buero/schwaerzung",
        data={"csrf_token": csrf, "names": "Zorbatin Quelldrach\n", "rules": "keep: [Lindenau]\n"},
    )
    assert saved.status_code == 303
    after = await app_call(client, redact_comments, QUESTIONNAIRES, typed, "de")
    assert "Zorbatin" not in after[0][1] and "Quelldrach" not in after[0][1] and "[Name]" in after[0][1]
    assert "Zorbatin Quelldrach" in (await client.get("/buero/schwaerzung")).text


async def test_the_office_edits_the_codebook(portal_client: AsyncTestClient) -> None:
    client = portal_client
    csrf = await sign_in(client, "buero")
    page = await client.get("/buero/codebuch")
    assert page.status_code == 200 and "codebook: lindenau" in page.text
    original = (QUESTIONNAIRES / "_codebooks" / "lindenau.yaml").read_text(encoding="utf-8")
    broken = original.replace("  gemeinsam:", "  gemeinsamm:", 1)
    refused = await client.post("/buero/codebuch", data={"csrf_token": csrf, "text": broken, "revision": "1"})
    assert refused.status_code == 422
    assert "gemeinsamm" in refused.text and "values.gemeinsamm" in refused.text  # named, typed text kept
    changed = original.replace("Personaldecke,", "Personaldecke, Personalengpass,", 1)
    assert changed != original
    saved = await client.post("/buero/codebuch", data={"csrf_token": csrf, "text": changed, "revision": "1"})
    assert saved.status_code == 303
    stale = await client.post("/buero/codebuch", data={"csrf_token": csrf, "text": original, "revision": "1"})
    assert stale.status_code == 409 and "Personalengpass" not in stale.text.split("<textarea")[0]
    assert "Personalengpass" in (await client.get("/buero/codebuch")).text


async def test_the_release_pages_are_the_reviewers(portal_client: AsyncTestClient) -> None:
    client = portal_client
    await sign_in(client, "personalrat")
    page = await client.get("/kommentare/freigabe")
    assert page.status_code == 200 and 'href="/kommentare/freigabe"' in page.text  # in the navigation
    assert (await client.get("/kommentare/freigabe/gibt-es-nicht")).status_code == 404
    await sign_in(client, "leitung-jugendamt")
    assert (await client.get("/kommentare/freigabe")).status_code == 403
