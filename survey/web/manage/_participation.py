"""An open wave's participation as its page shows it: a table per unit and a chart over the days.

The figures come from survey.services.participation with the anonymity rules applied; this
module only says them in the page's language: a unit under k as "unter 5" (its rate hidden too),
a unit hidden so that a smaller one cannot be worked out as "verborgen", each with one note
below the table. The chart (altair, rendered on the server to SVG as every chart of the project,
survey.report.charts) shows the whole wave's responses per day; its text alternative is a
sentence and the table of the days. The monitor beside it (each shown unit over the days, and the
citizens' ratings per service point and week) is survey.web.manage._participation_monitor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
from babel.dates import format_date, format_datetime

from survey.domain.figures import HiddenFigure
from survey.report.charts._common import HIGH_DARK, layered, lookup_expr, render_svg
from survey.report.format import integer, locale, percent
from survey.services.participation import Participation, UnitParticipation
from survey.web.manage._participation_monitor import (
    SeriesChart,
    WeekTable,
    hidden_reasons,
    series_chart,
    week_table,
)
from survey.web.portal import translator

__all__ = ["DayChart", "ShownParticipation", "ShownRow", "hidden_count", "shown_participation"]


@dataclass(frozen=True)
class ShownRow:
    name: str
    depth: int
    headcount: str
    responses: str
    rate: str
    hidden: bool


@dataclass(frozen=True)
class DayChart:
    svg: str
    title: str
    #: the text alternative: what the chart shows, in a sentence or two
    summary: str
    #: (day, responses) as the table below the chart shows them
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class ShownParticipation:
    #: when the numbers were counted: "Stand: 6. Dezember 2026, 14:00 Uhr"
    as_of: str
    staff: bool
    rows: list[ShownRow]
    total: ShownRow
    #: one note per kind of hidden number shown (what "unter 5" and "verborgen" mean)
    notes: list[str]
    chart: DayChart | None
    #: each shown unit over the days (None where none is shown)
    series: SeriesChart | None = None
    #: citizens: the ratings per service point and week (None for staff)
    weeks: WeekTable | None = None


def hidden_count(figure: HiddenFigure, k: int, _: Callable[..., str]) -> str:
    """ "unter 5" for a group under k, "verborgen" for one hidden so a smaller one stays hidden."""
    return _("under %(k)d", k=k) if figure.reason == "below_k" else _("hidden")


def _row(u: UnitParticipation, name: str, k: int, lang: str, _: Callable[..., str]) -> ShownRow:
    if isinstance(u.responses, HiddenFigure):
        responses = hidden_count(u.responses, k, _)
    else:
        responses = integer(u.responses, lang)
    if isinstance(u.rate, HiddenFigure):
        rate = _("hidden")
    elif u.rate is None:
        rate = "–"
    else:
        rate = percent(u.rate, lang)
    headcount = integer(u.headcount, lang) if u.headcount is not None else "–"
    return ShownRow(name, u.depth, headcount, responses, rate, u.hidden)


def _notes(reasons: set[str], k: int, _: Callable[..., str]) -> list[str]:
    notes = []
    if "below_k" in reasons:
        notes.append(
            _(
                "under %(k)d: fewer than %(k)d responses. So few are not shown, nor their rate, so that "
                "nobody can be told apart.",
                k=k,
            )
        )
    if reasons - {"below_k"}:
        notes.append(
            _(
                "hidden: shown, this number would let a smaller group be worked out by difference "
                "(from the unit above and the others beside it)."
            )
        )
    return notes


def _day_label(day: dt.date, lang: str) -> str:
    return format_date(day, "d.M." if lang == "de" else "d MMM", locale=locale(lang))


def _chart(days: list[tuple[dt.date, int]], lang: str, _: Callable[..., str]) -> DayChart | None:
    if not days:
        return None
    title = _("Responses per day")
    data = [{"day": d.isoformat(), "n": n} for d, n in days]
    labels = {d.isoformat(): _day_label(d, lang) for d, _n in days}
    order = [d.isoformat() for d, _n in days]
    x = alt.X(
        "day:O",
        sort=order,
        scale=alt.Scale(domain=order, paddingInner=0.2),
        axis=alt.Axis(
            title=None, labelExpr=lookup_expr(labels), labelAngle=0, labelOverlap=True, ticks=False
        ),
    )
    top = max([n for _d, n in days] + [1])
    y = alt.Y(
        "n:Q",
        scale=alt.Scale(domain=[0, top * 1.1], nice=False),
        axis=alt.Axis(title=_("Responses"), format=",d", tickMinStep=1),
    )
    bars = alt.Chart(alt.Data(values=data)).mark_bar(color=HIGH_DARK).encode(x=x, y=y)
    spec = layered([bars], width=min(640, max(240, 16 * len(days))), height=180)
    total = sum(n for _d, n in days)
    most_day, most = max(days, key=lambda pair: (pair[1], pair[0]))
    summary = _(
        "From %(first)s to %(last)s: %(total)s responses in all; the most on one day: %(most)s (%(day)s).",
        first=_day_label(days[0][0], lang),
        last=_day_label(days[-1][0], lang),
        total=integer(total, lang),
        most=integer(most, lang),
        day=_day_label(most_day, lang),
    )
    rows = [(format_date(d, "medium", locale=locale(lang)), integer(n, lang)) for d, n in days]
    return DayChart(render_svg(spec, title, lang), title, summary, rows)


def _as_of(at: dt.datetime, lang: str, _: Callable[..., str]) -> str:
    local = at.astimezone()  # the server's time zone: the Kommune's own
    day = format_date(local, "long", locale=locale(lang))
    return _("As of %(day)s, %(time)s", day=day, time=format_datetime(local, "HH:mm", locale=locale(lang)))


def shown_participation(p: Participation, lang: str) -> ShownParticipation:
    """`p` in the page's language."""
    _ = translator(lang)
    k = p.wave.k
    staff = p.wave.audience == "staff"
    rows = [_row(u, u.name, k, lang, _) for u in p.units]
    total = _row(p.total, _("The whole wave"), k, lang, _)
    reasons = {u.responses.reason for u in [*p.units, p.total] if isinstance(u.responses, HiddenFigure)}
    return ShownParticipation(
        as_of=_as_of(p.counted_at, lang, _),
        staff=staff,
        rows=rows,
        total=total,
        notes=_notes(reasons | hidden_reasons(p.series, p.service_points), k, _),
        chart=_chart(p.days, lang, _) if p.days is not None else None,
        series=series_chart(p.series, staff, k, lang, _),
        weeks=week_table(p.service_points, k, lang, _) if p.service_points is not None else None,
    )
