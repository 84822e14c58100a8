"""What the survey office issued for respondents, and the files of codes kept for one download.

`access_batch` records each issue (invitation codes for a unit, a unit link, receipt codes for a
service point: how many, when, by whom; never a code). `one_time_file` keeps the codes in plain
text for the one download of the person who issued them, a day at most. Created through piccolo's
own table operations, so that SQLite and PostgreSQL get the same column types as every other
table (Timestamptz, the foreign keys with their indexes).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
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


class WaveRow(Table, tablename="wave", schema=None):
    id = _id()


class OrgUnitRow(Table, tablename="org_unit", schema=None):
    id = _id()


class ServicePointRow(Table, tablename="service_point", schema=None):
    id = _id()


class AccessBatch(Table, tablename="access_batch", schema=None):
    id = _id()


ID = "2026-12-06T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "issued access (never a code) and files of codes kept for one download"


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


def _reference(table: type[Table], on_delete: OnDelete, *, null: bool, index: bool) -> dict[str, object]:
    return _params(
        references=table,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        default=None,
        index=index,
    )


TABLES = {
    ("AccessBatch", "access_batch"): [
        ("kind", Varchar, _params(length=16, default="")),
        ("wave", ForeignKey, _reference(WaveRow, OnDelete.cascade, null=True, index=True)),
        ("unit", ForeignKey, _reference(OrgUnitRow, OnDelete.restrict, null=True, index=False)),
        ("service_point", ForeignKey, _reference(ServicePointRow, OnDelete.cascade, null=True, index=True)),
        ("count", Integer, _params(default=0)),
        ("valid_until", Date, _params(default=None, null=True)),
        ("issued_by", Varchar, _params(length=64, default="")),
        ("issued_at", Timestamptz, _params(default=TimestamptzNow())),
    ],
    ("OneTimeFile", "one_time_file"): [
        ("token", Varchar, _params(length=64, default="", unique=True)),
        ("batch", ForeignKey, _reference(AccessBatch, OnDelete.cascade, null=False, index=True)),
        ("owner", Varchar, _params(length=64, default="")),
        ("kind", Varchar, _params(length=16, default="")),
        ("content", Text, _params(default="")),
        ("expires_at", Timestamptz, _params(default=TimestamptzNow())),
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
