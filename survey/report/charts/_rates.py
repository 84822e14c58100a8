"""Response rate per wave, or respondents per wave where there is no rate (citizen feedback)."""

from __future__ import annotations

import altair as alt

from survey.domain.figures import (
    HiddenFigure,
    WaveSummary,
)
from survey.report.charts._common import (
    GREY,
    HIGH_DARK,
    Chart,
    chart_texts,
    layered,
    lookup_expr,
    render_svg_of,
)
from survey.report.format import day, hidden_text, integer, month_short, percent

__all__ = ["rates_spec", "response_rates"]


def _without_rate(waves: list[WaveSummary]) -> bool:
    """Waves of people without a headcount (citizens): a rate would have nothing to divide by."""
    return bool(waves) and all(w.no_rate is not None for w in waves)


def _wave_axis(waves: list[WaveSummary], language: str) -> alt.X:
    order = [w.wave for w in waves]
    labels = {w.wave: month_short(w.opens_on, language) for w in waves}
    return alt.X(
        "wave:N",
        sort=order,
        scale=alt.Scale(domain=order, paddingInner=0.3),
        axis=alt.Axis(
            title=None, labelExpr=lookup_expr(labels), labelAngle=0 if len(waves) <= 10 else -45, ticks=False
        ),
    )


def rates_spec(waves: list[WaveSummary], language: str) -> alt.LayerChart:
    if _without_rate(waves):
        return _respondents_spec(waves, language)
    pgettext = chart_texts(language)
    bars = [
        {"wave": w.wave, "rate": w.response_rate} for w in waves if isinstance(w.response_rate, (int, float))
    ]
    gaps = [
        {
            "wave": w.wave,
            "rate": 0,
            "label": pgettext("chart", "hidden")
            if isinstance(w.response_rate, HiddenFigure)
            else pgettext("chart", "no data"),
        }
        for w in waves
        if not isinstance(w.response_rate, (int, float))
    ]
    x = _wave_axis(waves, language)
    y = alt.Y(
        "rate:Q",
        scale=alt.Scale(domain=[0, 1], nice=False),
        axis=alt.Axis(title=pgettext("chart", "Response rate"), format=".0%", values=[0, 0.25, 0.5, 0.75, 1]),
    )
    return _bars_with_gaps(bars, gaps, x, y, "rate", ".1%", len(waves))


def _respondents_spec(waves: list[WaveSummary], language: str) -> alt.LayerChart:
    """Respondents per wave, for waves without a response rate: counts, not shares."""
    pgettext = chart_texts(language)
    bars = [{"wave": w.wave, "n": w.respondents} for w in waves if isinstance(w.respondents, int)]
    gaps = [
        {"wave": w.wave, "n": 0, "label": pgettext("chart", "hidden")}
        for w in waves
        if not isinstance(w.respondents, int)
    ]
    x = _wave_axis(waves, language)
    top = max([row["n"] for row in bars] + [1])
    y = alt.Y(
        "n:Q",
        scale=alt.Scale(domain=[0, top * 1.15], nice=False),
        axis=alt.Axis(title=pgettext("chart", "Respondents"), format=",d", tickMinStep=1),
    )
    return _bars_with_gaps(bars, gaps, x, y, "n", ",d", len(waves))


def response_rates(waves: list[WaveSummary], language: str) -> Chart:
    """Response rate per wave; for waves without one (citizens: no headcount, contacts not
    recorded), the respondents per wave, and the text says why there is no rate."""
    pgettext = chart_texts(language)
    without_rate = _without_rate(waves)
    title = (
        pgettext("chart", "Respondents per wave")
        if without_rate
        else pgettext("chart", "Response rate per wave")
    )
    rows: list[list[str]] = []
    for w in waves:
        respondents = (
            hidden_text(w.respondents, language)
            if isinstance(w.respondents, HiddenFigure)
            else integer(w.respondents, language)
        )
        period = f"{day(w.opens_on, language)}–{day(w.closes_on, language)}"
        if without_rate:
            rows.append([w.title, period, respondents])
            continue
        if isinstance(w.response_rate, HiddenFigure):
            rate = hidden_text(w.response_rate, language)
        elif w.response_rate is None:
            rate = pgettext("chart", "no data")
        else:
            rate = percent(w.response_rate, language)
        headcount = integer(w.headcount, language) if w.headcount is not None else "–"
        rows.append([w.title, period, respondents, headcount, rate])
    summary: list[str] = [] if waves else [pgettext("chart", "There are no waves yet.")]
    if without_rate:
        summary.append(
            pgettext("chart", "Respondents in %(count)s waves; latest (%(wave)s) %(n)s.")
            % {"count": len(waves), "wave": waves[-1].title, "n": rows[-1][-1]}
        )
        summary.append(
            pgettext(
                "chart",
                "Citizen feedback: no response rate, because the number of contacts at the "
                "service points is not recorded.",
            )
        )
    elif waves:
        summary.append(
            pgettext("chart", "Response rate in %(count)s waves; latest (%(wave)s) %(rate)s.")
            % {"count": len(waves), "wave": waves[-1].title, "rate": rows[-1][-1]}
        )
        shown = [w.response_rate for w in waves if isinstance(w.response_rate, (int, float))]
        if len(shown) >= 2:
            summary.append(
                pgettext("chart", "Range: %(low)s to %(high)s.")
                % {"low": percent(min(shown), language), "high": percent(max(shown), language)}
            )
    head = [pgettext("chart", "Wave"), pgettext("chart", "Period"), pgettext("chart", "Respondents")]
    return Chart(
        svg=render_svg_of(rates_spec, (waves, language), title, language),
        title=title,
        summary=" ".join(summary),
        table_head=head
        if without_rate
        else [*head, pgettext("chart", "Headcount"), pgettext("chart", "Response rate")],
        table_rows=rows,
    )


def _bars_with_gaps(
    bars: list[dict], gaps: list[dict], x: alt.X, y: alt.Y, field: str, fmt: str, waves: int
) -> alt.LayerChart:
    """A bar per wave labelled with its value, and a grey mark with its reason where a wave has none."""
    layers = [
        alt.Chart(alt.Data(values=bars)).mark_bar(color=HIGH_DARK).encode(x=x, y=y),
        alt.Chart(alt.Data(values=bars))
        .mark_text(dy=-7, fontSize=10)
        .encode(x=x, y=y, text=alt.Text(f"{field}:Q", format=fmt)),
        alt.Chart(alt.Data(values=gaps))
        .mark_point(shape="triangle-up", size=60, color=GREY, strokeWidth=1.5)
        .encode(x=x, y=y),
        alt.Chart(alt.Data(values=gaps))
        .mark_text(dy=-14, fontSize=10, fontStyle="italic", color=GREY)
        .encode(x=x, y=y, text="label:N"),
    ]
    return layered(layers, width=max(240, 64 * waves), height=200)
