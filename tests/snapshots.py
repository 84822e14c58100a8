"""Databases that many tests start from alike, built once per test run and copied for each test.

A test that asks for `db` gets a database of its own, as before; only where it comes from
changed. Building the same starting point again for every test (migrations, the organisation,
published questionnaires, open waves, a demo Kommune) cost more than most tests themselves. Now
the first test of a run that needs one builds it, through the same services as before, into a
database of its own (the snapshot); every test then gets a copy: an SQLite file is copied, a
PostgreSQL database is made with `CREATE DATABASE … TEMPLATE snapshot`. The xdist workers of a
run share the snapshots (a file lock lets one build while the others wait); the PostgreSQL
snapshots are dropped when the run ends (tests/conftest.py `pytest_sessionfinish`).

Which starting point a test gets depends on the fixtures it uses: `STARTS` maps a fixture name
to a starting point (tests/conftest.py and tests/web/conftest.py register theirs); a test using
none of them starts from the upgraded, empty database.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

__all__ = [
    "STARTS",
    "UPGRADED",
    "Snapshots",
    "Start",
    "admin",
    "in_thread",
    "snapshot_folder",
    "start_of",
    "starts_from",
]

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PREFIX = "lp_snap_"


@dataclass(frozen=True)
class Start:
    """A starting point: `build` runs against an upgraded, empty database that piccolo points at,
    and returns facts the tests need (JSON, e.g. the day the waves were opened)."""

    key: str
    build: Callable[[], Awaitable[dict[str, Any] | None]]


async def _nothing() -> None:
    return None


UPGRADED = Start("upgraded", _nothing)
#: fixture name → the starting point of the tests that use that fixture
STARTS: dict[str, Start] = {}


def starts_from(fixture: str, start: Start) -> None:
    """Tests using `fixture` get a copy of `start` as their `db`."""
    STARTS[fixture] = start


def start_of(request: pytest.FixtureRequest) -> Start:
    found = {STARTS[name] for name in request.fixturenames if name in STARTS}
    assert len(found) <= 1, f"{request.node.nodeid} uses fixtures of different starting points: {found}"
    return found.pop() if found else UPGRADED


def snapshot_folder(config: pytest.Config) -> Path:
    """The folder of this run's snapshots, the same in every xdist worker and in the controller:
    a worker's base temporary folder lies inside the controller's."""
    base = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    folder = (base.parent if hasattr(config, "workerinput") else base) / "snapshots"
    folder.mkdir(exist_ok=True)
    return folder


def run_id(folder: Path) -> str:
    """Part of the snapshot databases' names: one run's never meet another's."""
    return hashlib.sha256(str(folder).encode()).hexdigest()[:10]


def in_thread(coro):  # type: ignore[no-untyped-def]
    """Run a coroutine on its own loop (the tests' loop may already be running)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_URL, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _names(pattern: str) -> list[str]:
    import asyncpg

    connection = await asyncpg.connect(PG_URL, timeout=5)
    try:
        rows = await connection.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", pattern)
        return [row["datname"] for row in rows]
    finally:
        await connection.close()


def postgres_url(name: str) -> str:
    return urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))


def drop_snapshots(folder: Path) -> None:
    """Drop this run's PostgreSQL snapshots (at the end of the run, in the controller)."""
    if not any(folder.glob("postgres-*.lock")):
        return  # no PostgreSQL snapshot was begun
    pattern = f"{PREFIX}{run_id(folder)}_%"

    async def drop() -> None:
        for name in await _names(pattern):
            await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    with contextlib.suppress(Exception):  # no server, nothing to drop
        in_thread(drop())


class Snapshots:
    """This run's snapshots (one per engine and starting point) and the copies made of them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.run = run_id(folder)

    def _template(self, key: str) -> str:
        return f"{PREFIX}{self.run}_{key.replace('-', '_')}"

    async def facts(self, engine: str, start: Start) -> dict[str, Any]:
        """The facts of the snapshot, built first if no worker has built it yet."""
        done = self.folder / f"{engine}-{start.key}.json"
        if done.exists():
            return json.loads(done.read_text(encoding="utf-8"))
        with (self.folder / f"{engine}-{start.key}.lock").open("w") as lock:
            # Blocking is right here: the other worker builds it, this one has nothing else to do.
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not done.exists():
                    facts = await self._build(engine, start)
                    partial = done.with_suffix(".partial")
                    partial.write_text(json.dumps(facts or {}), encoding="utf-8")
                    partial.replace(done)  # written last: a snapshot with facts is complete
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return json.loads(done.read_text(encoding="utf-8"))

    async def _build(self, engine: str, start: Start) -> dict[str, Any] | None:
        from survey.store.engine import engine_from_url, use_engine
        from survey.store.migrate import upgrade

        if engine == "sqlite":
            path = self.folder / f"{start.key}.sqlite3"
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        else:
            name = self._template(start.key)
            await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin(f'CREATE DATABASE "{name}"')
            url = postgres_url(name)
        database = engine_from_url(url)
        use_engine(database)
        # as survey.services.database.open_database does, on either engine
        await database.start_connection_pool(**({} if engine == "sqlite" else {"min_size": 1, "max_size": 4}))
        try:
            await upgrade()
            facts = await start.build()
        finally:
            await database.close_connection_pool()
        if engine == "sqlite":
            # everything into the file itself, so that a copy of the file is the whole database
            with contextlib.closing(sqlite3.connect(path)) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # a template takes no copies while anyone is connected to it
            await admin(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
        return facts

    @contextlib.asynccontextmanager
    async def database(self, engine: str, tmp_path: Path, start: Start) -> AsyncIterator[str]:
        """A copy of the snapshot `start` that piccolo points at, for one test; its URL."""
        from survey.store.engine import engine_from_url, use_engine

        await self.facts(engine, start)
        if engine == "sqlite":
            target = tmp_path / "survey.sqlite3"
            shutil.copyfile(self.folder / f"{start.key}.sqlite3", target)
            url = f"sqlite:///{target}"
        else:
            name = f"lp_test_{uuid.uuid4().hex[:12]}"
            await admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template(start.key)}"')
            url = postgres_url(name)
        try:
            database = engine_from_url(url)
            use_engine(database)
            await database.start_connection_pool(
                **({} if engine == "sqlite" else {"min_size": 1, "max_size": 4})
            )
            try:
                yield url
            finally:
                await database.close_connection_pool()
        finally:
            if engine != "sqlite":
                await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
