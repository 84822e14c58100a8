"""`survey user`: the users of the web app."""

from __future__ import annotations

import sys

import click
from rich import box
from rich.table import Table

from survey.cli.common import console, run_async, surface_errors
from survey.services.accounts import add_user, disable_user, list_users, set_password, set_roles

_ROLE_HELP = (
    "A role, optionally scoped to a unit and its subtree: admin, office, lead:UNIT, personalrat, "
    "analyst (e.g. --role lead:jugendamt). Repeat for several."
)


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group()
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
    password = _password(password_stdin)
    run_async(lambda: add_user(username, name, password, list(roles)))
    click.echo(f"added {username}: {', '.join(roles)}")


@user.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@surface_errors
def user_passwd(username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME; this also unlocks the account and ends its sessions."""
    password = _password(password_stdin)
    run_async(lambda: set_password(username, password))
    click.echo(f"new password set for {username}")


@user.command("roles")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help=_ROLE_HELP)
@surface_errors
def user_roles(username: str, roles: tuple[str, ...]) -> None:
    """Replace the roles of USERNAME."""
    run_async(lambda: set_roles(username, list(roles)))
    click.echo(f"{username}: {', '.join(roles)}")


@user.command("disable")
@click.argument("username")
@surface_errors
def user_disable(username: str) -> None:
    """Disable USERNAME: no sign-in any more, open sessions end (the audit log keeps the name)."""
    run_async(lambda: disable_user(username))
    click.echo(f"disabled {username}")


@user.command("list")
@surface_errors
def user_list() -> None:
    """List the users with their roles."""
    users = run_async(list_users)
    table = Table("user", "name", "roles", "state", box=box.SIMPLE)
    for u in users:
        state = "disabled" if not u.active else "locked" if u.locked else "active"
        table.add_row(u.username, u.display_name, ", ".join(g.label for g in u.grants), state)
    console.print(table)
    if not users:
        click.echo("no users yet: `survey user add NAME --role admin`")
