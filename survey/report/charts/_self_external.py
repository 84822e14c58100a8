"""Staff (self-image) against citizens (external image) on the items both were asked."""

from __future__ import annotations

from typing import Any

import altair as alt

from survey.domain.figures import (
    HiddenFigure,
    Score,
    ValueFigures,
)
from survey.report.charts._common import (
    GREY,
    HIGH_DARK,
    LOW_DARK,
    Chart,
    chart_texts,
    layered,
    lookup_expr,
    render_svg_of,
    score_cell,
    wrap,
)
from survey.report.format import hidden_text, integer, number

__all__ = ["self_external", "self_external_spec"]


def self_external_spec(values: list[ValueFigures], language: str) -> alt.LayerChart:
    pgettext = chart_texts(language)
    no_data = pgettext("chart", "no data")
    domain = [pgettext("chart", "Staff (self-image)"), pgettext("chart", "Citizens (external image)")]
    dots: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for v in values:
        staff, citizens = v.self_on_shared, v.external
        if not v.shared_items:
            notes.append({"value": v.value, "x": 0, "label": pgettext("chart", "no shared items")})
            continue
        pair = [
            (pgettext("chart", "Staff (self-image)"), staff),
            (pgettext("chart", "Citizens (external image)"), citizens),
        ]
        shown = [(who, s) for who, s in pair if isinstance(s, Score)]
        for who, s in shown:
            dots.append({"value": v.value, "who": who, "mean": s.mean})
        if len(shown) == 2:
            (_, a), (_, b) = shown
            links.append({"value": v.value, "x": min(a.mean, b.mean), "x2": max(a.mean, b.mean)})
            lo_who = shown[0][0] if a.mean <= b.mean else shown[1][0]
            for d in dots[-2:]:
                d["side"] = "left" if d["who"] == lo_who else "right"
        else:
            for d in dots[len(dots) - len(shown) :]:
                d["side"] = "right"
            missing = [
                f"{who}: {hidden_text(s, language) if isinstance(s, HiddenFigure) else no_data}"
                for who, s in pair
                if not isinstance(s, Score)
            ]
            notes.append({"value": v.value, "x": 0, "label": "; ".join(missing)})
    order = [v.value for v in values]
    y = alt.Y(
        "value:N",
        sort=order,
        scale=alt.Scale(domain=order),
        axis=alt.Axis(
            title=None,
            labelExpr=lookup_expr({v.value: wrap(v.name, 30) for v in values}),
            labelLimit=0,
            ticks=False,
            domain=False,
        ),
    )
    x_scale = alt.Scale(domain=[0, 100], nice=False)
    x = alt.X("mean:Q", scale=x_scale, axis=alt.Axis(title=pgettext("chart", "Score (0–100)"), grid=True))
    colour = alt.Color(
        "who:N", scale=alt.Scale(domain=domain, range=[HIGH_DARK, LOW_DARK]), legend=alt.Legend(title=None)
    )
    shape = alt.Shape("who:N", scale=alt.Scale(domain=domain, range=["circle", "diamond"]), legend=None)
    dot_data = alt.Data(values=dots)
    layers = [
        alt.Chart(alt.Data(values=links))
        .mark_rule(color=GREY, strokeWidth=2.5)
        .encode(x=alt.X("x:Q", scale=x_scale), x2="x2:Q", y=y),
        alt.Chart(dot_data)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(x=x, y=y, color=colour, shape=shape),
        alt.Chart(dot_data)
        .transform_filter(alt.datum.side == "left")
        .mark_text(align="right", dx=-9, fontSize=10)
        .encode(x=x, y=y, text=alt.Text("mean:Q", format=",.1f")),
        alt.Chart(dot_data)
        .transform_filter(alt.datum.side == "right")
        .mark_text(align="left", dx=9, fontSize=10)
        .encode(x=x, y=y, text=alt.Text("mean:Q", format=",.1f")),
        alt.Chart(alt.Data(values=notes))
        .mark_text(align="left", dx=4, fontSize=10, fontStyle="italic", color=GREY)
        .encode(x=alt.X("x:Q", scale=x_scale), y=y, text="label:N"),
    ]
    return layered(layers, width=420, height={"step": 34})


def self_external(values: list[ValueFigures], language: str) -> Chart:
    """Per value: staff (self-image) against citizens (external image) on the shared items."""
    pgettext = chart_texts(language)
    title = pgettext("chart", "Staff self-image and citizens' external image")
    rows: list[list[str]] = []
    differences: list[tuple[float, str]] = []
    missing = 0
    for v in values:
        if not v.shared_items:
            missing += 1
            rows.append([v.name, pgettext("chart", "no shared items"), "–", "–", "0"])
            continue
        staff, citizens = v.self_on_shared, v.external
        diff = "–"
        if isinstance(staff, Score) and isinstance(citizens, Score):
            d = staff.mean - citizens.mean
            diff = ("+" if d > 0 else "") + number(d, language)
            differences.append((abs(d), v.name, diff))
        rows.append(
            [
                v.name,
                score_cell(staff, language),
                score_cell(citizens, language),
                diff,
                integer(len(v.shared_items), language),
            ]
        )
    summary = [
        pgettext("chart", "Self-image and external image on the shared statements for %(count)s values.")
        % {"count": len(values) - missing}
    ]
    if differences:
        _, name, diff = max(differences)
        summary.append(
            pgettext(
                "chart", "The largest difference is for “%(name)s” (%(diff)s points, staff minus citizens)."
            )
            % {"name": name, "diff": diff}
        )
    if missing:
        summary.append(
            pgettext("chart", "One value has no shared statements.")
            if missing == 1
            else pgettext("chart", "%(count)s values have no shared statements.") % {"count": missing}
        )
    return Chart(
        svg=render_svg_of(self_external_spec, (values, language), title, language),
        title=title,
        summary=" ".join(summary),
        table_head=[
            pgettext("chart", "Value"),
            pgettext("chart", "Staff (self-image)"),
            pgettext("chart", "Citizens (external image)"),
            pgettext("chart", "Difference"),
            pgettext("chart", "Shared statements"),
        ],
        table_rows=rows,
    )
