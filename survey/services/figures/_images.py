"""Self-image and external image: per value, what the unit's staff and the citizens served by
its subtree said in the same period, on the items both questionnaires share."""

from __future__ import annotations

from collections import defaultdict

from survey.domain import QuestionnaireVersion
from survey.domain.anonymity import Hidden, suppress
from survey.domain.figures import HiddenFigure, Score
from survey.services.figures._mapping import Mapping, scale_range
from survey.services.figures._scores import score
from survey.services.figures._suppression import hidden_figure, subtree_counts
from survey.store import catalog as catalog_store
from survey.store import counts as store
from survey.store import waves as wave_store
from survey.store.org import StoredUnit
from survey.store.waves import Wave

__all__ = ["Images", "self_and_external"]

#: per value: the staff's score, the citizens' score, the shared items they come from
Images = dict[str, tuple[Score | HiddenFigure | None, Score | HiddenFigure | None, list[str]]]


async def _citizen_wave(latest: Wave) -> Wave | None:
    """The newest citizen wave whose period overlaps the staff wave's."""
    citizen_waves = [
        w
        for w in await wave_store.list_waves()
        if w.audience == "citizen"
        and w.status in ("open", "closed")
        and w.opens_on <= latest.closes_on
        and w.closes_on >= latest.opens_on
    ]
    return citizen_waves[-1] if citizen_waves else None


def _shared_mapping(
    latest: Wave,
    newest: QuestionnaireVersion,
    citizen: Wave,
    version: QuestionnaireVersion,
    values: list[str],
) -> tuple[Mapping, dict[str, list[str]]]:
    """Both sides' items per value (keyed self:value and ext:value), and the shared items."""
    shared = [i for i in newest.items if i.id in set(version.item_ids) and not newest.scale_of(i).is_text]
    mapping = []
    items_of: dict[str, list[str]] = {}
    for value in values:
        for item in (i for i in shared if value in i.values):
            items_of.setdefault(value, []).append(item.id)
            low, high = scale_range(newest, item.id)
            mapping.append((latest.id, item.id, f"self:{value}", low, high, item.reverse))
            low, high = scale_range(version, item.id)
            mapping.append((citizen.id, item.id, f"ext:{value}", low, high, version.item(item.id).reverse))
    return mapping, items_of


async def _citizens_hidden(
    citizen: Wave, units: list[StoredUnit], parents: dict[str, str | None]
) -> dict[str, Hidden]:
    per_unit: dict[int, int] = {}
    for row in await store.respondents([citizen.id]):
        per_unit[row.unit] = row.respondents
    citizen_counts = subtree_counts(units, per_unit)
    if citizen.status == "open":  # a clerk could read the rating of the person just served
        return {u: Hidden("wave_open", citizen.k) for u, n in citizen_counts.items() if n > 0}
    return suppress(citizen_counts, parents, citizen.k)


async def self_and_external(
    unit: StoredUnit,
    units: list[StoredUnit],
    parents: dict[str, str | None],
    latest: Wave,
    newest: QuestionnaireVersion,
    values: list[str],
) -> Images:
    """Per value: staff and citizens of the unit's subtree in the same period, on shared items."""
    citizen = await _citizen_wave(latest)
    if citizen is None:
        return {}
    version = await catalog_store.load_published_version(citizen.questionnaire, citizen.version)
    if version is None:
        return {}
    mapping, items_of = _shared_mapping(latest, newest, citizen, version, values)
    if not mapping:
        return {}
    citizen_hidden = await _citizens_hidden(citizen, units, parents)
    staff_scores: dict[str, list[float]] = defaultdict(list)
    citizen_scores: dict[str, list[float]] = defaultdict(list)
    for _, _, _, key, value_score in await store.value_scores([latest.id, citizen.id], mapping, unit.path):
        side, value = key.split(":", 1)
        (staff_scores if side == "self" else citizen_scores)[value].append(value_score)
    result = {}
    for value, items in items_of.items():
        h = citizen_hidden.get(unit.key)
        external = hidden_figure(h) if h else score(citizen_scores[value])
        result[value] = (score(staff_scores[value]), external, items)
    return result
