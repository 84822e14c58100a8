"""What every export shares: its error, its formats checked, its file name (survey.services.exports)."""

from __future__ import annotations

import re

from survey.errors import N_, Code, SurveyError

__all__ = ["ExportError", "check_format", "export_filename"]


class ExportError(SurveyError):
    """An export cannot be made as asked; the message names the value and what to do."""


def check_format(fmt: str, allowed: tuple[str, ...], what: str) -> str:
    normal = fmt.strip().lower().lstrip(".")
    if normal in allowed:
        return normal
    formats = ", ".join(allowed)
    if what == "aggregate" and normal == "sav":
        raise ExportError(
            N_(
                "format %(format)s: SPSS files hold raw data, which only analysts and admins export; "
                "aggregates come as %(formats)s"
            ),
            format=Code("sav"),
            formats=formats,
        )
    raise ExportError(
        N_("unknown export format %(format)s: choose one of %(formats)s"), format=Code(fmt), formats=formats
    )


def export_filename(*parts: str, fmt: str) -> str:
    stem = "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts if p)
    return f"{stem}.{fmt}"
