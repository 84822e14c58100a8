"""One flood counter per scope and minute (the upsert of the submission path needs it)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T09:38:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique flood counter per scope and minute"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)

    async def create() -> None:
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX flood_counter_unique ON flood_counter (scope, minute)"
        )

    async def drop() -> None:
        await engine_finder().run_ddl("DROP INDEX flood_counter_unique")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
