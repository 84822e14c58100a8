"""`survey org`: import and show the organisation."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich import box
from rich.table import Table

from survey.cli.common import console, fail, input_file, run_async, surface_errors
from survey.domain.yamlfile import MAX_FILE_BYTES
from survey.services.org import check_org_file, import_org, organisation_listing


@click.group()
def org() -> None:
    """Import and show the organisation: org units and service points."""


@org.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@surface_errors
def org_import(file: Path) -> None:
    """Import the organisation from FILE (YAML); all of it or, on any problem, nothing."""
    input_file(file, "FILE", max_bytes=MAX_FILE_BYTES)
    _, problems = check_org_file(file)
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
