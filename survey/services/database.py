"""Open the database from the settings, for the CLI and the web app alike."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from survey.errors import DatabaseError
from survey.report.charts import keep_charts_in
from survey.services.chart_keep import charts_kept
from survey.services.figures import keep_figures_signed_with
from survey.services.redaction import forget_redactor
from survey.services.secret import installation_secret
from survey.settings import Settings
from survey.store.engine import engine_from_url, use_engine
from survey.store.migrate import migration_status, require_upgraded, upgrade
from survey.store.submissions import start_writer, stop_writer

__all__ = ["database_status", "masked_url", "open_database", "upgrade_database"]


def masked_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


async def _keep_session(connection: Any) -> None:
    """What a pooled PostgreSQL connection needs when it goes back to the pool: nothing beyond
    asyncpg's own rollback of a transaction left open. Nothing here changes a pooled connection's
    session (no SET, LISTEN, advisory lock or cursor outside a transaction), so asyncpg's default
    reset (RESET ALL, CLOSE ALL, UNLISTEN *, …) would be a second round trip, for nothing, after
    every query of the pool."""


@asynccontextmanager
async def open_database(
    settings: Settings,
    *,
    needs_schema: bool = True,
    writer: bool = False,
    connections: int | None = None,
    keeping: bool = False,
) -> AsyncIterator[None]:
    """Point the store at DATABASE_URL (a pool on PostgreSQL) for the duration of the block;
    with `writer`, also run the submission writer of this process. Figures and charts are kept
    in the database (survey.services.chart_keep, survey.services.figures) where the schema is
    checked, or with `keeping` (a report process of an app worker that checked it)."""
    engine = engine_from_url(settings.database_url, settings.sqlite_timeout)
    where = masked_url(settings.database_url)
    # PostgreSQL: a pool of connections; SQLite: threads that keep their connections open
    pooled = True
    # what the redaction learnt from another database (the users' names) does not hold here
    forget_redactor()
    try:
        use_engine(engine)
        if pooled:
            # at most `connections` on PostgreSQL (asyncpg's default pool: 10)
            await engine.start_connection_pool(
                reset=_keep_session, **({"min_size": 1, "max_size": connections} if connections else {})
            )
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseError(f"cannot open the database {where}: {exc}; check DATABASE_URL") from None
    except Exception as exc:
        if type(exc).__module__.startswith("asyncpg"):
            raise DatabaseError(
                f"cannot open the database {where}: {exc}; check DATABASE_URL and that PostgreSQL runs"
            ) from None
        raise
    try:
        if needs_schema:
            await require_upgraded()
        if needs_schema or keeping:
            await charts_kept(prune=writer)
            keep_figures_signed_with(functools.partial(installation_secret, settings))
        if writer:
            await start_writer(engine)
        yield
    finally:
        keep_charts_in(None)
        keep_figures_signed_with(None)
        if writer:
            await stop_writer()
        if pooled:
            await engine.close_connection_pool()


async def upgrade_database() -> list[str]:
    return await upgrade()


async def database_status() -> list[tuple[str, str, bool]]:
    return await migration_status()


async def check_upgraded() -> None:
    await require_upgraded()
