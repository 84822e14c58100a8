"""A lineage edge keeps the unit's name before the change (`unit_lineage.name_before`): a unit
renamed, under a new key or its own, has only its new name in `org_unit`, and the marker at the
change names it as it was called then. Edges stored before are left empty (their names were not
kept); the pages then name the unit as it is called now. Applied after 2026-12-07T03:01.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unit_lineage.name_before: a unit's name before the change"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)
    manager.add_column(
        table_class_name="UnitLineage",
        tablename="unit_lineage",
        column_name="name_before",
        db_column_name="name_before",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
