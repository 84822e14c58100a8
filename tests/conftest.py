"""Shared fixtures: every store, service and web test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_POSTGRES_URL (default: the local server with trust auth); each test
gets a database of its own, dropped afterwards. Where no server is reachable the PostgreSQL
cases are skipped with the reason shown, except under CI (or REQUIRE_POSTGRES=1), where a
missing server fails the run.

`db` is a copy of a starting point built once per run (tests/snapshots.py): the upgraded empty
database, or what `field`, `demo_kommune` and the portal fixtures of tests/web need. `cli` runs
the `survey` command in this process (tests/cli_runner.py); tests about the process itself, and
every server, still start real processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from cli_runner import run_cli
from mail_server import smtp_server_fixture  # noqa: F401  (the fixture `smtp_server`)
from snapshots import (
    UPGRADED,
    Snapshots,
    Start,
    admin,
    drop_snapshots,
    in_thread,
    snapshot_folder,
    start_of,
    starts_from,
)

import survey.store  # noqa: F401  (sets PICCOLO_CONF before piccolo looks for it)

# One BLAS thread per process, set before anything loads numpy (and inherited by the `survey`
# processes the tests start): with two xdist workers on two cores, OpenBLAS's own threads only
# fight over the cores, and the statistics' small matrix work (omega's factor fits) gets up to
# ten times slower under load. The results are the same; a thread count set outside is kept.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRES = ROOT / "questionnaires"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1" or bool(os.environ.get("CI"))


#: the longest test files, run first: pytest-xdist hands out whole files in collection order,
#: so starting with the long ones keeps both workers busy to the end
SLOW_FIRST = (
    "tests/browser/test_respondent_pages.py",
    "tests/browser/test_portal_pages.py",
    "tests/web/test_schemathesis.py",
    "tests/web/test_dashboard.py",
    "tests/services/test_demo.py",
    "tests/web/test_access_matrix.py",
    "tests/web/test_office_pages.py",
    "tests/cli/test_report_cli.py",
    "tests/cli/test_cli.py",
    "tests/services/test_figures.py",
    "tests/web/test_workers.py",
    "tests/services/test_answering.py",
    "tests/services/test_approvals.py",
    "tests/domain/test_properties.py",
    "tests/web/test_privacy.py",
    "tests/web/test_crash.py",
    "tests/web/test_concurrency.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return SLOW_FIRST.index(path) if path in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: the order inside each file stays


_pg_problem: list[str] = []


def _postgres_reachable() -> str | None:
    if not _pg_problem:
        try:
            in_thread(admin("SELECT 1"))
            _pg_problem.append("")
        except Exception as exc:  # any failure means: not usable here
            _pg_problem.append(f"PostgreSQL not reachable at {PG_URL} ({exc}); set TEST_POSTGRES_URL")
    return _pg_problem[0] or None


def _database_url(name: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _need_postgres() -> None:
    problem = _postgres_reachable()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(problem)
        pytest.skip(problem)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    _need_postgres()
    name = f"lp_test_{uuid.uuid4().hex[:12]}"
    in_thread(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _database_url(name)
    finally:
        in_thread(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_engine(request: pytest.FixtureRequest) -> str:
    """The engine of the test: every test with a database runs on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        _need_postgres()
    return request.param


@pytest.fixture
def database_url(database_engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of either engine."""
    if database_engine == "sqlite":
        yield f"sqlite:///{tmp_path}/survey.sqlite3"
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def snapshots(request: pytest.FixtureRequest) -> Snapshots:
    """This run's starting points of databases (tests/snapshots.py)."""
    return Snapshots(snapshot_folder(request.config))


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without xdist
        drop_snapshots(snapshot_folder(session.config))


@pytest.fixture
async def db(
    database_engine: str, tmp_path: Path, snapshots: Snapshots, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """An upgraded database of its own that piccolo points at; yields its URL. Tests that use
    `field`, `demo_kommune` or the portal fixtures of tests/web find those already in it."""
    async with snapshots.database(database_engine, tmp_path, start_of(request)) as url:
        yield url


@pytest.fixture
async def sqlite_db(tmp_path: Path, snapshots: Snapshots) -> AsyncIterator[str]:
    """For what only SQLite has (WAL, IMMEDIATE transactions)."""
    async with snapshots.database("sqlite", tmp_path, UPGRADED) as url:
        yield url


@pytest.fixture
def questionnaires_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped questionnaire folder, free to edit."""
    target = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, target)
    return target


PERSONALRAT_USER = "pr-vorsitz"


async def approve_staff_wave(key: str, questionnaires: Path) -> None:
    """The Personalrat (user `pr-vorsitz`, created on first use) approves wave `key` and its version."""
    from survey.services.accounts import add_user, principal_of
    from survey.services.approvals import AlreadyApproved, approve_version, approve_wave
    from survey.store import waves as wave_store
    from survey.store.accounts import find_user

    if await find_user(PERSONALRAT_USER) is None:
        await add_user(PERSONALRAT_USER, "Personalrat", "ein langes Testpasswort", ["personalrat"])
    personalrat = await principal_of(PERSONALRAT_USER)
    wave = await wave_store.get_wave(key)
    assert wave is not None
    # another wave of the same version may have had it approved: one approval counts for all
    with contextlib.suppress(AlreadyApproved):
        await approve_version(wave.questionnaire, wave.version, by=personalrat, questionnaires=questionnaires)
    await approve_wave(key, by=personalrat)


@pytest.fixture
def approve(db: str):  # type: ignore[no-untyped-def]
    """`await approve(key, questionnaires)`: the Personalrat approves a staff wave and its version."""
    return approve_staff_wave


@dataclass
class Field:
    """A Kommune with an open staff wave (`puls`, Dezernat kjfs) and an open citizen wave (`buerger`)."""

    settings: Any
    today: dt.date
    questionnaires: Path


async def _build_field() -> dict[str, str]:
    """The starting point of `field`: organisation, published questionnaires, two open waves."""
    from survey.services.catalog import publish_folder
    from survey.services.demo import demo_org_file
    from survey.services.org import import_org
    from survey.services.waves import create_wave, open_wave

    today = dt.date.today()
    await import_org(demo_org_file())
    await publish_folder(QUESTIONNAIRES)
    for key, questionnaire, units in (
        ("puls", "staff-pulse", ["kjfs"]),
        ("buerger", "citizen-contact", ["verwaltung"]),
    ):
        await create_wave(
            key=key,
            questionnaires=QUESTIONNAIRES,
            questionnaire=questionnaire,
            version=None,
            units=units,
            opens_on=today - dt.timedelta(days=3),
            closes_on=today + dt.timedelta(days=30),
        )
        if questionnaire.startswith("staff"):
            await approve_staff_wave(key, QUESTIONNAIRES)
        await open_wave(key, today, QUESTIONNAIRES)
    return {"today": today.isoformat()}


FIELD = Start("field", _build_field)
starts_from("field", FIELD)


@pytest.fixture
async def field(db: str, database_engine: str, tmp_path: Path, snapshots: Snapshots) -> AsyncIterator[Field]:
    """Organisation, published questionnaires, two open waves and the running submission writer;
    the questionnaire files are a private copy, free to edit."""
    from survey.settings import Settings
    from survey.store.engine import current_engine
    from survey.store.submissions import start_writer, stop_writer

    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    settings = Settings(database_url=db, base_url="http://test.invalid")
    today = dt.date.fromisoformat((await snapshots.facts(database_engine, FIELD))["today"])
    await start_writer(current_engine(), shared=False)  # a server the test starts writes itself
    try:
        yield Field(settings, today, folder)
    finally:
        await stop_writer()


async def _build_demo_kommune() -> None:
    from survey.services.demo import DemoOptions, build_demo

    await build_demo(QUESTIONNAIRES, DemoOptions(today=DEMO_TODAY))


#: the day the demo Kommune of `demo_kommune` is built as of
DEMO_TODAY = dt.date(2026, 11, 21)
starts_from("demo_kommune", Start("demo-kommune", _build_demo_kommune))


@pytest.fixture
def demo_kommune(db: str) -> dt.date:
    """`db` holds the full demo Kommune (`build_demo` with its defaults, eight waves, as of the day
    returned): for tests that only read it. tests/services/test_demo.py builds it itself."""
    return DEMO_TODAY


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    """`cli("wave", "list", url=database_url)`: `survey` in this process (tests/cli_runner.py)."""
    return run_cli


@dataclass
class Server:
    """A real `survey serve` on a free port of 127.0.0.1; its output once it has stopped."""

    base: str
    out: str = ""
    err: str = ""
    pid: int = 0

    def crash(self) -> None:
        """SIGKILL the server and every process it started (its report process): a crash, with no
        chance to finish a batch or close a connection."""
        os.killpg(self.pid, signal.SIGKILL)


def _healthy(base: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"{base}/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def _serve(database_url: str, *options: str, **env: str | None) -> Iterator[Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Server(f"http://127.0.0.1:{port}")
    # the results pages' libraries load at their first use, not at every start, and reports are
    # built at the tests' own priority (a test asks otherwise; None: as `survey serve` has it)
    defaults = {"SURVEY_WARM_UP": "0", "SURVEY_REPORT_NICENESS": "0", "DATABASE_URL": database_url}
    environment = {k: v for k, v in {**os.environ, **defaults, **env}.items() if v is not None}
    process = subprocess.Popen(
        [sys.executable, "-m", "survey", "serve", "--port", str(port), *options],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, for Server.crash()
    )
    server.pid = process.pid
    try:
        deadline = time.monotonic() + 30
        while not _healthy(server.base):
            if process.poll() is not None:
                raise AssertionError(f"the server stopped: {process.stderr.read() if process.stderr else ''}")
            if time.monotonic() > deadline:
                raise AssertionError("the server did not come up within 30 s")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        server.out, server.err = process.communicate(timeout=15)


@pytest.fixture
def running_server():  # type: ignore[no-untyped-def]
    """`with running_server(database_url, "--workers", "2", SURVEY_BASE_URL=...) as server:` — the
    real server, with extra `survey serve` options and environment variables."""
    return _serve
