"""Run a service coroutine against the database from DATABASE_URL, with clear errors."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import click

from survey.errors import DatabaseError, SurveyError
from survey.settings import Settings

T = TypeVar("T")

__all__ = ["fail", "masked_url", "run_async", "settings", "surface_errors"]


def masked_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def settings() -> Settings:
    try:
        return Settings.from_env()
    except SurveyError as exc:
        fail(str(exc))
        raise  # unreachable


def surface_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn errors a person can fix into one clear message and exit code 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SurveyError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted; nothing half-written stays in the database", 130)

    return wrapper


def run_async(work: Callable[[], Awaitable[T]], *, needs_schema: bool = True) -> T:
    """Point piccolo at DATABASE_URL, run `work`, and close the connections again."""
    from survey.store.engine import engine_from_url, is_sqlite, use_engine
    from survey.store.migrate import require_upgraded

    config = settings()
    engine = engine_from_url(config.database_url, config.sqlite_timeout)
    where = masked_url(config.database_url)

    async def main() -> T:
        pooled = not is_sqlite(engine)
        try:
            use_engine(engine)
            if pooled:
                await engine.start_connection_pool()
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
            return await work()
        finally:
            if pooled:
                await engine.close_connection_pool()

    return asyncio.run(main())
