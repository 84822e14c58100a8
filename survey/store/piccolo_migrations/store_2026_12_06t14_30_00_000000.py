"""Comments wait for review where a wave asks for it, and codebooks group them into themes.

`comment.state` is released (every comment before: leads read them as before), pending or
withheld; `office_released` and `personalrat_released` record who released it; `reason` why it
was withheld. `wave.comment_review` is none (every wave before), office, personalrat or both.
`codebook` holds a Leitbild's codebook as the survey office saved it. Created through piccolo's
own table operations, so that SQLite and PostgreSQL get the same column types as every other
table. Applied after 2026-12-06T12:30 (feedback links), the newest migration before it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "comment review per wave; codebooks for comment themes"


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


NEW_COLUMNS = {
    ("Comment", "comment"): [
        ("state", Varchar, _params(length=16, default="released")),
        ("office_released", Boolean, _params(default=False)),
        ("personalrat_released", Boolean, _params(default=False)),
        ("reason", Text, _params(default="")),
    ],
    ("WaveRow", "wave"): [("comment_review", Varchar, _params(length=16, default="none"))],
    ("CodebookRow", "codebook"): [
        ("leitbild", Varchar, _params(length=64, default="", unique=True)),
        ("text", Text, _params(default="")),
        ("revision", Integer, _params(default=1)),
        ("updated_by", Varchar, _params(length=64, default="")),
        ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)
    manager.add_table(class_name="CodebookRow", tablename="codebook", schema=None, columns=None)
    for (class_name, tablename), columns in NEW_COLUMNS.items():
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
