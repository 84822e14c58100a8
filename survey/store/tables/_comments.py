"""The codebooks that group free-text comments into themes per Leitbild value."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["CodebookRow"]


class CodebookRow(Table, tablename="codebook"):
    """A Leitbild's codebook as the survey office last saved it (YAML text, survey.text.themes);
    `revision` counts saves, so that a save based on an older state is refused."""

    leitbild = Varchar(length=64, unique=True)
    text = Text()
    revision = Integer(default=1)
    updated_by = Varchar(length=64)
    updated_at = Timestamptz()
