"""Organisation versions in the database: every applied organisation with the day it takes
effect, the lineage of its units, and the organisation each closed wave ran with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.store.engine import as_date, fetch_tuples
from survey.store.tables import OrgUnitRow, OrgVersion, UnitLineage, WaveOrgUnit

__all__ = [
    "LineageEdge",
    "StoredVersion",
    "WaveUnit",
    "add_version",
    "keep_wave_organisation",
    "latest_version",
    "lineage",
    "rename_unit_key",
    "wave_organisation",
    "wave_trees",
]


@dataclass(frozen=True)
class StoredVersion:
    id: int
    valid_from: dt.date
    applied_by: str
    #: what the version was applied from (survey.store.org.save_organisation's `content_hash`)
    content_hash: str


@dataclass(frozen=True)
class LineageEdge:
    """`predecessor` → `successor` (org_unit ids), declared by the version valid from `valid_from`."""

    version: int
    valid_from: dt.date
    kind: str
    predecessor: int | None
    successor: int | None
    share: float | None
    #: the predecessor's name before the change ("": not kept)
    name_before: str = ""


@dataclass(frozen=True)
class WaveUnit:
    """A unit as a closed wave ran with it."""

    unit: int
    parent: int | None
    path: str
    depth: int
    headcount: int
    active: bool


async def latest_version() -> StoredVersion | None:
    rows = await fetch_tuples(
        "SELECT id, valid_from, applied_by, content_hash FROM org_version ORDER BY id DESC LIMIT 1",
        quick=True,
    )
    if not rows:
        return None
    return StoredVersion(int(rows[0][0]), as_date(rows[0][1]), str(rows[0][2]), str(rows[0][3]))


async def add_version(
    valid_from: dt.date,
    by: str,
    content_hash: str,
    edges: list[tuple[str, int | None, int | None, float | None, str]],
) -> int:
    """Store a version and its lineage edges (kind, predecessor id, successor id, share, the
    predecessor's name before the change); its id.
    Call inside the write transaction that applies the organisation."""
    row = (
        await OrgVersion.insert(
            OrgVersion(
                {
                    OrgVersion.valid_from: valid_from,
                    OrgVersion.applied_at: dt.datetime.now(dt.UTC),
                    OrgVersion.applied_by: by[:200],
                    OrgVersion.content_hash: content_hash,
                }
            )
        )
        .returning(OrgVersion.id)
        .run()
    )
    version = int(row[0]["id"])
    if edges:
        await UnitLineage.insert(
            *(
                UnitLineage(
                    {
                        UnitLineage.version: version,
                        UnitLineage.kind: kind,
                        UnitLineage.predecessor: predecessor,
                        UnitLineage.successor: successor,
                        UnitLineage.share: share,
                        UnitLineage.name_before: name[:200],
                    }
                )
                for kind, predecessor, successor, share, name in edges
            )
        ).run()
    return version


async def rename_unit_key(old: str, new: str) -> None:
    """Give a unit a new key (a rename declared with `from` and `to`): the same unit, so its
    answers and trends stay its own. Paths are set again when the organisation is saved."""
    await OrgUnitRow.update({OrgUnitRow.key: new}).where(OrgUnitRow.key == old).run()


async def lineage() -> list[LineageEdge]:
    """Every declared edge, oldest version first."""
    rows = await fetch_tuples(
        "SELECT l.version, v.valid_from, l.kind, l.predecessor, l.successor, l.share, l.name_before "
        "FROM unit_lineage l JOIN org_version v ON v.id = l.version ORDER BY l.version, l.id"
    )
    return [
        LineageEdge(
            int(r[0]),
            as_date(r[1]),
            str(r[2]),
            None if r[3] is None else int(r[3]),
            None if r[4] is None else int(r[4]),
            None if r[5] is None else float(r[5]),
            str(r[6] or ""),
        )
        for r in rows
    ]


async def keep_wave_organisation(wave_id: int) -> None:
    """The organisation as it is now becomes the one the wave ran with (when it closes): every
    unit's place and headcount, retired ones included, and the version in force."""
    await WaveOrgUnit.delete().where(WaveOrgUnit.wave == wave_id).run()
    await WaveOrgUnit.raw(
        "INSERT INTO wave_org_unit (wave, unit, parent, path, depth, headcount, active) "
        "SELECT {}, id, parent, path, depth, headcount, active FROM org_unit",
        wave_id,
    ).run()
    await WaveOrgUnit.raw(
        "UPDATE wave SET org_version = (SELECT MAX(id) FROM org_version) WHERE id = {}", wave_id
    ).run()


async def wave_organisation(wave_id: int) -> list[WaveUnit]:
    """The units as the closed wave ran with them ([] for a wave not closed)."""
    rows = await fetch_tuples(
        "SELECT unit, parent, path, depth, headcount, active FROM wave_org_unit "
        "WHERE wave = {} ORDER BY path",
        wave_id,
    )
    return [
        WaveUnit(int(r[0]), None if r[1] is None else int(r[1]), str(r[2]), int(r[3]), int(r[4]), bool(r[5]))
        for r in rows
    ]


_Tree = list[tuple[int, int | None, str, int, bool]]


async def wave_trees(wave_ids: list[int]) -> dict[int, tuple[int | None, _Tree]]:
    """Per wave: the organisation version it ran with and its tree as (unit id, parent id, path,
    headcount, active), retired units included. A closed wave has its own; a wave still running runs with
    the organisation as it is now (version None)."""
    if not wave_ids:
        return {}
    marks = ", ".join("{}" for _ in wave_ids)
    kept = await fetch_tuples(
        f"SELECT o.wave, w.org_version, o.unit, o.parent, o.path, o.headcount, o.active FROM wave_org_unit o "
        f"JOIN wave w ON w.id = o.wave WHERE o.wave IN ({marks})",
        *wave_ids,
    )
    trees: dict[int, tuple[int | None, _Tree]] = {}
    for wave, version, unit, parent, path, headcount, active in kept:
        # kept before any version was recorded: before every change since (version 0)
        trees.setdefault(int(wave), (0 if version is None else int(version), []))[1].append(
            (int(unit), None if parent is None else int(parent), str(path), int(headcount), bool(active))
        )
    if len(trees) < len(set(wave_ids)):
        current = [
            (int(r[0]), None if r[1] is None else int(r[1]), str(r[2]), int(r[3]), bool(r[4]))
            for r in await fetch_tuples("SELECT id, parent, path, headcount, active FROM org_unit")
        ]
        for wave in wave_ids:
            trees.setdefault(wave, (None, current))
    return trees
