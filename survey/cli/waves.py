"""`survey wave` and `survey approve`: waves and the Personalrat's approvals."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import click
import msgspec
from rich import box
from rich.table import Table

from survey.cli.common import (
    DATE,
    console,
    folder_option,
    folder_path,
    run_async,
    surface_errors,
    version_number,
)
from survey.services.accounts import principal_of
from survey.services.approvals import AlreadyApproved, approval_status, approve_version, approve_wave
from survey.services.waves import (
    close_wave,
    create_wave,
    edit_wave,
    list_waves,
    open_wave,
    parse_reminder_days,
)


def _keys(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _print_wave(wave) -> None:  # type: ignore[no-untyped-def]
    click.echo(
        f"{wave.key}: {wave.title} — {wave.questionnaire} v{wave.version}, {wave.audience}, "
        f"{wave.opens_on} – {wave.closes_on}, {wave.status}, k={wave.k}, k_text={wave.k_text}"
    )


@click.group()
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
@click.option("--opens", type=DATE, required=True, help="First day (2026-12-01 or 1.12.2026).")
@click.option("--closes", type=DATE, required=True, help="Last day.")
@click.option("--title", default=None, help="Title shown to respondents and in reports.")
@click.option("--k", type=int, default=5, show_default=True, help="Smallest group whose scores are shown.")
@click.option(
    "--k-text",
    type=int,
    default=10,
    show_default=True,
    help="Smallest group whose distributions and free texts are shown.",
)
@click.option(
    "--comment-review",
    type=click.Choice(["none", "office", "personalrat", "both"]),
    default="none",
    show_default=True,
    help="Who releases free-text comments before leads read them (part of the Personalrat's approval).",
)
@click.option(
    "--reminders",
    default="",
    help="Days after the first day that e-mail reminders go out, e.g. 7,14 (a weekend day moves to Monday).",
)
@click.option(
    "--reminder-mode",
    type=click.Choice(["all", "open_codes"]),
    default="all",
    show_default=True,
    help="Who gets reminders: everyone on the list, or only unused codes (approved by the Personalrat).",
)
@folder_option()
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
    comment_review: str,
    reminders: str,
    reminder_mode: str,
    folder: Path | None,
) -> None:
    """Create the draft wave KEY."""
    reminder_days = parse_reminder_days(reminders)
    if reminder_days is None:
        raise click.BadParameter(
            f"{reminders!r}: give whole numbers of days, e.g. 7,14", param_hint="--reminders"
        )
    created = run_async(
        lambda: create_wave(
            key=key,
            questionnaires=folder_path(folder),
            questionnaire=questionnaire,
            version=version,
            units=_keys(units),
            opens_on=opens.date(),
            closes_on=closes.date(),
            title=title,
            k=k,
            k_text=k_text,
            subtrees=not only,
            comment_review=comment_review,
            reminder_mode=reminder_mode,
            reminder_days=reminder_days,
        )
    )
    _print_wave(created)


@wave.command("open")
@click.argument("key")
@folder_option()
@surface_errors
def wave_open(key: str, folder: Path | None) -> None:
    """Open wave KEY: answers are taken from its first day; version and thresholds lock.

    A staff wave opens only once the Personalrat has approved its version and the wave as they are.
    """
    _print_wave(run_async(lambda: open_wave(key, dt.date.today(), folder_path(folder))))


@wave.command("close")
@click.argument("key")
@surface_errors
def wave_close(key: str) -> None:
    """Close wave KEY: no more answers."""
    _print_wave(run_async(lambda: close_wave(key)))


@wave.command("edit")
@click.argument("key")
@click.option("--title", default=None, help="New title.")
@click.option("--opens", type=DATE, default=None, help="New first day (draft waves only).")
@click.option("--closes", type=DATE, default=None, help="New last day (also for open waves).")
@click.option("--k", type=int, default=None, help="New score threshold (draft waves only).")
@click.option("--k-text", type=int, default=None, help="New text threshold (draft waves only).")
@surface_errors
def wave_edit(key: str, title: str | None, opens, closes, k: int | None, k_text: int | None) -> None:  # type: ignore[no-untyped-def]
    """Change wave KEY; once open, only its title and last day may change."""
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


@click.group()
def approve() -> None:
    """The Personalrat approves staff questionnaire versions and staff waves (co-determination)."""


@approve.command("version")
@click.argument("questionnaire")
@click.argument("version", callback=version_number)
@click.option("--by", "by", required=True, help="User name of the Personalrat member who approves.")
@folder_option()
@surface_errors
def approve_version_command(questionnaire: str, version: int, by: str, folder: Path | None) -> None:
    """Approve VERSION of the staff QUESTIONNAIRE as its file reads now.

    Approved as it is already: says so and records nothing new (exit code 0)."""

    async def work():  # type: ignore[no-untyped-def]
        principal = await principal_of(by)
        return await approve_version(questionnaire, version, by=principal, questionnaires=folder_path(folder))

    _print_approval(work, "")


def _print_approval(work: Callable, kind: str) -> None:

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

    async def work():  # type: ignore[no-untyped-def]
        return await approve_wave(key, by=await principal_of(by))

    _print_approval(work, "wave ")


@approve.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the approval status as JSON.")
@folder_option()
@surface_errors
def approve_list(as_json: bool, folder: Path | None) -> None:
    """List every staff version and every staff wave not closed, and whether it is approved as it is."""
    status = run_async(lambda: approval_status(folder_path(folder)))
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
