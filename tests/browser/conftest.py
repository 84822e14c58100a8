"""Browser tests: the real `survey serve` in a subprocess, driven by headless Chromium, checked by axe-core.

One Chromium per test module, one server per database engine (SQLite and PostgreSQL), each
built through the real CLI (its commands run in this process through click's test runner,
tests/cli_runner.py; the server is a process of its own): the demo Kommune, an open staff wave
with invitation codes and a unit link, an open citizen wave, a draft wave and a closed wave.

Chromium is Debian's (`apt-get install chromium`), never Playwright's own download; axe-core comes
from npm (`npm ci --prefix tests/browser`). Where either is missing the tests are skipped with the
reason shown, except under CI (or REQUIRE_BROWSER=1), where a missing browser or axe-core fails the
run. PostgreSQL is handled as in tests/conftest.py: TEST_POSTGRES_URL, skipped where unreachable,
failing under CI (or REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import csv
import datetime as dt
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest
from cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
AXE_PATH = HERE / "node_modules" / "axe-core" / "axe.min.js"
SURVEY = [sys.executable, "-m", "survey"]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1" or bool(os.environ.get("CI"))
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1" or bool(os.environ.get("CI"))

SERVICE_POINT = "buergerbuero-mitte"
STAFF_WAVE = "bt-staff"
CITIZEN_WAVE = "bt-citizen"
DRAFT_WAVE = "bt-draft"
CLOSED_WAVE = "bt-closed"


def unavailable(reason: str) -> NoReturn:
    """Skip with the reason shown, or fail where the browser tests must run."""
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (CI or REQUIRE_BROWSER=1: the browser tests must run)")
    pytest.skip(reason)


# --- Chromium and axe-core ----------------------------------------------------------------------


# Module scope, not session: while Playwright's sync API runs, its event loop counts as the running
# loop of the main thread, and `asyncio.run()` in the rest of the suite would fail.


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) for a test module."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[dev]'")
    if not Path(CHROMIUM).is_file():
        unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Error as exc:
            unavailable(f"Chromium at {CHROMIUM} does not start: {exc}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe.min.js, evaluated in each page that is checked."""
    if not AXE_PATH.is_file():
        unavailable(f"axe-core not installed at {AXE_PATH}: run `npm ci --prefix tests/browser`")
    return AXE_PATH.read_text(encoding="utf-8")


@contextlib.contextmanager
def german_page(browser: Any) -> Iterator[Any]:
    """A page in a context of its own (own history and cache) of a German desktop browser."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1024, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def german_pages():  # type: ignore[no-untyped-def]
    """`with german_pages(browser) as page:` for fixtures of other scopes."""
    return german_page


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page for each test."""
    with german_page(browser) as fresh:
        yield fresh


# --- PostgreSQL ---------------------------------------------------------------------------------


def _in_thread(coro):  # type: ignore[no-untyped-def]
    """Run a coroutine on its own loop, whatever loop the test session has."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _pg_execute(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _pg_fetch(url: str, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    import asyncpg

    connection = await asyncpg.connect(url, timeout=5)
    try:
        return [tuple(row) for row in await connection.fetch(sql, *params)]
    finally:
        await connection.close()


def _fresh_postgres_database() -> str:
    try:
        _in_thread(_pg_execute(PG_URL, "SELECT 1"))
    except Exception as exc:  # any failure means: not usable here
        problem = f"PostgreSQL not reachable at {PG_URL} ({exc}); set TEST_POSTGRES_URL"
        if REQUIRE_POSTGRES:
            pytest.fail(problem)
        pytest.skip(problem)
    name = f"lp_browser_{uuid.uuid4().hex[:12]}"
    _in_thread(_pg_execute(PG_URL, f'CREATE DATABASE "{name}"'))
    return urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Site:
    """A running server over a database built by the real CLI, with what the CLI printed."""

    engine: str
    url: str  # http://127.0.0.1:PORT
    database_url: str
    invitation_links: list[str]
    unit_link: str
    access_code: str
    draft_link: str
    closed_link: str
    log: Path
    staff_wave: str = STAFF_WAVE
    citizen_wave: str = CITIZEN_WAVE
    service_point: str = SERVICE_POINT
    #: what tests made once and share (a used invitation link)
    cache: dict[str, Any] = field(default_factory=dict)
    _used: set[str] = field(default_factory=set)

    def take_invitation(self) -> str:
        """An invitation link no other test has taken."""
        link = next(link for link in self.invitation_links if link not in self._used)
        self._used.add(link)
        return link

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a read-only query, straight from the database (`?` placeholders)."""
        if self.engine == "sqlite":
            with sqlite3.connect(self.database_url[len("sqlite:///") :]) as connection:
                return connection.execute(sql, params).fetchall()
        numbered = iter(range(1, 1000))
        sql = re.sub(r"\?", lambda _: f"${next(numbered)}", sql)
        return _in_thread(_pg_fetch(self.database_url, sql, params))

    def response_ids(self, wave: str) -> set[str]:
        rows = self.query("SELECT r.id FROM response r JOIN wave w ON w.id = r.wave WHERE w.key = ?", wave)
        return {str(row[0]) for row in rows}

    def response(self, response_id: str) -> dict[str, Any]:
        """The stored response: language, unit, service point, answers and comments."""
        [(language, unit, point)] = self.query(
            "SELECT r.language, u.key, s.key FROM response r JOIN org_unit u ON u.id = r.unit "
            "LEFT JOIN service_point s ON s.id = r.service_point WHERE CAST(r.id AS TEXT) = ?",
            response_id,
        )
        answers = self.query("SELECT item, value FROM answer WHERE CAST(response AS TEXT) = ?", response_id)
        comments = self.query("SELECT item, text FROM comment WHERE CAST(response AS TEXT) = ?", response_id)
        return {
            "language": language,
            "unit": unit,
            "service_point": point,
            "answers": dict(answers),
            "comments": dict(comments),
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(database_url: str, base_url: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("SURVEY_")}
    # reports built at the tests' own priority: two test workers and Chromium keep both cores busy
    environment.update(DATABASE_URL=database_url, SURVEY_BASE_URL=base_url, SURVEY_REPORT_NICENESS="0")
    return environment


def _survey(environment: dict[str, str], *args: str, stdin: str = "") -> str:
    """`survey ARGS` with `environment`, in this process (tests/cli_runner.py) on a thread of its
    own: Playwright's loop may be running on this one. What it printed."""
    variables = {k: None for k in os.environ if k.startswith("SURVEY_")}
    variables.update(environment)
    url = variables.pop("DATABASE_URL")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        result = pool.submit(run_cli, *args, url=url, stdin=stdin, **variables).result()
    if result.exit_code != 0:
        pytest.fail(f"survey {' '.join(args)} exited {result.exit_code}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _build(environment: dict[str, str], out: Path) -> dict[str, Any]:
    """The data of the tests, made with the CLI the survey office uses."""
    today = dt.date.today()
    opens, closes = str(today - dt.timedelta(days=3)), str(today + dt.timedelta(days=30))
    _survey(environment, "db", "upgrade")
    _survey(environment, "demo", "--waves", "1", "--citizen-ratings", "10")
    staff = ("--questionnaire", "staff-pulse", "--units", "kjfs", "--opens", opens, "--closes", closes)
    _survey(environment, "wave", "create", STAFF_WAVE, *staff, "--title", "Mitarbeitenden-Puls Test")
    _survey(
        environment,
        "wave",
        "create",
        CITIZEN_WAVE,
        "--questionnaire",
        "citizen-contact",
        "--units",
        "verwaltung",
        "--opens",
        opens,
        "--closes",
        closes,
        "--title",
        "Bürgerfeedback Test",
    )
    _survey(environment, "wave", "create", DRAFT_WAVE, *staff, "--title", "Puls Entwurf")
    _survey(environment, "wave", "create", CLOSED_WAVE, *staff, "--title", "Puls beendet")
    # Staff waves open only with the Personalrat's approval (`personalrat` is a demo user).
    _survey(environment, "approve", "version", "staff-pulse", "2", "--by", "personalrat")
    for key in (STAFF_WAVE, CLOSED_WAVE):
        _survey(environment, "approve", "wave", key, "--by", "personalrat")
    for key in (STAFF_WAVE, CITIZEN_WAVE, CLOSED_WAVE):
        _survey(environment, "wave", "open", key)
    _survey(environment, "invite", STAFF_WAVE, "--unit", "jugendamt", "--count", "60", "--out", str(out))
    links = {}
    for key in (STAFF_WAVE, DRAFT_WAVE, CLOSED_WAVE):
        printed = _survey(environment, "unit-link", key, "--unit", "musikschule")
        link = re.search(r"^link for .*: (\S+)$", printed, re.MULTILINE)
        code = re.search(r"^access code .*: (\S+)$", printed, re.MULTILINE)
        assert link and code, printed
        links[key] = (link.group(1), code.group(1))
    _survey(environment, "wave", "close", CLOSED_WAVE)
    with (out / f"{STAFF_WAVE}-jugendamt-codes.csv").open(encoding="utf-8", newline="") as file:
        invitation_links = [row["link"] for row in csv.DictReader(file, delimiter=";")]
    assert len(invitation_links) == 60
    return {
        "invitation_links": invitation_links,
        "unit_link": links[STAFF_WAVE][0],
        "access_code": links[STAFF_WAVE][1],
        "draft_link": links[DRAFT_WAVE][0],
        "closed_link": links[CLOSED_WAVE][0],
    }


def _wait_for_health(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None:
            pytest.fail(f"survey serve exited {server.returncode}:\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            pytest.fail(
                f"survey serve did not answer /health within 60 s:\n{log.read_text(errors='replace')}"
            )
        time.sleep(0.2)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, browser: Any
) -> Iterator[Site]:
    """A running server per engine and module; tests that need one engine parametrise it indirectly.

    It asks for the browser first, so that a machine without one skips before building anything.
    """
    engine = request.param
    folder = tmp_path_factory.mktemp(f"browser-{engine}")
    database_url = f"sqlite:///{folder}/survey.sqlite3" if engine == "sqlite" else _fresh_postgres_database()
    server: subprocess.Popen[bytes] | None = None
    try:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        environment = _environment(database_url, url)
        data = _build(environment, folder / "letters")
        log = folder / "server.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                [*SURVEY, "serve", "--port", str(port)],
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        _wait_for_health(server, url, log)
        yield Site(engine=engine, url=url, database_url=database_url, log=log, **data)
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
            _in_thread(_pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
