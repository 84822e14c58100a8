"""Results kept for every worker and host: figures of unchanged data, and rendered charts.

Both are derived: deleting every row loses nothing but the time to compute them again.
"""

from __future__ import annotations

from piccolo.columns import Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["KeptChart", "KeptFigure"]


class KeptFigure(Table, tablename="kept_figure"):
    """One computation's figures (a unit's page, the organisation overview), as JSON, with the
    data stamp they were computed from: valid while the stamp is the data's."""

    #: what was computed, with the version of the code that computed it (a hash)
    key = Varchar(length=64, unique=True)
    stamp = Varchar(length=64)
    body = Text()
    made_at = Timestamptz()


class KeptChart(Table, tablename="kept_chart"):
    """A chart's SVG by the hash of everything it is drawn from (spec, title, language, renderer)."""

    key = Varchar(length=64, unique=True)
    svg = Text()
    made_at = Timestamptz()
