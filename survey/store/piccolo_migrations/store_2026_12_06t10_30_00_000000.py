"""A wave's title in each language, and its participation as last counted.

`wave.titles` holds the titles as JSON text (`{}` for the waves made before: their `title`
serves every language). `wave_participation` keeps one row per wave: responses per unit and per
day, and when they were counted, shared by every worker. Created through piccolo's own table
operations, so that SQLite and PostgreSQL get the same column types as every other table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class WaveRow(Table, tablename="wave", schema=None):
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


ID = "2026-12-06T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "wave titles per language; participation counted per wave"

TABLE = "wave_participation"


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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)
    manager.add_column(
        table_class_name="WaveRow",
        tablename="wave",
        column_name="titles",
        db_column_name="titles",
        column_class_name="Text",
        column_class=Text,
        params=_params(default="{}"),
        schema=None,
    )
    manager.add_table(class_name="WaveParticipationRow", tablename=TABLE, schema=None, columns=None)
    columns = [
        (
            "wave",
            ForeignKey,
            _params(
                references=WaveRow,
                on_delete=OnDelete.cascade,
                on_update=OnUpdate.cascade,
                target_column=None,
                unique=True,
            ),
        ),
        ("counted_at", Timestamptz, _params(default=TimestamptzNow())),
        ("counts", Text, _params(default="{}")),
    ]
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="WaveParticipationRow",
            tablename=TABLE,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
