"""Diverging stacked bars of the answers per item, disagreement left, agreement right."""

from __future__ import annotations

from typing import Any

import altair as alt

from survey.domain.figures import (
    HiddenFigure,
    ItemFigures,
)
from survey.report.charts._common import (
    HIGH_DARK,
    HIGH_LIGHT,
    INK,
    LOW_DARK,
    LOW_LIGHT,
    MIDDLE,
    Chart,
    chart_texts,
    layered,
    lookup_expr,
    render_svg_of,
    wrap,
)
from survey.report.format import hidden_text, integer, percent

__all__ = ["distribution_spec", "item_distribution"]


_LIKERT = {
    "1": (-1, LOW_DARK),
    "2": (-1, LOW_LIGHT),
    "3": (0, MIDDLE),
    "4": (1, HIGH_LIGHT),
    "5": (1, HIGH_DARK),
}
_ELEVEN = {"0–6": (-1, LOW_DARK), "7–8": (0, MIDDLE), "9–10": (1, HIGH_DARK)}
_TEXT_ON = {LOW_DARK: "white", HIGH_DARK: "white"}


def _groups(distribution: dict[str, int]) -> dict[str, int]:
    """Counts per answer group: five-point items as they are, 0–10 items as 0–6 / 7–8 / 9–10.

    Codes that are not numbers (a no-answer code) are not part of the distribution."""
    counts = {int(k): v for k, v in distribution.items() if k.lstrip("-").isdigit() and int(k) >= 0}
    if counts and max(counts) <= 5 and min(counts) >= 1:
        return {g: counts.get(int(g), 0) for g in _LIKERT}
    bands = {"0–6": range(0, 7), "7–8": range(7, 9), "9–10": range(9, 11)}
    return {g: sum(v for k, v in counts.items() if k in r) for g, r in bands.items()}


def _sides(groups: dict[str, int]) -> tuple[float, float, float]:
    total = sum(groups.values())
    scheme = _LIKERT if "1" in groups else _ELEVEN
    low = sum(v for g, v in groups.items() if scheme[g][0] < 0) / total
    mid = sum(v for g, v in groups.items() if scheme[g][0] == 0) / total
    return low, mid, 1 - low - mid


def distribution_spec(items: list[ItemFigures], labels: dict[str, str], language: str) -> alt.LayerChart:
    pgettext = chart_texts(language)
    bars: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    present: list[str] = []
    for item in items:
        dist = item.distribution
        if isinstance(dist, dict) and sum(_groups(dist).values()) > 0:
            groups = _groups(dist)
            bars += _bars(item.item, groups)
            present += [g for g in groups if g not in present]
        else:
            label = (
                hidden_text(dist, language)
                if isinstance(dist, HiddenFigure)
                else pgettext("chart", "no data")
            )
            notes.append({"item": item.item, "label": label, "x": -1, "x2": 1, "mid": 0})
    for row in bars:
        colour = {**_LIKERT, **_ELEVEN}[row["group"]][1]
        row["ink"] = _TEXT_ON.get(colour, INK)
    domain = [g for g in [*_LIKERT, *_ELEVEN] if g in present]
    colours = [{**_LIKERT, **_ELEVEN}[g][1] for g in domain]
    order = [i.item for i in items]
    names = {i.item: wrap(labels.get(i.item, i.text), 52) for i in items}
    y = alt.Y(
        "item:N",
        sort=order,
        scale=alt.Scale(domain=order, paddingInner=0.35),
        axis=alt.Axis(title=None, labelExpr=lookup_expr(names), labelLimit=0, ticks=False, domain=False),
    )
    x_scale = alt.Scale(domain=[-1, 1], nice=False)
    x_axis = alt.Axis(
        title=pgettext("chart", "← low · share of answers · high →"),
        values=[-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1],
        labelExpr="format(abs(datum.value), '.0%')",
        grid=True,
    )
    x = alt.X("x:Q", scale=x_scale, axis=x_axis)
    group_names = {g: g for g in domain}
    if language == "de":
        group_names.update({"1": "1 (niedrig)", "3": "3 (Mitte)", "5": "5 (hoch)"})
    else:
        group_names.update({"1": "1 (low)", "3": "3 (middle)", "5": "5 (high)"})
    mid = alt.X("mid:Q", scale=x_scale, axis=x_axis)
    layers = [
        alt.Chart(alt.Data(values=notes)).mark_bar(color="#f0f0f0").encode(x=x, x2="x2:Q", y=y),
        alt.Chart(alt.Data(values=bars))
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=x,
            x2="x2:Q",
            y=y,
            color=alt.Color(
                "group:N",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(
                    title=pgettext("chart", "Answer"),
                    labelExpr=lookup_expr(group_names),
                    symbolType="square",
                ),
            ),
        ),
        alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color=INK, strokeWidth=1).encode(x=x),
        alt.Chart(alt.Data(values=[b for b in bars if b["share"] >= 0.09]))
        .transform_calculate(mid="(datum.x + datum.x2) / 2")
        .mark_text(fontSize=10)
        .encode(x=mid, y=y, text=alt.Text("share:Q", format=".0%"), color=alt.Color("ink:N", scale=None)),
        alt.Chart(alt.Data(values=notes))
        .mark_text(fontSize=10, fontStyle="italic", color=INK)
        .encode(x=mid, y=y, text="label:N"),
    ]
    return layered(layers, width=520, height={"step": 48})


def _bars(item: str, groups: dict[str, int]) -> list[dict[str, Any]]:
    """An item's answer groups as bars diverging from zero: the middle centred on it, the low
    groups to the left, the high ones to the right."""
    bars: list[dict[str, Any]] = []
    scheme = _LIKERT if "1" in groups else _ELEVEN
    total = sum(groups.values())
    middle = sum(v for g, v in groups.items() if scheme[g][0] == 0) / total
    left, right = -middle / 2, middle / 2
    for g in reversed([g for g in groups if scheme[g][0] < 0]):
        share = groups[g] / total
        bars.append({"item": item, "group": g, "x": left - share, "x2": left, "share": share})
        left -= share
    for g in [g for g in groups if scheme[g][0] == 0]:
        share = groups[g] / total
        bars.append({"item": item, "group": g, "x": -share / 2, "x2": share / 2, "share": share})
    for g in [g for g in groups if scheme[g][0] > 0]:
        share = groups[g] / total
        bars.append({"item": item, "group": g, "x": right, "x2": right + share, "share": share})
        right += share
    return bars


def item_distribution(items: list[ItemFigures], labels: dict[str, str], language: str) -> Chart:
    """Diverging stacked bars of the answer distribution per item (`labels`: item id → text)."""
    pgettext = chart_texts(language)
    title = pgettext("chart", "Distribution of answers per statement")
    rows: list[list[str]] = []
    highs: list[tuple[float, str]] = []
    hidden = 0
    for item in items:
        text = labels.get(item.item, item.text)
        dist = item.distribution
        if isinstance(dist, dict) and sum(_groups(dist).values()) > 0:
            groups = _groups(dist)
            low, mid, high = _sides(groups)
            rows.append(
                [
                    text,
                    integer(sum(groups.values()), language),
                    percent(low, language),
                    percent(mid, language),
                    percent(high, language),
                ]
            )
            highs.append((high, text))
        else:
            hidden += isinstance(dist, HiddenFigure)
            cell = (
                hidden_text(dist, language)
                if isinstance(dist, HiddenFigure)
                else pgettext("chart", "no data")
            )
            rows.append([text, cell, "–", "–", "–"])
    summary = [
        pgettext(
            "chart", "Distribution of answers on %(count)s statements, disagreement left, agreement right."
        )
        % {"count": len(items)}
    ]
    if len(highs) >= 2:
        hi, lo = max(highs), min(highs)
        summary.append(
            pgettext(
                "chart", "Most agreement: “%(hi_item)s” (%(hi)s high); least: “%(lo_item)s” (%(lo)s high)."
            )
            % {
                "hi_item": hi[1],
                "hi": percent(hi[0], language),
                "lo_item": lo[1],
                "lo": percent(lo[0], language),
            }
        )
    if hidden:
        summary.append(
            pgettext("chart", "One distribution is hidden (too few answers).")
            if hidden == 1
            else pgettext("chart", "%(count)s distributions are hidden (too few answers).")
            % {"count": hidden}
        )
    return Chart(
        svg=render_svg_of(distribution_spec, (items, labels, language), title, language),
        title=title,
        summary=" ".join(summary),
        table_head=[
            pgettext("chart", "Statement"),
            pgettext("chart", "Respondents"),
            pgettext("chart", "low (1–2 or 0–6)"),
            pgettext("chart", "middle (3 or 7–8)"),
            pgettext("chart", "high (4–5 or 9–10)"),
        ],
        table_rows=rows,
    )
