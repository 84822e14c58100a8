"""Figures and charts kept for every worker and host (issue 23): `kept_figure` holds one
computation's figures with the data stamp they came from, `kept_chart` a chart's SVG by the hash
of what it is drawn from. Both are derived and may be emptied at any time. Created through
piccolo's own table operations, so that SQLite and PostgreSQL get the same column types as every
other table. Applied after 2026-12-06T17:00 (e-mail invitations), the newest migration before it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "figures and charts kept for every worker: kept_figure, kept_chart"


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


TABLES: dict[tuple[str, str], list[tuple[str, tuple[type, dict[str, object]]]]] = {
    ("KeptFigure", "kept_figure"): [
        ("key", (Varchar, _params(length=64, default="", unique=True))),
        ("stamp", (Varchar, _params(length=64, default=""))),
        ("body", (Text, _params(default=""))),
        ("made_at", (Timestamptz, _params(default=TimestamptzNow()))),
    ],
    ("KeptChart", "kept_chart"): [
        ("key", (Varchar, _params(length=64, default="", unique=True))),
        ("svg", (Text, _params(default=""))),
        ("made_at", (Timestamptz, _params(default=TimestamptzNow()))),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)
    for class_name, tablename in TABLES:
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
