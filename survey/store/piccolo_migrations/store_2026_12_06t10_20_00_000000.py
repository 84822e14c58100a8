"""The Personalrat's rejections (with their reason), and what a wave was when it was decided on.

`approval_rejection` holds each rejection of a staff questionnaire version or wave: who, when, why
and the content hash it refers to. `approval.facts` (and `approval_rejection.facts`) keep a wave's
version, thresholds and units as JSON when it is decided on, so that a later change can be named.
Created through piccolo's own table operations, so that SQLite and PostgreSQL get the same column
types as every other table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T10:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the Personalrat's rejections; what a wave was when it was decided on"

TABLE = "approval_rejection"


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
    manager.add_table(class_name="ApprovalRejection", tablename=TABLE, schema=None, columns=None)
    columns = [
        ("kind", Varchar, _params(length=16, default="")),
        ("subject", Varchar, _params(length=100, default="", index=True)),
        ("content_hash", Varchar, _params(length=64, default="")),
        ("reason", Text, _params(default="")),
        ("rejected_by", Varchar, _params(length=64, default="")),
        ("rejected_at", Timestamptz, _params(default=TimestamptzNow())),
        ("facts", Text, _params(default=None, null=True)),
    ]
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="ApprovalRejection",
            tablename=TABLE,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    manager.add_column(
        table_class_name="Approval",
        tablename="approval",
        column_name="facts",
        db_column_name="facts",
        column_class_name="Text",
        column_class=Text,
        params=_params(default=None, null=True),
        schema=None,
    )
    return manager
