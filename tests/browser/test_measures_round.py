"""Measures in headless Chromium, from the lead's form to the staff's and the citizens' pages
(issue 19, acceptance 3).

The Jugendamt's lead creates a measure on "Gemeinsam für Lindenau" and invites the Jobcenter; the
Dezernentin (lead of the Dezernat above the Jobcenter) confirms it for the Jobcenter, so the
measure has two owning units; the Jugendamt's lead records progress. The survey office makes the
Jugendamt's feedback link, and its staff open it without signing in and see the measure. A
citizen opens the Ausländerbehörde's public page in Arabic and in Leichte Sprache and sees the
demo's public measure there. axe-core checks every one of these pages: the signed-in ones in
German on one engine and in English on the other (their markup does not depend on the engine),
the public and feedback pages in German, English, Arabic and Leichte Sprache.

The servers are those of tests/browser/test_office_round.py (a small demo per engine, built
through the real CLI, which adds the demo's measures).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


office_round = _load("measures_office_round", HERE / "test_office_round.py")
server = office_round.server  # the fixture: one `survey serve` per engine over a small demo
Server = office_round.Server
signed_in, go, click_to, main_text = (
    office_round.signed_in,
    office_round.go,
    office_round.click_to,
    office_round.main_text,
)
assert_no_axe_violations = office_round.assert_no_axe_violations

TITLE = "Fallkonferenz Jugendamt und Jobcenter"
NOTE = "Erste gemeinsame Fallkonferenz mit dem Jobcenter."
PUBLIC_MEASURE = "Merkblätter in sieben Sprachen"  # a public demo measure (survey.services.demo_measures)
SERVICE_POINT = "auslaenderbehoerde-service"
CITIZEN_LANGUAGES = ("de", "en", "ar", "de-x-ls")


def _with(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def test_a_measure_from_the_leads_form_to_the_staff_and_the_citizens(
    server: Any, browser: Any, axe_source: str
) -> None:
    url = server.url
    portal_language = "de" if server.engine == "sqlite" else "en"
    lead = signed_in(browser, url, "leitung-jugendamt")
    dezernentin = signed_in(browser, url, "leitung-kjfs")
    office = signed_in(browser, url, "buero")
    anonymous = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}).new_page()
    try:
        # the lead creates the measure for the Jugendamt and invites the Jobcenter
        go(lead, f"{url}/massnahmen/neu")
        lead.fill("#title", TITLE)
        lead.check("#value-gemeinsam")
        lead.check("#unit-jugendamt")
        lead.fill("#responsible", "Netzwerkkoordination Jugendamt")
        lead.fill("#starts_on", "2026-01-12")
        click_to(lead, "form.measure-form button[type=submit]")
        measure = urlsplit(lead.url).path
        assert measure.startswith("/massnahmen/") and TITLE in main_text(lead)
        lead.select_option("#invite-unit", "jobcenter")
        click_to(lead, f'form[action="{measure}/einheiten"] button[type=submit]')
        assert "Fachbereich Jobcenter" in main_text(lead)

        # the Dezernentin confirms it for the Jobcenter: two owning units
        go(dezernentin, url + measure)
        click_to(dezernentin, f'form[action="{measure}/einheiten/jobcenter/bestaetigen"] button')
        assert dezernentin.locator(f'form[action="{measure}/einheiten/jobcenter/bestaetigen"]').count() == 0

        # the lead records progress
        go(lead, url + measure)
        lead.fill("#note-day", "2026-02-02")
        lead.fill("#note-text", NOTE)
        click_to(lead, "form.note-form button[type=submit]")
        assert NOTE in main_text(lead)
        for path in ("/massnahmen", "/massnahmen/neu", measure):
            go(lead, _with(url + path, portal_language))
            assert lead.locator("html").get_attribute("lang") == portal_language
            assert_no_axe_violations(lead, axe_source)

        # the office makes the Jugendamt's feedback link; its staff open it without signing in
        go(office, f"{url}/buero/rueckmeldung")
        click_to(office, 'form[action="/buero/rueckmeldung/jugendamt"] button')
        feedback = office.locator('[id="unit-jugendamt"] a[href*="/rueckmeldung/"]').first.get_attribute(
            "href"
        )
        assert feedback is not None
        go(office, _with(f"{url}/buero/rueckmeldung", portal_language))
        assert_no_axe_violations(office, axe_source)
        for lang in ("de", "en"):
            go(anonymous, _with(feedback, lang))
            assert TITLE in main_text(anonymous), lang
            assert anonymous.locator("html").get_attribute("lang") == lang
            assert_no_axe_violations(anonymous, axe_source)

        # a citizen reads the service point's public page in every language, with its public measure
        for lang in CITIZEN_LANGUAGES:
            go(anonymous, _with(f"{url}/oeffentlich/{SERVICE_POINT}", lang))
            assert anonymous.locator("html").get_attribute("lang") == lang
            assert PUBLIC_MEASURE in main_text(anonymous), lang
            assert TITLE not in main_text(anonymous)  # not public: never on a citizens' page
            assert_no_axe_violations(anonymous, axe_source)
    finally:
        for page in (lead, dezernentin, office, anonymous):
            page.context.close()
