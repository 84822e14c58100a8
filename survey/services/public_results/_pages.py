"""The pages without sign-in, assembled: a unit's feedback page for its staff, and the citizens'
public pages of the Kommune and of each service point.

Figures come suppressed from survey.services.figures (`unit_figures` as the dashboard shows them,
`service_point_figures` with the service points' own suppression beside it) and the effect
checks from `measure_effects`; nothing here computes a figure. Only closed waves count: an open
wave shows nothing on these pages, not even its participation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from survey.domain.figures import UnitFigures
from survey.domain.service_points import ServicePointFigures
from survey.errors import SurveyError
from survey.services.figures import measure_effects, service_point_figures, unit_figures
from survey.services.measures import Measure, owned_measures
from survey.services.public_results._links import feedback_unit
from survey.services.public_results._model import (
    FeedbackPage,
    PlaceLink,
    PublicMeasure,
    PublicPage,
    Ratings,
)
from survey.services.public_results._ratings import effect_lines, ratings_of
from survey.store import catalog as catalog_store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.org import StoredUnit
from survey.store.waves import Wave

__all__ = ["feedback_page", "public_page", "public_page_exists", "public_places"]

#: the languages offered where no questionnaire names any (no closed wave yet)
FALLBACK_LANGUAGES = ["de", "en"]


async def _latest_closed(audience: str) -> Wave | None:
    """The newest closed wave of the audience's questionnaires: its questionnaire is the one the
    pages show (a Kommune runs one questionnaire per audience at a time)."""
    closed = [w for w in await wave_store.list_waves() if w.audience == audience and w.status == "closed"]
    return max(closed, key=lambda w: (w.closes_on, w.opens_on, w.id), default=None)


async def _names_and_languages(wave: Wave | None, lang: str) -> tuple[dict[str, str], list[str]]:
    """The Leitbild's value names in `lang` (German where it has none), and the languages of the
    wave's questionnaire version."""
    version = await catalog_store.load_published_version(wave.questionnaire, wave.version) if wave else None
    leitbild = await catalog_store.load_leitbild(version.leitbild if version else None)
    names = {
        v.key: v.name.get(lang) or v.name.get("de") or v.key for v in (leitbild.values if leitbild else [])
    }
    return names, list(version.languages) if version else FALLBACK_LANGUAGES


def _related(measure: Measure, unit: StoredUnit) -> bool:
    """The measure is the unit's: an owner is the unit, above it or below it."""
    return any(unit.path.startswith(o.path) or o.path.startswith(unit.path) for o in measure.owners)


def _measure(measure: Measure, names: dict[str, str]) -> PublicMeasure:
    return PublicMeasure(
        measure.id,
        measure.title,
        measure.description,
        measure.status,
        measure.starts_on,
        measure.due_on,
        [(v, names.get(v, v)) for v in measure.values],
        [o.name for o in measure.owners],
    )


def _ordered(measures: Sequence[Measure]) -> list[Measure]:
    """Running and planned first, then done, then dropped; the newest start first in each."""
    rank = {"laufend": 0, "geplant": 1, "umgesetzt": 2, "verworfen": 3}
    by_start = sorted(measures, key=lambda m: (m.starts_on, m.id), reverse=True)
    return sorted(by_start, key=lambda m: rank.get(m.status, 4))


async def _figures(unit: str, questionnaire: str) -> UnitFigures | None:
    try:
        return await unit_figures(unit, questionnaire)
    except SurveyError:  # no closed wave yet (NoClosedWave), or the unit is gone
        return None


async def public_places() -> tuple[str, list[PlaceLink], dict[str, StoredUnit]]:
    """The Kommune's name, the active service points of active units (the organisation file's
    order), and the active units by key."""
    units = {u.key: u for u in await org_store.list_units()}
    points = [
        PlaceLink(p.key, p.name)
        for p in await org_store.list_service_points()
        if p.active and p.unit in units
    ]
    return await org_store.kommune_name() or "", points, units


async def public_page_exists(point: str) -> bool:
    """An active service point of an active unit has the key: its public page exists."""
    _, points, _ = await public_places()
    return any(p.key == point for p in points)


async def _point_ratings(point: str, unit: str, wave: Wave, names: dict[str, str]) -> Ratings | None:
    """A service point's ratings: its unit's own figures where they are the same people (one
    service point, nothing else), else its own, with their suppression."""
    try:
        every = await service_point_figures(wave.questionnaire)
    except SurveyError:
        return None
    found: ServicePointFigures | None = next((f for f in every if f.service_point == point), None)
    if found is None:
        return None
    if found.sole:
        figures = await _figures(unit, wave.questionnaire)
        return ratings_of(figures, names) if figures else None
    return ratings_of(found, names)


async def public_page(point: str | None, lang: str) -> PublicPage | None:
    """The Kommune's page (`point` None) or a service point's; None where there is no such active
    service point. The ratings of the latest closed citizen wave, the public measures."""
    kommune, points, units = await public_places()
    wave = await _latest_closed("citizen")
    names, languages = await _names_and_languages(wave, lang)
    measures = [m for m in await owned_measures() if m.public]
    root = next((u for u in units.values() if u.parent is None), None)
    if point is None:
        figures = await _figures(root.key, wave.questionnaire) if wave and root else None
        ratings = ratings_of(figures, names) if figures else None
        return PublicPage(
            kommune, None, ratings, [_measure(m, names) for m in _ordered(measures)], points, languages
        )
    place = next((p for p in points if p.key == point), None)
    stored = next((p for p in await org_store.list_service_points() if p.key == point), None)
    if place is None or stored is None:
        return None
    unit = units[stored.unit]
    ratings = await _point_ratings(point, unit.key, wave, names) if wave else None
    mine = [_measure(m, names) for m in _ordered([m for m in measures if _related(m, unit)])]
    return PublicPage(kommune, place, ratings, mine, points, languages)


async def feedback_page(token: str, lang: str) -> FeedbackPage | None:
    """The page of the unit whose feedback link `token` is (None: no such link): the latest closed
    staff wave's ratings and the unit's measures with their effect checks."""
    key = await feedback_unit(token)
    if key is None:
        return None
    units = {u.key: u for u in await org_store.list_units()}
    unit = units[key]
    wave = await _latest_closed("staff")
    names, languages = await _names_and_languages(wave, lang)
    figures = await _figures(key, wave.questionnaire) if wave else None
    measures = _ordered([m for m in await owned_measures() if _related(m, unit)])
    effects = await measure_effects(measures, wave.questionnaire) if wave and measures else []
    by_id = {e.measure: e for e in effects}
    shown = [replace(_measure(m, names), effects=effect_lines(by_id.get(m.id), names)) for m in measures]
    return FeedbackPage(
        await org_store.kommune_name() or "",
        key,
        unit.name,
        ratings_of(figures, names) if figures else None,
        shown,
        languages,
    )
