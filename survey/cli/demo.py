"""`survey demo`: the demo Kommune with simulated waves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from survey.cli.common import (
    folder_option,
    folder_path,
    input_file,
    progress_bar,
    run_async,
    settings,
    surface_errors,
)
from survey.domain.yamlfile import MAX_FILE_BYTES
from survey.services.demo import DemoOptions, build_demo
from survey.services.demo_measures import add_demo_measures
from survey.services.demo_open import TryIt, open_demo_waves
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
@click.option(
    "--keep-organisation",
    is_flag=True,
    help="Keep Stadt Lindenau's first organisation throughout (no reorganisation midway).",
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
    keep_organisation: bool,
    folder: Path | None,
) -> None:
    """Build the demo Kommune (Stadt Lindenau) with simulated staff and citizen waves.

    The past quarters' waves are closed; the current quarter's citizen wave is open at every
    service point and a staff wave is open for the Jugendamt, with invitation codes. Running it
    again adds nothing twice: waves already there are kept (only one new invitation code is issued,
    for the link it prints).
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
        reorganise=not keep_organisation,
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
    if result.reorganised:
        click.echo(
            f"reorganised from {result.reorganised.isoformat()}: Schul- und Sportverwaltung split, "
            "Bürgerbüro teams merged, Team Eingangszone moved (docs/reorganisations.md)"
        )
    click.echo(
        f"stored {result.responses:,} responses, {result.answers:,} answers, {result.comments:,} comments"
    )

    users = run_async(ensure_demo_users)
    click.echo(f"demo users (password {DEMO_PASSWORD}):")
    for username, _name, roles in users:
        click.echo(f"  {username:<20} {', '.join(roles)}")
    measures = run_async(add_demo_measures)
    if measures:
        click.echo(f"measures added: {len(measures)} ({', '.join(measures)})")
    folder_dir = folder_path(folder)
    config = settings()
    try_it = run_async(lambda: open_demo_waves(config, folder_dir, dt.date.today()))
    _echo_try_it(try_it, [u[0] for u in users])


def _echo_try_it(try_it: TryIt, usernames: list[str]) -> None:
    if try_it.citizen_wave or try_it.staff_wave:
        running = ", ".join(w for w in (try_it.citizen_wave, try_it.staff_wave) if w)
        click.echo(
            f"open now: {running}"
            + (
                f" ({try_it.codes:,} invitation code{'s' if try_it.codes != 1 else ''} issued)"
                if try_it.codes
                else ""
            )
        )
    click.echo("try it:")
    if try_it.service_point:
        click.echo(f"  citizen form:     {try_it.service_point}")
    if try_it.invitation:
        click.echo(f"  staff invitation: {try_it.invitation}")
    lead = next((u for u in ("leitung-jugendamt", "leitung-kjfs") if u in usernames), "admin")
    click.echo(f"  sign in:          {try_it.sign_in}  (user {lead}, password {DEMO_PASSWORD})")
