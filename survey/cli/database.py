"""`survey db`, `survey backup`, `survey restore`, `survey purge`: the database and its data."""

from __future__ import annotations

from pathlib import Path

import click

from survey.cli.common import input_file, output_file, run_async, settings, surface_errors
from survey.services.backup import backup as take_backup
from survey.services.backup import parse_age, purge_comments
from survey.services.backup import restore as put_back
from survey.services.database import database_status, masked_url, upgrade_database


@click.group()
def db() -> None:
    """Create and upgrade the database (DATABASE_URL)."""


@db.command("upgrade")
@surface_errors
def db_upgrade() -> None:
    """Apply every pending migration."""
    applied = run_async(upgrade_database, needs_schema=False)
    where = masked_url(settings().database_url)
    if applied:
        click.echo(f"applied {len(applied)} migration(s) to {where}: {', '.join(applied)}")
    else:
        click.echo(f"{where} is up to date")


@db.command("status")
@surface_errors
def db_status() -> None:
    """Show which migrations are applied."""
    for migration_id, description, applied in run_async(database_status, needs_schema=False):
        click.echo(f"{'applied' if applied else 'pending'}  {migration_id}  {description}")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@surface_errors
def backup(path: Path, force: bool) -> None:
    """Write a copy of the whole database to PATH, while the app runs (SQLite: online backup;
    PostgreSQL: pg_dump)."""
    path = path.expanduser()
    if not path.is_dir() and (path.exists() or path.is_symlink()):
        output_file(path, "PATH")  # a device, a pipe, a link nowhere or in a loop: refused here
    copied = take_backup(settings(), path, force=force)
    click.echo(f"backup of the {copied.engine} database written to {copied.path} ({copied.size:,} bytes)")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing everything in the database.")
@surface_errors
def restore(path: Path, yes: bool) -> None:
    """Replace everything in the database with the backup PATH, all of it or nothing.

    Stop the app first; `survey db upgrade` afterwards brings an older backup up to date.
    """
    path = input_file(path.expanduser(), "PATH")
    if not yes:
        click.confirm(f"Replace everything in the database with {path}?", abort=True)
    copied = put_back(settings(), path)
    click.echo(f"restored the {copied.engine} database from {copied.path}")


@click.command()
@click.option(
    "--comments-older-than",
    "age",
    required=True,
    help="Delete free text submitted longer ago than this: 24m (months), 2y (years) or 730d (days).",
)
@surface_errors
def purge(age: str) -> None:
    """Delete free-text answers past their retention period; answer codes and figures stay."""
    parse_age(age)  # a wrong age is refused before the database is opened
    deleted, kept_from = run_async(lambda: purge_comments(age))
    click.echo(f"deleted {deleted:,} comments submitted before {kept_from.isoformat()}")
