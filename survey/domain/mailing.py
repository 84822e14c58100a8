"""Invitation lists and reminder dates: what the office uploads, and when reminders go out.

A list is CSV text, as an HR system exports it or as the office pastes it: a header row naming
the columns `einheit` (or `unit`), `email` (or `e-mail`, `adresse`, `address`) and optionally
`sprache` (or `language`), separated by semicolons or commas. Pasted text without a header is one
address per line for the unit chosen on the page. Every problem is named with its line; a list
with any problem is refused whole, so nothing is sent from a list that is not clean.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from survey.errors import N_, Code, Message, SurveyError

__all__ = [
    "MAX_ADDRESSES",
    "MAX_REMINDERS",
    "MAX_REMINDER_DAY",
    "REMINDER_MODES",
    "AddressListError",
    "ListedAddress",
    "parse_reminder_days",
    "read_address_list",
    "reminder_dates",
]

#: all: reminders go to every address and nothing is learned; open_codes: only to addresses whose
#: code is unused, so the system knows who has answered until the wave closes
REMINDER_MODES = ("all", "open_codes")
MAX_REMINDERS = 4
#: the latest day after the first day a reminder may be set for (a wave is a year at most)
MAX_REMINDER_DAY = 366
MAX_ADDRESSES = 100_000
#: the problems listed one by one before the rest are summed up
MAX_LISTED = 50

_UNIT = ("einheit", "unit", "organisationseinheit", "org_unit")
_ADDRESS = ("email", "e-mail", "e_mail", "mail", "adresse", "address", "e-mail-adresse")
_LANGUAGE = ("sprache", "language", "lang")


@dataclass(frozen=True)
class ListedAddress:
    #: the line of the text it came from (1 is the first)
    line: int
    unit: str
    #: as normalised by email-validator (the domain in lower case)
    address: str
    #: "" where the list names none (the wave's first language is used)
    language: str

    @property
    def same_as(self) -> str:
        """What makes two addresses the same mailbox: the whole address in lower case."""
        return self.address.casefold()


class AddressListError(SurveyError):
    """A list that cannot be taken: `details` names every line and what to do."""


def _problem(line: int, template: str, **params: object) -> Message:
    return Message(template, {"line": line, **params})


def _looks_binary(text: str) -> bool:
    return "\x00" in text or text.startswith(("PK\x03\x04", "%PDF", "\ufffd"))


def _columns(header: list[str]) -> tuple[int | None, int | None, int | None]:
    names = [h.strip().strip("\ufeff").casefold() for h in header]

    def find(choices: tuple[str, ...]) -> int | None:
        return next((i for i, name in enumerate(names) if name in choices), None)

    return find(_UNIT), find(_ADDRESS), find(_LANGUAGE)


def _dialect(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") >= first.count(",") and ";" in first else ","


def _rows(text: str, default_unit: str) -> tuple[list[tuple[int, str, str, str]], list[Message]]:
    """(line, unit, address, language) of every line with content, and the problems of the form."""
    reader = csv.reader(io.StringIO(text), delimiter=_dialect(text))
    try:
        lines = list(reader)
    except csv.Error:  # a field past the csv module's limit: an unclosed quote, mostly
        return [], [
            _problem(
                max(reader.line_num, 1),
                N_(
                    "line %(line)d: a field does not end (a quotation mark without its partner?): "
                    "correct the line or save the list from the spreadsheet as CSV again"
                ),
            )
        ]
    numbered = [(i + 1, row) for i, row in enumerate(lines) if any(cell.strip() for cell in row)]
    if not numbered:
        return [], [
            _problem(1, N_("line %(line)d: the list is empty: give a header row and one address per row"))
        ]
    first_line, header = numbered[0]
    unit_col, address_col, language_col = _columns(header)
    if address_col is None and default_unit and all(len(row) == 1 for _, row in numbered):
        return [(line, default_unit, row[0].strip(), "") for line, row in numbered], []
    if address_col is None or (unit_col is None and not default_unit):
        wanted = "einheit;email;sprache"
        found = ";".join(cell.strip() for cell in header)[:80]
        return [], [
            _problem(
                first_line,
                N_(
                    "line %(line)d: the header row names the columns %(found)s; the list needs the "
                    "columns %(wanted)s (sprache may be left out): write them in the first row"
                ),
                found=Code(found),
                wanted=Code(wanted),
            )
        ]
    rows = []
    for line, row in numbered[1:]:

        def cell(col: int | None, row: list[str] = row) -> str:
            return row[col].strip() if col is not None and col < len(row) else ""

        rows.append((line, cell(unit_col) or default_unit, cell(address_col), cell(language_col).casefold()))
    return rows, []


def _checked(line: int, unit: str, raw: str, language: str) -> ListedAddress | Message:
    if not unit:
        return _problem(line, N_("line %(line)d: no unit: write the unit's key in the column einheit"))
    if not raw:
        return _problem(line, N_("line %(line)d: no address: write the e-mail address or delete the line"))
    try:
        valid = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        return _problem(
            line,
            N_("line %(line)d: %(address)s is not an e-mail address: correct it or delete the line"),
            address=Code(raw[:120]),
        )
    return ListedAddress(line, unit, valid.normalized, language)


def read_address_list(text: str, *, default_unit: str = "") -> list[ListedAddress]:
    """The addresses of `text` in order, or AddressListError naming every line that is wrong."""
    if _looks_binary(text):
        raise AddressListError(
            N_("this is not a CSV file: save the list from the spreadsheet as CSV (UTF-8) and upload that")
        )
    rows, problems = _rows(text.lstrip("\ufeff"), default_unit)
    if len(rows) > MAX_ADDRESSES:
        problems.append(
            Message(
                N_("the list has %(count)d addresses; at most %(max)d: split it"),
                {"count": len(rows), "max": MAX_ADDRESSES},
            )
        )
    listed: list[ListedAddress] = []
    seen: dict[str, int] = {}
    for line, unit, raw, language in rows if not problems else []:
        checked = _checked(line, unit, raw, language)
        if isinstance(checked, Message):
            problems.append(checked)
            continue
        if checked.same_as in seen:
            problems.append(
                _problem(
                    line,
                    N_("line %(line)d: %(address)s is on line %(first)d already: delete one of the two"),
                    address=Code(checked.address),
                    first=seen[checked.same_as],
                )
            )
            continue
        seen[checked.same_as] = line
        listed.append(checked)
    if problems:
        raise_problems(problems)
    return listed


def raise_problems(problems: list[Message]) -> None:
    """AddressListError with the first MAX_LISTED problems and a count of the rest."""
    shown = problems[:MAX_LISTED]
    if len(problems) > MAX_LISTED:
        shown.append(
            Message(N_("and %(count)d more lines like these"), {"count": len(problems) - MAX_LISTED})
        )
    raise AddressListError(
        N_("nothing was taken from the list: correct these lines and upload it again"), details=shown
    )


def parse_reminder_days(text: str) -> tuple[int, ...] | None:
    """ "7, 14" as (7, 14); "" as (); None where it is not a list of whole numbers."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def reminder_dates(opens_on: dt.date, days: tuple[int, ...]) -> list[dt.date]:
    """The day of each reminder: `days` after the first day, a Saturday or Sunday moved to Monday."""
    dates = []
    for day in days:
        date = opens_on + dt.timedelta(days=day)
        if date.weekday() >= 5:
            date += dt.timedelta(days=7 - date.weekday())
        dates.append(date)
    return dates
