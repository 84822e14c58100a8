"""The dashboard of leads (survey/web/dashboard/) through litestar's test client, on SQLite and PostgreSQL.

One small demo Kommune per engine for the whole module (500 staff, six quarterly waves): a lead of
Jugendamt, the survey office, the Personalrat and an analyst sign in through the form. One comment of
Jugendamt's latest wave is made to look like markup, to see it come back escaped.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import html
import os
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml
from litestar.testing import AsyncTestClient
from markupsafe import Markup, escape
from portal_helpers import app_call, sign_in

from survey.domain.figures import Change, HiddenFigure, Score, Trend
from survey.report.format import hidden_text
from survey.services.audit import audit_log
from survey.settings import Settings
from survey.web.app import create_app
from survey.web.dashboard import DASHBOARD_ROUTES, PageShow, report_policy
from survey.web.report_turn import ReportTurn
from survey.web.report_worker import ReportBuilder

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1" or bool(os.environ.get("CI"))
PASSWORD = "ein-langes-testpasswort"
USERS = {
    "leitung-jugendamt": ["lead:jugendamt"],
    "buero": ["office"],
    "personalrat": ["personalrat"],
    "auswertung": ["analyst"],
}
LATEST_STAFF_WAVE = "demo-puls-2026-q3"
MARKUP_COMMENT = '<script>alert("x")</script> Mehr Zeit & Ruhe für <b>Übergaben</b>'
#: units of the demo as these tests rely on them (500 staff, six waves, seed 2026)
JUGENDAMT_SUBUNITS = {"asd", "kita-verwaltung"}
FOREIGN = ("sozialamt", "grundsicherung", "jobcenter", "kjfs", "verwaltung")

#: every route of the dashboard, by how its access is decided
UNIT_ROUTES = {
    "/dashboard/{unit}",
    "/dashboard/{unit}/fragen",
    "/dashboard/{unit}/bericht",
    "/dashboard/{unit}/bericht.pdf",
    "/dashboard/{unit}/uebersicht",
    "/dashboard/{unit}/uebersicht.pdf",
    "/api/v1/units/{unit}/figures",
    "/api/v1/units/{unit}/comments",
}
ORGANISATION_ROUTES = {
    "/dashboard/organisation/bericht",
    "/dashboard/organisation/bericht.pdf",
    "/api/v1/overview/figures",
}
LIST_ROUTES = {"/dashboard", "/api/v1/units"}


# --- the database, built once per engine ----------------------------------------------------------


async def _pg(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _fresh_postgres() -> str:
    try:
        await _pg(PG_URL, "SELECT 1")
    except Exception as exc:  # any failure means: not usable here
        problem = f"PostgreSQL not reachable at {PG_URL} ({exc}); set TEST_POSTGRES_URL"
        if REQUIRE_POSTGRES:
            pytest.fail(problem)
        pytest.skip(problem)
    name = f"lp_dash_{uuid.uuid4().hex[:12]}"
    await _pg(PG_URL, f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))


async def _build(database_url: str) -> None:
    from survey.services.accounts import add_user
    from survey.services.demo import DemoOptions, build_demo
    from survey.store.engine import engine_from_url, is_sqlite, use_engine
    from survey.store.migrate import upgrade
    from survey.store.tables import Comment

    engine = engine_from_url(database_url)
    use_engine(engine)
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=1, max_size=4)
    try:
        await upgrade()
        await build_demo(
            QUESTIONNAIRES,
            # without the demo's reorganisation: the checks below read its first organisation
            DemoOptions(
                staff=500, waves=6, citizen_ratings=100, today=dt.date(2026, 11, 21), reorganise=False
            ),
        )
        for username, roles in USERS.items():
            await add_user(username, username.replace("-", " ").title(), PASSWORD, roles)
        [first, *_] = (
            await Comment.select(Comment.id)
            .where(Comment.wave.key == LATEST_STAFF_WAVE)
            .where(Comment.unit.key.is_in(sorted(JUGENDAMT_SUBUNITS)))
            .order_by(Comment.id)
            .run()
        )
        await Comment.update({Comment.text: MARKUP_COMMENT}).where(Comment.id == first["id"]).run()
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def kommune(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """The URL of a database with the demo Kommune and the users of USERS."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('dashboard')}/survey.sqlite3"
    else:
        url = await _fresh_postgres()
    try:
        await _build(url)
        yield url
    finally:
        if request.param == "postgres":
            await _pg(PG_URL, f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


@pytest.fixture
async def client(kommune: str) -> AsyncIterator[AsyncTestClient]:
    app = create_app(Settings(database_url=kommune, questionnaires=QUESTIONNAIRES))
    async with AsyncTestClient(app=app) as test_client:
        test_client.follow_redirects = False
        yield test_client


async def as_user(client: AsyncTestClient, username: str) -> None:
    await sign_in(client, username, PASSWORD)


# --- helpers over the pages ---------------------------------------------------------------------


def texts(page: str, css_class: str) -> list[str]:
    """The text of every `<span class="css_class">…</span>` (no nested spans in these)."""
    return [html.unescape(m) for m in re.findall(rf'<span class="{css_class}">([^<]*)</span>', page)]


def value_rows(page: str) -> list[str]:
    """The rows of the values × waves table."""
    table = page[
        page.index('id="values-caption"') : page.index("</table>", page.index('id="values-caption"'))
    ]
    return re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", table, re.DOTALL)


def hidden_words(language: str = "de") -> set[str]:
    """Every way the pages may write a hidden figure: the word and its reason, no figure."""
    words = set()
    for reason in ("below_k", "secondary", "other_side_hidden", "wave_open", "few_changed"):
        for k in (5, 10):
            words.add(hidden_text(HiddenFigure(True, reason, f"fewer than {k} respondents"), language))
    return words


def route_paths() -> set[str]:
    return {re.sub(r"\{(\w+):\w+\}", r"{\1}", path) for route in DASHBOARD_ROUTES for path in route.paths}


# --- without a database -------------------------------------------------------------------------


def test_every_route_is_in_the_access_matrix() -> None:
    assert route_paths() == UNIT_ROUTES | ORGANISATION_ROUTES | LIST_ROUTES


def _trend(direction: str) -> Trend:
    return Trend(6, direction, 0.6, 0.001, 0.004, 1.25, 0.5, 2.0)


@pytest.mark.parametrize(
    ("direction", "arrow", "words"),
    [
        ("rising", "↑", "rising significantly"),
        ("falling", "↓", "falling significantly"),
        ("flat", "→", "no significant trend"),
        ("not_enough_waves", "–", "no trend yet"),
    ],
)
def test_trend_arrows_have_words_for_screen_readers(direction: str, arrow: str, words: str) -> None:
    shown = str(PageShow("en").trend(_trend(direction)))
    assert f'<span aria-hidden="true">{arrow}</span>' in shown
    assert f'<span class="visually-hidden">{words}' in shown


def test_significance_is_marked_and_said() -> None:
    show = PageShow("de")
    significant = Change("Welch", -4.25, 0.001, 0.004, True, -0.4, "Cohen's d")
    plain = Change("Welch", 1.0, 0.5, 0.8, False, 0.1, "Cohen's d")
    marked = str(show.change(significant, points=True))
    assert "−4,3" in marked and '<span class="sig" aria-hidden="true">*</span>' in marked
    assert 'class="visually-hidden"' in marked and "0,004" in marked
    assert '<span class="sig"' not in str(show.change(plain, points=True))
    hidden = HiddenFigure(True, "other_side_hidden", "one of the compared groups is hidden")
    assert str(show.change(hidden, points=True)) == (
        '<span class="hidden-figure">verborgen (eine der verglichenen Gruppen ist verborgen)</span>'
    )


def test_hidden_scores_are_words_never_numbers() -> None:
    show = PageShow("de")
    hidden = HiddenFigure(True, "below_k", "fewer than 5 respondents")
    assert str(show.score(hidden)) == '<span class="hidden-figure">verborgen (weniger als 5 Antworten)</span>'
    assert "<strong>61,4</strong>" in str(show.score(Score(12, 61.44, 58.3, 64.6)))
    assert str(show.count({"hidden": True, "reason": "secondary", "explanation": "…"})).startswith(
        '<span class="hidden-figure">verborgen'
    )


def test_report_policy_allows_exactly_the_reports_own_styles() -> None:
    css = "\nbody { color: #222; }\n"
    page = (
        f"<html><head><style>{css}</style></head>"
        '<body><svg style="max-width:100%;height:auto"></svg></body></html>'
    )
    policy = report_policy(page)

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert f"style-src-elem {digest(css)};" in policy
    assert f"style-src-attr 'unsafe-hashes' {digest('max-width:100%;height:auto')};" in policy
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy and "script-src" not in policy
    assert "frame-ancestors 'none'" in policy
    # a changed stylesheet no longer matches
    assert digest(css + " ") not in report_policy(page)


# --- the lead's way through the dashboard ---------------------------------------------------------


async def test_the_lead_sees_jugendamt_and_drills_down(client: AsyncTestClient) -> None:
    await as_user(client, "leitung-jugendamt")
    start = await client.get("/dashboard")
    assert start.status_code == 200
    assert start.headers["cache-control"].startswith("no-store")
    starts = re.findall(r'<a href="/dashboard/([\w-]+)\?fragebogen=staff-pulse">', start.text)
    assert starts == ["jugendamt"]
    assert 'name="fragebogen"' in start.text and 'value="citizen-contact"' in start.text
    assert "/dashboard/organisation/bericht" not in start.text  # no organisation-wide grant

    unit = await client.get("/dashboard/jugendamt?fragebogen=staff-pulse")
    assert unit.status_code == 200
    page = unit.text
    assert "<h1>Fachbereich Jugendamt</h1>" in page and '<html lang="de">' in page
    # sub-units as drill-down links, and the links to the items and the report
    links = set(re.findall(r'<a href="/dashboard/([\w-]+)\?fragebogen=staff-pulse">', page))
    assert links >= JUGENDAMT_SUBUNITS
    assert '<a href="/dashboard/jugendamt/fragen?fragebogen=staff-pulse">' in page
    assert '<a href="/dashboard/jugendamt/bericht?fragebogen=staff-pulse">' in page
    # six values × six waves, each cell a score or a hidden figure with its reason
    rows = value_rows(page)
    assert len(rows) == 6
    for row in rows:
        cells = re.findall(r'<td class="num">(.*?)</td>', row, re.DOTALL)
        assert len(cells) == 6 + 1  # the waves and the change
        assert any('class="hidden-figure"' in c for c in cells[:6]), "one wave of Jugendamt is hidden"
        for cell in cells[:6]:
            assert ("<strong>" in cell) != ('class="hidden-figure"' in cell)
        # Jugendamt's small teams change by fewer than k people from wave to wave, so only four
        # waves are shown: too few for a trend, said in words
        assert sum("<strong>" in cell for cell in cells[:6]) == 4
        assert "noch kein Trend: weniger als fünf Befragungsrunden mit Zahlen" in row
    assert set(texts(page, "hidden-figure")) <= hidden_words()
    # above them, at a glance: per value the latest score, the change and the trend in words and
    # the comparison; the wave-by-wave table comes after, behind a disclosure
    glance = page[page.index('class="figures glance"') : page.index('<details class="wave-table">')]
    assert page.index('<details class="wave-table">') < page.index('id="values-caption"')
    glance_rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", glance, re.DOTALL)
    assert len(glance_rows) == 6
    for row in glance_rows:
        assert 'data-label="Letzte Runde"' in row and 'data-label="Im Vergleich"' in row
        change = re.search(r'data-label="Seit der Runde davor">(.*?)</td>', row, re.DOTALL)
        assert change and re.search(
            r"etwa gleich|deutlich besser|deutlich schlechter|verborgen|kein Vergleich", change.group(1)
        )
        assert "zu wenige Runden für einen Trend" in row  # four waves with figures: no trend yet
        assert "übergeordnete Einheit:" in row
    legend = page[page.index('<div class="legend">') :]
    assert "Benjamini" in legend and "*" in legend  # the legend of the significance marks
    # charts: one inline SVG per value, each an image with a name, a text and a table
    assert page.count('<svg class="chart-svg" ') == 6
    assert page.count('role="img"') == 6 and page.count("<details>") == 6
    assert not re.search(r"\sstyle\s*=", page) and "<style" not in page and "<script" not in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids are unique across the charts"
    # the comments of the latest wave (Jugendamt reaches k_text) on their own page, escaped
    assert '<a href="/dashboard/jugendamt/kommentare?fragebogen=staff-pulse">' in page
    comments = (await client.get("/dashboard/jugendamt/kommentare?fragebogen=staff-pulse")).text
    assert str(escape(MARKUP_COMMENT)) in comments
    assert "<script>alert" not in page and "<b>Übergaben</b>" not in page

    # drill into a sub-unit: back up to Jugendamt through the breadcrumbs
    asd = await client.get("/dashboard/asd?fragebogen=staff-pulse")
    assert asd.status_code == 200
    assert "<h1>Abteilung Allgemeiner Sozialer Dienst</h1>" in asd.text
    assert '<a href="/dashboard/jugendamt?fragebogen=staff-pulse">Fachbereich Jugendamt</a>' in asd.text
    assert "Dezernat III" in asd.text and '<a href="/dashboard/kjfs' not in asd.text  # above the grant
    assert set(texts(asd.text, "hidden-figure")) <= hidden_words()
    assert "This unit has no sub-units." in asd.text or "keine Untereinheiten" in asd.text

    entries = await app_call(client, audit_log, action="comments.view")
    assert {(e.username, e.target) for e in entries} >= {
        ("leitung-jugendamt", "jugendamt"),
        ("leitung-jugendamt", "asd"),
    }


async def test_hidden_figures_never_show_numbers(client: AsyncTestClient) -> None:
    """Cell by cell: where the API says hidden, the page says hidden, and no figure of it is anywhere."""
    await as_user(client, "leitung-jugendamt")
    response = await client.get("/api/v1/units/kita-verwaltung/figures")
    assert response.headers["cache-control"].startswith("no-store")
    figures = response.json()
    page = (await client.get("/dashboard/kita-verwaltung")).text
    hidden_waves = [
        i
        for i, point in enumerate(figures["values"][0]["series"])
        if isinstance(point["score"], dict) and point["score"].get("hidden")
    ]
    assert hidden_waves, "Kita-Verwaltung is hidden in some waves"
    for value, row in zip(figures["values"], value_rows(page), strict=True):
        cells = re.findall(r'<td class="num">(.*?)</td>', row, re.DOTALL)
        for i, point in enumerate(value["series"]):
            if point["score"].get("hidden"):
                assert set(point["score"]) == {"hidden", "reason", "explanation"}
                assert "<strong>" not in cells[i] and 'class="hidden-figure"' in cells[i]
            else:
                assert f"<strong>{PageShow('de').number(point['score']['mean'])}</strong>" in cells[i]
    for wave in figures["waves"]:
        if isinstance(wave["respondents"], dict):
            assert set(wave["respondents"]) == {"hidden", "reason", "explanation"}
            assert isinstance(wave["response_rate"], dict)


async def test_items_per_wave(client: AsyncTestClient) -> None:
    await as_user(client, "leitung-jugendamt")
    latest = await client.get("/dashboard/jugendamt/fragen?fragebogen=staff-pulse")
    assert latest.status_code == 200
    assert f'welle={LATEST_STAFF_WAVE}" aria-current="page"' in latest.text
    assert latest.text.count('<th scope="row">') == 16  # the scored items of staff-pulse v2
    # plain words: a change is "eher höhere Bewertungen" (Cliff's δ only in small print after it),
    # answers a stacked bar over every code of the scale, lowest first, with the shares in words
    rows = re.findall(r'<tr>\s*<th scope="row">.*?</tr>', latest.text, re.DOTALL)
    for row in rows:
        cells = re.findall(r"<td\b[^>]*>(.*?)</td>", row, re.DOTALL)
        spread, change = cells[-2], cells[-1]
        if 'class="hidden-figure"' not in spread:
            assert '<svg class="distribution"' in spread and "von der niedrigsten Antwort" in spread
            assert re.search(r"\(0\) bis zur höchsten \(10\)|\(1\) bis zur höchsten \(5\)", spread)
        if "Cliff" in change:
            assert re.match(r'<span class="change">(etwa gleiche|eher|deutlich|viel) ', change.strip())
    assert "Antworten je Antwortcode" not in latest.text
    earlier = await client.get("/dashboard/jugendamt/fragen?fragebogen=staff-pulse&welle=demo-puls-2025-q3")
    assert earlier.status_code == 200
    assert 'welle=demo-puls-2025-q3" aria-current="page"' in earlier.text
    assert "<h2>Mitarbeitendenpuls 3. Quartal 2025</h2>" in earlier.text
    assert set(texts(earlier.text, "hidden-figure")) <= hidden_words()
    unknown = await client.get("/dashboard/jugendamt/fragen?welle=keine-welle")
    assert unknown.status_code == 404 and "keine-welle" in unknown.text


async def test_english_pages_name_values_and_items_in_english(client: AsyncTestClient) -> None:
    """The Leitbild's value names and the items' texts as the files give them in English: no
    German name or text on the English unit, items and report pages (checked against the files)."""
    leitbild = yaml.safe_load((QUESTIONNAIRES / "leitbild.yaml").read_text(encoding="utf-8"))
    version = yaml.safe_load((QUESTIONNAIRES / "staff-pulse" / "v2.yaml").read_text(encoding="utf-8"))
    names = [(v["name"]["de"], v["name"]["en"]) for v in leitbild["values"]]
    items = [(i["text"]["de"], i["text"]["en"]) for i in version["items"] if i["scale"] != "comment"]
    await as_user(client, "leitung-jugendamt")
    for path, expected in (
        ("/dashboard/jugendamt?fragebogen=staff-pulse&lang=en", names),
        ("/dashboard/jugendamt/fragen?fragebogen=staff-pulse&lang=en", items),
        ("/dashboard/jugendamt/bericht?fragebogen=staff-pulse&lang=en", names),
        ("/dashboard/jugendamt/uebersicht?fragebogen=staff-pulse&lang=en", names),
    ):
        page = html.unescape((await client.get(path)).text)
        for german, english in expected:
            assert german not in page, (path, german)
            assert english in page, (path, english)
        assert version["title"]["de"] not in page, path
        # the waves' titles as the office gave them in English (the demo's: "Staff pulse Q3 2026")
        assert "Mitarbeitendenpuls" not in page and re.search(r"Staff pulse Q\d 20\d\d", page), path
    german_page = html.unescape(
        (await client.get("/dashboard/jugendamt?fragebogen=staff-pulse&lang=de")).text
    )
    assert [german for german, _ in names if german not in german_page] == []


async def test_the_report_page_has_its_own_strict_policy(client: AsyncTestClient) -> None:
    await as_user(client, "leitung-jugendamt")
    for lang in ("de", "en"):
        response = await client.get(f"/dashboard/jugendamt/bericht?fragebogen=staff-pulse&lang={lang}")
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.text
        assert "Fachbereich Jugendamt" in response.text
        [css] = re.findall(r"<style>(.*?)</style>", response.text, re.DOTALL)
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        policy = response.headers["content-security-policy"]
        assert f"style-src-elem 'sha256-{digest}'" in policy
        assert "unsafe-inline" not in policy and "default-src 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"].startswith("no-store")
        assert str(escape(MARKUP_COMMENT)) in response.text
    # every other page keeps the app's policy
    page = await client.get("/dashboard/jugendamt")
    assert "style-src 'self'" in page.headers["content-security-policy"]
    assert "sha256" not in page.headers["content-security-policy"]


async def test_a_dezernat_overview_shows_its_units_side_by_side_to_whoever_may_see_it(
    client: AsyncTestClient,
) -> None:
    """A Dezernat's (or any unit's) overview: its rows of the organisation overview — the same
    figures, the same suppression — for its leads too, not only for organisation-wide roles."""
    from survey.store.org import list_units

    await as_user(client, "buero")
    units = {u.key: u for u in await app_call(client, list_units)}
    kjfs = units["kjfs"]
    inside = {
        u.name
        for u in units.values()
        if u.kind in ("Dezernat", "Fachbereich") and u.path.startswith(kjfs.path)
    }
    assert {"Fachbereich Jugendamt", kjfs.name} <= inside
    outside = {u.name for u in units.values() if u.kind == "Fachbereich"} - inside
    assert inside and outside
    dezernat = await client.get("/dashboard/kjfs/uebersicht?fragebogen=staff-pulse")
    assert dezernat.status_code == 200
    page = html.unescape(dezernat.text)
    assert all(name in page for name in inside)
    assert not any(name in page for name in outside)
    assert 'href="/dashboard/kjfs/uebersicht.pdf?fragebogen=staff-pulse"' in dezernat.text
    # each row leads down to its unit's page; the citizens' view of the same units follows
    assert '<a href="/dashboard/jugendamt?fragebogen=staff-pulse&amp;lang=de">' in dezernat.text
    citizens = dezernat.text[dezernat.text.index('id="citizens"') :]
    assert '<a href="/dashboard/jobcenter?fragebogen=citizen-contact&amp;lang=de">' in citizens
    whole = html.unescape((await client.get("/dashboard/organisation/bericht?fragebogen=staff-pulse")).text)
    assert all(name in whole for name in inside | outside)
    unit_page = await client.get("/dashboard/kjfs?fragebogen=staff-pulse")
    assert 'href="/dashboard/kjfs/uebersicht?fragebogen=staff-pulse"' in unit_page.text

    await as_user(client, "leitung-jugendamt")
    own = await client.get("/dashboard/jugendamt/uebersicht?fragebogen=staff-pulse")
    assert own.status_code == 200 and "Fachbereich Jugendamt" in html.unescape(own.text)
    for path in (
        "/dashboard/kjfs/uebersicht",
        "/dashboard/sozialamt/uebersicht",
        "/dashboard/organisation/bericht",
    ):
        assert (await client.get(path)).status_code == 403, path


async def test_comments_only_from_k_text(client: AsyncTestClient) -> None:
    await as_user(client, "buero")
    # Bauaufsicht has fewer than k_text = 10 respondents in the latest wave
    page = await client.get("/dashboard/bauaufsicht")
    assert page.status_code == 200
    comments = page.text[page.text.index('id="comments"') :]
    assert '<ul class="comments">' not in comments
    assert "verborgen (weniger als 10 Antworten)" in comments
    api = (await client.get("/api/v1/units/bauaufsicht/comments")).json()
    assert api["comments"] is None and api["hidden"]["hidden"] is True
    shown = (await client.get("/api/v1/units/jugendamt/comments")).json()
    assert shown["wave"] == LATEST_STAFF_WAVE and MARKUP_COMMENT in shown["comments"]
    assert shown["hidden"] is None
    entries = await app_call(client, audit_log, action="comments.view")
    targets = [(e.username, e.target) for e in entries]
    assert ("buero", "jugendamt") in targets and ("buero", "bauaufsicht") not in targets


async def test_the_office_opens_the_organisation_overview(client: AsyncTestClient) -> None:
    await as_user(client, "buero")
    start = await client.get("/dashboard")
    assert re.findall(r'<a href="/dashboard/([\w-]+)\?fragebogen=staff-pulse">', start.text) == ["verwaltung"]
    assert '<a href="/dashboard/organisation/bericht?fragebogen=staff-pulse">' in start.text
    report = await client.get("/dashboard/organisation/bericht")
    assert report.status_code == 200
    assert "style-src-elem 'sha256-" in report.headers["content-security-policy"]
    overview = (await client.get("/api/v1/overview/figures")).json()
    assert overview["questionnaire"] == "staff-pulse" and overview["rows"]
    units = (await client.get("/api/v1/units")).json()
    assert len(units) >= 25 and all(
        set(u["questionnaires"]) == {"staff-pulse", "citizen-contact"} for u in units
    )
    # a large unit shows all six waves: a trend, an arrow with words for screen readers
    kjfs = await client.get("/dashboard/kjfs?fragebogen=staff-pulse")
    for row in value_rows(kjfs.text):
        cells = re.findall(r'<td class="num">(.*?)</td>', row, re.DOTALL)
        assert all("<strong>" in cell for cell in cells[:6])
        assert re.search(r'<span class="trend \w+"><span aria-hidden="true">[↑↓→]</span>', row)


# --- access ---------------------------------------------------------------------------------------


async def test_a_lead_of_jugendamt_gets_403_for_sozialamt_everywhere(client: AsyncTestClient) -> None:
    await as_user(client, "leitung-jugendamt")
    units = (await client.get("/api/v1/units")).json()
    assert {u["key"] for u in units} == {"jugendamt", *JUGENDAMT_SUBUNITS}
    refused = []
    for unit in FOREIGN:
        for route in sorted(UNIT_ROUTES):
            for questionnaire in ("staff-pulse", "citizen-contact"):
                path = route.format(unit=unit)
                query = (
                    f"questionnaire={questionnaire}"
                    if path.startswith("/api/")
                    else f"fragebogen={questionnaire}"
                )
                response = await client.get(f"{path}?{query}")
                assert response.status_code == 403, (path, questionnaire, response.status_code)
                if path.startswith("/api/"):
                    assert response.json()["status_code"] == 403
                else:
                    assert "<h1>" in response.text and "Traceback" not in response.text
                refused.append(path)
    for route in sorted(ORGANISATION_ROUTES):
        response = await client.get(route)
        assert response.status_code == 403, route
        refused.append(route)
    entries = await app_call(client, audit_log, action="access.refused", limit=1000)
    mine = [e for e in entries if e.username == "leitung-jugendamt"]
    assert len(mine) >= len(refused)
    assert any("sozialamt" in e.target for e in mine)


async def test_the_personalrat_sees_staff_questionnaires_only(client: AsyncTestClient) -> None:
    await as_user(client, "personalrat")
    start = await client.get("/dashboard")
    assert start.status_code == 200
    assert 'value="staff-pulse"' in start.text and 'value="citizen-contact"' not in start.text
    assert (await client.get("/dashboard?fragebogen=citizen-contact")).status_code == 403
    for route in sorted(UNIT_ROUTES):
        path = route.format(unit="jugendamt")
        query = "questionnaire=citizen-contact" if path.startswith("/api/") else "fragebogen=citizen-contact"
        assert (await client.get(f"{path}?{query}")).status_code == 403, path
    assert (await client.get("/dashboard/organisation/bericht?fragebogen=citizen-contact")).status_code == 403
    assert (await client.get("/api/v1/overview/figures?questionnaire=citizen-contact")).status_code == 403
    # nor the citizens' view inside the staff overview
    staff_overview = await client.get("/dashboard/organisation/bericht?fragebogen=staff-pulse")
    assert staff_overview.status_code == 200 and 'id="citizens"' not in staff_overview.text
    units = (await client.get("/api/v1/units")).json()
    assert units and all(u["questionnaires"] == ["staff-pulse"] for u in units)
    assert (await client.get("/api/v1/units?questionnaire=citizen-contact")).json() == []
    # staff figures, suppressed like everyone's
    figures = await client.get("/api/v1/units/kita-verwaltung/figures?questionnaire=staff-pulse")
    assert figures.status_code == 200 and figures.json()["unit"] == "kita-verwaltung"


async def test_unknown_unit_or_questionnaire_is_a_404_that_says_so(client: AsyncTestClient) -> None:
    await as_user(client, "auswertung")
    for path in (
        "/dashboard/keine-einheit",
        "/dashboard/keine-einheit/fragen",
        "/dashboard/keine-einheit/bericht",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "keine-einheit" in response.text and "<h1>" in response.text
    response = await client.get("/dashboard/jugendamt?fragebogen=kein-fragebogen")
    assert response.status_code == 404 and "kein-fragebogen" in response.text
    api = await client.get("/api/v1/units/keine-einheit/figures")
    assert api.status_code == 404 and "keine-einheit" in api.json()["detail"]
    assert (
        await client.get("/api/v1/units/jugendamt/figures?questionnaire=kein-fragebogen")
    ).status_code == 404
    assert (await client.get("/api/v1/units?questionnaire=kein-fragebogen")).status_code == 404


async def test_without_a_session(client: AsyncTestClient) -> None:
    for path in (
        "/dashboard",
        "/dashboard/jugendamt",
        "/dashboard/jugendamt/fragen",
        "/dashboard/jugendamt/bericht",
    ):
        response = await client.get(path)
        assert response.status_code in (302, 303), path
        assert response.headers["location"].startswith("/anmelden?weiter=")
    for path in (
        "/api/v1/units",
        "/api/v1/units/jugendamt/figures",
        "/api/v1/units/jugendamt/comments",
        "/api/v1/overview/figures",
    ):
        response = await client.get(path)
        assert response.status_code == 401, path


async def test_the_api_is_in_the_openapi_document(client: AsyncTestClient) -> None:
    schema = (await client.get("/api/schema/openapi.json")).json()
    for path in (
        "/api/v1/units",
        "/api/v1/units/{unit}/figures",
        "/api/v1/units/{unit}/comments",
        "/api/v1/overview/figures",
    ):
        assert schema["paths"][path]["get"]["tags"] == ["dashboard"], path
    assert not any(p.startswith("/dashboard") for p in schema["paths"])
    ok = schema["paths"]["/api/v1/units/{unit}/figures"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/UnitFigures"}
    latest = schema["components"]["schemas"]["ValueFigures"]["properties"]["latest"]["oneOf"]
    assert {"$ref": "#/components/schemas/HiddenFigure"} in latest
    assert {"$ref": "#/components/schemas/Score"} in latest


def test_markup_is_what_the_pages_get() -> None:
    # the page helpers return markup, so jinja does not escape their tags a second time
    assert isinstance(PageShow("de").score(None), Markup)


# --- citizen feedback: no response rate; values a questionnaire does not ask ------------------------

CITIZEN_NO_RATE = {
    "de": "Bürgerbefragung: keine Rücklaufquote, da die Zahl der Kontakte an den Servicestellen nicht "
    "erfasst wird.",
    "en": "Citizen feedback: no response rate, because the number of contacts at the service points is not "
    "recorded.",
}
NOT_ASKED = {"de": "in diesem Fragebogen nicht gefragt", "en": "not asked in this questionnaire"}
NO_RESPONDENTS = {"de": "keine Antwortenden", "en": "no respondents"}


def waves_table(page: str) -> str:
    start = page.index('id="waves"')
    return page[start : page.index("</table>", start)]


def value_row(page: str, name: str) -> str:
    return next(row for row in value_rows(page) if name in row)


async def test_a_citizen_view_shows_no_response_rate_nor_headcount_and_says_why(
    client: AsyncTestClient,
) -> None:
    await as_user(client, "buero")
    for lang, (staff, rate) in {
        "de": ("Beschäftigte", "Rücklaufquote"),
        "en": ("Staff", "Response rate"),
    }.items():
        page = (await client.get(f"/dashboard/jugendamt?fragebogen=citizen-contact&lang={lang}")).text
        table = waves_table(page)
        assert CITIZEN_NO_RATE[lang] in html.unescape(table)
        head = table[: table.index("</thead>")]
        assert f">{staff}<" not in head and f">{rate}<" not in head
        assert "%" not in table.split("</thead>", 1)[1], "no rate in any wave"
        # a staff view keeps its headcount and rate
        staff_page = (await client.get(f"/dashboard/jugendamt?fragebogen=staff-pulse&lang={lang}")).text
        staff_table = waves_table(staff_page)
        assert f">{staff}<" in staff_table and f">{rate}<" in staff_table
        assert "%" in staff_table.split("</thead>", 1)[1] and CITIZEN_NO_RATE[lang] not in staff_table

        report = html.unescape(
            (await client.get(f"/dashboard/jugendamt/bericht?fragebogen=citizen-contact&lang={lang}")).text
        )
        assert CITIZEN_NO_RATE[lang].rstrip(".") in report
        participation = report[report.index('id="participation"') : report.index('id="reliability"')]
        assert "Beschäftigte" not in participation and "Headcount" not in participation
        drawn = re.findall(r"<text\b[^>]*>([^<]*)</text>", participation)
        table = re.sub(r"<svg\b.*?</svg>", "", participation, flags=re.DOTALL)
        assert drawn and not any("%" in text for text in drawn), "counts drawn, no shares"
        assert not re.search(r"\d\s?%", table), "no shares in the chart's text or table"
        staff_report = html.unescape((await client.get(f"/dashboard/jugendamt/bericht?lang={lang}")).text)
        assert re.search(r"(Rücklaufquote|response rate) \d+[,.]\d\s?%", staff_report)

    figures = (await client.get("/api/v1/units/jugendamt/figures?questionnaire=citizen-contact")).json()
    assert figures["audience"] == "citizen"
    for wave in figures["waves"]:
        assert wave["headcount"] is None and wave["response_rate"] is None
        assert wave["no_rate"]["reason"] == "contacts_not_recorded" and wave["no_rate"]["explanation"]
    staff = (await client.get("/api/v1/units/jugendamt/figures")).json()
    assert all(w["no_rate"] is None and w["headcount"] > 0 for w in staff["waves"])
    assert isinstance(staff["waves"][-1]["response_rate"], float)

    overview = (await client.get("/api/v1/overview/figures?questionnaire=citizen-contact")).json()
    assert all(row["headcount"] is None and row["no_rate"] for row in overview["rows"])
    assert not any(isinstance(row["response_rate"], float) for row in overview["rows"])
    overview_page = html.unescape(
        (await client.get("/dashboard/organisation/bericht?fragebogen=citizen-contact&lang=de")).text
    )
    head = overview_page[overview_page.index("overview-table") : overview_page.index("</thead>")]
    assert "Beschäftigte" not in head and "Rücklaufquote" not in head
    assert CITIZEN_NO_RATE["de"].rstrip(".") in overview_page


async def test_a_value_the_citizen_questionnaire_does_not_ask_says_not_asked(client: AsyncTestClient) -> None:
    """Three states: answered (a score), asked but nobody answered ("keine Antwortenden"), not asked
    by the questionnaire ("in diesem Fragebogen nicht gefragt"), never confused."""
    await as_user(client, "buero")
    figures = (await client.get("/api/v1/units/jugendamt/figures?questionnaire=citizen-contact")).json()
    trust = next(v for v in figures["values"] if v["value"] == "vertrauen")
    name = trust["name"]
    assert trust["asked"] is False and not any(p["asked"] for p in trust["series"])
    assert all(p["score"] is None for p in trust["series"])
    assert all(v["asked"] for v in figures["values"] if v["value"] != "vertrauen")
    quiet = next(c["unit"] for c in figures["children"] if c["respondents"] == 0)

    leitbild = yaml.safe_load((QUESTIONNAIRES / "leitbild.yaml").read_text(encoding="utf-8"))
    every_name = {v["key"]: v["name"] for v in leitbild["values"]}
    names = every_name["vertrauen"]
    assert names["de"] == name  # the API names values in German; the pages in their language
    for lang in ("de", "en"):
        page = html.unescape(
            (await client.get(f"/dashboard/jugendamt?fragebogen=citizen-contact&lang={lang}")).text
        )
        name = names[lang]
        row = value_row(page, name)
        assert NOT_ASKED[lang] in row and NO_RESPONDENTS[lang] not in row
        assert "<strong>" not in row and 'href="#chart-trend-vertrauen"' not in row
        assert 'id="chart-trend-vertrauen"' not in page, "no chart of what nobody was asked"
        subunits = page[page.index('id="subunits"') : page.index('id="comments"')]
        assert f">{name}<" not in subunits, "no column of the sub-units for it"
        assert name in subunits.split("</table>", 1)[1]  # named below the table instead
        for other in (v for v in figures["values"] if v["value"] != "vertrauen"):
            assert NOT_ASKED[lang] not in value_row(page, every_name[other["value"]][lang])

        # asked, but nobody in the sub-unit answered: that is what "keine Antwortenden" says
        empty = html.unescape(
            (await client.get(f"/dashboard/{quiet}?fragebogen=citizen-contact&lang={lang}")).text
        )
        for value in figures["values"]:
            row = value_row(empty, every_name[value["value"]][lang])
            if value["value"] == "vertrauen":
                assert NOT_ASKED[lang] in row and NO_RESPONDENTS[lang] not in row
            else:
                assert NO_RESPONDENTS[lang] in row and NOT_ASKED[lang] not in row

        report = html.unescape(
            (await client.get(f"/dashboard/jugendamt/bericht?fragebogen=citizen-contact&lang={lang}")).text
        )
        front = report[: report.index('id="findings"')]
        assert (NOT_ASKED[lang][0].upper() + NOT_ASKED[lang][1:]) in front and name in front
        assert 'id="value-vertrauen"' not in report and f"{name} – {NO_RESPONDENTS[lang]}" not in report

    staff = html.unescape((await client.get("/dashboard/jugendamt?fragebogen=staff-pulse&lang=de")).text)
    assert NOT_ASKED["de"] not in staff and "<strong>" in value_row(staff, names["de"])
    overview = (await client.get("/api/v1/overview/figures?questionnaire=citizen-contact")).json()
    assert overview["not_asked"] == ["vertrauen"]
    assert (await client.get("/api/v1/overview/figures")).json()["not_asked"] == []


# --- hidden figures: a short mark per cell, the reason once per table (issue 20) -------------------


def footnoted_tables(page: str) -> dict[str, str]:
    """Each table of a page by its caption's id, with the footnotes that follow it."""
    found = re.findall(
        r'<div class="table-wrap" role="region" aria-labelledby="([\w-]+)".*?</table>\s*</div>\s*'
        r'(?:<ol class="footnotes">.*?</ol>)?',
        page,
        re.DOTALL,
    )
    bodies = re.findall(
        r'<div class="table-wrap" role="region".*?</table>\s*</div>\s*(?:<ol class="footnotes">.*?</ol>)?',
        page,
        re.DOTALL,
    )
    return dict(zip(found, bodies, strict=True))


def visible(fragment: str) -> str:
    """The text a sighted reader sees: no tags, no text only for screen readers."""
    fragment = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", fragment)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


async def test_hidden_cells_are_marks_and_each_reason_is_said_once_per_table(client: AsyncTestClient) -> None:
    await as_user(client, "leitung-jugendamt")
    for lang, word, note in (("de", "verborgen", "Anmerkung"), ("en", "hidden", "note")):
        page = (await client.get(f"/dashboard/jugendamt?fragebogen=staff-pulse&lang={lang}")).text
        tables = footnoted_tables(page)
        assert {"values-caption", "subunits-caption"} <= set(tables)
        reasons = {hidden_text(HiddenFigure(True, r, "fewer than 5 respondents"), lang) for r in REASONS}
        marked = 0
        for name, table in tables.items():
            cells = re.findall(r"<td[^>]*>(.*?)</td>", table, re.DOTALL)
            hidden = [cell for cell in cells if 'class="hidden-figure"' in cell]
            notes = dict(re.findall(r'<li id="(fn-[\w-]+)">(.*?)</li>', table))
            assert bool(hidden) == bool(notes), name
            for cell in hidden:
                # the word and a number that links to its footnote; the footnote describes the link
                link = re.search(r'<a href="#(fn-[\w-]+)" aria-describedby="\1">', cell)
                assert link and link.group(1) in notes, cell
                assert re.fullmatch(rf"{word}\d", visible(cell).strip()), cell
                assert f'<span class="visually-hidden">{note} </span>' in cell
                marked += 1
            text = visible(table)
            for reason in reasons:
                why = reason.split(" (", 1)[1][:-1]
                assert text.count(why) <= 1, (name, why)  # once per table, never per cell
            # each footnote is a reason the pages know, in words
            for footnote in notes.values():
                said = visible(footnote).strip()
                assert f"{said[2:].replace(': ', ' (', 1)})" in reasons, said
        assert marked >= 6, "Jugendamt hides a wave of each value and several sub-units"
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), "footnote ids are unique on the page"
        # the anonymity explanation once per page
        assert visible(page).count("5 respondents on" if lang == "en" else "ab 5 Antwortenden") == 1


REASONS = ("below_k", "secondary", "other_side_hidden", "wave_open", "few_changed")


async def test_a_workers_report_pages_answer_one_request_at_a_time() -> None:
    """Readers fetching reports one after another must not take the worker from submissions: each
    report page waits for its turn (the report builder's `turn`, one per app worker). The test
    client answers one request at a time anyway, so the turn is checked on the handlers."""
    from survey.web.dashboard import _pages

    builder = ReportBuilder(Settings(database_url="sqlite:///unused.sqlite3", questionnaires=QUESTIONNAIRES))
    request = SimpleNamespace(app=SimpleNamespace(state={"reports": builder}))
    inside: list[int] = []
    at_once = 0

    @_pages.one_report_at_a_time
    async def page(request: object, *, number: int) -> int:
        nonlocal at_once
        at_once += 1
        inside.append(at_once)
        await asyncio.sleep(0.05)
        at_once -= 1
        return number

    assert await asyncio.gather(*(page(request, number=n) for n in range(4))) == [0, 1, 2, 3]
    assert inside == [1, 1, 1, 1]
    for handler in (_pages.unit_report, _pages.unit_overview_report, _pages.overview_report):
        assert handler.fn.__wrapped__ is not None  # served in turn


async def test_the_workers_of_one_host_take_turns_at_reports_and_a_request_given_up_holds_none(
    tmp_path: Path,
) -> None:
    """Two app workers of one host (two turns over the same lock files) never build reports at the
    same time where the host has one turn, two at once where it has two; a request given up while
    it waits leaves the turn free."""
    at_once, most = 0, 0

    async def report(turn: ReportTurn, number: int) -> int:
        nonlocal at_once, most
        async with turn:
            at_once += 1
            most = max(most, at_once)
            await asyncio.sleep(0.03)
            at_once -= 1
        return number

    for turns, expected in ((1, 1), (2, 2)):
        workers = [ReportTurn("sqlite:///one.sqlite3", turns, tmp_path) for _ in range(2)]
        most = 0
        assert await asyncio.gather(*(report(workers[n % 2], n) for n in range(6))) == list(range(6))
        assert most == expected
        for worker in workers:
            worker.close()
    first, second = (ReportTurn("sqlite:///one.sqlite3", 1, tmp_path) for _ in range(2))
    other_database = ReportTurn("sqlite:///other.sqlite3", 1, tmp_path)
    async with first:
        assert await asyncio.wait_for(report(other_database, 1), 1) == 1  # another database's turn
        waiting = asyncio.create_task(report(second, 2))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    assert await asyncio.wait_for(report(second, 3), 1) == 3  # nothing left held
    for turn in (first, second, other_database):
        turn.close()


async def test_the_report_page_has_the_apps_bar_and_a_pdf_with_the_same_access(
    client: AsyncTestClient,
) -> None:
    await as_user(client, "leitung-jugendamt")
    page = await client.get("/dashboard/jugendamt/bericht?fragebogen=staff-pulse")
    assert page.status_code == 200
    bar = page.text[
        page.text.index('<div class="app-bar">') : page.text.index("</div>", page.text.index("app-bar"))
    ]
    kommune = re.search(r'<p class="kommune">(.+?)</p>', page.text)
    assert kommune and f'<p class="app-kommune">{kommune.group(1)}</p>' in bar
    assert '<a href="/dashboard?fragebogen=staff-pulse">Übersicht der Einheiten</a>' in bar
    assert (
        '<a class="app-back" href="/dashboard/jugendamt?fragebogen=staff-pulse">'
        "Zurück zu Fachbereich Jugendamt</a>" in bar
    )
    assert '<button type="button" id="print-report">Drucken</button>' in bar
    assert 'href="/dashboard/jugendamt/bericht.pdf?fragebogen=staff-pulse"' in bar
    # the print button's script, and nothing else, is allowed by its hash
    policy = page.headers["content-security-policy"]
    assert "script-src 'sha256-" in policy and "unsafe-inline" not in policy
    assert page.text.count("<script>") == 1

    pdf = await client.get("/dashboard/jugendamt/bericht.pdf?fragebogen=staff-pulse")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    assert pdf.headers["cache-control"].startswith("no-store")
    # the same access rules: a unit the lead may not see is refused for the PDF as for the page
    for path in (f"/dashboard/{FOREIGN[0]}/bericht", f"/dashboard/{FOREIGN[0]}/bericht.pdf"):
        assert (await client.get(f"{path}?fragebogen=staff-pulse")).status_code == 403
    assert (await client.get("/dashboard/organisation/bericht.pdf")).status_code == 403


async def _open_staff_wave_with_answers(approve: Any, answers: dict[str, int]) -> tuple[str, str, str]:
    """A new staff-pulse wave over the Jugendamt, open today, with `answers` (unit key → people)
    stored; (its key, its title, the latest closed wave's key)."""
    from survey.services.waves import create_wave, open_wave
    from survey.store import catalog as catalog_store
    from survey.store import waves as wave_store
    from survey.store.bulk import ResponseBatch, bulk_insert_responses
    from survey.store.tables import OrgUnitRow

    closed = [w for w in await wave_store.list_waves() if w.questionnaire == "staff-pulse"]
    latest = closed[-1]
    assert latest.status == "closed"
    version = await catalog_store.load_published_version("staff-pulse", latest.version)
    assert version is not None
    today = dt.date.today()
    wave = await create_wave(
        key="puls-offen",
        questionnaires=QUESTIONNAIRES,
        questionnaire="staff-pulse",
        version=latest.version,
        units=["jugendamt"],
        opens_on=today,
        closes_on=today + dt.timedelta(days=20),
    )
    await approve("puls-offen", QUESTIONNAIRES)
    await open_wave("puls-offen", today, QUESTIONNAIRES)
    ids = {r["key"]: r["id"] for r in await OrgUnitRow.select(OrgUnitRow.key, OrgUnitRow.id).run()}
    batch = ResponseBatch()
    for unit, people in answers.items():
        for _ in range(people):
            rid = uuid.uuid4()
            batch.responses.append((rid, ids[unit], None, "de", today))
            for item in version.items:
                if not version.scale_of(item).is_text:
                    batch.answers.append((rid, ids[unit], item.id, 1))
    await bulk_insert_responses(wave.id, [batch])
    return "puls-offen", wave.title, latest.key


async def test_an_open_wave_shows_participation_and_the_latest_closed_wave_the_results(
    portal: Any, approve: Any
) -> None:
    """Acceptance 3 of issue 20: while a wave runs, the dashboard, the items page, the report and the
    figures API show the latest closed wave's results, and the open wave only as participation (a
    small group's count hidden as everywhere)."""
    import json

    import msgspec

    from survey.services.figures import unit_figures

    before = json.loads(msgspec.json.encode(await unit_figures("jugendamt")))
    key, title, closed_key = await _open_staff_wave_with_answers(approve, {"jugendamt": 7, "asd": 2})
    closes = dt.date.today() + dt.timedelta(days=20)
    async with AsyncTestClient(app=create_app(portal.settings)) as client:
        client.follow_redirects = False
        await sign_in(client, "leitung-jugendamt")
        # the JSON API: results of the closed waves, unchanged; the open wave as participation
        figures = (await client.get("/api/v1/units/jugendamt/figures")).json()
        assert figures["waves"][-1]["wave"] == closed_key
        assert [(w["wave"], w["respondents"]) for w in figures["open_waves"]] == [(key, 9)]
        assert figures["values"] == before["values"] and figures["items"] == before["items"]
        assert figures["child_scores"] == before["child_scores"]
        latest_scores = [v["latest"] for v in figures["values"] if v["asked"]]
        # the latest closed wave's results, exactly as before the wave opened (in this Kommune its
        # Jugendamt scores are hidden by that wave's own secondary suppression: never because a wave runs)
        assert latest_scores
        assert "wave_open" not in json.dumps(figures)
        # the small team's count stays hidden while its wave runs
        asd = (await client.get("/api/v1/units/asd/figures")).json()
        assert asd["open_waves"][0]["respondents"]["hidden"] is True
        # the unit page: real numbers, the participation line, nothing "still open"
        page = (await client.get("/dashboard/jugendamt?fragebogen=staff-pulse")).text
        day = closes.strftime("%d.%m.%Y")
        assert f"Befragungsrunde {html.escape(title)} läuft bis {day}, bisher 9 Antworten." in page
        assert "läuft noch" not in page
        assert value_rows(page)
        english = (await client.get("/dashboard/jugendamt?fragebogen=staff-pulse&lang=en")).text
        # the wave's English title: the questionnaire's own (the office gave a German one only)
        assert re.search(r"Wave Staff pulse: [^<]* runs until", html.unescape(english))
        assert ", 9 responses so far." in english
        small = (await client.get("/dashboard/asd?fragebogen=staff-pulse&lang=de")).text
        assert "wie viele bisher geantwortet haben, wird zum Schutz der Anonymität" in small
        assert "bisher 2 Antworten" not in small
        # the items page: the latest closed wave; the open one is no choice and no page
        items = await client.get("/dashboard/jugendamt/fragen?fragebogen=staff-pulse")
        assert items.status_code == 200
        assert f'welle={closed_key}" aria-current="page"' in items.text
        assert f"welle={key}" not in items.text and "läuft noch" not in items.text
        refused = await client.get(f"/dashboard/jugendamt/fragen?fragebogen=staff-pulse&welle={key}")
        assert refused.status_code == 404
        # the report in the app: the closed wave's results
        report = await client.get("/dashboard/jugendamt/bericht?fragebogen=staff-pulse")
        assert report.status_code == 200
        shown = re.sub(r"<script\b.*?</script>", "", report.text, flags=re.DOTALL)
        assert "läuft noch" not in shown and html.escape(title) not in shown
        assert '"open_waves":[{"wave":"puls-offen"' in report.text  # its data: participation only


# --- measures on the results pages (issue 19, point 3) --------------------------------------------


async def test_a_units_measures_show_with_their_effect_on_its_page_charts_and_reports(
    client: AsyncTestClient,
) -> None:
    """The unit page lists the unit's measures with status and effect in words, its trend chart
    marks the start, the department report has "Maßnahmen und ihre Wirkung", the overviews list
    the measures per value; in English as well."""
    from survey.services.accounts import Grant, Principal
    from survey.services.measures import MeasureInput, create_measure

    admin = Principal("admin", "Admin", (Grant("admin", None, None, "/"),))
    title = f"Fallkonferenzen {uuid.uuid4().hex[:6]}"
    typed = MeasureInput(
        title=title, values=["gemeinsam"], units=["kjfs"], responsible="Dezernat", starts_on="2026-01-01"
    )
    measure = await app_call(client, create_measure, admin, typed)
    await as_user(client, "buero")
    page = html.unescape((await client.get("/dashboard/kjfs?fragebogen=staff-pulse")).text)
    section = page[page.index('id="measures"') :]
    assert f'<a href="/massnahmen/{measure.id}">{title}</a>' in section
    assert "geplant · seit 01.01.2026" in section
    found = r'Gemeinsam für Lindenau:</span> <span class="effect (up|down|flat)">'
    assert re.search(found, section), section[:1500]
    assert f"Maßnahme „{title}“ begann am 01.01.2026." in page  # the trend chart's text alternative
    english = html.unescape((await client.get("/dashboard/kjfs?fragebogen=staff-pulse&lang=en")).text)
    assert "Measures and their effect" in english and "planned · since 1 Jan 2026" in english
    assert re.search(r"(improved by|worsened by|no change found – with) ", english)
    # the measure's own page says its effect check in the same words
    detail = html.unescape((await client.get(f"/massnahmen/{measure.id}?lang=de")).text)
    assert "In der Befragung der Beschäftigten" in detail
    assert re.search(r'Gemeinsam für Lindenau:</strong> <span class="effect (up|down|flat)">', detail)
    # a unit below the one that owns the measure does not list it
    jugendamt = html.unescape((await client.get("/dashboard/jugendamt?fragebogen=staff-pulse")).text)
    assert title not in jugendamt

    report = html.unescape((await client.get("/dashboard/kjfs/bericht?fragebogen=staff-pulse&lang=de")).text)
    measures = report[report.index('id="measures"') : report.index('id="comments"')]
    assert title in measures and "Maßnahmen und ihre Wirkung" in measures
    overview = html.unescape(
        (await client.get("/dashboard/organisation/bericht?fragebogen=staff-pulse&lang=de")).text
    )
    per_value = overview[overview.index('id="measures"') :]
    assert "Maßnahmen je Leitbildwert" in per_value and title in per_value


async def test_a_served_app_starts_its_report_process_warm_and_below_its_own_priority(kommune: str) -> None:
    """`survey serve` (warm_up) starts the worker's report process at once, has it load the report
    libraries, and runs it at a lower CPU priority than the worker, so that submissions go first;
    reports are then built there."""
    settings = Settings(database_url=kommune, questionnaires=QUESTIONNAIRES, warm_up=True, report_niceness=10)
    app = create_app(settings)
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        builder = app.state["reports"]
        [warming] = builder.warming
        pid = await asyncio.wrap_future(warming)
        assert pid != os.getpid()
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(own + 10, 19)
        await as_user(client, "leitung-jugendamt")
        response = await client.get("/dashboard/jugendamt/bericht?fragebogen=staff-pulse&lang=de")
        assert response.status_code == 200 and "Fachbereich Jugendamt" in response.text
