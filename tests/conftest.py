"""Shared fixtures: every store, service and web test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_POSTGRES_URL (default: the local server with trust auth); each test
gets a database of its own, dropped afterwards. Where no server is reachable the PostgreSQL
cases are skipped with the reason shown, except under CI (or REQUIRE_POSTGRES=1), where a
missing server fails the run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import os
import shutil
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

import survey.store  # noqa: F401  (sets PICCOLO_CONF before piccolo looks for it)

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRES = ROOT / "questionnaires"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1" or bool(os.environ.get("CI"))


#: the longest test files, run first: pytest-xdist hands out whole files in collection order,
#: so starting with the long ones keeps both workers busy to the end
SLOW_FIRST = (
    "tests/cli/test_report_cli.py",
    "tests/services/test_figures.py",
    "tests/web/test_access_matrix.py",
    "tests/browser/test_respondent_pages.py",
    "tests/browser/test_portal_pages.py",
    "tests/cli/test_cli.py",
    "tests/web/test_privacy.py",
    "tests/web/test_workers.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return SLOW_FIRST.index(path) if path in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: the order inside each file stays


def _in_thread(coro):  # type: ignore[no-untyped-def]
    """Run a coroutine on its own loop (the tests' loop may already be running)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_URL, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


_pg_problem: list[str] = []


def _postgres_reachable() -> str | None:
    if not _pg_problem:
        try:
            _in_thread(_admin("SELECT 1"))
            _pg_problem.append("")
        except Exception as exc:  # any failure means: not usable here
            _pg_problem.append(f"PostgreSQL not reachable at {PG_URL} ({exc}); set TEST_POSTGRES_URL")
    return _pg_problem[0] or None


def _database_url(name: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test."""
    problem = _postgres_reachable()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(problem)
        pytest.skip(problem)
    name = f"lp_test_{uuid.uuid4().hex[:12]}"
    _in_thread(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _database_url(name)
    finally:
        _in_thread(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of either engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/survey.sqlite3"
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """An upgraded database that piccolo points at; yields its URL."""
    async for url in _upgraded(database_url):
        yield url


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[str]:
    """For what only SQLite has (WAL, IMMEDIATE transactions)."""
    async for url in _upgraded(f"sqlite:///{tmp_path}/survey.sqlite3"):
        yield url


async def _upgraded(database_url: str) -> AsyncIterator[str]:
    from survey.store.engine import engine_from_url, is_sqlite, use_engine
    from survey.store.migrate import upgrade

    engine = engine_from_url(database_url)
    use_engine(engine)
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=1, max_size=4)
    try:
        await upgrade()
        yield database_url
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()


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
    from survey.services.approvals import approve_version, approve_wave
    from survey.store import waves as wave_store
    from survey.store.accounts import find_user

    if await find_user(PERSONALRAT_USER) is None:
        await add_user(PERSONALRAT_USER, "Personalrat", "ein langes Testpasswort", ["personalrat"])
    personalrat = await principal_of(PERSONALRAT_USER)
    wave = await wave_store.get_wave(key)
    assert wave is not None
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


@pytest.fixture
async def field(db: str, tmp_path: Path) -> AsyncIterator[Field]:
    """Organisation, published questionnaires, two open waves and the running submission writer."""
    from survey.services.catalog import publish_folder
    from survey.services.demo import demo_org_file
    from survey.services.org import import_org
    from survey.services.waves import create_wave, open_wave
    from survey.settings import Settings
    from survey.store.engine import current_engine
    from survey.store.submissions import start_writer, stop_writer

    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    settings = Settings(database_url=db, base_url="http://test.invalid")
    today = dt.date.today()
    await import_org(demo_org_file())
    await publish_folder(folder)
    for key, questionnaire, units in (
        ("puls", "staff-pulse", ["kjfs"]),
        ("buerger", "citizen-contact", ["verwaltung"]),
    ):
        await create_wave(
            key=key,
            questionnaires=folder,
            questionnaire=questionnaire,
            version=None,
            units=units,
            opens_on=today - dt.timedelta(days=3),
            closes_on=today + dt.timedelta(days=30),
        )
        if questionnaire.startswith("staff"):
            await approve_staff_wave(key, folder)
        await open_wave(key, today, folder)
    await start_writer(current_engine())
    try:
        yield Field(settings, today, folder)
    finally:
        await stop_writer()


@dataclass
class Server:
    """A real `survey serve` on a free port of 127.0.0.1; its output once it has stopped."""

    base: str
    out: str = ""
    err: str = ""
    pid: int = 0


def _healthy(base: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"{base}/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def _serve(database_url: str, *options: str, **env: str) -> Iterator[Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Server(f"http://127.0.0.1:{port}")
    environment = {**os.environ, "DATABASE_URL": database_url, **env}
    process = subprocess.Popen(
        [sys.executable, "-m", "survey", "serve", "--port", str(port), *options],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
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
