"""What every command group shares: running a service against the database, clear errors, the
console, options (questionnaire folder, dates, version numbers) and checked file arguments."""

from __future__ import annotations

import asyncio
import errno
import functools
import os
import stat
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from survey.errors import SurveyError
from survey.services.database import open_database
from survey.settings import Settings

T = TypeVar("T")

__all__ = [
    "DATE",
    "console",
    "fail",
    "folder_option",
    "folder_path",
    "input_file",
    "output_file",
    "progress_bar",
    "run_async",
    "settings",
    "surface_errors",
    "version_number",
    "write_file",
]

# Wide when piped, so that tables in files and CI logs keep one row per line.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)

#: a day as 2026-12-01 or 1.12.2026
DATE = click.DateTime(formats=["%Y-%m-%d", "%d.%m.%Y"])


# --- running and failing --------------------------------------------------------------------


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
    config = settings()

    async def main() -> T:
        async with open_database(config, needs_schema=needs_schema):
            return await work()

    return asyncio.run(main())


def progress_bar() -> Progress:
    """A progress bar on stderr for the long commands (stdout keeps only their result)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=Console(stderr=True), transient=True)


# --- options ---------------------------------------------------------------------------------


def version_number(ctx: click.Context, param: click.Parameter, value: str) -> int:
    text = value[1:] if value.lower().startswith("v") else value
    if not text.isdigit() or int(text) < 1:
        raise click.BadParameter(f"{value!r} is not a version: write 1, 2, ... or v1, v2, ...")
    return int(text)


def folder_option() -> Callable:
    return click.option(
        "--dir",
        "folder",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Questionnaire folder (default: SURVEY_QUESTIONNAIRES, else ./questionnaires).",
    )


def folder_path(folder: Path | None) -> Path:
    return folder if folder is not None else settings().questionnaires


# --- file arguments -------------------------------------------------------------------------
# A file argument is checked before anything reads or writes it: a folder, a missing file, a
# device such as /dev/zero, a pipe (reading one waits for ever), a link in a loop or a file far
# too large each get one line that names the argument and what to do, never a traceback.


def input_file(path: Path, argument: str, *, max_bytes: int | None = None) -> Path:
    """`path` if it is a regular file that can be read; otherwise the command fails, saying why."""
    try:
        status = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            fail(f"{argument} {path}: the link leads round in a loop; give the path of the file itself")
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            fail(f"{argument} {path}: there is no such file; check the path")
        fail(f"{argument} {path}: cannot be read ({exc.strerror}); check the path and its permissions")
        raise  # unreachable: fail() exits
    if stat.S_ISDIR(status.st_mode):
        fail(f"{argument} {path} is a folder: give the path of a file in it")
    if not stat.S_ISREG(status.st_mode):
        fail(f"{argument} {path} is not a regular file (a device, a pipe or a socket): give a file's path")
    if max_bytes is not None and status.st_size > max_bytes:
        fail(
            f"{argument} {path} is {status.st_size:,} bytes; files over {max_bytes:,} bytes are refused: "
            "check that it is the right file"
        )
    if not os.access(path, os.R_OK):
        fail(f"{argument} {path}: cannot be read; check its permissions")
    return path


def output_file(path: Path, argument: str) -> Path:
    """`path` if a file can be written there (its folder is created); otherwise the command fails.

    A folder, a device (/dev/full, /dev/null) or a pipe is refused before anything is written:
    writing into a pipe waits for ever, and replacing a device would be worse."""
    try:
        status: os.stat_result | None = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            fail(f"{argument} {path}: the link leads round in a loop; give another file name")
        if exc.errno == errno.ENOTDIR:
            fail(f"{argument} {path}: a part of the path is a file, not a folder; give another path")
        if path.is_symlink():
            fail(f"{argument} {path} is a link to a file that does not exist: give the file name itself")
        status = None
    if status is not None and stat.S_ISDIR(status.st_mode):
        fail(f"{argument} {path} is a folder: give the name of a file (in it, or elsewhere)")
    if status is not None and not stat.S_ISREG(status.st_mode):
        fail(f"{argument} {path} is not a regular file (a device, a pipe or a socket): give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"{argument} {path}: cannot create the folder {path.parent} ({exc.strerror}); give another path")
    return path


def write_file(path: Path, argument: str, content: str | bytes) -> None:
    try:
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    except OSError as exc:
        fail(f"{argument} {path}: cannot be written ({exc.strerror}); check the disk and the permissions")
