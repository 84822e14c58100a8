"""Organisation versions (issue 24): `org_version` for every applied organisation, `unit_lineage`
for how units follow from the ones before (renamed, moved, merged, split, dissolved, new),
`wave_org_unit` for the organisation a closed wave ran with, and `wave.org_version`. Created
through piccolo's own table operations, so that SQLite and PostgreSQL get the same column types
as every other table. Applied after 2026-12-06T21:00 (kept figures), the newest migration before
it; the next migration fills them for the organisation and waves already stored.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


def _id() -> Serial:
    return Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class OrgUnitRow(Table, tablename="org_unit", schema=None):
    id = _id()


class WaveRow(Table, tablename="wave", schema=None):
    id = _id()


class OrgVersion(Table, tablename="org_version", schema=None):
    id = _id()


ID = "2026-12-07T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "organisation versions: org_version, unit_lineage, wave_org_unit, wave.org_version"


def _params(**changes: object) -> dict[str, object]:
    params: dict[str, object] = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(changes)
    return params


def _key(table: type[Table], on_delete: OnDelete, **changes: object) -> tuple[type, dict[str, object]]:
    return ForeignKey, _params(
        references=table,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        default=None,
        **changes,
    )


TABLES: dict[tuple[str, str], list[tuple[str, tuple[type, dict[str, object]]]]] = {
    ("OrgVersion", "org_version"): [
        ("valid_from", (Date, _params(default=DateNow()))),
        ("applied_at", (Timestamptz, _params(default=TimestamptzNow()))),
        ("applied_by", (Varchar, _params(length=200, default=""))),
        ("content_hash", (Varchar, _params(length=64, default=""))),
    ],
    ("UnitLineage", "unit_lineage"): [
        ("version", _key(OrgVersion, OnDelete.cascade, index=True)),
        ("kind", (Varchar, _params(length=16, default=""))),
        ("predecessor", _key(OrgUnitRow, OnDelete.restrict, null=True)),
        ("successor", _key(OrgUnitRow, OnDelete.restrict, null=True)),
        ("share", (DoublePrecision, _params(default=None, null=True))),
    ],
    ("WaveOrgUnit", "wave_org_unit"): [
        ("wave", _key(WaveRow, OnDelete.cascade, index=True)),
        ("unit", _key(OrgUnitRow, OnDelete.restrict)),
        ("parent", (Integer, _params(default=None, null=True))),
        ("path", (Varchar, _params(length=1000, default=""))),
        ("depth", (Integer, _params(default=0))),
        ("headcount", (Integer, _params(default=0))),
        ("active", (Boolean, _params(default=True))),
    ],
    ("WaveRow", "wave"): [
        ("org_version", (Integer, _params(default=None, null=True))),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)
    for class_name, tablename in TABLES:
        if tablename != "wave":
            manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
    for (class_name, tablename), columns in TABLES.items():
        for name, (column_class, params) in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
