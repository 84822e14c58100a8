"""`survey`: questionnaires, organisation, database, demo and the web app."""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from survey.cli.runner import fail, run_async, settings, surface_errors

__all__ = ["main"]

# Wide when piped, so that tables in files and CI logs keep one row per line.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _version_number(ctx: click.Context, param: click.Parameter, value: str) -> int:
    text = value[1:] if value.lower().startswith("v") else value
    if not text.isdigit() or int(text) < 1:
        raise click.BadParameter(f"{value!r} is not a version: write 1, 2, ... or v1, v2, ...")
    return int(text)


def _folder_option() -> Callable:
    return click.option(
        "--dir",
        "folder",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Questionnaire folder (default: SURVEY_QUESTIONNAIRES, else ./questionnaires).",
    )


def _folder(folder: Path | None) -> Path:
    return folder if folder is not None else settings().questionnaires


# --- file arguments -------------------------------------------------------------------------
# A file argument is checked before anything reads or writes it: a folder, a missing file, a
# device such as /dev/zero, a pipe (reading one waits for ever), a link in a loop or a file far
# too large each get one line that names the argument and what to do, never a traceback.


def _input_file(path: Path, argument: str, *, max_bytes: int | None = None) -> Path:
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


def _output_file(path: Path, argument: str) -> Path:
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


def _write(path: Path, argument: str, content: str | bytes) -> None:
    try:
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    except OSError as exc:
        fail(f"{argument} {path}: cannot be written ({exc.strerror}); check the disk and the permissions")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="leitbild-puls", prog_name="survey")
def main() -> None:
    """Leitbild-Puls: does the Leitbild hold up in practice, unit by unit, over time?

    Settings come from environment variables (see the README); the database from DATABASE_URL.
    """


# --- questionnaires -------------------------------------------------------------------------


@main.group()
def questionnaires() -> None:
    """Check, compare, list and publish Leitbild and questionnaire files."""


@questionnaires.command("check")
@_folder_option()
@surface_errors
def questionnaires_check(folder: Path | None) -> None:
    """Check every file; list every problem as `file:line: path: what to do`."""
    from survey.domain import check_catalog

    root = _folder(folder)
    catalog, problems = check_catalog(root)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        files = len({p.file for p in problems})
        fail(f"{len(problems)} problem(s) in {files} file(s) under {root}")
    versions = ", ".join(v.label for v in catalog.versions.values())
    click.echo(f"ok: {len(catalog.leitbilder)} Leitbild, {len(catalog.versions)} versions ({versions})")


@questionnaires.command("diff")
@click.argument("questionnaire")
@click.argument("a", callback=_version_number)
@click.argument("b", callback=_version_number)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@_folder_option()
@surface_errors
def questionnaires_diff(questionnaire: str, a: int, b: int, as_json: bool, folder: Path | None) -> None:
    """Compare version A with version B of QUESTIONNAIRE: what changed, which trends stay comparable."""
    from dataclasses import asdict

    from survey.domain import diff_versions, load_catalog

    catalog = load_catalog(_folder(folder))
    diff = diff_versions(catalog, questionnaire, a, b)
    if as_json:
        click.echo(json.dumps(asdict(diff), indent=2, ensure_ascii=False))
        return
    click.echo(f"{questionnaire} v{a} → v{b}")
    rows = [
        ("identical", ", ".join(diff.identical) or "–"),
        ("editorial", ", ".join(diff.editorial) or "–"),
        ("substantive", ", ".join(f"{o} → {n} (replaced)" for o, n in diff.replaced) or "–"),
        ("added", ", ".join(diff.added) or "–"),
        ("retired", ", ".join(diff.retired) or "–"),
    ]
    for label, text in rows:
        click.echo(f"  {label:<12} {text}")
    click.echo("values:")
    for trend in diff.values:
        if trend.comparable:
            state = f"comparable over {len(trend.common_items)} common item(s): " + ", ".join(
                trend.common_items
            )
        else:
            state = "trend breaks: no comparable item in both versions"
        click.echo(f"  {trend.value:<18} {state}")


@questionnaires.command("publish")
@_folder_option()
@surface_errors
def questionnaires_publish(folder: Path | None) -> None:
    """Freeze every new version in the database; refuse edited published versions."""
    from survey.services.catalog import publish_folder

    _, result = run_async(lambda: publish_folder(_folder(folder)))
    for label in result.published:
        click.echo(f"published: {label}")
    for label in result.unchanged:
        click.echo(f"unchanged: {label}")


@questionnaires.command("list")
@_folder_option()
@surface_errors
def questionnaires_list(folder: Path | None) -> None:
    """List the versions on disk and whether each is published."""
    from survey.domain import load_catalog
    from survey.services.catalog import published_versions

    catalog = load_catalog(_folder(folder))
    published = run_async(published_versions)
    table = Table(
        "questionnaire", "version", "audience", "languages", "items", "published", "file", box=box.SIMPLE
    )
    for ref, version in sorted(catalog.versions.items()):
        record = published.get(ref)
        state = "no"
        if record is not None:
            state = f"{record.published_at:%Y-%m-%d}"
            if record.content_hash != version.content_hash:
                state += " (file changed!)"
        table.add_row(
            version.questionnaire,
            f"v{version.version}",
            version.audience,
            " ".join(version.languages),
            str(len(version.items)),
            state,
            catalog.files[ref],
        )
    console.print(table)


# --- organisation ---------------------------------------------------------------------------


@main.group()
def org() -> None:
    """Import and show the organisation: org units and service points."""


@org.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@surface_errors
def org_import(file: Path) -> None:
    """Import the organisation from FILE (YAML); all of it or, on any problem, nothing."""
    from survey.domain import check_org
    from survey.domain.yamlfile import MAX_FILE_BYTES
    from survey.services.org import import_org

    _input_file(file, "FILE", max_bytes=MAX_FILE_BYTES)
    _, problems = check_org(file)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        fail(f"{len(problems)} problem(s) in {file}; nothing was imported")
    organisation, change = run_async(lambda: import_org(file))
    click.echo(
        f"imported {organisation.kommune}: {len(organisation.units)} units ({change.added} new, "
        f"{change.updated} changed, {change.retired} retired), {change.service_points} service points"
    )


@org.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print units and service points as JSON.")
@surface_errors
def org_list(as_json: bool) -> None:
    """Print the org tree with keys, kinds and headcounts."""
    from survey.services.org import organisation_listing

    kommune, units, points = run_async(organisation_listing)
    subtree = {u.key: sum(v.headcount for v in units if v.path.startswith(u.path)) for u in units}
    if as_json:
        data = {
            "kommune": kommune,
            "units": [
                {
                    "key": u.key,
                    "name": u.name,
                    "kind": u.kind,
                    "parent": u.parent,
                    "headcount": u.headcount,
                    "subtree_headcount": subtree[u.key],
                }
                for u in units
            ],
            "service_points": [{"key": p.key, "name": p.name, "unit": p.unit} for p in points],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if not units:
        fail("no organisation yet: run `survey org import FILE` (or `survey demo`)")
    table = Table("unit", "key", "kind", "headcount", "with sub-units", title=kommune, box=box.SIMPLE)
    for unit in units:
        table.add_row(
            "  " * unit.depth + unit.name, unit.key, unit.kind, str(unit.headcount), str(subtree[unit.key])
        )
    console.print(table)
    points_table = Table("service point", "key", "unit", box=box.SIMPLE)
    for point in points:
        points_table.add_row(point.name, point.key, point.unit)
    console.print(points_table)


# --- database -------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Create and upgrade the database (DATABASE_URL)."""


@db.command("upgrade")
@surface_errors
def db_upgrade() -> None:
    """Apply every pending migration."""
    from survey.services.database import masked_url, upgrade_database

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
    from survey.services.database import database_status

    for migration_id, description, applied in run_async(database_status, needs_schema=False):
        click.echo(f"{'applied' if applied else 'pending'}  {migration_id}  {description}")


# --- demo and serve -------------------------------------------------------------------------


@main.command()
@click.option(
    "--staff",
    type=click.IntRange(10, 1_000_000),
    default=None,
    help="Staff in total; the demo's headcounts are scaled to it (default: about 1,700).",
)
@click.option(
    "--waves",
    type=click.IntRange(1, 80),
    default=8,
    show_default=True,
    help="Quarterly staff pulse waves (each with a citizen wave for the same quarter).",
)
@click.option(
    "--citizen-ratings",
    type=click.IntRange(0, 10_000_000),
    default=1200,
    show_default=True,
    help="Citizen ratings per quarter across all service points.",
)
@click.option("--seed", type=int, default=2026, show_default=True, help="Seed of the simulation.")
@click.option("--reset", is_flag=True, help="Delete the demo waves first and simulate them again.")
@click.option(
    "--org",
    "org_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Simulate this organisation file instead of Stadt Lindenau's (its units and headcounts).",
)
@_folder_option()
@surface_errors
def demo(
    staff: int | None,
    waves: int,
    citizen_ratings: int,
    seed: int,
    reset: bool,
    org_file: Path | None,
    folder: Path | None,
) -> None:
    """Build the demo Kommune (Stadt Lindenau) with simulated staff and citizen waves.

    Running it again adds nothing twice: waves already there are kept.
    """
    from survey.domain.yamlfile import MAX_FILE_BYTES
    from survey.services.demo import DemoOptions, build_demo

    if org_file is not None:
        _input_file(org_file, "--org", max_bytes=MAX_FILE_BYTES)
    options = DemoOptions(
        staff=staff,
        waves=waves,
        citizen_ratings=citizen_ratings,
        seed=seed,
        reset=reset,
        organisation=org_file,
    )
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Demo", total=None)

        def progress(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        result = run_async(lambda: build_demo(_folder(folder), options, progress), needs_schema=False)
    click.echo(f"{result.kommune}: {result.units} units, {result.service_points} service points")
    if result.published:
        click.echo(f"published: {', '.join(result.published)}")
    click.echo(f"waves created: {len(result.created)}, already there: {len(result.kept)}")
    click.echo(
        f"stored {result.responses:,} responses, {result.answers:,} answers, {result.comments:,} comments"
    )
    from survey.services.demo_users import DEMO_PASSWORD, ensure_demo_users

    users = run_async(ensure_demo_users)
    click.echo(f"demo users (password {DEMO_PASSWORD}):")
    for username, _name, roles in users:
        click.echo(f"  {username:<20} {', '.join(roles)}")


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: SURVEY_HOST or 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port (default: SURVEY_PORT or 8000)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes; sessions, lock-outs and counters live in the database, so any number works.",
)
@surface_errors
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Start the web app (litestar on uvicorn)."""
    import uvicorn

    from survey.services.database import check_upgraded

    config = settings()
    run_async(check_upgraded, needs_schema=False)
    # One BLAS thread per process: the statistics' small matrices gain nothing from more, and on
    # a busy server OpenBLAS threads spinning against each other made them many times slower.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    host = host or config.host
    port = port or config.port
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Leitbild-Puls läuft auf http://{shown}:{port}/  (Strg+C beendet)")
    sys.stdout.flush()
    uvicorn.run(
        "survey.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        workers=workers,
    )


# --- backup, restore, retention ------------------------------------------------------------


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@surface_errors
def backup(path: Path, force: bool) -> None:
    """Write a copy of the whole database to PATH, while the app runs (SQLite: online backup;
    PostgreSQL: pg_dump)."""
    from survey.services.backup import backup as take_backup

    path = path.expanduser()
    if not path.is_dir() and (path.exists() or path.is_symlink()):
        _output_file(path, "PATH")  # a device, a pipe, a link nowhere or in a loop: refused here
    copied = take_backup(settings(), path, force=force)
    click.echo(f"backup of the {copied.engine} database written to {copied.path} ({copied.size:,} bytes)")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing everything in the database.")
@surface_errors
def restore(path: Path, yes: bool) -> None:
    """Replace everything in the database with the backup PATH, all of it or nothing.

    Stop the app first; `survey db upgrade` afterwards brings an older backup up to date.
    """
    from survey.services.backup import restore as put_back

    path = _input_file(path.expanduser(), "PATH")
    if not yes:
        click.confirm(f"Replace everything in the database with {path}?", abort=True)
    copied = put_back(settings(), path)
    click.echo(f"restored the {copied.engine} database from {copied.path}")


@main.command()
@click.option(
    "--comments-older-than",
    "age",
    required=True,
    help="Delete free text submitted longer ago than this: 24m (months), 2y (years) or 730d (days).",
)
@surface_errors
def purge(age: str) -> None:
    """Delete free-text answers past their retention period; answer codes and figures stay."""
    from survey.services.backup import parse_age, purge_comments

    parse_age(age)  # a wrong age is refused before the database is opened
    deleted, kept_from = run_async(lambda: purge_comments(age))
    click.echo(f"deleted {deleted:,} comments submitted before {kept_from.isoformat()}")


# --- users ----------------------------------------------------------------------------------

_ROLE_HELP = (
    "A role, optionally scoped to a unit and its subtree: admin, office, lead:UNIT, personalrat, "
    "analyst (e.g. --role lead:jugendamt). Repeat for several."
)


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@main.group()
def user() -> None:
    """Add users of the web app, set passwords and roles, disable, list."""


@user.command("add")
@click.argument("username")
@click.option("--name", default="", help="Display name (default: the user name).")
@click.option("--role", "roles", multiple=True, required=True, help=_ROLE_HELP)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@surface_errors
def user_add(username: str, name: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Add USERNAME with a password (asked for, at least 12 characters) and roles."""
    from survey.services.accounts import add_user

    password = _password(password_stdin)
    run_async(lambda: add_user(username, name, password, list(roles)))
    click.echo(f"added {username}: {', '.join(roles)}")


@user.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@surface_errors
def user_passwd(username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME; this also unlocks the account and ends its sessions."""
    from survey.services.accounts import set_password

    password = _password(password_stdin)
    run_async(lambda: set_password(username, password))
    click.echo(f"new password set for {username}")


@user.command("roles")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help=_ROLE_HELP)
@surface_errors
def user_roles(username: str, roles: tuple[str, ...]) -> None:
    """Replace the roles of USERNAME."""
    from survey.services.accounts import set_roles

    run_async(lambda: set_roles(username, list(roles)))
    click.echo(f"{username}: {', '.join(roles)}")


@user.command("disable")
@click.argument("username")
@surface_errors
def user_disable(username: str) -> None:
    """Disable USERNAME: no sign-in any more, open sessions end (the audit log keeps the name)."""
    from survey.services.accounts import disable_user

    run_async(lambda: disable_user(username))
    click.echo(f"disabled {username}")


@user.command("list")
@surface_errors
def user_list() -> None:
    """List the users with their roles."""
    from survey.services.accounts import list_users

    users = run_async(list_users)
    table = Table("user", "name", "roles", "state", box=box.SIMPLE)
    for u in users:
        state = "disabled" if not u.active else "locked" if u.locked else "active"
        table.add_row(u.username, u.display_name, ", ".join(g.label for g in u.grants), state)
    console.print(table)
    if not users:
        click.echo("no users yet: `survey user add NAME --role admin`")


# --- waves ----------------------------------------------------------------------------------

_DATE = click.DateTime(formats=["%Y-%m-%d", "%d.%m.%Y"])


def _keys(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _print_wave(wave) -> None:  # type: ignore[no-untyped-def]
    click.echo(
        f"{wave.key}: {wave.title} — {wave.questionnaire} v{wave.version}, {wave.audience}, "
        f"{wave.opens_on} – {wave.closes_on}, {wave.status}, k={wave.k}, k_text={wave.k_text}"
    )


@main.group()
def wave() -> None:
    """Create, open, close, edit and list waves (Befragungsrunden)."""


@wave.command("create")
@click.argument("key")
@click.option("--questionnaire", required=True, help="Questionnaire id, e.g. staff-pulse.")
@click.option(
    "--version",
    "version",
    type=click.IntRange(1),
    default=None,
    help="Version number (default: the newest); published now if it is not yet.",
)
@click.option("--units", required=True, help="Comma-separated unit keys; each includes its sub-units.")
@click.option("--only", is_flag=True, help="Take the named units only, without their sub-units.")
@click.option("--opens", type=_DATE, required=True, help="First day (2026-12-01 or 1.12.2026).")
@click.option("--closes", type=_DATE, required=True, help="Last day.")
@click.option("--title", default=None, help="Title shown to respondents and in reports.")
@click.option("--k", type=int, default=5, show_default=True, help="Smallest group whose scores are shown.")
@click.option(
    "--k-text",
    type=int,
    default=10,
    show_default=True,
    help="Smallest group whose distributions and free texts are shown.",
)
@_folder_option()
@surface_errors
def wave_create(
    key: str,
    questionnaire: str,
    version: int | None,
    units: str,
    only: bool,
    opens,
    closes,  # type: ignore[no-untyped-def]
    title: str | None,
    k: int,
    k_text: int,
    folder: Path | None,
) -> None:
    """Create the draft wave KEY."""
    from survey.services.waves import create_wave

    created = run_async(
        lambda: create_wave(
            key=key,
            questionnaires=_folder(folder),
            questionnaire=questionnaire,
            version=version,
            units=_keys(units),
            opens_on=opens.date(),
            closes_on=closes.date(),
            title=title,
            k=k,
            k_text=k_text,
            subtrees=not only,
        )
    )
    _print_wave(created)


@wave.command("open")
@click.argument("key")
@_folder_option()
@surface_errors
def wave_open(key: str, folder: Path | None) -> None:
    """Open wave KEY: answers are taken from its first day; version and thresholds lock.

    A staff wave opens only once the Personalrat has approved its version and the wave as they are.
    """
    import datetime as dt

    from survey.services.waves import open_wave

    _print_wave(run_async(lambda: open_wave(key, dt.date.today(), _folder(folder))))


@wave.command("close")
@click.argument("key")
@surface_errors
def wave_close(key: str) -> None:
    """Close wave KEY: no more answers."""
    from survey.services.waves import close_wave

    _print_wave(run_async(lambda: close_wave(key)))


@wave.command("edit")
@click.argument("key")
@click.option("--title", default=None, help="New title.")
@click.option("--opens", type=_DATE, default=None, help="New first day (draft waves only).")
@click.option("--closes", type=_DATE, default=None, help="New last day (also for open waves).")
@click.option("--k", type=int, default=None, help="New score threshold (draft waves only).")
@click.option("--k-text", type=int, default=None, help="New text threshold (draft waves only).")
@surface_errors
def wave_edit(key: str, title: str | None, opens, closes, k: int | None, k_text: int | None) -> None:  # type: ignore[no-untyped-def]
    """Change wave KEY; once open, only its title and last day may change."""
    from survey.services.waves import edit_wave

    _print_wave(
        run_async(
            lambda: edit_wave(
                key,
                title=title,
                opens_on=opens.date() if opens else None,
                closes_on=closes.date() if closes else None,
                k=k,
                k_text=k_text,
            )
        )
    )


@wave.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the waves as JSON.")
@surface_errors
def wave_list(as_json: bool) -> None:
    """List the waves with status, units and responses."""
    from survey.services.waves import list_waves

    listing = run_async(list_waves)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "key": w.wave.key,
                        "title": w.wave.title,
                        "questionnaire": w.wave.questionnaire,
                        "version": w.wave.version,
                        "audience": w.wave.audience,
                        "opens_on": str(w.wave.opens_on),
                        "closes_on": str(w.wave.closes_on),
                        "status": w.wave.status,
                        "k": w.wave.k,
                        "k_text": w.wave.k_text,
                        "units": w.units,
                        "responses": w.responses,
                    }
                    for w in listing
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    table = Table(
        "key", "title", "questionnaire", "audience", "period", "status", "units", "responses", box=box.SIMPLE
    )
    for w in listing:
        table.add_row(
            w.wave.key,
            w.wave.title,
            f"{w.wave.questionnaire} v{w.wave.version}",
            w.wave.audience,
            f"{w.wave.opens_on} – {w.wave.closes_on}",
            w.wave.status,
            str(w.units),
            f"{w.responses:,}",
        )
    console.print(table)


# --- co-determination: the Personalrat's approvals ------------------------------------------


@main.group()
def approve() -> None:
    """The Personalrat approves staff questionnaire versions and staff waves (co-determination)."""


@approve.command("version")
@click.argument("questionnaire")
@click.argument("version", callback=_version_number)
@click.option("--by", "by", required=True, help="User name of the Personalrat member who approves.")
@_folder_option()
@surface_errors
def approve_version_command(questionnaire: str, version: int, by: str, folder: Path | None) -> None:
    """Approve VERSION of the staff QUESTIONNAIRE as its file reads now.

    Approved as it is already: says so and records nothing new (exit code 0)."""
    from survey.services.accounts import principal_of
    from survey.services.approvals import approve_version

    async def work():  # type: ignore[no-untyped-def]
        principal = await principal_of(by)
        return await approve_version(questionnaire, version, by=principal, questionnaires=_folder(folder))

    _print_approval(work, "")


def _print_approval(work: Callable, kind: str) -> None:
    from survey.services.approvals import AlreadyApproved

    try:
        approval = run_async(work)
    except AlreadyApproved as already:
        approval = already.approval
        by, on = approval.approved_by, f"{approval.approved_at:%Y-%m-%d}"
        click.echo(f"already approved: {kind}{approval.subject} by {by} on {on}; nothing recorded")
    else:
        click.echo(f"approved: {kind}{approval.subject} by {approval.approved_by}")
    click.echo(f"sha256 {approval.content_hash}")


@approve.command("wave")
@click.argument("key")
@click.option("--by", "by", required=True, help="User name of the Personalrat member who approves.")
@surface_errors
def approve_wave_command(key: str, by: str) -> None:
    """Approve the staff wave KEY as it is now: its version, thresholds and units.

    Approved as it is already: says so and records nothing new (exit code 0)."""
    from survey.services.accounts import principal_of
    from survey.services.approvals import approve_wave

    async def work():  # type: ignore[no-untyped-def]
        return await approve_wave(key, by=await principal_of(by))

    _print_approval(work, "wave ")


@approve.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the approval status as JSON.")
@_folder_option()
@surface_errors
def approve_list(as_json: bool, folder: Path | None) -> None:
    """List every staff version and every staff wave not closed, and whether it is approved as it is."""
    import msgspec

    from survey.services.approvals import approval_status

    status = run_async(lambda: approval_status(_folder(folder)))
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(status), indent=2).decode())
        return
    table = Table("kind", "subject", "title", "state", "approved", "by", "on", "sha256", box=box.SIMPLE)
    for entry in [*status.versions, *status.waves]:
        approved = "yes" if entry.approved else ("no (stale)" if entry.stale else "no")
        latest = entry.latest
        table.add_row(
            entry.kind,
            entry.subject,
            entry.title,
            entry.state,
            approved,
            latest.approved_by if latest else "–",
            f"{latest.approved_at:%Y-%m-%d}" if latest else "–",
            entry.content_hash[:12],
        )
    console.print(table)


# --- access: invitations, unit links, receipt codes, posters --------------------------------


def _new_file(path: Path) -> Path:
    if path.exists() or path.is_symlink():
        fail(f"{path} exists already: codes are written once; choose another --out or move the file away")
    return _output_file(path, "--out")


@main.command()
@click.argument("wave_key", metavar="WAVE")
@click.option("--unit", "unit", required=True, help="Unit key the codes are for.")
@click.option("--count", type=int, required=True, help="Number of codes (one per person).")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the CSV (mail merge), the letters as HTML and as PDF.",
)
@click.option(
    "--lang",
    type=click.Choice(["de", "en"]),
    default="de",
    show_default=True,
    help="Language of the letters.",
)
@surface_errors
def invite(wave_key: str, unit: str, count: int, out: Path, lang: str) -> None:
    """Issue single-use invitation codes for staff of a unit in WAVE.

    The codes exist in plain text only in the files written now; the database keeps their
    keyed hashes, and deletes each when it is used.
    """
    import csv
    import io

    from survey.report.printing import html_to_pdf, invitation_letters_html
    from survey.services.invitations import issue_invitations

    stem = f"{wave_key}-{unit}"
    paths = [
        _new_file(out / f"{stem}-codes.csv"),
        _new_file(out / f"{stem}-letters.html"),
        _new_file(out / f"{stem}-letters.pdf"),
    ]
    issued = run_async(lambda: issue_invitations(settings(), wave_key, unit, count))
    table = io.StringIO(newline="")
    writer = csv.writer(table, delimiter=";")
    writer.writerow(["code", "link"])
    writer.writerows([code, f"{issued.entry_url}/{code}"] for code in issued.codes)
    _write(paths[0], "--out", table.getvalue())
    html = invitation_letters_html(
        kommune=issued.kommune,
        wave_title=issued.wave.title,
        unit_name=issued.unit_name,
        closes_on=issued.wave.closes_on,
        entry_url=issued.entry_url,
        codes=issued.codes,
        language=lang,
    )
    _write(paths[1], "--out", html)
    _write(paths[2], "--out", html_to_pdf(html))
    click.echo(f"{count} codes for {issued.unit_name} in {wave_key}:")
    for path in paths:
        click.echo(f"  {path}")


@main.command("unit-link")
@click.argument("wave_key", metavar="WAVE")
@click.option("--unit", "unit", required=True, help="Unit key the link is for.")
@surface_errors
def unit_link(wave_key: str, unit: str) -> None:
    """Create a link for a whole unit (staff without e-mail) with a shared access code."""
    from survey.services.invitations import create_unit_link

    link = run_async(lambda: create_unit_link(settings(), wave_key, unit))
    click.echo(f"link for {link.unit_name}: {link.url}")
    click.echo(f"access code (post it in the unit, not online): {link.access_code}")


@main.command()
@click.argument("service_point", metavar="SERVICE_POINT")
@click.option("--count", type=int, required=True, help="Number of receipt codes.")
@click.option("--valid-days", type=int, default=90, show_default=True, help="Days each code stays valid.")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="CSV file for printing the codes on receipts.",
)
@surface_errors
def receipts(service_point: str, count: int, valid_days: int, out: Path) -> None:
    """Issue one-time receipt codes for citizens of SERVICE_POINT (optional)."""
    import csv
    import io

    from survey.services.invitations import issue_receipt_codes, service_point_url

    _new_file(out)
    config = settings()
    name, codes = run_async(lambda: issue_receipt_codes(config, service_point, count, valid_days))
    base = service_point_url(config, service_point)
    table = io.StringIO(newline="")
    writer = csv.writer(table, delimiter=";")
    writer.writerow(["code", "link"])
    writer.writerows([code, f"{base}?beleg={code}"] for code in codes)
    _write(out, "--out", table.getvalue())
    click.echo(f"{count} receipt codes for {name}: {out}")


@main.command()
@click.argument("service_point", metavar="SERVICE_POINT")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write: .pdf (A4 poster) or .png (the QR code alone).",
)
@click.option(
    "--lang", type=click.Choice(["de", "en"]), default="de", show_default=True, help="Language of the poster."
)
@click.option("--kiosk", is_flag=True, help="Link to the kiosk form instead (for a tablet at the counter).")
@surface_errors
def poster(service_point: str, out: Path, lang: str, kiosk: bool) -> None:
    """Write the QR code poster of SERVICE_POINT (its permanent link)."""
    from survey.report.printing import html_to_pdf, poster_html, qr_png
    from survey.services.invitations import service_point_details, service_point_url

    if out.suffix.lower() not in (".pdf", ".png"):
        fail(f"--out {out}: end the file name in .pdf (poster) or .png (QR code)")
    _output_file(out, "--out")
    config = settings()
    kommune, name = run_async(lambda: service_point_details(service_point))
    url = service_point_url(config, service_point) + ("/kiosk" if kiosk else "")
    _output_file(out, "--out")
    if out.suffix.lower() == ".png":
        _write(out, "--out", qr_png(url))
    else:
        _write(
            out,
            "--out",
            html_to_pdf(poster_html(kommune=kommune, service_point_name=name, url=url, language=lang)),
        )
    click.echo(f"{name}: {url} → {out}")


# --- statistics -----------------------------------------------------------------------------


def _fmt(figure) -> str:  # type: ignore[no-untyped-def]
    if figure is None:
        return "–"
    if getattr(figure, "hidden", False):
        return f"hidden ({figure.reason})"
    if hasattr(figure, "mean"):
        if figure.low is None:
            return f"{figure.mean:.1f} (n={figure.n})"
        return f"{figure.mean:.1f} [{figure.low:.1f}–{figure.high:.1f}] n={figure.n}"
    return str(figure)


def _fmt_change(change) -> str:  # type: ignore[no-untyped-def]
    if change is None:
        return "–"
    if getattr(change, "hidden", False):
        return f"hidden ({change.reason})"
    mark = " *" if change.significant else ""
    if change.test == "Brunner–Munzel":  # items: the probability that an answer is now higher
        return f"p̂={0.5 + change.difference:.2f} (p_adj={change.p_adjusted:.3f}){mark}"
    return f"{change.difference:+.1f} (p_adj={change.p_adjusted:.3f}){mark}"


def _fmt_trend(trend) -> str:  # type: ignore[no-untyped-def]
    if trend.direction == "not_enough_waves":
        return f"not enough waves ({trend.waves})"
    slope = f", {trend.slope_per_wave:+.1f}/wave" if trend.slope_per_wave is not None else ""
    return f"{trend.direction} (τ={trend.tau:+.2f}, p_adj={trend.p_adjusted:.3f}{slope})"


@main.command()
@click.argument("unit")
@click.option("--questionnaire", default="staff-pulse", show_default=True, help="Questionnaire of the waves.")
@click.option(
    "--waves", "last", type=click.IntRange(1, 200), default=None, help="Only the last N waves (default: all)."
)
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
@surface_errors
def stats(unit: str, questionnaire: str, last: int | None, as_json: bool) -> None:
    """Figures and trends of UNIT (with its sub-units) for the latest wave; hidden figures say why."""
    import msgspec

    from survey.services.figures import unit_figures

    figures = run_async(lambda: unit_figures(unit, questionnaire, last))
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(figures), indent=2).decode())
        return
    latest = figures.waves[-1]
    respondents = latest.respondents if isinstance(latest.respondents, int) else _fmt(latest.respondents)
    rate = (
        f"response rate {latest.response_rate:.0%}"
        if isinstance(latest.response_rate, float)
        else latest.no_rate.explanation
        if latest.no_rate
        else f"response rate {_fmt(latest.response_rate)}"
    )
    click.echo(
        f"{figures.name} ({figures.kind}) — {latest.title}: {respondents} respondents, "
        f"{rate}; scores 0–100 with 95 % intervals; k={figures.k}"
    )
    table = Table("value", "latest", "change", "trend", "parent", "organisation", "citizens", box=box.SIMPLE)
    for value in figures.values:
        if not value.asked:
            table.add_row(value.name, "not asked in this questionnaire", *[""] * 5)
            continue
        table.add_row(
            value.name,
            _fmt(value.latest),
            _fmt_change(value.change),
            _fmt_trend(value.trend),
            _fmt(value.parent),
            _fmt(value.organisation),
            _fmt(value.external),
        )
    console.print(table)
    items = Table("item", "latest", "top-2", "change", box=box.SIMPLE)
    for item in figures.items:
        top = f"{item.top_box:.0%}" if item.top_box is not None else "–"
        items.add_row(item.item, _fmt(item.latest), top, _fmt_change(item.change))
    console.print(items)
    click.echo(f"* significant after Benjamini–Hochberg across the {figures.tests} tests shown (FDR 5 %)")


# --- reports --------------------------------------------------------------------------------


@main.command()
@click.argument("unit", required=False)
@click.option("--overview", is_flag=True, help="The organisation overview (all Dezernate and Fachbereiche).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf"]),
    default="html",
    show_default=True,
    help="One self-contained HTML file, or a PDF for print.",
)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True, help="Language.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option(
    "--waves", "last", type=click.IntRange(1, 200), default=None, help="Only the last N waves (default: all)."
)
@click.option("--questionnaire", default="staff-pulse", show_default=True, help="Questionnaire of the waves.")
@surface_errors
def report(
    unit: str | None, overview: bool, fmt: str, lang: str, out: Path, last: int | None, questionnaire: str
) -> None:
    """Write the department trend report of UNIT (with its sub-units), or the organisation overview."""
    import datetime as dt

    from survey.report.render import department_html, overview_html, to_pdf
    from survey.services.reports import department_data, overview_data

    if overview == bool(unit):
        fail("name a UNIT for its department report, or give --overview for the organisation overview")
    _output_file(out, "--out")  # before the figures are computed: a wrong --out fails at once
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Bericht", total=4)

        def step(description: str) -> None:
            bar.update(task, description=description, advance=1)

        if overview:
            figures, kommune = run_async(lambda: overview_data(questionnaire))
            step("Diagramme")
            html = overview_html(figures, kommune=kommune, language=lang, generated_on=dt.date.today())
        else:
            data = run_async(
                lambda: department_data(unit or "", questionnaire=questionnaire, last=last, progress=step)
            )
            step("Diagramme")
            html = department_html(
                data.figures,
                kommune=data.kommune,
                comments=data.comments,
                language=lang,
                generated_on=dt.date.today(),
            )
        if fmt == "pdf":
            step("PDF")
            _write(out, "--out", to_pdf(html))
        else:
            _write(out, "--out", html)
        bar.update(task, completed=4)
    click.echo(f"wrote {out}")


# --- imports from LimeSurvey ----------------------------------------------------------------


@main.group("import")
def import_group() -> None:
    """Bring questionnaires and earlier results over from LimeSurvey."""


def _print_notes(notes) -> None:  # type: ignore[no-untyped-def]
    if not notes:
        click.echo("everything was carried over")
        return
    table = Table("question", "what happened", "why", title="Import report", box=box.SIMPLE)
    for note in notes:
        table.add_row(note.question or "(survey)", note.kind, note.message)
    console.print(table)


def _ask_values(survey, leitbild):  # type: ignore[no-untyped-def]
    """Ask, question by question, which Leitbild values it measures (a terminal only)."""
    from survey.domain.limesurvey.convert import LEFT_OUT, TEXT_TYPES
    from survey.domain.limesurvey.mapping import ImportMapping

    base = survey.languages[0]
    keys = leitbild.value_keys
    click.echo("Leitbild values: " + ", ".join(f"{n}={key}" for n, key in enumerate(keys, 1)))
    click.echo(
        "For each question, type the numbers of the values it measures (e.g. 1,3), or Enter to leave it out."
    )
    values: dict[str, list[str]] = {}
    for question in survey.questions:
        if question.type in LEFT_OUT or question.type in TEXT_TYPES or question.type == "Q":
            continue
        text = " ".join((question.texts.get(base) or "").split())[:100]
        rows = f" ({len(question.rows)} rows)" if question.rows else ""
        while True:
            answer = click.prompt(f"{question.code}{rows}: {text}", default="", show_default=False)
            numbers = [part.strip() for part in answer.split(",") if part.strip()]
            if all(n.isdigit() and 1 <= int(n) <= len(keys) for n in numbers):
                values[question.code] = [keys[int(n) - 1] for n in dict.fromkeys(numbers)]
                break
            click.echo(f"  type numbers from 1 to {len(keys)}, separated by commas, or press Enter")
    return ImportMapping(file="(answers typed in)", values=values)


@import_group.command("limesurvey")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--questionnaire", required=True, help="Key of the questionnaire to write, e.g. mitarbeiterbefragung."
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Mapping file: Leitbild values per LimeSurvey question (without it, asked in the terminal).",
)
@click.option(
    "--mapping-template",
    "template_out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write a mapping file to fill in, listing every rated question, and stop.",
)
@click.option(
    "--ask",
    is_flag=True,
    help="Ask for the values question by question (the default without --mapping in a terminal).",
)
@click.option("--audience", type=click.Choice(["staff", "citizen"]), default="staff", show_default=True)
@click.option("--leitbild", default=None, help="Leitbild key (default: the only one in the folder).")
@click.option(
    "--version", type=click.IntRange(1), default=None, help="Version number (default: the next one)."
)
@_folder_option()
@surface_errors
def import_limesurvey(
    file: Path,
    questionnaire: str,
    mapping_file: Path | None,
    template_out: Path | None,
    ask: bool,
    audience: str,
    leitbild: str | None,
    version: int | None,
    folder: Path | None,
) -> None:
    """Turn the LimeSurvey survey structure FILE (.lss) into a questionnaire version file."""
    from survey.domain.limesurvey.convert import mapping_template
    from survey.domain.limesurvey.lss import MAX_LSS_BYTES, read_lss
    from survey.domain.limesurvey.mapping import read_mapping
    from survey.domain.yamlfile import MAX_FILE_BYTES
    from survey.services.limesurvey import choose_leitbild, import_structure

    _input_file(file, "FILE", max_bytes=MAX_LSS_BYTES)
    survey = read_lss(file)
    chosen = choose_leitbild(_folder(folder), leitbild)
    if template_out is not None:
        _output_file(template_out, "--mapping-template")
        if template_out.exists():
            fail(f"--mapping-template {template_out} exists already: give a new file name")
        base = survey.languages[0]
        _write(
            template_out, "--mapping-template", mapping_template(survey, chosen, lambda t: t.get(base, ""))
        )
        click.echo(f"wrote {template_out}: fill in the values, then run again with --mapping {template_out}")
        return
    if mapping_file is not None:
        _input_file(mapping_file, "--mapping", max_bytes=MAX_FILE_BYTES)
        mapping = read_mapping(mapping_file)
    elif ask or sys.stdin.isatty():
        mapping = _ask_values(survey, chosen)
    else:
        fail(
            "--mapping FILE is needed when no one can be asked (not a terminal): "
            "write one with --mapping-template FILE"
        )
    result = import_structure(
        survey,
        questionnaires=_folder(folder),
        questionnaire=questionnaire,
        audience=audience,
        leitbild=chosen,
        mapping=mapping,
        version=version,
    )
    languages = ", ".join(result.conversion.data["languages"])
    click.echo(
        f"wrote {result.version_file}: {result.conversion.items} items in "
        f"{len(result.conversion.data['languages'])} languages ({languages}), and {result.link_file}"
    )
    _print_notes(result.notes)


@import_group.command("limesurvey-responses")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--questionnaire", required=True, help="The questionnaire imported with `survey import limesurvey`."
)
@click.option(
    "--version", type=click.IntRange(1), default=None, help="Its version (default: the newest imported)."
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(path_type=Path),
    required=True,
    help="Mapping file whose `units:` names the question or token attribute and its codes' unit keys.",
)
@click.option("--wave", "wave_key", required=True, help="Key of the past wave to create, e.g. puls-2024.")
@click.option("--opens", type=_DATE, default=None, help="First day (default: the first submission's day).")
@click.option("--closes", type=_DATE, default=None, help="Last day (default: the last submission's day).")
@click.option("--title", default=None, help="Title of the wave in reports.")
@click.option("--k", type=int, default=5, show_default=True, help="Smallest group whose scores are shown.")
@click.option(
    "--k-text", type=int, default=10, show_default=True, help="Smallest group for distributions and texts."
)
@click.option(
    "--skip-incomplete", is_flag=True, help="Leave out responses without a submit date (else refused)."
)
@_folder_option()
@surface_errors
def import_limesurvey_responses(
    file: Path,
    questionnaire: str,
    version: int | None,
    mapping_file: Path,
    wave_key: str,
    opens,  # type: ignore[no-untyped-def]
    closes,  # type: ignore[no-untyped-def]
    title: str | None,
    k: int,
    k_text: int,
    skip_incomplete: bool,
    folder: Path | None,
) -> None:
    """Load LimeSurvey responses FILE (CSV with answer codes, or a .lsa archive) as a closed past wave."""
    from survey.domain.limesurvey.mapping import read_mapping
    from survey.domain.limesurvey.responses import MAX_RESPONSE_BYTES
    from survey.domain.yamlfile import MAX_FILE_BYTES
    from survey.services.limesurvey import import_responses

    _input_file(file, "FILE", max_bytes=MAX_RESPONSE_BYTES)
    _input_file(mapping_file, "--mapping", max_bytes=MAX_FILE_BYTES)
    mapping = read_mapping(mapping_file)
    result = run_async(
        lambda: import_responses(
            file,
            questionnaires=_folder(folder),
            questionnaire=questionnaire,
            version=version,
            mapping=mapping,
            wave_key=wave_key,
            opens_on=opens.date() if opens else None,
            closes_on=closes.date() if closes else None,
            title=title,
            k=k,
            k_text=k_text,
            skip_incomplete=skip_incomplete,
        )
    )
    click.echo(
        f"imported {result.responses} responses ({result.answers} answers, {result.comments} free texts) "
        f"as the closed wave {result.wave} of {result.questionnaire} v{result.version}, "
        f"{result.opens_on} to {result.closes_on}"
    )
    for unit, count in result.per_unit.items():
        click.echo(f"  {unit}: {count}")
    if result.skipped_incomplete:
        click.echo(f"left out {result.skipped_incomplete} incomplete responses (--skip-incomplete)")
    if result.absent_texts:
        click.echo(f"the export holds no column for the free-text item(s) {', '.join(result.absent_texts)}")
    if result.other_answers:
        click.echo(
            f'{result.other_answers} "other" answers count as no answer (their texts are not carried over)'
        )
