"""Organisation files uploaded in the browser, kept between their preview and their apply."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T10:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "organisation uploads awaiting their apply"

_COMMON = {
    "null": False,
    "primary_key": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)
    manager.add_table(class_name="OrgUpload", tablename="org_upload", schema=None, columns=None)
    columns = [
        ("token", Varchar, {"length": 64, "default": "", "unique": True}),
        ("filename", Varchar, {"length": 200, "default": "", "unique": False}),
        ("content", Text, {"default": "", "unique": False}),
        ("content_hash", Varchar, {"length": 64, "default": "", "unique": False}),
        ("uploaded_by", Varchar, {"length": 64, "default": "", "unique": False}),
        ("uploaded_at", Timestamptz, {"default": TimestamptzNow(), "unique": False}),
    ]
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="OrgUpload",
            tablename="org_upload",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params={**_COMMON, **params},
            schema=None,
        )
    return manager
