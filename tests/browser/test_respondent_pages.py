"""The respondent pages in headless Chromium: staff and citizens answer, a kiosk forgets, a wrong
access code comes back with everything typed, and axe-core finds no WCAG 2.1 A/AA violation on any
page: the forms in every language they offer, the staff pages around the form (code entry, errors,
closed) in German, English and Arabic.

The flows run on SQLite and on PostgreSQL (one server each); the axe matrix on SQLite only. What is
stored is read straight from the database, not through the app.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from survey.domain import load_catalog
from survey.web.i18n import LANGUAGES as PAGE_LANGUAGES

Site = Any  # tests/browser/conftest.py: the running server and what the CLI printed


def _languages(questionnaire: str) -> list[str]:
    """The languages of the newest version of `questionnaire`: the one the site's waves ask in."""
    questionnaires = Path(__file__).resolve().parents[2] / "questionnaires"
    return list(load_catalog(questionnaires).versions_of(questionnaire)[-1].languages)


def _few(languages: list[str]) -> list[str]:
    """German, English and the first right-to-left language of `languages`: enough for the staff
    pages around the form (code entry, errors, closed), whose texts come from the catalogs."""
    rtl = [lang for lang in languages if PAGE_LANGUAGES[lang].rtl][:1]
    return [lang for lang in languages if lang in ("de", "en")] + rtl


LANGUAGES = _languages("citizen-contact")
STAFF_LANGUAGES = _languages("staff-pulse")  # other requests fall back to the browser's language
STAFF_FEW = _few(STAFF_LANGUAGES)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARABIC = re.compile("[\u0600-\u06ff]")
WRONG_CODE = "AAAA-BBBB-CCCC"

only_sqlite = pytest.mark.parametrize("site", ["sqlite"], indirect=True)


# --- helpers ------------------------------------------------------------------------------------


def choose(page: Any, item: str, label: str) -> None:
    """Click the label of one answer, as a person with a mouse does."""
    page.locator(f"#item-{item}").get_by_text(label, exact=True).click()


def checked(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('input[type=radio]:checked')]
                                     .map(input => [input.name, input.value]))"""
    )


def textarea_values(page: Any) -> list[str]:
    return page.eval_on_selector_all("textarea", "areas => areas.map(area => area.value)")


def submit(page: Any) -> Any:
    """Press the form's only button and return the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button").click()
    return navigation.value


def one_new_response(site: Site, wave: str, before: set[str]) -> dict[str, Any]:
    new = site.response_ids(wave) - before
    assert len(new) == 1, f"expected one new response in {wave}, found {len(new)}"
    return site.response(new.pop())


def html_attributes(page: Any) -> tuple[str | None, str | None]:
    html = page.locator("html")
    return html.get_attribute("lang"), html.get_attribute("dir")


def tab_to(page: Any, condition: str, presses: int = 80) -> None:
    """Press Tab until `condition` (JS over `el`, the focused element) holds."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return Boolean({condition}); }}"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def assert_no_axe_violations(page: Any, axe_source: str) -> None:
    page.evaluate(axe_source)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("options => axe.run(document, options)", options)
    violations = result["violations"]
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' > '.join(map(str, node['target']))}: {summary}")
    assert not violations, f"{len(violations)} axe violation(s) on {page.url}:\n" + "\n".join(lines)


# --- A1: staff with an invitation letter --------------------------------------------------------

STAFF_ANSWERS = {  # item → (label clicked, code stored)
    "fachbereiche-ziehen-mit": ("Trifft eher zu", 4),
    "eine-anlaufstelle": ("Trifft voll zu", 5),
    "wissen-geteilt": ("Teils, teils", 3),
    "fehler-offen-ansprechen": ("Trifft gar nicht zu", 1),
    "zutrauen-fuehrung": ("keine Angabe", None),
    "arbeitgeber-weiterempfehlen": ("8", 8),
}
STAFF_COMMENT = "Mehr Zeit für Übergaben zwischen den Teams, bitte."


def test_staff_member_answers_once_with_an_invitation_link(site: Site, page: Any) -> None:
    link = site.take_invitation()
    before = site.response_ids(site.staff_wave)

    first = page.goto(link)
    assert first.status == 200
    assert html_attributes(page) == ("de", "ltr")
    # a change of mind: the last click counts
    choose(page, "fachbereiche-ziehen-mit", "Trifft gar nicht zu")
    for item, (label, _) in STAFF_ANSWERS.items():
        choose(page, item, label)
    assert checked(page) == {item: str(code or "na") for item, (_, code) in STAFF_ANSWERS.items()}
    page.get_by_role("textbox").fill(STAFF_COMMENT)

    thanks = submit(page)
    assert thanks.status == 200
    assert re.search(r"/danke\?lang=de&einheit=\d+\.[0-9a-f]{16}$", page.url)
    assert html_attributes(page) == ("de", "ltr")
    heading = page.get_by_role("heading", level=1)
    assert heading.is_visible() and heading.inner_text() != "Thank you!"  # the German catalog's text
    assert not page.locator("form.questionnaire").count()

    again = page.goto(link)
    assert again.status == 410
    assert not page.locator("form.questionnaire").count()
    assert page.get_by_role("heading", level=1).is_visible()

    stored = one_new_response(site, site.staff_wave, before)
    assert stored["unit"] == "jugendamt"
    assert stored["service_point"] is None
    assert stored["language"] == "de"
    assert stored["answers"] == {item: code for item, (_, code) in STAFF_ANSWERS.items()}
    assert stored["comments"] == {"kommentar": STAFF_COMMENT}


# --- A1: a citizen in Arabic, by keyboard only --------------------------------------------------


def test_citizen_answers_in_arabic_by_keyboard_only(site: Site, page: Any) -> None:
    before = site.response_ids(site.citizen_wave)
    page.goto(f"{site.url}/s/{site.service_point}")
    assert html_attributes(page) == ("de", "ltr")
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="العربية").click()
    assert html_attributes(page) == ("ar", "rtl")
    assert page.url.endswith(f"/s/{site.service_point}?lang=ar")
    assert ARABIC.search(page.get_by_role("heading", level=1).inner_text())

    # From here on the keyboard only: Tab into a radio group, arrows pick, Space checks.
    tab_to(page, "el.name === 'freundlich-respektvoll'")
    assert page.evaluate("document.activeElement.value") == "1"  # the first option, nothing checked yet
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # 1 → 4
    tab_to(page, "el.name === 'verstaendlich-erklaert'")
    page.keyboard.press("Space")  # 1
    tab_to(page, "el.name === 'anliegen-geloest'")
    for _ in range(5):
        page.keyboard.press("ArrowDown")  # past the five agreement options to "no answer"
    tab_to(page, "el.name === 'gesamturteil'")
    for _ in range(7):
        page.keyboard.press("ArrowDown")  # 0 → 7
    tab_to(page, "el.tagName === 'TEXTAREA'")
    page.keyboard.type("شكرًا على المساعدة")
    assert checked(page) == {
        "freundlich-respektvoll": "4",
        "verstaendlich-erklaert": "1",
        "anliegen-geloest": "na",
        "gesamturteil": "7",
    }
    tab_to(page, "el.tagName === 'BUTTON'")
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.status == 200
    assert "/danke?lang=ar" in page.url
    assert html_attributes(page) == ("ar", "rtl")

    stored = one_new_response(site, site.citizen_wave, before)
    assert stored["language"] == "ar"
    assert stored["service_point"] == site.service_point
    assert stored["answers"] == {
        "freundlich-respektvoll": 4,
        "verstaendlich-erklaert": 1,
        "anliegen-geloest": None,
        "gesamturteil": 7,
    }
    assert stored["comments"] == {"kommentar": "شكرًا على المساعدة"}
    # The thank-you page speaks Arabic (its texts come from the gettext catalog).
    assert ARABIC.search(page.get_by_role("heading", level=1).inner_text()), page.content()
    assert ARABIC.search(page.locator("main p").first.inner_text())


# --- A1: the kiosk ------------------------------------------------------------------------------


def assert_nothing_kept(page: Any) -> None:
    assert checked(page) == {}, f"answers still checked on {page.url}"
    assert all(value == "" for value in textarea_values(page)), f"text still there on {page.url}"


def test_kiosk_starts_again_empty_and_keeps_nothing(site: Site, page: Any) -> None:
    kiosk = f"{site.url}/s/{site.service_point}/kiosk"
    documents: list[Any] = []
    page.on("response", lambda r: documents.append(r) if r.request.resource_type == "document" else None)
    before = site.response_ids(site.citizen_wave)

    page.goto(f"{kiosk}?lang=en")
    assert page.locator("body.kiosk").count() == 1
    assert not page.get_by_role("status").count()
    choose(page, "freundlich-respektvoll", "Completely true")
    choose(page, "gesamturteil", "9")
    page.get_by_role("textbox").fill("Very friendly at the counter.")
    start = time.monotonic()
    landed = submit(page)

    # Straight back to an empty form for the next person (at the latest within 10 s), in German,
    # with a thank-you note in the language the last person used.
    page.wait_for_url(re.compile(rf"^{re.escape(kiosk)}(\?.*)?$"), timeout=10_000)
    assert time.monotonic() - start <= 10
    assert landed.status == 200
    assert html_attributes(page) == ("de", "ltr")
    note = page.get_by_role("status")
    assert note.is_visible()
    assert note.get_attribute("lang") == "en"
    assert not page.locator("meta[http-equiv=refresh]").count()  # nothing timed (WCAG 2.2.1)
    assert page.locator("form.questionnaire").count() == 1
    assert_nothing_kept(page)

    # The next person presses "back": whatever the browser shows, it is not the last person's answers.
    steps = 0
    while steps < 3 and page.go_back() is not None:
        steps += 1
        assert_nothing_kept(page)
    assert steps >= 1, "there was no page to go back to"

    stored = one_new_response(site, site.citizen_wave, before)
    assert stored["language"] == "en"
    assert stored["answers"] == {"freundlich-respektvoll": 5, "gesamturteil": 9}
    assert stored["comments"] == {"kommentar": "Very friendly at the counter."}
    assert stored["service_point"] == site.service_point
    assert len(documents) >= 3
    for response in documents:
        if 300 <= response.status < 400:
            continue  # the redirect after a POST carries no page
        assert "no-store" in (response.headers.get("cache-control") or ""), (response.url, response.headers)


# --- a validation round trip --------------------------------------------------------------------


def test_wrong_access_code_comes_back_with_everything_typed(site: Site, page: Any) -> None:
    before = site.response_ids(site.staff_wave)
    page.goto(site.unit_link)
    assert html_attributes(page) == ("de", "ltr")
    page.locator("#access_code").fill(WRONG_CODE)
    choose(page, "anliegen-verstehen", "Trifft eher zu")
    choose(page, "langfristig-denken", "keine Angabe")
    choose(page, "arbeitgeber-weiterempfehlen", "10 – auf jeden Fall")
    page.get_by_role("textbox", name=re.compile("Leitbild")).fill("Der Aushang hängt zu hoch.")

    refused = submit(page)
    assert refused.status == 400
    summary = page.get_by_role("alert")
    assert summary.is_visible()
    link = summary.locator("a[href='#access_code']")
    assert link.count() == 1
    link.click()
    assert page.evaluate("document.activeElement.id") == "access_code"
    described = page.locator("#access_code").get_attribute("aria-describedby") or ""
    assert "access_code-error" in described.split()
    assert page.locator("#access_code-error").is_visible()
    # everything the person chose and typed is still there
    assert checked(page) == {
        "anliegen-verstehen": "4",
        "langfristig-denken": "na",
        "arbeitgeber-weiterempfehlen": "10",
    }
    assert textarea_values(page) == ["Der Aushang hängt zu hoch."]
    assert site.response_ids(site.staff_wave) == before

    page.locator("#access_code").fill(site.access_code)
    stored_page = submit(page)
    assert stored_page.status == 200
    assert re.search(r"/danke\?lang=de&einheit=\d+\.[0-9a-f]{16}$", page.url)
    stored = one_new_response(site, site.staff_wave, before)
    assert stored["unit"] == "musikschule"
    assert stored["answers"] == {
        "anliegen-verstehen": 4,
        "langfristig-denken": None,
        "arbeitgeber-weiterempfehlen": 10,
    }
    assert stored["comments"] == {"kommentar": "Der Aushang hängt zu hoch."}


# --- A2: axe-core on every page in every language (SQLite) --------------------------------------


@dataclass(frozen=True)
class RespondentPage:
    status: int
    languages: list[str]  # what the page offers; other requests fall back to German
    open: Callable[[Site, Any, str], Any]  # (site, page, lang) → the response of the page to check
    page_language: str | None = None  # a page always in this language, whatever `lang` is
    checked: list[str] | None = None  # the languages axe checks it in (all it offers where None)

    def shown(self, lang: str) -> str:
        return self.page_language or (lang if lang in self.languages else "de")


def _get(path: Callable[[Site], str]) -> Callable[[Site, Any, str], Any]:
    def open_page(site: Site, page: Any, lang: str) -> Any:
        return page.goto(f"{path(site)}?lang={lang}")

    return open_page


def _wrong_access_code(site: Site, page: Any, lang: str) -> Any:
    page.goto(f"{site.unit_link}?lang={lang}")
    page.locator("#access_code").fill(WRONG_CODE)
    return submit(page)


def _wrong_invitation_code(site: Site, page: Any, lang: str) -> Any:
    page.goto(f"{site.url}/i?lang={lang}")
    page.locator("#code").fill(WRONG_CODE)
    return submit(page)


def _closed_with_kept_text(site: Site, page: Any, lang: str) -> Any:
    # A form opened while the wave was open and sent after it closed: the page shows the typed text.
    page.goto(f"{site.unit_link}?lang={lang}")
    page.locator("form.questionnaire").evaluate(
        "(form, action) => { form.action = action; }", site.closed_link
    )
    page.locator("#access_code").fill(WRONG_CODE)
    page.locator("textarea").fill("Text, der nicht verloren geht.")
    response = submit(page)
    assert page.locator(".kept").count() == 1
    return response


def _kiosk_after_submission(site: Site, page: Any, lang: str) -> Any:
    response = page.goto(f"{site.url}/s/{site.service_point}/kiosk?danke={lang}")
    assert page.get_by_role("status").get_attribute("lang") == lang
    return response


def _used_invitation(site: Site, page: Any, lang: str) -> Any:
    if "used" not in site.cache:
        link = site.take_invitation()
        page.goto(link)
        page.locator("input[type=radio]").first.check()  # an empty form is not a response
        submit(page)
        site.cache["used"] = link
    return page.goto(f"{site.cache['used']}?lang={lang}")


def _staff(status: int, open_page: Callable[[Site, Any, str], Any]) -> RespondentPage:
    """A staff page around the form: it offers the staff languages, axe checks a few of them."""
    return RespondentPage(status, STAFF_LANGUAGES, open_page, checked=STAFF_FEW)


PAGES = {
    "invitation-form": RespondentPage(200, STAFF_LANGUAGES, _get(lambda s: s.invitation_links[-1])),
    "unit-link-form": _staff(200, _get(lambda s: s.unit_link)),
    "service-point-form": RespondentPage(200, LANGUAGES, _get(lambda s: f"{s.url}/s/{s.service_point}")),
    "kiosk-form": RespondentPage(200, LANGUAGES, _get(lambda s: f"{s.url}/s/{s.service_point}/kiosk")),
    "error-summary": _staff(400, _wrong_access_code),
    "thanks": RespondentPage(200, LANGUAGES, _get(lambda s: f"{s.url}/danke")),
    # the empty kiosk form for the next person, in German, with a note in the last person's language
    "kiosk-thanks": RespondentPage(200, LANGUAGES, _kiosk_after_submission, page_language="de"),
    # before a code tells the wave: the languages of the open staff questionnaires
    "code-entry": _staff(200, _get(lambda s: f"{s.url}/i")),
    "code-entry-wrong-code": _staff(404, _wrong_invitation_code),
    "unknown-code": _staff(404, _get(lambda s: f"{s.url}/i/{WRONG_CODE}")),
    "used-code": _staff(410, _used_invitation),
    "not-yet-open": _staff(403, _get(lambda s: s.draft_link)),
    "closed": _staff(410, _get(lambda s: s.closed_link)),
    "closed-with-kept-text": _staff(410, _closed_with_kept_text),
    "unknown-service-point": RespondentPage(404, LANGUAGES, _get(lambda s: f"{s.url}/s/gibt-es-nicht")),
}


@pytest.fixture(scope="module")
def axe_page(browser: Any, german_pages) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """One page for the whole axe matrix: a German desktop browser."""
    with german_pages(browser) as page:
        yield page


#: every page in every language it offers (the staff pages around the form in a few of them), and
#: a page that does not offer Turkish once in Turkish (the fallback to German)
AXE_MATRIX = [
    (name, lang)
    for name, spec in PAGES.items()
    for lang in LANGUAGES
    if lang in (spec.checked or spec.languages)
    or spec.page_language
    or (lang == "tr" and lang not in spec.languages)
]


@only_sqlite
@pytest.mark.parametrize(("name", "lang"), AXE_MATRIX)
def test_axe_finds_no_violation(axe_source: str, site: Site, axe_page: Any, name: str, lang: str) -> None:
    page = axe_page
    spec = PAGES[name]
    response = spec.open(site, page, lang)
    assert response.status == spec.status, page.url
    shown = spec.shown(lang)
    assert html_attributes(page) == (shown, "rtl" if shown == "ar" else "ltr")
    if name == "error-summary":
        assert page.get_by_role("alert").count() == 1
    assert_no_axe_violations(page, axe_source)


@only_sqlite
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_axe_and_reflow_on_a_phone(
    axe_source: str, site: Site, browser: Any, lang: str, tmp_path: Path
) -> None:
    context = browser.new_context(
        locale="de-DE", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.goto(f"{site.url}/s/{site.service_point}?lang={lang}")
        assert html_attributes(page) == (lang, "rtl" if lang == "ar" else "ltr")
        page.screenshot(path=tmp_path / f"service-point-{lang}-375.png", full_page=True)
        # WCAG 1.4.10: no scrolling sideways at this width
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert_no_axe_violations(page, axe_source)
    finally:
        context.close()


# --- layout: nothing overlaps, nothing scrolls sideways (SQLite) ----------------------------------

OVERLAPS = """() => {
  const found = [];
  const radios = [...document.querySelectorAll('input[type=radio]')];
  for (const label of document.querySelectorAll('.option label')) {
    const range = document.createRange();
    range.selectNodeContents(label);
    for (const box of range.getClientRects()) {
      for (const radio of radios) {
        if (radio.labels[0] === label) continue;
        const r = radio.getBoundingClientRect();
        const apart = box.right - 1 <= r.left || r.right - 1 <= box.left
                   || box.bottom - 1 <= r.top || r.bottom - 1 <= box.top;
        if (!apart)
          found.push(`"${label.textContent.trim()}" covers the radio ${radio.id}`);
      }
    }
  }
  return [...new Set(found)];
}"""
WIDTHS = [320, 375, 768, 1024]  # WCAG 1.4.10 asks for 320 CSS px without sideways scrolling
LAYOUT_PAGES = {
    "service-point-form": (lambda s: f"{s.url}/s/{s.service_point}", LANGUAGES),
    "kiosk-form": (lambda s: f"{s.url}/s/{s.service_point}/kiosk", LANGUAGES),
    "invitation-form": (lambda s: s.invitation_links[-1], STAFF_LANGUAGES),
}


@only_sqlite
@pytest.mark.parametrize(
    ("name", "lang"),
    [(name, lang) for name, (_, languages) in LAYOUT_PAGES.items() for lang in languages],
)
def test_layout_holds_from_phone_to_desktop(site: Site, axe_page: Any, name: str, lang: str) -> None:
    page = axe_page
    path, _ = LAYOUT_PAGES[name]
    problems = []
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{path(site)}?lang={lang}")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                problems.append(f"{width} px: the page is {scroll_width} px wide and scrolls sideways")
            problems += [f"{width} px: {overlap}" for overlap in page.evaluate(OVERLAPS)]
    finally:
        page.set_viewport_size({"width": 1024, "height": 900})
    assert not problems, "\n".join(problems)
