"""Run a service coroutine against the database from DATABASE_URL, with clear errors."""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from survey.errors import SurveyError
from survey.settings import Settings

T = TypeVar("T")

__all__ = ["fail", "run_async", "settings", "surface_errors"]


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
            # the command line's text: the message with its hint (`survey ...`) and details
            fail(exc.message.for_cli())
        except KeyboardInterrupt:
            fail("interrupted; nothing half-written stays in the database", 130)

    return wrapper


def run_async(work: Callable[[], Awaitable[T]], *, needs_schema: bool = True) -> T:
    """Open the database of DATABASE_URL, run `work`, and close the connections again."""
    from survey.services.database import open_database

    config = settings()

    async def main() -> T:
        async with open_database(config, needs_schema=needs_schema):
            return await work()

    return asyncio.run(main())
