"""`survey demo`: the demo Kommune with simulated waves."""

from __future__ import annotations

from pathlib import Path

import click

from survey.cli.common import folder_option, folder_path, input_file, progress_bar, run_async, surface_errors
from survey.domain.yamlfile import MAX_FILE_BYTES
from survey.services.demo import DemoOptions, build_demo
from survey.services.demo_users import DEMO_PASSWORD, ensure_demo_users


@click.command()
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
@folder_option()
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
    if org_file is not None:
        input_file(org_file, "--org", max_bytes=MAX_FILE_BYTES)
    options = DemoOptions(
        staff=staff,
        waves=waves,
        citizen_ratings=citizen_ratings,
        seed=seed,
        reset=reset,
        organisation=org_file,
    )
    with progress_bar() as bar:
        task = bar.add_task("Demo", total=None)

        def progress(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        result = run_async(lambda: build_demo(folder_path(folder), options, progress), needs_schema=False)
    click.echo(f"{result.kommune}: {result.units} units, {result.service_points} service points")
    if result.published:
        click.echo(f"published: {', '.join(result.published)}")
    click.echo(f"waves created: {len(result.created)}, already there: {len(result.kept)}")
    click.echo(
        f"stored {result.responses:,} responses, {result.answers:,} answers, {result.comments:,} comments"
    )

    users = run_async(ensure_demo_users)
    click.echo(f"demo users (password {DEMO_PASSWORD}):")
    for username, _name, roles in users:
        click.echo(f"  {username:<20} {', '.join(roles)}")
