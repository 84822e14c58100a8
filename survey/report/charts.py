"""Charts of the reports: altair specs rendered on the server by vl-convert to inline SVG.

Every chart comes with its text alternative and the data table shown next to it, formatted
for the report's language (babel for the table, the vega format locale for the axes).
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.domain.figures import ChildScores, ItemFigures, OverviewRow, ValueFigures, WaveSummary

__all__ = [
    "Chart",
    "heatmap",
    "item_distribution",
    "organisation_heatmap",
    "response_rates",
    "self_external",
    "value_trend",
]


@dataclass(frozen=True)
class Chart:
    #: inline SVG without XML declaration; role="img", labelled by its title
    svg: str
    title: str
    #: the text alternative: one or two sentences saying what the chart shows
    summary: str
    table_head: list[str]
    table_rows: list[list[str]]


def value_trend(value: ValueFigures, language: str) -> Chart:
    """Score per wave with its 95 % band; version breaks marked; parent and organisation as
    reference marks for the latest wave; hidden waves as gaps, named as hidden in the table."""
    raise NotImplementedError


def heatmap(children: list[ChildScores], value_names: dict[str, str], language: str) -> Chart:
    """Sub-units × values for the latest wave; hidden cells drawn as hidden, with the reason."""
    raise NotImplementedError


def item_distribution(items: list[ItemFigures], labels: dict[str, str], language: str) -> Chart:
    """Diverging stacked bars of the answer distribution per item (`labels`: item id → text)."""
    raise NotImplementedError


def self_external(values: list[ValueFigures], language: str) -> Chart:
    """Per value: staff (self-image) against citizens (external image) on the shared items."""
    raise NotImplementedError


def response_rates(waves: list[WaveSummary], language: str) -> Chart:
    """Response rate per wave."""
    raise NotImplementedError


def organisation_heatmap(rows: list[OverviewRow], value_names: dict[str, str], language: str) -> Chart:
    """Dezernate and Fachbereiche × values, latest wave; hidden cells drawn as hidden."""
    raise NotImplementedError
