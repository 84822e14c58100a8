"""The dashboard in headless Chromium: a lead signs in through the form, opens the dashboard, drills into
a sub-unit, opens its items and its report; axe-core finds no WCAG 2.1 A/AA violation on any of these
pages, in German and in English, and the report's own Content-Security-Policy lets its styles through.

One server per engine, built through the real CLI (`survey demo`, `survey user add`, in this process
through click's test runner), as the survey office would.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
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


# the server helpers of this folder's conftest; the axe check of the respondent pages
browser_setup = _load("portal_browser_setup", HERE / "conftest.py")
respondent_pages = _load("portal_respondent_pages", HERE / "test_respondent_pages.py")
assert_no_axe_violations = respondent_pages.assert_no_axe_violations

LEAD = "jugendamt-leitung"
LEAD_NAME = "Leitung Jugendamt"
PASSWORD = "ein langes Browser-Testpasswort"


@dataclass
class Portal:
    url: str
    log: Path
    engine: str


def _add_lead(environment: dict[str, str]) -> None:
    browser_setup._survey(
        environment,
        "user",
        "add",
        LEAD,
        "--name",
        LEAD_NAME,
        "--role",
        "lead:jugendamt",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def portal(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, browser: Any
) -> Iterator[Portal]:
    """`survey serve` over a demo Kommune with six waves and a lead of Jugendamt added by the CLI."""
    engine = request.param
    folder = tmp_path_factory.mktemp(f"portal-{engine}")
    database_url = (
        f"sqlite:///{folder}/survey.sqlite3"
        if engine == "sqlite"
        else browser_setup._fresh_postgres_database()
    )
    server: subprocess.Popen[bytes] | None = None
    try:
        port = browser_setup._free_port()
        url = f"http://127.0.0.1:{port}"
        environment = browser_setup._environment(database_url, url)
        browser_setup._survey(environment, "db", "upgrade")
        browser_setup._survey(
            environment, "demo", "--staff", "500", "--waves", "6", "--citizen-ratings", "100"
        )
        _add_lead(environment)
        log = folder / "server.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                [*browser_setup.SURVEY, "serve", "--port", str(port)],
                cwd=browser_setup.ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        browser_setup._wait_for_health(server, url, log)
        yield Portal(url, log, engine)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if engine == "postgres":
            name = urlsplit(database_url).path.lstrip("/")
            browser_setup._in_thread(
                browser_setup._pg_execute(
                    browser_setup.PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                )
            )


def _follow(page: Any, selector: str) -> Any:
    """Click the first link matching `selector`, as a person would; the response of the new page."""
    with page.expect_navigation() as navigation:
        page.locator(selector).first.click()
    response = navigation.value
    assert response is not None and response.status == 200, f"{selector}: {response and response.status}"
    return response


#: the widths every results page and report must fit without scrolling sideways (issue 20)
WIDTHS = (320, 375, 768, 1366)


#: the elements that stick out of the window: outside any region that scrolls on its own, or
#: positioned (those escape such a region unless it is their containing block)
_WIDEST = """() => [...document.querySelectorAll('body *')].filter(el => {
  const right = el.getBoundingClientRect().right, parent = el.parentElement, edge = window.innerWidth + 1;
  const positioned = getComputedStyle(el).position === 'absolute';
  return right > edge && (positioned || (parent && parent.getBoundingClientRect().right <= edge
    && !['auto', 'scroll'].includes(getComputedStyle(parent).overflowX)));
}).slice(0, 3).map(el => el.tagName + '.' + (el.getAttribute('class') || '') + ' '
  + el.textContent.trim().slice(0, 40))"""


def _sideways(page: Any) -> list[str]:
    """The widths at which the page scrolls sideways (none: it reflows at every one)."""
    wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        if page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1"):
            wide.append(f"{page.url} at {width} px: {page.evaluate(_WIDEST)}")
    page.set_viewport_size({"width": 1280, "height": 900})
    return wide


def _glance_fits(page: Any) -> None:
    """At 1366 × 768 every value's latest score, change and trend are on screen without scrolling
    sideways: the glance table ends inside the window."""
    page.set_viewport_size({"width": 1366, "height": 768})
    rows = page.locator("table.glance tbody tr")
    assert rows.count() == 6
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td")
        assert cells.count() >= 3
        for cell in range(min(cells.count(), 3)):
            box = cells.nth(cell).bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1366, (index, cell, box)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_lead_drills_down_to_a_report_without_axe_violations(
    portal: Portal, browser: Any, axe_source: str
) -> None:
    # the markup does not depend on the engine: German is checked on one, English on the other
    language = "de" if portal.engine == "sqlite" else "en"
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)  # a unit's figures and charts take a few seconds
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                problems.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.goto(f"{portal.url}/dashboard?lang={language}")
        assert urlsplit(page.url).path == "/anmelden", "without a session the dashboard asks to sign in"
        page.fill("#username", LEAD)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.locator("form.signin button[type=submit]").click()
        assert urlsplit(page.url).path == "/dashboard"
        assert page.locator("html").get_attribute("lang") == language
        checked = [page.url]
        assert_no_axe_violations(page, axe_source)

        _follow(page, 'main a[href^="/dashboard/jugendamt?"]')
        assert page.locator("h1").inner_text() == "Fachbereich Jugendamt"
        assert page.locator("svg.chart-svg[role=img][aria-label]").count() == 6
        assert page.locator("figure.chart").count() == page.locator("figure.chart figcaption").count() == 6
        assert page.locator("table.figures .trend").count() >= 6
        _glance_fits(page)
        checked.append(page.url)
        assert_no_axe_violations(page, axe_source)

        _follow(page, 'main table a[href^="/dashboard/asd?"]')
        assert page.locator("h1").inner_text() == "Abteilung Allgemeiner Sozialer Dienst"
        assert page.locator("html").get_attribute("lang") == language
        checked.append(page.url)
        assert_no_axe_violations(page, axe_source)

        _follow(page, 'a[href^="/dashboard/asd/fragen"]')
        assert page.locator("table.figures tbody tr").count() >= 10
        checked.append(page.url)
        assert_no_axe_violations(page, axe_source)

        report = _follow(page, 'a[href^="/dashboard/asd/bericht"]')
        assert "style-src-elem 'sha256-" in report.headers["content-security-policy"]
        assert page.locator("html").get_attribute("lang") == language
        # the inlined stylesheet applies (blocked, the heading would be the browser's black)
        assert page.evaluate("() => getComputedStyle(document.querySelector('h1')).color") != "rgb(0, 0, 0)"
        checked.append(page.url)
        assert_no_axe_violations(page, axe_source)

        # the unit's overview: its rows side by side, each leading down to the unit's page
        page.goto(f"{portal.url}/dashboard/jugendamt?fragebogen=staff-pulse&lang={language}")
        _follow(page, 'a[href^="/dashboard/jugendamt/uebersicht"]')
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator('table.overview-table a[href^="/dashboard/jugendamt?"]').count() >= 1
        checked.append(page.url)
        assert_no_axe_violations(page, axe_source)

        assert not problems, f"Content-Security-Policy violations on {checked}: {problems}"
        sideways = []
        for url in checked:
            page.goto(url)
            sideways += _sideways(page)
        assert not sideways, f"scrolls sideways: {sideways}"
    finally:
        context.close()
