"""`survey`: questionnaires, organisation, database, demo and the web app.

The root group only; each command group lives in its own module (piccolo's `commands/` layout)."""

from __future__ import annotations

import click

from survey.cli import (
    access,
    database,
    demo,
    imports,
    mail,
    org,
    questionnaires,
    results,
    serve,
    users,
    waves,
)

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="leitbild-puls", prog_name="survey")
def main() -> None:
    """Leitbild-Puls: does the Leitbild hold up in practice, unit by unit, over time?

    Settings come from environment variables (see the README); the database from DATABASE_URL.
    """


for command in (
    questionnaires.questionnaires,
    org.org,
    database.db,
    database.backup,
    database.restore,
    database.purge,
    demo.demo,
    serve.serve,
    users.user,
    waves.wave,
    waves.approve,
    access.invite,
    access.unit_link,
    access.receipts,
    access.poster,
    results.stats,
    results.report,
    imports.import_group,
    mail.mail,
):
    main.add_command(command)
