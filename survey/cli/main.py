"""`survey`: questionnaires, organisation, database, demo and the web app."""

from __future__ import annotations

import json
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
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@surface_errors
def org_import(file: Path) -> None:
    """Import the organisation from FILE (YAML); all of it or, on any problem, nothing."""
    from survey.domain import check_org
    from survey.services.org import import_org

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
@_folder_option()
@surface_errors
def demo(
    staff: int | None, waves: int, citizen_ratings: int, seed: int, reset: bool, folder: Path | None
) -> None:
    """Build the demo Kommune (Stadt Lindenau) with simulated staff and citizen waves.

    Running it again adds nothing twice: waves already there are kept.
    """
    from survey.services.demo import DemoOptions, build_demo

    options = DemoOptions(staff=staff, waves=waves, citizen_ratings=citizen_ratings, seed=seed, reset=reset)
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


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: SURVEY_HOST or 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port (default: SURVEY_PORT or 8000)."
)
@surface_errors
def serve(host: str | None, port: int | None) -> None:
    """Start the web app (litestar on uvicorn)."""
    import uvicorn

    from survey.services.database import check_upgraded

    config = settings()
    run_async(check_upgraded, needs_schema=False)
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
    )
