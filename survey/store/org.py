"""The organisation tree and service points in the database."""

from __future__ import annotations

from dataclasses import dataclass

from survey.domain import Organisation
from survey.store.engine import fetch_tuples
from survey.store.tables import OrgUnitRow, ServicePointRow, SettingRow

__all__ = [
    "OrgChange",
    "StoredServicePoint",
    "StoredUnit",
    "list_service_points",
    "list_units",
    "save_organisation",
]


@dataclass(frozen=True)
class StoredUnit:
    id: int
    key: str
    name: str
    kind: str
    parent: str | None
    headcount: int
    path: str
    depth: int
    active: bool


@dataclass(frozen=True)
class StoredServicePoint:
    id: int
    key: str
    name: str
    unit: str
    active: bool


@dataclass(frozen=True)
class OrgChange:
    added: int
    updated: int
    retired: int
    service_points: int


async def list_units(include_retired: bool = False) -> list[StoredUnit]:
    rows = (
        await OrgUnitRow.select(
            OrgUnitRow.id,
            OrgUnitRow.key,
            OrgUnitRow.name,
            OrgUnitRow.kind,
            OrgUnitRow.parent.key.as_alias("parent_key"),
            OrgUnitRow.headcount,
            OrgUnitRow.path,
            OrgUnitRow.depth,
            OrgUnitRow.active,
        )
        .order_by(OrgUnitRow.path)
        .run()
    )
    return [
        StoredUnit(
            r["id"],
            r["key"],
            r["name"],
            r["kind"],
            r["parent_key"],
            r["headcount"],
            r["path"],
            r["depth"],
            bool(r["active"]),
        )
        for r in rows
        if include_retired or r["active"]
    ]


async def list_service_points() -> list[StoredServicePoint]:
    rows = (
        await ServicePointRow.select(
            ServicePointRow.id,
            ServicePointRow.key,
            ServicePointRow.name,
            ServicePointRow.unit.key.as_alias("unit_key"),
            ServicePointRow.active,
        )
        .order_by(ServicePointRow.key)
        .run()
    )
    return [
        StoredServicePoint(r["id"], r["key"], r["name"], r["unit_key"], bool(r["active"]))
        for r in rows
        if r["active"]
    ]


async def kommune_name() -> str | None:
    rows = await fetch_tuples("SELECT value FROM setting WHERE key = {}", "kommune", quick=True)
    return rows[0][0] if rows else None


async def save_organisation(org: Organisation) -> OrgChange:
    """Upsert units and service points by key; units missing from `org` are retired, not deleted.

    Call inside a write transaction: either all of it is stored or nothing.
    """
    existing = {u.key: u for u in await list_units(include_retired=True)}
    ids: dict[str, int] = {}
    added = updated = 0
    for unit in org.ordered():
        keys = org.path(unit.key)
        values = {
            OrgUnitRow.name: unit.name,
            OrgUnitRow.kind: unit.kind,
            OrgUnitRow.parent: ids[unit.parent] if unit.parent else None,
            OrgUnitRow.headcount: unit.headcount,
            OrgUnitRow.path: "/" + "/".join(keys) + "/",
            OrgUnitRow.depth: len(keys) - 1,
            OrgUnitRow.active: True,
        }
        old = existing.get(unit.key)
        if old is None:
            row = (
                await OrgUnitRow.insert(OrgUnitRow({OrgUnitRow.key: unit.key, **values}))
                .returning(OrgUnitRow.id)
                .run()
            )
            ids[unit.key] = row[0]["id"]
            added += 1
        else:
            ids[unit.key] = old.id
            if (old.name, old.kind, old.parent, old.headcount, old.path, old.active) != (
                unit.name,
                unit.kind,
                unit.parent,
                unit.headcount,
                values[OrgUnitRow.path],
                True,
            ):
                await OrgUnitRow.update(values).where(OrgUnitRow.id == old.id).run()
                updated += 1
    retired = [u for k, u in existing.items() if k not in ids and u.active]
    for unit in retired:
        await OrgUnitRow.update({OrgUnitRow.active: False}).where(OrgUnitRow.id == unit.id).run()

    points = {p["key"]: p for p in await ServicePointRow.select().run()}
    for point in org.service_points:
        values = {
            ServicePointRow.name: point.name,
            ServicePointRow.unit: ids[point.unit],
            ServicePointRow.active: True,
        }
        if point.key in points:
            await ServicePointRow.update(values).where(ServicePointRow.key == point.key).run()
        else:
            await ServicePointRow.insert(ServicePointRow({ServicePointRow.key: point.key, **values})).run()
    keep = {p.key for p in org.service_points}
    for key in points:
        if key not in keep:
            await (
                ServicePointRow.update({ServicePointRow.active: False})
                .where(ServicePointRow.key == key)
                .run()
            )

    if await SettingRow.exists().where(SettingRow.key == "kommune").run():
        await SettingRow.update({SettingRow.value: org.kommune}).where(SettingRow.key == "kommune").run()
    else:
        await SettingRow.insert(SettingRow(key="kommune", value=org.kommune)).run()
    return OrgChange(added, updated, len(retired), len(org.service_points))
