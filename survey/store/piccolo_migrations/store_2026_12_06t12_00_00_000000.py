"""Measures (Maßnahmen): what units do about the Leitbild's values, with their owners, values and
progress notes.

`measure` holds a measure's facts, `measure_unit` each owning unit (confirmed, or invited until a
lead of it agrees), `measure_value` each value it addresses, `measure_note` its dated progress
notes. Created through piccolo's own table operations, so that SQLite and PostgreSQL get the same
column types as every other table (Timestamptz, the foreign keys with their indexes). Applied
after 2026-12-06T11:00 (access batches and one-time files), the newest migration before it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
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


class MeasureRow(Table, tablename="measure", schema=None):
    id = _id()


ID = "2026-12-06T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "measures: their owning units, values and progress notes"


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


def _reference(table: type[Table], on_delete: OnDelete, *, index: bool) -> dict[str, object]:
    return _params(
        references=table,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=False,
        default=None,
        index=index,
    )


TABLES = {
    ("MeasureRow", "measure"): [
        ("title", Varchar, _params(length=200, default="")),
        ("description", Text, _params(default="")),
        ("items", Text, _params(default="[]")),
        ("responsible", Varchar, _params(length=200, default="")),
        ("starts_on", Date, _params(default=DateNow())),
        ("due_on", Date, _params(default=None, null=True)),
        ("effect_lag_days", Integer, _params(default=0)),
        ("status", Varchar, _params(length=16, default="geplant")),
        ("public", Boolean, _params(default=False)),
        ("created_by", Varchar, _params(length=64, default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("updated_by", Varchar, _params(length=64, default="")),
        ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
    ],
    ("MeasureUnitRow", "measure_unit"): [
        ("measure", ForeignKey, _reference(MeasureRow, OnDelete.cascade, index=True)),
        ("unit", ForeignKey, _reference(OrgUnitRow, OnDelete.restrict, index=False)),
        ("state", Varchar, _params(length=16, default="invited")),
        ("invited_by", Varchar, _params(length=64, default="")),
        ("invited_at", Timestamptz, _params(default=TimestamptzNow())),
        ("confirmed_by", Varchar, _params(length=64, default=None, null=True)),
        ("confirmed_at", Timestamptz, _params(default=None, null=True)),
    ],
    ("MeasureValueRow", "measure_value"): [
        ("measure", ForeignKey, _reference(MeasureRow, OnDelete.cascade, index=True)),
        ("value", Varchar, _params(length=64, default="", index=True)),
    ],
    ("MeasureNoteRow", "measure_note"): [
        ("measure", ForeignKey, _reference(MeasureRow, OnDelete.cascade, index=True)),
        ("noted_on", Date, _params(default=DateNow())),
        ("text", Text, _params(default="")),
        ("author", Varchar, _params(length=64, default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
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
