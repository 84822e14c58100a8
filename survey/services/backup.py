"""`survey backup`, `survey restore` and `survey purge`: a copy of everything, taken while the app
runs, put back whole or not at all; and free text kept no longer than its retention period.

SQLite: the online backup API (a consistent copy while others read and write). PostgreSQL:
pg_dump's custom format, put back by pg_restore in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from survey.errors import SurveyError
from survey.services.audit import record
from survey.services.database import masked_url
from survey.settings import Settings
from survey.store.engine import sqlite_path
from survey.store.retention import delete_comments_before

__all__ = ["BackupError", "Copied", "backup", "months_ago", "parse_age", "purge_comments", "restore"]

_SQLITE_HEADER = b"SQLite format 3\x00"
_PG_HEADER = b"PGDMP"


class BackupError(SurveyError):
    pass


@dataclass(frozen=True)
class Copied:
    path: Path
    engine: str
    size: int


def backup(settings: Settings, path: Path, *, force: bool = False) -> Copied:
    """Write a copy of the whole database to `path` (replaced only with `force`)."""
    path = path.expanduser()
    if path.is_dir():
        raise BackupError(
            f"{path} is a folder: give the name of the backup file, e.g. {path}/leitbild-puls.backup"
        )
    if not path.parent.is_dir():
        raise BackupError(f"{path}: the folder {path.parent} does not exist; create it first")
    if path.exists() and not force:
        raise BackupError(f"{path} exists already: choose another name or add --force to replace it")
    partial = path.with_name(path.name + ".partial")
    database = sqlite_path(settings.database_url)
    try:
        if database is not None:
            _copy_sqlite(database, partial, settings.sqlite_timeout)
            engine = "sqlite"
        else:
            _run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    f"--file={partial}",
                    settings.database_url,
                ],
                settings,
            )
            engine = "postgresql"
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Copied(path, engine, path.stat().st_size)


def restore(settings: Settings, path: Path) -> Copied:
    """Replace everything in the database with the backup at `path`: all of it or nothing."""
    path = path.expanduser()
    if not path.is_file():
        raise BackupError(f"{path}: there is no such file; give the path of a backup made by `survey backup`")
    with path.open("rb") as file:
        head = file.read(16)
    database = sqlite_path(settings.database_url)
    if head.startswith(_PG_HEADER) and database is not None:
        raise BackupError(
            f"{path} is a PostgreSQL backup: restore it with DATABASE_URL set to a PostgreSQL database"
        )
    if head.startswith(_SQLITE_HEADER) and database is None:
        raise BackupError(f"{path} is an SQLite backup: restore it with DATABASE_URL=sqlite:///…")
    if not head.startswith((_SQLITE_HEADER, _PG_HEADER)):
        raise BackupError(f"{path} is not a backup made by `survey backup` (neither SQLite nor pg_dump)")
    if database is not None:
        _check_sqlite_backup(path)
        _copy_sqlite(path, database, settings.sqlite_timeout)
        return Copied(path, "sqlite", path.stat().st_size)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={settings.database_url}",
            str(path),
        ],
        settings,
    )
    return Copied(path, "postgresql", path.stat().st_size)


def _copy_sqlite(source_path: Path, target_path: Path, timeout: float) -> None:
    """SQLite's online backup: a consistent copy page by page, whoever else reads or writes."""
    source = sqlite3.connect(source_path, timeout=timeout)
    target = sqlite3.connect(target_path, timeout=timeout)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _check_sqlite_backup(path: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            (state,) = db.execute("PRAGMA integrity_check").fetchone()
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as an SQLite database ({exc})") from None
    if state != "ok":
        raise BackupError(f"{path} is damaged ({state}); take another backup")
    if not {"answer", "response", "wave"} <= tables:
        raise BackupError(f"{path} is an SQLite database, but not one of Leitbild-Puls")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client tools (Debian: postgresql-client)"
        )
    return found


def _run(command: list[str], settings: Settings) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = done.stderr.strip().replace(settings.database_url, masked_url(settings.database_url))
        raise BackupError(f"{Path(command[0]).name} failed: {message or 'exit code ' + str(done.returncode)}")


# --- retention ---------------------------------------------------------------------------------------

_AGE = re.compile(r"^\s*(\d{1,4})\s*([dmy])\s*$")


def parse_age(text: str) -> tuple[int, str]:
    """`24m`, `2y` or `730d` → (24, "m") etc."""
    match = _AGE.match(text.lower())
    if match is None or int(match.group(1)) == 0:
        raise BackupError(
            f"--comments-older-than {text!r}: give months like 24m, years like 2y or days like 730d"
        )
    return int(match.group(1)), match.group(2)


def months_ago(today: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (the month's last day where it has fewer days)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        with contextlib.suppress(ValueError):
            return dt.date(year, month, day)
    raise AssertionError("unreachable")  # pragma: no cover - day 28 exists in every month


async def purge_comments(age: str, *, today: dt.date | None = None, by: str = "cli") -> tuple[int, dt.date]:
    """Delete the free text submitted before the retention date; the answer codes (and so every
    figure) stay. Returns how many were deleted and the first day kept."""
    amount, unit = parse_age(age)
    today = today or dt.date.today()
    if unit == "d":
        cutoff = today - dt.timedelta(days=amount)
    else:
        cutoff = months_ago(today, amount * (12 if unit == "y" else 1))
    deleted = await delete_comments_before(cutoff)
    await record(by, "comments.purge", "", f"{deleted} submitted before {cutoff.isoformat()}")
    return deleted, cutoff
