"""Self-image and external image: per value, what the unit's staff and the citizens served by
its subtree said in the same period, on the items both questionnaires share."""

from __future__ import annotations

from collections import defaultdict

from survey.domain import QuestionnaireVersion
from survey.domain.figures import HiddenFigure, Score
from survey.services.figures._mapping import Mapping, scale_range
from survey.services.figures._scores import score
from survey.services.figures._suppression import Visibility, hidden_figure, visibility
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


async def _citizens_view(
    citizen: Wave, units: list[StoredUnit], parents: dict[str, str | None]
) -> Visibility:
    """The citizen wave's own suppression, over the tree it ran with: an open wave hides every
    group with ratings (a clerk could read the rating of the person just served)."""
    return await visibility([citizen], units, parents)


async def self_and_external(
    unit: StoredUnit,
    units: list[StoredUnit],
    parents: dict[str, str | None],
    latest: Wave,
    newest: QuestionnaireVersion,
    values: list[str],
    staff: frozenset[int],
) -> Images:
    """Per value: staff and citizens of the unit's subtree in the same period, on shared items
    (`staff`: the units of the unit's series in the staff wave, as survey.services.figures
    ._suppression.Visibility.members has them)."""
    citizen = await _citizen_wave(latest)
    if citizen is None:
        return {}
    version = await catalog_store.load_published_version(citizen.questionnaire, citizen.version)
    if version is None:
        return {}
    mapping, items_of = _shared_mapping(latest, newest, citizen, version, values)
    if not mapping:
        return {}
    citizens = await _citizens_view(citizen, units, parents)
    members = {latest.id: staff, citizen.id: citizens.members(unit.key, citizen.id)}
    staff_scores: dict[str, list[float]] = defaultdict(list)
    citizen_scores: dict[str, list[float]] = defaultdict(list)
    scope = members[latest.id] | members[citizen.id]
    for _, wave_id, unit_id, key, value_score in await store.value_scores(
        [latest.id, citizen.id], mapping, units=scope
    ):
        if unit_id not in members.get(wave_id, ()):
            continue
        side, value = key.split(":", 1)
        (staff_scores if side == "self" else citizen_scores)[value].append(value_score)
    result = {}
    for value, items in items_of.items():
        h = citizens.scores(citizen.id, unit.key)
        external = hidden_figure(h) if h else score(citizen_scores[value])
        result[value] = (score(staff_scores[value]), external, items)
    return result
