"""A whole survey round in headless Chromium, without the command line (issue 18, acceptance 1–3).

One server per engine over a small demo built through the real CLI: on SQLite one worker, on
PostgreSQL `survey serve --workers 2`, so the round there runs through two worker processes that
share nothing but the database. The survey office (`buero`) makes staff-pulse v3 from v2 in the
editor, publishes it and creates a wave for the Jugendamt; the Personalrat (`personalrat`) rejects
the wave with a reason and approves after the office changed k_text; the office opens the wave,
issues invitation codes, downloads the letters (PDF) and the mail-merge CSV; staff answer with
links from that CSV; the office sees participation per unit and closes the wave; the Jugendamt's
lead (`leitung-jugendamt`) sees its results.

Participation is counted at most once an hour and the count is kept in the database
(survey.services.participation). Opening a wave lands on the waves list, which counts at once
(nobody has answered yet), so a look after the answers still shows that count — the test checks
that — and then removes the kept count (`wave_participation`), as if the hour had passed, so that
the next look counts again.

Acceptance 2 on PostgreSQL: a draft saved through one server is edited through another. Two
workers behind one port cannot be told apart from outside (the app does not say which process
answered), so the test starts a second `survey serve` on a port of its own over the same database
— two hosts — and edits there what the first saved; a save based on an older state is refused with
what was typed kept.

Acceptance 3: the editor and the wave's approval page by keyboard alone, and axe-core on every new
page in German and English.

Issue 21, acceptance 3 and 5, first on the same servers: staff answer the demo's open staff wave
with comments; the Personalrat withholds one and blacks out a passage of another in the browser and
releases the rest; the wave closes; the lead reads the comments by theme and sees neither original;
the audit log names every decision without any text; axe-core on the comment pages.

Issue 19, acceptance 3, on the same servers: a measure from the lead's form to the staff's feedback
page and the citizens' public page. The Jugendamt's lead creates a measure on "Gemeinsam für
Lindenau" and invites the Jobcenter; the Dezernentin (lead of the Dezernat above the Jobcenter)
confirms it for the Jobcenter; the lead records progress. The survey office makes the Jugendamt's
feedback link, and its staff open it without signing in and see the measure. A citizen opens the
Ausländerbehörde's public page in Arabic and in Leichte Sprache and sees the demo's public measure
there. axe-core checks each page: the signed-in ones in German on one engine and English on the
other, the public and feedback pages in German, English, Arabic and Leichte Sprache.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


browser_setup = _load("round_browser_setup", HERE / "conftest.py")
respondent_pages = _load("round_respondent_pages", HERE / "test_respondent_pages.py")
assert_no_axe_violations = respondent_pages.assert_no_axe_violations

PASSWORD = "lindenau-demo-2026"  # the demo users' password
WAVE = "puls-jugendamt-v3"
REASON = "Die Kita-Verwaltung ist klein: bitte k_text auf 12 setzen."
NEW_ITEM = "voneinander-lernen"
NEW_ITEM_TEXTS = {  # in every language of staff-pulse v2, which v3 starts from
    "de": "In meinem Team lernen wir voneinander.",
    "de-x-ls": "In meinem Team lernen wir voneinander. Jeder kann von den anderen etwas lernen.",
    "en": "In my team we learn from each other.",
    "tr": "Ekibimde birbirimizden öğreniriz.",
    "ar": "في فريقي نتعلّم من بعضنا بعضًا.",
    "uk": "У моїй команді ми вчимося одне в одного.",
    "ru": "В моей команде мы учимся друг у друга.",
}
NEW_ITEM_DE, NEW_ITEM_EN = NEW_ITEM_TEXTS["de"], NEW_ITEM_TEXTS["en"]
REPLACEMENT = "eine-anlaufstelle-2027"
REPLACEMENT_TEXTS = {
    "de": "Anliegen, die mehrere Stellen betreffen, klären wir untereinander.",
    "de-x-ls": "Manchmal geht es bei einem Anliegen um mehrere Büros. Dann klären wir das untereinander.",
    "en": "Where a request concerns several offices, we sort it out among ourselves.",
    "tr": "Birden fazla birimi ilgilendiren talepleri kendi aramızda çözeriz.",
    "ar": "نسوّي فيما بيننا الطلبات التي تخصّ أكثر من جهة.",
    "uk": "Питання, що стосуються кількох відділів, ми з’ясовуємо між собою.",
    "ru": "Вопросы, которые касаются нескольких отделов, мы решаем между собой.",
}


@dataclass
class Server:
    engine: str
    url: str
    database_url: str
    environment: dict[str, str]
    log: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _start(server: Server, port: int, *extra: str) -> subprocess.Popen[bytes]:
    log = server.log.with_name(f"server-{port}.log")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*browser_setup.SURVEY, "serve", "--port", str(port), *extra],
            cwd=browser_setup.ROOT,
            env=server.environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server.processes.append(process)
    browser_setup._wait_for_health(process, f"http://127.0.0.1:{port}", log)
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, browser: Any
) -> Iterator[Server]:
    """`survey serve` over a small demo (one worker on SQLite, two on PostgreSQL)."""
    engine = request.param
    folder = tmp_path_factory.mktemp(f"round-{engine}")
    database_url = (
        f"sqlite:///{folder}/survey.sqlite3"
        if engine == "sqlite"
        else browser_setup._fresh_postgres_database()
    )
    port = browser_setup._free_port()
    url = f"http://127.0.0.1:{port}"
    running = Server(
        engine, url, database_url, browser_setup._environment(database_url, url), folder / "server.log"
    )
    try:
        browser_setup._survey(running.environment, "db", "upgrade")
        browser_setup._survey(
            running.environment, "demo", "--staff", "300", "--waves", "2", "--citizen-ratings", "50"
        )
        _start(running, port, *(["--workers", "2"] if engine == "postgres" else []))
        yield running
    finally:
        for process in running.processes:
            _stop(process)
        if engine == "postgres":
            name = urlsplit(database_url).path.lstrip("/")
            browser_setup._in_thread(
                browser_setup._pg_execute(
                    browser_setup.PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                )
            )


# --- helpers ------------------------------------------------------------------------------------


def _context(browser: Any) -> Any:
    context = browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(20_000)
    return context


def signed_in(browser: Any, url: str, username: str) -> Any:
    """A page of a fresh browser context, signed in as `username` through the form."""
    page = _context(browser).new_page()
    page.goto(f"{url}/anmelden")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("form.signin button[type=submit]").click()
    assert urlsplit(page.url).path != "/anmelden", f"{username} could not sign in"
    return page


def go(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"


def click_to(page: Any, selector: str) -> None:
    """Click what `selector` finds first and wait for the page it leads to (200)."""
    with page.expect_navigation() as navigation:
        page.locator(selector).first.click()
    response = navigation.value
    assert response is not None and response.status == 200, f"{selector}: {response and response.status}"


def main_text(page: Any) -> str:
    return " ".join(page.locator("main").inner_text().split())


def item_prefix(page: Any, item: str) -> str:
    """`f-items-N` of the editor's question whose id field holds `item`."""
    field_id = page.locator(f'input[name$=".id"][value="{item}"]').get_attribute("id")
    assert field_id, f"no question {item} in the editor"
    return field_id.removesuffix("-id")


def expire_participation_count(server: Server, wave: str) -> None:
    """Remove the wave's kept participation count, as if its hour had passed."""
    assert re.fullmatch(r"[a-z0-9-]+", wave)  # a wave's key, safe inside the statement
    sql = f"DELETE FROM wave_participation WHERE wave = (SELECT id FROM wave WHERE key = '{wave}')"
    if server.engine == "sqlite":
        with sqlite3.connect(server.database_url[len("sqlite:///") :]) as connection:
            connection.execute(sql)
    else:
        browser_setup._in_thread(browser_setup._pg_execute(server.database_url, sql))


def download(page: Any, selector: str) -> bytes:
    with page.expect_download() as downloading:
        page.locator(selector).first.click()
    path = downloading.value.path()
    assert path is not None
    return Path(path).read_bytes()


def pdf_pages(data: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def issue_codes(page: Any, unit: str, count: int) -> list[str]:
    """On the access page: codes for `unit`; the CSV's links (the letters PDF checked on the way)."""
    page.select_option("#invitations-unit", unit)
    page.fill("#invitations-count", str(count))
    page.select_option("#invitations-language", "de")
    click_to(page, 'form[action$="/zugang/einladungen"] button[type=submit]')
    assert f"{count} Einladungscode" in page.locator(".notice").inner_text()
    letters = download(page, 'section.waiting a:has-text("(PDF)")')
    assert letters.startswith(b"%PDF-")
    assert pdf_pages(letters) == count, "one letter per code"
    table = download(page, 'section.waiting a:has-text("(CSV)")').decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(table), delimiter=";"))
    assert len(rows) == count and all(row["code"] and row["code"] in row["link"] for row in rows)
    return [row["link"] for row in rows]


def answer(browser: Any, link: str) -> None:
    """A staff member opens the link from the CSV in a browser of their own and answers."""
    context = _context(browser)
    try:
        page = context.new_page()
        go(page, link)
        assert page.locator("html").get_attribute("lang") == "de"
        for option in page.locator('form.questionnaire input[type=radio][value="4"]').all():
            option.check()
        page.locator('input[type=radio][value="8"]').first.check()
        click_to(page, "form.questionnaire button[type=submit]")
        assert urlsplit(page.url).path == "/danke"
    finally:
        context.close()


def participation(page: Any) -> dict[str, str]:
    """The wave page's participation table: unit → what the answers column shows."""
    rows = page.locator("table.participation tbody tr")
    shown = {}
    for index in range(rows.count()):
        row = rows.nth(index)
        name = row.locator("th").evaluate("th => th.firstChild.textContent.trim()")
        shown[name] = row.locator("td").first.inner_text().strip()
    return shown


# --- acceptance 1 -------------------------------------------------------------------------------


def fill_question(page: Any, prefix: str, texts: dict[str, str]) -> None:
    """Type the question `prefix`'s text in each language of `texts`; the editor offers a field for
    each language of the version, and a substantive or new question needs all of them."""
    offered = page.locator(f'textarea[id^="{prefix}-text-"]').evaluate_all("areas => areas.map(a => a.lang)")
    assert sorted(offered) == sorted(NEW_ITEM_TEXTS), f"the editor asks for the question in {offered}"
    for lang, text in texts.items():
        page.fill(f"#{prefix}-text-{lang}", text)


def _make_version_3(page: Any, url: str) -> None:
    """The office: staff-pulse v3 from v2 with an editorial, a substantive and a new question."""
    go(page, f"{url}/buero/frageboegen")
    click_to(page, 'form[action="/buero/frageboegen/staff-pulse"] button[type=submit]')
    assert urlsplit(page.url).path == "/buero/frageboegen/staff-pulse/3"
    assert "Version 3" in page.locator("h1").inner_text()

    editorial = item_prefix(page, "fachbereiche-ziehen-mit")
    page.check(f"#{editorial}-kind-editorial")
    page.fill(
        f"#{editorial}-text-de",
        "Wenn eine Aufgabe mehrere Fachbereiche betrifft, ziehen alle Beteiligten gemeinsam an einem Strang.",
    )
    substantive = item_prefix(page, "eine-anlaufstelle")
    page.check(f"#{substantive}-kind-substantive")
    page.fill(f"#{substantive}-id", REPLACEMENT)
    fill_question(page, substantive, REPLACEMENT_TEXTS)  # a new question: new texts in every language
    click_to(page, 'form.editor button[value="add-item"]')
    new = page.locator("fieldset.item-edit").last.get_attribute("id")
    assert page.locator(f"#{editorial}-kind-editorial").is_checked(), "adding a question keeps what was typed"

    # the new question in every language but German: saved, and the check marks the missing German text
    page.fill(f"#{new}-id", NEW_ITEM)
    fill_question(page, new, {lang: text for lang, text in NEW_ITEM_TEXTS.items() if lang != "de"})
    page.check(f"#{new}-values-gemeinsam")
    click_to(page, 'form.editor button[value="save"]')
    assert "1 Problem" in page.locator(".notice").first.inner_text()
    german = page.locator(f"#{new}-text-de")  # the problem next to the German field, tied to it
    assert german.get_attribute("aria-invalid") == "true"
    assert german.get_attribute("aria-describedby") == f"{new}-text-de-error"
    assert "Übersetzung fehlt" in page.locator(f"#{new}-text-de-error").inner_text()
    assert "Übersetzung fehlt" in page.locator(f'label[for="{new}-text-de"]').inner_text()
    assert "Übersetzung fehlt" not in page.locator(f'label[for="{new}-text-en"]').inner_text()
    assert page.locator(f"#{new}-text-en").get_attribute("aria-invalid") is None
    assert page.input_value(f"#{new}-text-en") == NEW_ITEM_EN
    assert "Deutsch (de)" in page.locator("#error-summary").inner_text()

    page.fill(f"#{new}-text-de", NEW_ITEM_DE)
    click_to(page, 'form.editor button[value="save"]')
    assert "kein Problem" in page.locator(".check-ok").inner_text()
    assert page.locator(".field-error").count() == 0


def _review_preview_publish(page: Any, url: str) -> None:
    click_to(page, 'a[href="/buero/frageboegen/staff-pulse/3/veroeffentlichen"]')
    changes = page.locator("table.changes")
    assert "fachbereiche-ziehen-mit" in changes.locator("tr.change-editorial").inner_text()
    replaced = changes.locator("tr.change-replaced").inner_text()
    assert REPLACEMENT in replaced and "ersetzt eine-anlaufstelle" in replaced
    assert NEW_ITEM in changes.locator("tr.change-added").inner_text()
    trends = page.locator("ul.value-trends li")
    assert trends.count() == 6
    together = trends.filter(has_text="Gemeinsam für Lindenau").inner_text()
    assert "bleibt vergleichbar" in together
    assert "Nicht vergleichbar" in together and REPLACEMENT in together and NEW_ITEM in together

    click_to(page, 'main a[href="/buero/frageboegen/staff-pulse/3/vorschau"]')
    assert page.locator(f"#item-{NEW_ITEM} legend").inner_text() == NEW_ITEM_DE
    assert page.locator(f"#item-{REPLACEMENT}").count() == 1
    assert page.locator("#item-eine-anlaufstelle").count() == 0
    go(page, f"{url}/buero/frageboegen/staff-pulse/3/vorschau?sprache=en")
    assert page.locator(f"#item-{NEW_ITEM} legend").inner_text() == NEW_ITEM_EN
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375, "the preview at phone width"
    page.set_viewport_size({"width": 1280, "height": 900})

    go(page, f"{url}/buero/frageboegen/staff-pulse/3/veroeffentlichen")
    click_to(page, 'main form[action$="/veroeffentlichen"] button[type=submit]')
    go(page, f"{url}/buero/frageboegen")
    row = page.locator('#q-staff-pulse ~ div table tr:has(th:text-is("Version 3"))')
    assert "veröffentlicht" in row.inner_text()


def _create_wave(page: Any, url: str) -> None:
    go(page, f"{url}/buero/runden")
    click_to(page, 'main a[href="/buero/runden/neu"]')
    today = dt.date.today()
    page.fill("#key", WAVE)
    page.select_option("#version", "staff-pulse:3")
    page.check("#unit-jugendamt")
    assert page.locator("#subtrees-yes").is_checked()
    page.fill("#opens_on", today.isoformat())
    page.fill("#closes_on", (today + dt.timedelta(days=14)).isoformat())
    page.fill("#titles-de", "Puls Jugendamt mit Version 3")
    page.fill("#titles-en", "Youth office pulse, version 3")
    click_to(page, "form.wave-form button[type=submit]:not([name])")
    assert urlsplit(page.url).path == f"/buero/runden/{WAVE}"
    text = main_text(page)
    assert "Abteilung Allgemeiner Sozialer Dienst, Abteilung Kita-Verwaltung" in text
    assert "noch nicht freigegeben" in page.locator(".open-refusal").inner_text()
    assert page.locator(f'a[href="/buero/runden/{WAVE}/open"]').count() == 0


def _personalrat_rejects(page: Any, url: str) -> None:
    go(page, f"{url}/personalrat/freigaben")
    click_to(page, 'main a[href="/personalrat/freigaben/version/staff-pulse/3"]')
    items = page.locator("table.items tbody tr")
    assert items.count() == 18, "every question"
    new_row = items.filter(has_text=NEW_ITEM)
    assert NEW_ITEM_DE in new_row.inner_text() and NEW_ITEM_EN in new_row.inner_text()
    assert "ersetzt eine-anlaufstelle" in items.filter(has_text=REPLACEMENT).inner_text()
    assert "Prüfsumme" in page.locator("span.checksum").inner_text()

    go(page, f"{url}/personalrat/freigaben")
    click_to(page, f'main a[href="/personalrat/freigaben/runde/{WAVE}"]')
    facts = main_text(page)
    assert "k = 5" in facts and "k_text = 10" in facts
    assert page.locator('main a[href="/personalrat/freigaben/version/staff-pulse/3"]').count() == 1
    units = page.locator("main table tbody tr")
    assert units.count() == 3 and "20" in units.nth(1).inner_text() and "8" in units.nth(2).inner_text()
    page.fill("#reason", REASON)
    click_to(page, "main form.reject button[type=submit]")
    assert "abgelehnt" in page.locator(".notice").inner_text()


def _personalrat_approves(page: Any, url: str) -> None:
    for path in ("/personalrat/freigaben/version/staff-pulse/3", f"/personalrat/freigaben/runde/{WAVE}"):
        go(page, url + path)
        if "runde" in path:
            assert "k_text = 12" in main_text(page), "the changed threshold"
        click_to(page, f'main form[action="{path}"] button[type=submit]')
        assert "freigegeben" in page.locator(".notice").inner_text()


# --- issue 21: the Personalrat reviews comments; the lead reads them by theme -----------------------
# (first in the module: it closes the demo's open staff wave, so that it is the Jugendamt's latest
# closed wave while the lead reads; the round below makes a later one)

WITHHELD = "Im ASD weiß jeder, dass die Kollegin mit dem roten Kombi gemeint ist."
BLACKED = "Die Teamleitung der Gruppe Nord verteilt die Fälle ungerecht."
PASSAGE = "der Gruppe Nord"
WITHHOLD_REASON = "Die Beschreibung macht eine Kollegin erkennbar."
OTHER_COMMENTS = [
    "Wir sind dauerhaft unterbesetzt, Krankheitsvertretung gibt es nicht.",
    "Die Überlastung im Team ist seit Monaten zu hoch.",
    "Offene Stellen werden nicht nachbesetzt.",
    "Die Personaldecke ist zu dünn.",
    "Die E-Akte stürzt ständig ab.",
    "Weiter so!",
    "Weiter so",
    "Die Abstimmung mit dem Bauamt dauert viel zu lange.",
    "Frau Brenninkmeyer ruft nie zurück, Tel. 0171 4455667.",
]


def fetch(server: Server, sql: str) -> list[tuple[Any, ...]]:
    if server.engine == "sqlite":
        with sqlite3.connect(server.database_url[len("sqlite:///") :]) as connection:
            return connection.execute(sql).fetchall()
    return browser_setup._in_thread(browser_setup._pg_fetch(server.database_url, sql, ()))


def staff_answer_with_comment(url: str, code: str, comment: str) -> None:
    """One staff member answers through the form (plain HTTP: the review is what is looked at)."""
    import httpx

    with httpx.Client(base_url=url, follow_redirects=False, timeout=20) as client:
        form = client.get(f"/i/{code}")
        assert form.status_code == 200, form.text
        key = re.search(r'name="submission_key" value="([^"]+)"', form.text)
        assert key is not None
        data = {
            "submission_key": key.group(1),
            "lang": "de",
            "fachbereiche-ziehen-mit": "4",
            "kommentar": comment,
        }
        assert client.post(f"/i/{code}", data=data).status_code == 303


def review_item(page: Any, text: str) -> Any:
    item = page.locator("li.review-item").filter(has_text=text)
    assert item.count() == 1, f"{text!r} waits for release once"
    return item


def test_the_personalrat_reviews_comments_and_the_lead_reads_themes(
    server: Server, browser: Any, axe_source: str, tmp_path: Path
) -> None:
    url = server.url
    ((wave,),) = fetch(
        server, "SELECT key FROM wave WHERE comment_review = 'personalrat' AND status = 'open'"
    )
    browser_setup._survey(
        server.environment, "invite", wave, "--unit", "asd", "--count", "20", "--out", str(tmp_path)
    )
    with (tmp_path / f"{wave}-asd-codes.csv").open(encoding="utf-8") as file:
        codes = [row["code"] for row in csv.DictReader(file, delimiter=";")]
    # twenty answers, eleven with a comment: the ASD's earlier waves had 7 and 9 respondents, and
    # a group that changed by fewer than k people since it was last shown stays hidden
    comments = [WITHHELD, BLACKED, *OTHER_COMMENTS]
    for code, comment in zip(codes, comments + [""] * (20 - len(comments)), strict=True):
        staff_answer_with_comment(url, code, comment)

    languages = ("de",) if server.engine == "sqlite" else ("en",)
    council = signed_in(browser, url, "personalrat")
    try:
        go(council, f"{url}/kommentare/freigabe")
        click_to(council, f'main a[href="/kommentare/freigabe/{wave}"]')
        assert council.locator("li.review-item").count() == 11
        assert "Brenninkmeyer" not in main_text(council) and "4455667" not in main_text(council)
        check_pages(council, axe_source, [f"{url}/kommentare/freigabe", council.url.split("?")[0]], languages)
        go(council, f"{url}/kommentare/freigabe/{wave}")
        item = review_item(council, WITHHELD)
        item.locator('input[name="reason"]').fill(WITHHOLD_REASON)
        with council.expect_navigation():
            item.locator('form:has(input[value="withhold"]) button').click()
        item = review_item(council, BLACKED)
        item.locator('input[name="passage"]').fill(PASSAGE)
        with council.expect_navigation():
            item.locator('form:has(input[value="black_out"]) button').click()
        assert "[geschwärzt]" in main_text(council)
        while council.locator('form:has(input[value="release"]) button').count():
            with council.expect_navigation():
                council.locator('form:has(input[value="release"]) button').first.click()
        text = main_text(council)
        assert WITHHELD not in text and PASSAGE not in text and WITHHOLD_REASON in text
        browser_setup._survey(server.environment, "wave", "close", wave)

        go(council, f"{url}/protokoll")
        log = main_text(council)
        assert log.count(wave) >= 12, "every decision is in the audit log"
        for secret in (WITHHELD, BLACKED, PASSAGE, WITHHOLD_REASON, *OTHER_COMMENTS):
            assert secret not in log, f"the audit log shows {secret!r}"
    finally:
        council.context.close()

    lead = signed_in(browser, url, "leitung-jugendamt")
    office = signed_in(browser, url, "buero")
    try:
        go(lead, f"{url}/dashboard/asd")
        assert "personal" in lead.locator("ul.top-themes").inner_text().lower()
        click_to(lead, 'main a[href^="/dashboard/asd/kommentare"]')
        text = main_text(lead)
        assert WITHHELD not in text and PASSAGE not in text and "Brenninkmeyer" not in text
        assert "Die Teamleitung [geschwärzt] verteilt die Fälle ungerecht." in text
        assert lead.locator("#theme-personal").count() == 1
        assert "(2" in lead.locator("li", has_text="Weiter so").first.inner_text(), "merged with its count"
        check_pages(lead, axe_source, [f"{url}/dashboard/asd/kommentare"], languages)
        check_pages(office, axe_source, [f"{url}/buero/schwaerzung", f"{url}/buero/codebuch"], languages)
    finally:
        lead.context.close()
        office.context.close()


def test_a_whole_round_in_the_browser(server: Server, browser: Any) -> None:
    url = server.url
    office = signed_in(browser, url, "buero")
    council = signed_in(browser, url, "personalrat")
    try:
        _make_version_3(office, url)
        _review_preview_publish(office, url)
        _create_wave(office, url)
        _personalrat_rejects(council, url)

        # the office sees the reason, changes k_text
        go(office, f"{url}/buero/runden/{WAVE}")
        assert REASON in office.locator(".open-refusal").inner_text()
        click_to(office, f'main a[href="/buero/runden/{WAVE}/bearbeiten"]')
        assert office.input_value("#k_text") == "10"
        office.fill("#k_text", "12")
        click_to(office, "form.wave-form button[type=submit]:not([name])")
        assert "ab 12 (k_text)" in main_text(office)

        _personalrat_approves(council, url)

        # opened after the confirmation page
        go(office, f"{url}/buero/runden/{WAVE}")
        click_to(office, f'main a[href="/buero/runden/{WAVE}/open"]')
        assert "festgeschrieben" in main_text(office)
        click_to(office, f'main form[action="/buero/runden/{WAVE}/open"] button[type=submit]')
        assert "ist geöffnet" in office.locator(".notice").inner_text()  # the waves list: counted now

        # invitation codes, the letters and the CSV; then only their count stays on the page
        go(office, f"{url}/buero/runden/{WAVE}")
        click_to(office, f'main a[href="/buero/runden/{WAVE}/zugang"]')
        asd = issue_codes(office, "asd", 5)
        kita = issue_codes(office, "kita-verwaltung", 1)
        go(office, f"{url}/buero/runden/{WAVE}/zugang")
        page_text = main_text(office)
        assert office.locator("section.waiting").count() == 0
        assert not any(link.rsplit("/", 1)[1] in page_text for link in asd + kita), "codes shown once only"

        for link in asd + kita:
            assert link.startswith(url + "/i/")
            answer(browser, link)

        go(office, f"{url}/buero/runden/{WAVE}")
        before = participation(office)
        assert set(before.values()) == {"0"}, f"counted at opening, an hour is not over: {before}"
        expire_participation_count(server, WAVE)
        go(office, f"{url}/buero/runden/{WAVE}")
        shown = participation(office)
        assert shown["Fachbereich Jugendamt"] == "6"
        assert shown["Abteilung Kita-Verwaltung"] == "unter 5"
        # the ASD's 5 would give away the Kita-Verwaltung's 1 (6 − 5): hidden too
        assert shown["Abteilung Allgemeiner Sozialer Dienst"] == "verborgen"
        assert office.locator("#participation ~ figure.chart svg[role=img]").count() == 1

        go(office, f"{url}/buero/runden")
        click_to(office, f'main a[href="/buero/runden/{WAVE}/close"]')
        assert "keine Antworten mehr" in main_text(office)
        click_to(office, f'main form[action="/buero/runden/{WAVE}/close"] button[type=submit]')
        assert "ist abgeschlossen" in office.locator(".notice").inner_text()
    finally:
        office.context.close()
        council.context.close()

    lead = signed_in(browser, url, "leitung-jugendamt")
    try:
        go(lead, f"{url}/dashboard/jugendamt")
        assert "letzte Befragungsrunde: Puls Jugendamt mit Version 3" in lead.locator(".lead-in").inner_text()
        # the value of "Gemeinsam für Lindenau" in the new wave: six answers, k = 5
        column = lead.locator("table.figures thead th").filter(has_text="Puls Jugendamt mit Version 3")
        assert column.count() == 1
        cell = lead.locator("table.figures:not(.glance) tbody tr").first.locator("td").nth(2)
        assert cell.locator("strong").count() == 1, cell.inner_text()
        go(lead, f"{url}/dashboard/jugendamt/fragen?welle={WAVE}")
        assert lead.locator(f"table.figures tbody tr:has-text('{NEW_ITEM_DE}')").count() == 1
    finally:
        lead.context.close()


# --- acceptance 2: a draft saved through one server, edited through another ----------------------

DRAFT = "/buero/frageboegen/citizen-contact/2"


def open_draft(page: Any, url: str) -> None:
    """The editor of citizen-contact's draft v2, started from the list where there is none yet."""
    response = page.goto(url + DRAFT)
    if response is None or response.status != 200:
        go(page, f"{url}/buero/frageboegen")
        click_to(page, 'form[action="/buero/frageboegen/citizen-contact"] button[type=submit]')
    assert urlsplit(page.url).path == DRAFT and page.locator("form.editor").count() == 1


@pytest.fixture(scope="module")
def second_host(server: Server) -> str:
    """Another `survey serve` over the same PostgreSQL database, on a port of its own (two hosts
    share a PostgreSQL database; SQLite is one host's file)."""
    assert server.engine == "postgres"
    port = browser_setup._free_port()
    _start(server, port)
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("server", ["postgres"], indirect=True)
def test_a_draft_saved_on_one_host_is_edited_on_another(
    server: Server, second_host: str, browser: Any
) -> None:
    first = signed_in(browser, server.url, "buero")
    # the session lives in the database: the same browser is signed in on the other host, too
    second = first.context.new_page()
    stale = first.context.new_page()
    try:
        open_draft(first, server.url)
        first.fill("#f-title-de", "Wie war Ihr Kontakt mit uns? (Host A)")
        click_to(first, 'form.editor button[value="save"]')
        assert "Gespeichert" in first.locator(".notice").first.inner_text()
        go(stale, server.url + DRAFT)  # a form of this state, saved later

        go(second, second_host + DRAFT)
        assert second.input_value("#f-title-de") == "Wie war Ihr Kontakt mit uns? (Host A)"
        second.fill("#f-title-en", "How was your contact with us? (host B)")
        click_to(second, 'form.editor button[value="save"]')
        assert "Gespeichert" in second.locator(".notice").first.inner_text()

        go(first, server.url + DRAFT)
        assert first.input_value("#f-title-de") == "Wie war Ihr Kontakt mit uns? (Host A)"
        assert first.input_value("#f-title-en") == "How was your contact with us? (host B)"

        # a save based on the older state is refused, and what was typed comes back
        stale.fill("#f-title-de", "Überholt")
        with stale.expect_navigation() as refused:
            stale.locator('form.editor button[value="save"]').first.click()
        assert refused.value is not None and refused.value.status == 409
        assert stale.input_value("#f-title-de") == "Überholt"
        assert "buero" in main_text(stale) and "Gespeichert" not in main_text(stale)
        go(second, second_host + DRAFT)
        assert second.input_value("#f-title-de") == "Wie war Ihr Kontakt mit uns? (Host A)"
    finally:
        first.context.close()


# --- acceptance 3: by keyboard alone; axe-core on every new page in German and English -----------

KEYBOARD_WAVE = "tastatur-runde"


def press_until(page: Any, key: str, condition: str, presses: int = 120) -> None:
    """Press `key` (Tab or Shift+Tab) until `condition` (JS over `el`, the focused element) holds."""
    for _ in range(presses):
        page.keyboard.press(key)
        if page.evaluate(f"() => {{ const el = document.activeElement; return Boolean({condition}); }}"):
            return
    raise AssertionError(f"{key} never reached an element where {condition} on {page.url}")


def in_language(url: str, lang: str) -> str:
    """`url` with the portal's language; a preview also in that language (`sprache`, the form's)."""
    query = f"lang={lang}" + (f"&sprache={lang}" if url.endswith("/vorschau") else "")
    return f"{url}{'&' if '?' in url else '?'}{query}"


def check_pages(page: Any, axe_source: str, urls: list[str], languages: tuple[str, ...]) -> None:
    for url in urls:
        for lang in languages:
            go(page, in_language(url, lang))
            assert page.locator("html").get_attribute("lang") == lang, page.url
            assert_no_axe_violations(page, axe_source)


def test_keyboard_alone_and_no_axe_violation(server: Server, browser: Any, axe_source: str) -> None:
    url = server.url
    # the markup does not depend on the engine: German is checked on one, English on the other,
    # so that every page is checked in both languages once per run
    languages = ("de",) if server.engine == "sqlite" else ("en",)
    office = signed_in(browser, url, "buero")
    council = signed_in(browser, url, "personalrat")
    admin = signed_in(browser, url, "admin")
    try:
        # the editor by keyboard: reach the German title, change it, save
        open_draft(office, url)
        go(office, url + DRAFT)
        press_until(office, "Tab", "el.id === 'f-title-de'")
        office.keyboard.press("Control+A")
        office.keyboard.type("Wie war Ihr Kontakt mit uns? (per Tastatur)")
        press_until(office, "Shift+Tab", "el.tagName === 'BUTTON' && el.value === 'save'")
        with office.expect_navigation():
            office.keyboard.press("Enter")
        assert "Gespeichert" in office.locator(".notice").first.inner_text()
        assert office.input_value("#f-title-de") == "Wie war Ihr Kontakt mit uns? (per Tastatur)"

        # a draft staff wave for the Personalrat to reject
        go(office, f"{url}/buero/runden/neu")
        office.fill("#key", KEYBOARD_WAVE)
        office.select_option("#version", "staff-pulse:2")
        office.check("#unit-musikschule")
        click_to(office, "form.wave-form button[type=submit]:not([name])")
        assert urlsplit(office.url).path == f"/buero/runden/{KEYBOARD_WAVE}"

        # the wave's approval page by keyboard: reach the reason, type, reject
        go(council, f"{url}/personalrat/freigaben/runde/{KEYBOARD_WAVE}")
        press_until(council, "Tab", "el.id === 'reason'")
        council.keyboard.type("Bitte k auf 6 setzen.")
        press_until(council, "Tab", "el.tagName === 'BUTTON' && el.closest('form.reject')")
        with council.expect_navigation():
            council.keyboard.press("Space")
        assert "abgelehnt" in council.locator(".notice").inner_text()

        check_pages(
            office,
            axe_source,
            [
                f"{url}/buero/frageboegen",
                url + DRAFT,
                f"{url}{DRAFT}/veroeffentlichen",
                f"{url}{DRAFT}/vorschau",
                f"{url}/buero/frageboegen/staff-pulse/2",
                f"{url}/buero/leitbilder/lindenau",
                f"{url}/buero/runden",
                f"{url}/buero/runden/neu",
                f"{url}/buero/runden/{KEYBOARD_WAVE}",
                f"{url}/buero/runden/{KEYBOARD_WAVE}/bearbeiten",
                f"{url}/buero/runden/{KEYBOARD_WAVE}/zugang",
                f"{url}/buero/runden/demo-puls-2026-q4",  # open: participation, table and chart
                f"{url}/buero/runden/demo-puls-2026-q4/close",
                f"{url}/buero/organisation",
            ],
            languages,
        )
        check_pages(
            council,
            axe_source,
            [
                f"{url}/personalrat/freigaben",
                f"{url}/personalrat/freigaben/version/staff-pulse/2",
                f"{url}/personalrat/freigaben/runde/{KEYBOARD_WAVE}",
                f"{url}/protokoll",
            ],
            languages,
        )
        check_pages(
            admin,
            axe_source,
            [
                f"{url}/verwaltung/benutzer",
                f"{url}/verwaltung/benutzer/neu",
                f"{url}/verwaltung/benutzer/konto/buero",
            ],
            languages,
        )
    finally:
        for page in (office, council, admin):
            page.context.close()


# --- issue 19: a measure from the lead's form to the staff and the citizens ----------------------

TITLE = "Fallkonferenz Jugendamt und Jobcenter"
NOTE = "Erste gemeinsame Fallkonferenz mit dem Jobcenter."
PUBLIC_MEASURE = "Merkblätter in sieben Sprachen"  # a public demo measure (survey.services.demo_measures)
SERVICE_POINT = "auslaenderbehoerde-service"
CITIZEN_LANGUAGES = ("de", "en", "ar", "de-x-ls")


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
            go(lead, in_language(url + path, portal_language))
            assert lead.locator("html").get_attribute("lang") == portal_language
            assert_no_axe_violations(lead, axe_source)

        # the office makes the Jugendamt's feedback link; its staff open it without signing in
        go(office, f"{url}/buero/rueckmeldung")
        click_to(office, 'form[action="/buero/rueckmeldung/jugendamt"] button')
        feedback = office.locator('[id="unit-jugendamt"] a[href*="/rueckmeldung/"]').first.get_attribute(
            "href"
        )
        assert feedback is not None
        go(office, in_language(f"{url}/buero/rueckmeldung", portal_language))
        assert_no_axe_violations(office, axe_source)
        for lang in ("de", "en"):
            go(anonymous, in_language(feedback, lang))
            assert TITLE in main_text(anonymous), lang
            assert anonymous.locator("html").get_attribute("lang") == lang
            assert_no_axe_violations(anonymous, axe_source)

        # a citizen reads the service point's public page in every language, with its public measure
        for lang in CITIZEN_LANGUAGES:
            go(anonymous, in_language(f"{url}/oeffentlich/{SERVICE_POINT}", lang))
            assert anonymous.locator("html").get_attribute("lang") == lang
            assert PUBLIC_MEASURE in main_text(anonymous), lang
            assert TITLE not in main_text(anonymous)  # not public: never on a citizens' page
            assert_no_axe_violations(anonymous, axe_source)
    finally:
        for page in (lead, dezernentin, office, anonymous):
            page.context.close()


# --- issue 24, acceptance 4: a reorganisation applied in the browser -------------------------------


def _submit(page: Any, selector: str) -> int:
    """Click `selector` and wait for the page it leads to; its status."""
    with page.expect_navigation() as navigation:
        page.locator(selector).first.click()
    response = navigation.value
    assert response is not None
    return int(response.status)


def test_the_office_reorganises_in_the_browser(
    server: Server, browser: Any, axe_source: str, tmp_path: Path
) -> None:
    """The office uploads an organisation file that splits the Schul- und Sportverwaltung, merges
    the two Bürgerbüro teams and moves the Team Eingangszone, without a `changes:` section. The
    preview lists each change, asks what became of each unit that ends, refuses answers that do
    not fit next to their unit, shows how the trends go on, and applies it with the lineage;
    axe-core finds nothing on the preview with its questions, with an answer refused and after."""
    import yaml

    from survey.services.demo_reorganisation import reorganised

    url = server.url
    office = signed_in(browser, url, "buero")
    try:
        stored = yaml.safe_load(office.request.get(f"{url}/buero/organisation/datei").text())
        data = reorganised(stored, dt.date.today())
        del data["changes"]  # the page asks for them
        path = tmp_path / "neuordnung.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        go(office, f"{url}/buero/organisation")
        office.set_input_files("#file", str(path))
        click_to(office, "form.org-upload button[type=submit]")
        assert "/buero/organisation/vorschau/" in office.url
        text = main_text(office)
        heads = {u["key"]: u["headcount"] for u in stored["units"]} | {
            u["key"]: u["headcount"] for u in data["units"]
        }
        # each detected change is listed: added, moved, retired
        for said in (
            "Hinzugefügte Einheiten",
            "Team Eingangszone",
            "Was aus den endenden Einheiten wird",
            f"Fachbereich Schul- und Sportverwaltung (bisher {heads['schule-sport']} Beschäftigte)",
            f"Team Bürgerbüro Mitte (bisher {heads['team-buergerbuero-mitte']} Beschäftigte)",
            f"Sportamt ({heads['sportamt']} Beschäftigte)",
        ):
            assert said in text, said
        assert_no_axe_violations(office, axe_source)

        # a split into one new unit does not fit: refused next to its unit, the answers kept
        office.check("#fate-schule-sport-split")
        office.check("#into-schule-sport--schulverwaltung")
        for team in ("team-buergerbuero-mitte", "team-buergerbuero-nord"):
            office.check(f"#fate-{team}-merged")
            office.check(f"#into-{team}--team-buergerbuero")
        assert _submit(office, "form.lineage-form button[type=submit]") == 400
        assert "Teilung geht in zwei oder mehr neue Einheiten" in office.inner_text(
            "#lineage-schule-sport-error"
        )
        assert (
            office.get_attribute("#lineage-schule-sport", "aria-describedby") == "lineage-schule-sport-error"
        )
        assert office.is_checked("#into-team-buergerbuero-nord--team-buergerbuero")
        assert office.is_checked("#fate-schule-sport-split")
        assert_no_axe_violations(office, axe_source)

        office.check("#into-schule-sport--sportamt")
        office.fill("#share-schule-sport--schulverwaltung", "70")
        office.fill("#share-schule-sport--sportamt", "30")
        assert _submit(office, "form.lineage-form button[type=submit]") == 200
        text = main_text(office)
        assert "Was aus den endenden Einheiten wird" not in text  # answered: nothing more to ask
        for said in (
            "Wie die Trends weitergehen",
            "Fachbereich Schul- und Sportverwaltung wird geteilt in Fachbereich Schulverwaltung und Sportamt",
            "Anteile am Personal: Fachbereich Schulverwaltung 70 % und Sportamt 30 %",
            "Team Bürgerbüro Mitte und Team Bürgerbüro Nord werden zu Team Bürgerbüro zusammengelegt",
            "Team Eingangszone wechselt die übergeordnete Einheit",
        ):
            assert said in text, said
        assert_no_axe_violations(office, axe_source)
        go(office, office.url.split("#")[0] + "?lang=en")
        english = main_text(office)
        assert (
            "Fachbereich Schul- und Sportverwaltung is split into Fachbereich Schulverwaltung and Sportamt"
            in english
        )
        assert_no_axe_violations(office, axe_source)

        assert _submit(office, "form[action^='/buero/organisation/vorschau/'] button[type=submit]") == 200
        assert urlsplit(office.url).path == "/buero/organisation"
        kinds = fetch(
            server,
            "SELECT l.kind, p.key, s.key, l.share FROM unit_lineage l "
            "LEFT JOIN org_unit p ON p.id = l.predecessor LEFT JOIN org_unit s ON s.id = l.successor "
            "WHERE l.version = (SELECT MAX(id) FROM org_version) ORDER BY l.kind, s.key, p.key",
        )
        assert [(k, p, s, None if share is None else round(float(share), 2)) for k, p, s, share in kinds] == [
            ("merged", "team-buergerbuero-mitte", "team-buergerbuero", None),
            ("merged", "team-buergerbuero-nord", "team-buergerbuero", None),
            ("split", "schule-sport", "schulverwaltung", 0.7),
            ("split", "schule-sport", "sportamt", 0.3),
        ]
    finally:
        office.context.close()
