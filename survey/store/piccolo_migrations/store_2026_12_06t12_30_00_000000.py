"""Feedback links: one per unit, for its staff's page of results and measures without sign-in.

`feedback_link` holds a unit's random token (unique), the unit (unique: one link per unit; renewing
replaces the token) and who made it when. Created through piccolo's own table operations, so that
SQLite and PostgreSQL get the same column types as every other table. Applied after
2026-12-06T12:00 (measures), the newest migration before it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class OrgUnitRow(Table, tablename="org_unit", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-06T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "feedback links: one per unit, its staff's results and measures without sign-in"


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


COLUMNS = [
    ("token", Varchar, _params(length=64, default="", unique=True)),
    (
        "unit",
        ForeignKey,
        _params(
            references=OrgUnitRow,
            on_delete=OnDelete.restrict,
            on_update=OnUpdate.cascade,
            target_column=None,
            default=None,
            unique=True,
        ),
    ),
    ("created_by", Varchar, _params(length=64, default="")),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)
    manager.add_table(class_name="FeedbackLink", tablename="feedback_link", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="FeedbackLink",
            tablename="feedback_link",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
