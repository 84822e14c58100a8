"""What the users pages share: the role rows of their forms, the problems next to each field, the
names of the roles, the units to choose from, moments in the page's language, and the secret (a
one-time link or a generated password) that a page shows once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime

from survey.services.accounts import AccountError, GrantChoice, GrantUnit
from survey.web.notices import Notice, say

__all__ = [
    "MAX_ROWS",
    "FormState",
    "GrantRow",
    "Secret",
    "chosen",
    "field_problems",
    "form_text",
    "moment",
    "role_names",
    "rows_from",
    "secret_of",
    "unit_options",
]

#: role rows a form sends at most (the page shows the user's grants and two empty rows)
MAX_ROWS = 30
_ROW = re.compile(r"^roles\.(\d+)$")


def _zone() -> dt.tzinfo:
    try:
        return ZoneInfo("Europe/Berlin")
    except ZoneInfoNotFoundError:  # a system without the time zone database: UTC, said so
        return dt.UTC


@dataclass(frozen=True)
class GrantRow:
    """One row of a form's roles as typed: a role ("" for none) and a unit's key ("": all)."""

    role: str
    unit: str


@dataclass(frozen=True)
class FormState:
    """A form as it was sent: what was typed, and the problem next to each field (by its id)."""

    values: Mapping[str, str]
    rows: list[GrantRow]
    problems: dict[str, str]
    summary: list[tuple[str, str]]


@dataclass(frozen=True)
class Secret:
    """What a page shows exactly once: a one-time link (until when it works) or a password."""

    kind: str
    value: str
    until: str = ""


def form_text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def rows_from(form: Mapping[str, object]) -> list[GrantRow]:
    """The role rows of a form (`role-<i>`, `unit-<i>`), in their order."""
    return [
        GrantRow(form_text(form.get(f"role-{i}")), form_text(form.get(f"unit-{i}")))
        for i in range(MAX_ROWS)
        if f"role-{i}" in form or f"unit-{i}" in form
    ]


def chosen(rows: list[GrantRow]) -> tuple[list[GrantChoice], list[int]]:
    """The grants of the rows with a role, and the row each one came from."""
    picked = [(i, GrantChoice(row.role, row.unit or None)) for i, row in enumerate(rows) if row.role]
    return [choice for _, choice in picked], [i for i, _ in picked]


def field_problems(
    error: AccountError, row_of: list[int], lang: str, labels: Mapping[str, str]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Each problem under the id of its field (`role-3` for the fourth row), and the summary's
    lines (field id, "label: problem") in the order of the form."""
    problems: dict[str, str] = {}
    for field, message in error.fields.items():
        row = _ROW.match(field)
        where = f"role-{row_of[int(row.group(1))]}" if row and int(row.group(1)) < len(row_of) else field
        if field == "roles":
            where = "role-0"
        problems[where] = say(message, lang)
    order = list(labels)
    ranked = sorted(problems, key=lambda f: (order.index(f) if f in order else -1, f))
    return problems, [(f, f"{labels[f]}: {problems[f]}" if f in labels else problems[f]) for f in ranked]


def role_names(_: Callable[..., str]) -> dict[str, str]:
    return {
        "admin": _("Administration"),
        "office": _("Survey office"),
        "lead": _("Lead"),
        "personalrat": _("Personalrat"),
        "analyst": _("Analysis"),
    }


def unit_options(units: list[GrantUnit]) -> list[tuple[str, str]]:
    """(key, label) of each unit, indented by its depth in the tree."""
    return [(u.key, "\u00a0\u00a0" * u.depth + u.name) for u in units]


def moment(value: dt.datetime, lang: str) -> str:
    """A moment in the Kommune's time, e.g. "8. Dezember 2026, 14:30"."""
    pattern = "d. MMMM y, HH:mm" if lang == "de" else "d MMMM y, HH:mm"
    return format_datetime(value, pattern, tzinfo=_zone(), locale="de_DE" if lang == "de" else "en_GB")


def secret_of(notice: Notice | None, lang: str) -> Secret | None:
    """The link or password a notice carries to the one page that shows it."""
    if notice is None or not notice.ok:
        return None
    params = notice.message.params
    if "link" in params:
        until = dt.datetime.fromisoformat(str(params["until"]))
        return Secret("link", str(params["link"]), moment(until, lang))
    if "password" in params:
        return Secret("password", str(params["password"]))
    return None
