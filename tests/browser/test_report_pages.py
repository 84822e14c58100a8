"""The department report and the organisation overview as files in headless Chromium: they open with
every network request blocked, none is even attempted, and axe-core finds no WCAG 2.1 A/AA violation.

Made from the hand-built figures of tests/report/test_render.py with the real charts where they exist
(else the same small fakes), written to a temporary file and opened as file://.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from survey.report import charts
from survey.report.render import department_html, overview_html

HERE = Path(__file__).resolve().parent
TODAY = dt.date(2026, 11, 21)


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# the figures and the fake charts of the report tests; the axe check of the respondent pages
figures = _load("report_figures", HERE.parent / "report" / "test_render.py")
respondent_pages = _load("respondent_pages", HERE / "test_respondent_pages.py")
assert_no_axe_violations: Callable[[Any, str], None] = respondent_pages.assert_no_axe_violations


def _charts_are_real() -> bool:
    try:
        charts.response_rates(figures.unit_figures().waves, "de")
    except NotImplementedError:
        return False
    return True


@pytest.fixture(scope="module")
def report_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as patch:
        if not _charts_are_real():
            for name in figures.CHART_FUNCTIONS:
                patch.setattr(charts, name, figures._fake(name))
        files = {}
        for language in ("de", "en"):
            page = department_html(
                figures.unit_figures(),
                kommune="Stadt Lindenau",
                comments=["Mehr Zeit für Übergaben, bitte.", "Gute Zusammenarbeit im Team."],
                language=language,
                generated_on=TODAY,
            )
            overview = overview_html(
                figures.overview(), kommune="Stadt Lindenau", language=language, generated_on=TODAY
            )
            for kind, html in (("department", page), ("overview", overview)):
                path = folder / f"{kind}-{language}.html"
                path.write_text(html, encoding="utf-8")
                files[f"{kind}-{language}"] = path
    return files


@pytest.mark.parametrize("report", ["department-de", "department-en", "overview-de", "overview-en"])
def test_report_opens_offline_and_has_no_axe_violations(
    report: str, report_files: dict[str, Path], page: Any, axe_source: str
) -> None:
    requested: list[str] = []

    def only_files(route: Any) -> None:
        url = route.request.url
        requested.append(url)
        if url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_files)
    response = page.goto(report_files[report].as_uri())
    assert response is None or response.ok
    page.wait_for_load_state("load")

    network = [url for url in requested if not url.startswith("file://")]
    assert network == [], f"the report tried to load {network}"
    resources = page.evaluate("() => performance.getEntriesByType('resource').map(entry => entry.name)")
    assert resources == [], f"the report loaded {resources}"

    language = report.rsplit("-", 1)[1]
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    assert page.locator("figure svg[role=img][aria-label]").count() >= 1
    assert page.locator("figure").count() == page.locator("figure figcaption").count()
    assert_no_axe_violations(page, axe_source)
    # it reflows from a phone to a desktop: a wide table scrolls inside itself, never the page
    for width in (320, 375, 768, 1366):
        page.set_viewport_size({"width": width, "height": 800})
        assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1"), width
