"""Charts of the reports: altair specs rendered on the server by vl-convert to inline SVG.

Every chart comes with its text alternative and the data table shown next to it, formatted
for the report's language (babel for the table, the vega format locale for the axes).

Choices the charts keep throughout:

- Colours are colour-blind safe: blue against orange (never red against green), greys for what
  is not a score, and every series is told apart by its shape (or dash) as well as its colour.
- A hidden figure is drawn as hidden — a grey cell or a marker with the word "verborgen" — and
  named as hidden with its reason in the table; it is never drawn as 0 and never left out.
- Answers on a 0–10 scale are grouped 0–6 / 7–8 / 9–10 (the detractor / passive / promoter
  bands of a recommendation question), so they diverge around the middle like a five-point item.
- The chart title is not drawn into the image (the report's heading carries it); it labels the
  `<svg>` for screen readers. The SVG keeps its size attributes for print and PNG conversion and
  shrinks to its container in HTML (`max-width:100%`).

The charts are one module per kind behind this package; `_common` holds what they share.
"""

# The names with a leading underscore are the Vega-Lite specs behind the charts, under the names the
# chart tests validate them by; they are no part of the package's interface.
from survey.report.charts._common import HIDDEN_FILL, Chart, ChartKeep, keep_charts_in
from survey.report.charts._distribution import distribution_spec as _distribution_spec  # noqa: F401
from survey.report.charts._distribution import item_distribution
from survey.report.charts._heatmap import Row as _Row  # noqa: F401
from survey.report.charts._heatmap import heatmap, organisation_heatmap
from survey.report.charts._heatmap import heatmap_spec as _heatmap_spec  # noqa: F401
from survey.report.charts._rates import rates_spec as _rates_spec  # noqa: F401
from survey.report.charts._rates import response_rates
from survey.report.charts._self_external import self_external
from survey.report.charts._self_external import self_external_spec as _self_external_spec  # noqa: F401
from survey.report.charts._trend import Marker, measure_markers, reorganisation_markers, value_trend
from survey.report.charts._trend import trend_spec as _trend_spec  # noqa: F401

__all__ = [
    "HIDDEN_FILL",
    "Chart",
    "ChartKeep",
    "Marker",
    "heatmap",
    "item_distribution",
    "keep_charts_in",
    "measure_markers",
    "organisation_heatmap",
    "reorganisation_markers",
    "response_rates",
    "self_external",
    "value_trend",
]
