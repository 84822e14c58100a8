"""Figures of units across waves: what department leads and the overview show, with anonymity
applied first.

Everything here comes from count tables and grouped queries of value scores (survey.store.counts);
the statistics are survey.stats; suppression is survey.domain.anonymity, applied to every group
before any of its figures is built. A hidden figure is a `HiddenFigure` with its reason, never a
zero or a gap. This package assembles; survey.stats computes.

    unit_figures(unit, questionnaire, last, until=) -> UnitFigures over the closed waves, the open
        ones as participation (_unit; its items _items, its values _unit_values, their
        reliability _reliability, respondents per wave _participation)
    unit_participation(unit, questionnaire)         -> the open waves' participation (_participation)
    organisation_overview(questionnaire)            -> OrganisationOverview (_overview)
    overview_within(overview, unit)                 -> its rows in a Dezernat's subtree (_overview)
    unit_in_language(figures, lang), overview_in_language(overview, lang)
                                                    -> value names and item texts in `lang` (_language)
    measure_effects(measures, questionnaire)        -> MeasureEffect per measure: the effect check per
        value, owning units together and each on its own (_effects)
    measure_effects_in_language(effects, lang)      -> their value names and wave titles in `lang`
    service_point_figures(questionnaire)            -> ServicePointFigures per active service point, with
        the suppression of survey.domain.service_points next to the dashboard's (_service_points)
    waves_with_figures(questionnaire)               -> the open and closed waves (_suppression)
    NoClosedWave                                    -> raised where no wave has closed yet
    suppressed_history(history, units, parents)     -> who may be seen, per wave (_suppression)
    visibility(history, units, parents)             -> the same as a Visibility, with each unit's
        series (the units whose answers make its value in each wave: survey.domain.lineage)

Inside: _context (the unit, its waves and versions), _mapping (which items count for which
value, not-asked pairs, breaks), _scores (scores, changes, rates as shown), _adjustment
(Benjamini–Hochberg over what one report tests), _images (self- and external image), _cache
(the per-worker cache keyed by the data stamp).
"""

from survey.domain.figures import HiddenFigure, Score, UnitFigures
from survey.services.figures._adjustment import ALPHA
from survey.services.figures._cache import CACHE as _CACHE  # noqa: F401  (tests clear it to compute afresh)
from survey.services.figures._cache import keep_figures_signed_with, kept_by_content, one_reading, read_once
from survey.services.figures._effects import measure_effects, measure_effects_in_language
from survey.services.figures._language import overview_in_language, unit_in_language, wave_titles_in
from survey.services.figures._overview import organisation_overview, overview_within
from survey.services.figures._participation import unit_participation
from survey.services.figures._service_points import service_point_figures
from survey.services.figures._suppression import (
    NoClosedWave,
    Visibility,
    series_over,
    suppressed_history,
    visibility,
    waves_with_figures,
)
from survey.services.figures._unit import unit_figures

__all__ = [
    "ALPHA",
    "HiddenFigure",
    "NoClosedWave",
    "Score",
    "UnitFigures",
    "Visibility",
    "keep_figures_signed_with",
    "kept_by_content",
    "measure_effects",
    "measure_effects_in_language",
    "one_reading",
    "organisation_overview",
    "overview_in_language",
    "overview_within",
    "read_once",
    "series_over",
    "service_point_figures",
    "suppressed_history",
    "unit_figures",
    "unit_in_language",
    "unit_participation",
    "visibility",
    "wave_titles_in",
    "waves_with_figures",
]
