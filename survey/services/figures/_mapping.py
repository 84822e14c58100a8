"""Which items count for which value in which wave: comparable items, the (wave, value) pairs
nobody was asked, the breaks in a value's line, and the sums per subtree."""

from __future__ import annotations

from collections import defaultdict

from survey.domain import QuestionnaireVersion
from survey.services.figures._scores import Moments
from survey.store.waves import Wave

__all__ = ["Groups", "Mapping", "moments_by_members", "scale_range", "top_codes", "value_mapping"]

#: (wave, item, value, scale min, scale max, reversed) rows the store scores answers by
Mapping = list[tuple[int, str, str, int, int, bool]]
#: named groups: per wave, the units (ids) whose answers make the group's value there
Groups = dict[str, dict[int, frozenset[int]]]


def scale_range(version: QuestionnaireVersion, item_id: str) -> tuple[int, int]:
    codes = version.scale_of(version.item(item_id)).codes
    return min(codes), max(codes)


def top_codes(version: QuestionnaireVersion, item_id: str) -> set[int]:
    scale = version.scale_of(version.item(item_id))
    if scale.type == "likert-5":
        return {4, 5}
    if scale.type == "scale-0-10":
        return {9, 10}
    return {max(scale.codes)}


def _comparable(older: QuestionnaireVersion, newer: QuestionnaireVersion) -> set[str]:
    """Items with the same id in both versions: identical or editorial (the catalog's rule)."""
    if older.version == newer.version:
        return set(newer.item_ids)
    return set(older.item_ids) & set(newer.item_ids)


def value_mapping(
    waves: list[Wave],
    versions: dict[int, QuestionnaireVersion | None],
    newest: QuestionnaireVersion,
    values: list[str],
) -> tuple[Mapping, dict[tuple[int, str], bool], set[tuple[int, str]]]:
    """Which items count for which value in which wave: those comparable with the newest version;
    where a wave has none, its own items, and the value's line breaks there. Third: the (wave,
    value) pairs whose version has no scored item for the value, which nobody was asked."""
    mapping = []
    breaks: dict[tuple[int, str], bool] = {}
    not_asked: set[tuple[int, str]] = set()
    for wave in waves:
        version = versions[wave.version]
        assert version is not None
        comparable = _comparable(version, newest)
        for value in values:
            items = [i for i in version.items if value in i.values and not version.scale_of(i).is_text]
            common = [i for i in items if i.id in comparable]
            breaks[(wave.id, value)] = bool(items) and not common
            if not items:
                not_asked.add((wave.id, value))
            for item in common or items:
                low, high = scale_range(version, item.id)
                mapping.append((wave.id, item.id, value, low, high, item.reverse))
    return mapping, breaks, not_asked


def moments_by_members(
    rows: list[tuple[int, int, str, int, float, float]], groups: Groups
) -> dict[tuple[int, str, str], Moments]:
    """Sum the per-unit rows of `value_moments` up to each named group (a unit's series: its
    subtree in each wave's tree): (wave, name, value) → sums."""
    out: dict[tuple[int, str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for wave_id, unit_id, value, n, total, squares in rows:
        for name, members in groups.items():
            if unit_id in members.get(wave_id, ()):
                sums = out[(wave_id, name, value)]
                sums[0] += n
                sums[1] += total
                sums[2] += squares
    return {key: (int(n), total, squares) for key, (n, total, squares) in out.items()}
