"""What a user name, a display name, a password and a role grant must be: the checks that every way
of adding or changing a user shares (the users page, its JSON twin, `survey user`). Each problem
is a message under the form field it belongs to, so that a page shows it next to that field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from survey.errors import N_, Code, Message, SurveyError
from survey.store import org as org_store

__all__ = [
    "MAX_DISPLAY_NAME",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "ROLES",
    "UNIT_ROLES",
    "AccountError",
    "GrantChoice",
    "checked_grants",
    "new_user_problems",
    "parse_grant",
    "password_problem",
    "refusal",
]

ROLES = ("admin", "office", "lead", "personalrat", "analyst")
#: roles held only for a unit: a lead leads one
UNIT_ROLES = ("lead",)
MIN_PASSWORD = 12
#: sign-in reads this much of a password and no more
MAX_PASSWORD = 1024
MAX_DISPLAY_NAME = 200
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


class AccountError(SurveyError):
    """A user command that cannot be carried out as asked. `fields` holds each problem under the
    form field it belongs to (`username`, `display_name`, `password`, `roles`, and `roles.<i>` for
    the i-th grant asked for), so that a page shows it next to that field."""

    def __init__(
        self,
        template: str | Message,
        /,
        *,
        fields: dict[str, Message] | None = None,
        hint: str | None = None,
        **params: object,
    ) -> None:
        super().__init__(template, hint=hint, **params)
        self.fields = dict(fields or {})


@dataclass(frozen=True)
class GrantChoice:
    """A role to give: for a unit (its key) and everything below it, or for the whole organisation."""

    role: str
    unit: str | None = None

    @property
    def label(self) -> str:
        return f"{self.role}:{self.unit}" if self.unit else self.role


def password_problem(password: str) -> Message | None:
    """What is wrong with a new password, or None: the rules of every way to set one."""
    if len(password) < MIN_PASSWORD:
        return Message(
            N_(
                "the password is too short (%(length)s characters): use at least %(least)s, "
                "e.g. four random words"
            ),
            {"length": len(password), "least": MIN_PASSWORD},
        )
    if len(password) > MAX_PASSWORD:
        return Message(
            N_("the password is too long (%(length)s characters): use at most %(most)s"),
            {"length": len(password), "most": MAX_PASSWORD},
        )
    return None


def refusal(problems: dict[str, Message]) -> AccountError:
    """One refusal for every problem found, each under the field it belongs to."""
    if len(problems) == 1:
        return AccountError(next(iter(problems.values())), fields=problems)
    summary = Message(
        N_("%(count)s entries need a change"), {"count": len(problems)}, details=tuple(problems.values())
    )
    return AccountError(summary, fields=problems)


def parse_grant(text: str) -> GrantChoice:
    """`lead:jugendamt` → lead of Jugendamt; `office` → office for the whole organisation (the
    command line's `--role`)."""
    role, _, unit = text.strip().partition(":")
    if role not in ROLES:
        raise AccountError(f"--role {text!r}: `{role}` is not a role; use one of {', '.join(ROLES)}")
    if role in UNIT_ROLES and not unit:
        raise AccountError(f"--role {text!r}: a lead leads a unit; write lead:UNIT, e.g. lead:jugendamt")
    return GrantChoice(role, unit or None)


def _grant_problem(choice: GrantChoice, units: dict[str, int]) -> Message | None:
    if choice.role not in ROLES:
        return Message(
            N_("%(role)s is not a role: choose one of %(roles)s"),
            {"role": Code(choice.role), "roles": ", ".join(ROLES)},
        )
    if choice.role in UNIT_ROLES and choice.unit is None:
        return Message(
            N_("a lead leads a unit: choose the unit"), hint="write lead:UNIT, e.g. lead:jugendamt"
        )
    if choice.unit is not None and choice.unit not in units:
        return Message(
            N_("there is no unit %(unit)s"), {"unit": Code(choice.unit)}, "`survey org list` shows the keys"
        )
    return None


async def checked_grants(
    grants: Sequence[str | GrantChoice],
) -> tuple[list[tuple[str, int | None]], list[GrantChoice], dict[str, Message]]:
    """The grants asked for as (role, unit id), as asked, and a problem for each one that cannot
    be given (under `roles.<index>`, or `roles` when there is none)."""
    parsed = [parse_grant(c) if isinstance(c, str) else c for c in grants]
    if not parsed:
        return [], [], {"roles": Message(N_("choose at least one role"), hint="e.g. --role lead:jugendamt")}
    units = {u.key: u.id for u in await org_store.list_units()}
    problems = {f"roles.{i}": p for i, c in enumerate(parsed) if (p := _grant_problem(c, units))}
    choices = list(dict.fromkeys(parsed))
    ids = [] if problems else [(c.role, units[c.unit] if c.unit else None) for c in choices]
    return ids, choices, problems


def new_user_problems(username: str, display_name: str, password: str | None) -> dict[str, Message]:
    problems: dict[str, Message] = {}
    if not _USERNAME.match(username):
        problems["username"] = Message(
            N_(
                "%(user)s is not a user name: use 2–63 lower-case letters, digits, dots, hyphens "
                "or underscores, e.g. m.schmidt"
            ),
            {"user": Code(username)},
        )
    if len(display_name) > MAX_DISPLAY_NAME or any(ord(c) < 32 or ord(c) == 127 for c in display_name):
        problems["display_name"] = Message(
            N_("the name may have at most %(most)s characters and no line breaks"), {"most": MAX_DISPLAY_NAME}
        )
    if password is not None and (problem := password_problem(password)):
        problems["password"] = problem
    return problems
