"""`survey mail`: the address list of a staff wave, and the sender of invitations and reminders.

The survey office uploads lists in the browser; these commands are for the Kommune's IT: a list
exported by the HR system, and the sender run from a timer where the app workers do not send
(every `survey serve` worker sends too, one at a time through the lease in the database).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from survey.cli.common import console, fail, input_file, run_async, settings, surface_errors
from survey.services.mailing import release, send_due, take_address_list, worker_name

__all__ = ["mail"]

#: the largest list file read (100,000 addresses of about 60 characters)
MAX_LIST_BYTES = 10 * 1024 * 1024


@click.group()
def mail() -> None:
    """E-mail invitations and reminders of staff waves (docs/mail.md)."""


def _read(path: Path) -> str:
    data = input_file(path, "FILE", max_bytes=MAX_LIST_BYTES).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            fail(f"FILE {path}: not a text file; save the list as CSV (UTF-8)")
            raise  # unreachable


@mail.command("list")
@click.argument("wave_key", metavar="WAVE")
@click.argument("path", metavar="FILE", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--unit", default="", help="Unit of every address, for a file without the column einheit.")
@surface_errors
def mail_list(wave_key: str, path: Path, unit: str) -> None:
    """Add the addresses of FILE (CSV: einheit;email;sprache) to WAVE's list; each gets a code."""
    text = _read(path)
    taken = run_async(lambda: take_address_list(settings(), wave_key, text, by="cli", default_unit=unit))
    added = sum(taken.added.values())
    per_unit = ", ".join(f"{key} {n}" for key, n in sorted(taken.added.items())) or "none"
    console.print(
        f"added {added} address(es) to {taken.wave.key} ({per_unit}); already listed: {taken.known}"
    )


@mail.command("send")
@click.option("--until-done", is_flag=True, help="Repeat until nothing is due today (else one batch).")
@click.option("--worker", default="", help="Name of this sender (default: host and process id).")
@surface_errors
def mail_send(until_done: bool, worker: str) -> None:
    """Send the invitations and reminders that are due, at SURVEY_MAIL_RATE."""
    config = settings()
    if not config.smtp_host:
        fail("SURVEY_SMTP_HOST is not set: give the Kommune's mail relay (docs/settings.md)")
    name = worker or worker_name()

    async def work() -> list[str]:
        lines = []
        while True:
            run = await send_due(config, worker=name)
            if not run.held:
                lines.append("another sender holds the lease; waiting")
                await asyncio.sleep(5)
                continue
            lines.append(
                f"sent {run.sent}, refused {run.refused}, stopped {run.stopped}, uncertain {run.uncertain}, "
                f"{'more waiting' if run.remaining else 'nothing waiting'}"
                + ("; reminders to unused codes sent (not counted)" if run.reminded_open_codes else "")
            )
            if run.relay_problem:
                lines.append(run.relay_problem)
            if not until_done or not run.remaining or run.relay_problem:
                break
        await release(name)
        return lines

    for line in run_async(work):
        console.print(line)
