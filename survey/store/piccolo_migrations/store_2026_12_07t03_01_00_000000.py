"""The organisation and waves stored before versions began (issue 24): the organisation as it is
becomes the first version (valid from the first wave's opening day), and each closed wave keeps
it as the organisation it ran with. Earlier reorganisations were not recorded, so this is the
best that can be known; from now on each closed wave keeps its own. Raw SQL, the same on SQLite
and PostgreSQL; a database without units gets no version.
"""

import datetime as dt

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Timestamptz, Varchar
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T03:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the first organisation version, and the organisation of each closed wave"


class OrgVersion(Table, tablename="org_version", schema=None):
    valid_from = Date()
    applied_at = Timestamptz()
    applied_by = Varchar(length=200)
    content_hash = Varchar(length=64)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)

    async def first_version() -> None:
        engine = engine_finder()
        if not await engine.run_ddl("SELECT 1 FROM org_unit LIMIT 1"):
            return
        first = await engine.run_ddl("SELECT MIN(opens_on) AS day FROM wave")
        day = first[0]["day"] if first and first[0]["day"] is not None else dt.date.today()
        if isinstance(day, str):
            day = dt.date.fromisoformat(day[:10])
        await OrgVersion.insert(
            OrgVersion(valid_from=day, applied_at=dt.datetime.now(dt.UTC), applied_by="", content_hash="")
        ).run()
        await engine.run_ddl(
            "INSERT INTO wave_org_unit (wave, unit, parent, path, depth, headcount, active) "
            "SELECT w.id, u.id, u.parent, u.path, u.depth, u.headcount, u.active "
            "FROM wave w CROSS JOIN org_unit u WHERE w.status = 'closed'"
        )
        await engine.run_ddl(
            "UPDATE wave SET org_version = (SELECT MIN(id) FROM org_version) WHERE status = 'closed'"
        )

    async def forget() -> None:
        engine = engine_finder()
        for table in ("wave_org_unit", "unit_lineage", "org_version"):
            await engine.run_ddl(f"DELETE FROM {table}")
        await engine.run_ddl("UPDATE wave SET org_version = NULL")

    manager.add_raw(first_version)
    manager.add_raw_backwards(forget)
    return manager
