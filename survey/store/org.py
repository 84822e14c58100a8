"""The organisation tree and service points in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from survey.domain import Organisation
from survey.domain.org_changes import UnitChange
from survey.store.engine import fetch_tuples
from survey.store.entry_keep import forget_entries
from survey.store.org_versions import add_version, rename_unit_key
from survey.store.tables import OrgUnitRow, OrgUpload, ServicePointRow, SettingRow

__all__ = [
    "OrgChange",
    "StoredServicePoint",
    "StoredUnit",
    "StoredUpload",
    "delete_upload",
    "delete_uploads_before",
    "find_upload",
    "list_service_points",
    "list_units",
    "lock_organisation",
    "organisation_stamp",
    "save_organisation",
    "save_upload",
    "set_headcount",
    "units_in_running_waves",
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


async def list_service_points(include_retired: bool = False) -> list[StoredServicePoint]:
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
        if include_retired or r["active"]
    ]


async def kommune_name() -> str | None:
    rows = await fetch_tuples("SELECT value FROM setting WHERE key = {}", "kommune", quick=True)
    return rows[0][0] if rows else None


async def save_organisation(org: Organisation, by: str = "", content_hash: str = "") -> OrgChange:
    """Upsert units and service points by key; units missing from `org` are retired, not deleted.
    The organisation becomes a new version (valid from `org.valid_from`, else today) with the
    lineage its `changes:` declare; a unit renamed to a new key keeps its row.

    Call inside a write transaction: either all of it is stored or nothing.
    """
    for change in org.changes:
        if change.kind == "renamed" and change.before != change.after:
            await rename_unit_key(change.before[0], change.after[0])
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
    unit_ids = {key: unit.id for key, unit in existing.items()} | ids
    names = {key: unit.name for key, unit in existing.items()}  # as they were before this file
    await add_version(
        org.valid_from or dt.date.today(), by, content_hash, _edges(org.changes, unit_ids, names)
    )
    forget_entries()
    return OrgChange(added, updated, len(retired), len(org.service_points))


def _edges(
    changes: list[UnitChange], ids: dict[str, int], names: dict[str, str]
) -> list[tuple[str, int | None, int | None, float | None, str]]:
    """The lineage edges of the declared changes, by org_unit id, each with the predecessor's
    name before the change (survey.store.tables.UnitLineage)."""
    edges: list[tuple[str, int | None, int | None, float | None, str]] = []
    for change in changes:
        after = [ids[key] for key in change.after]
        if change.kind in ("renamed", "moved"):  # the same unit (a new key is its own row's)
            edges.append((change.kind, after[0], after[0], None, names.get(change.after[0], "")))
            continue
        before = [ids[key] for key in change.before]
        if change.kind == "new":
            edges.append((change.kind, None, after[0], None, ""))
        elif change.kind == "merged":
            edges.extend(
                (change.kind, one, after[0], None, names.get(key, ""))
                for key, one in zip(change.before, before, strict=True)
            )
        elif change.kind == "split":
            edges.extend(
                (change.kind, before[0], one, change.shares[key] / 100, names.get(change.before[0], ""))
                for key, one in zip(change.after, after, strict=True)
            )
        else:  # dissolved
            edges.append((change.kind, before[0], None, None, names.get(change.before[0], "")))
    return edges


# --- what the browser's organisation pages need ---------------------------------------------------


@dataclass(frozen=True)
class StoredUpload:
    token: str
    filename: str
    content: str
    content_hash: str
    uploaded_by: str
    uploaded_at: dt.datetime


async def organisation_stamp() -> str:
    """A fingerprint of the organisation as stored: the Kommune's name and every unit and service
    point with all its fields, retired ones included. Equal stamps, equal organisations; a preview
    made against one stamp is applied only while the stamp is still the same."""
    units = [
        [u.key, u.name, u.kind, u.parent, u.headcount, u.path, u.active]
        for u in sorted(await list_units(include_retired=True), key=lambda u: u.key)
    ]
    points = [[p.key, p.name, p.unit, p.active] for p in await list_service_points(include_retired=True)]
    data = json.dumps([await kommune_name(), units, points], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


async def lock_organisation() -> None:
    """Inside a write transaction: wait for any other change of the organisation to end first.

    SQLite's IMMEDIATE transaction is one writer already; on PostgreSQL the row of the Kommune's
    name is locked (an update that changes nothing), so that two applies or headcount changes do
    not both pass the stamp check before either has written."""
    await SettingRow.update({SettingRow.value: SettingRow.value}).where(SettingRow.key == "kommune").run()


async def set_headcount(key: str, headcount: int) -> int | None:
    """Set an active unit's headcount; its headcount before, None if there is no such unit."""
    rows = (
        await OrgUnitRow.select(OrgUnitRow.id, OrgUnitRow.headcount)
        .where((OrgUnitRow.key == key) & (OrgUnitRow.active == True))  # noqa: E712
        .run()
    )
    if not rows:
        return None
    await OrgUnitRow.update({OrgUnitRow.headcount: headcount}).where(OrgUnitRow.id == rows[0]["id"]).run()
    return int(rows[0]["headcount"])


async def units_in_running_waves(keys: list[str]) -> list[tuple[str, str, str]]:
    """(unit key, wave key, wave status) for each of the units `keys` in a draft or open wave."""
    if not keys:
        return []
    marks = ", ".join("{}" for _ in keys)
    rows = await fetch_tuples(
        "SELECT u.key AS unit_key, w.key AS wave_key, w.status "
        "FROM wave_unit wu JOIN wave w ON w.id = wu.wave "
        f"JOIN org_unit u ON u.id = wu.unit WHERE w.status IN ('draft', 'open') AND u.key IN ({marks}) "
        "ORDER BY u.key, w.key",
        *keys,
    )
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


async def save_upload(upload: StoredUpload) -> None:
    await OrgUpload.insert(
        OrgUpload(
            {
                OrgUpload.token: upload.token,
                OrgUpload.filename: upload.filename,
                OrgUpload.content: upload.content,
                OrgUpload.content_hash: upload.content_hash,
                OrgUpload.uploaded_by: upload.uploaded_by,
                OrgUpload.uploaded_at: upload.uploaded_at,
            }
        )
    ).run()


async def find_upload(token: str) -> StoredUpload | None:
    rows = await OrgUpload.select().where(OrgUpload.token == token).run()
    if not rows:
        return None
    r = rows[0]
    return StoredUpload(
        r["token"], r["filename"], r["content"], r["content_hash"], r["uploaded_by"], r["uploaded_at"]
    )


async def delete_upload(token: str) -> bool:
    """Delete the upload; whether there was one (two confirmations of one upload: one wins)."""
    deleted = await OrgUpload.delete().where(OrgUpload.token == token).returning(OrgUpload.id).run()
    return bool(deleted)


async def delete_uploads_before(moment: dt.datetime) -> None:
    await OrgUpload.delete().where(OrgUpload.uploaded_at < moment).run()
