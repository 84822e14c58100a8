"""What the questionnaire and Leitbild pages of the survey office share: their addresses, the
access rule checked before a body is read, dates and problems in the page's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from babel.dates import format_datetime
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from survey.errors import Problem
from survey.services.drafts import may_edit_questionnaires
from survey.web.auth import provide_viewer, require
from survey.web.manage._catalog_problems import catalog_problem_text

__all__ = [
    "LEITBILD_PAGE",
    "QUESTIONNAIRES_PAGE",
    "ShownProblem",
    "editor_url",
    "leitbild_url",
    "moment",
    "office_only",
    "shown_problems",
]

QUESTIONNAIRES_PAGE = "/buero/frageboegen"
LEITBILD_PAGE = "/buero/leitbilder"
#: the page languages' locales for dates
_LOCALES = {"de": "de_DE", "en": "en_GB"}


def editor_url(questionnaire: str, version: int, rest: str = "") -> str:
    return f"{QUESTIONNAIRES_PAGE}/{questionnaire}/{version}{rest}"


def leitbild_url(key: str, rest: str = "") -> str:
    return f"{LEITBILD_PAGE}/{key}{rest}"


def moment(when: dt.datetime | None, lang: str) -> str:
    """`6. Dezember 2026, 10:15` in the page's language (the server's time zone)."""
    if when is None:
        return ""
    return format_datetime(
        when.astimezone(), "d. MMMM y, HH:mm" if lang == "de" else "d MMMM y, HH:mm", locale=_LOCALES[lang]
    )


async def office_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Actions with a body (an upload, a JSON body): only the survey office (or an admin),
    checked before the body is read, so that anyone else learns nothing from it but 403."""
    viewer = await provide_viewer(connection)  # type: ignore[arg-type]
    await require(viewer, may_edit_questionnaires, f"{connection.scope['method']} {connection.url.path}")


@dataclass(frozen=True)
class ShownProblem:
    """A problem as a page lists it: its line and field, what to do, and the line's own text."""

    line: int | None
    field: str
    text: str
    source: str | None = None


def shown_problems(problems: Iterable[Problem], lang: str, text: str | None = None) -> list[ShownProblem]:
    lines = text.splitlines() if text else []
    shown = []
    for problem in problems:
        source = None
        if problem.line and 0 < problem.line <= len(lines):
            source = lines[problem.line - 1].strip()[:200] or None
        shown.append(
            ShownProblem(problem.line, problem.path, catalog_problem_text(problem.message, lang), source)
        )
    return shown
