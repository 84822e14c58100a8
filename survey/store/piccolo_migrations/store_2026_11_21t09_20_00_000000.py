"""Composite unique keys and the covering index of the count query.

piccolo's column options cannot express them; the SQL is the same on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T09:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique keys and count indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX questionnaire_version_unique "
    "ON questionnaire_version (questionnaire, version)",
    "CREATE UNIQUE INDEX wave_unit_unique ON wave_unit (wave, unit)",
    "CREATE INDEX answer_counts ON answer (wave, unit, item, value)",
    "CREATE INDEX response_wave_unit ON response (wave, unit)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        for sql in STATEMENTS:
            await engine.run_ddl(sql)

    async def drop_indexes() -> None:
        engine = engine_finder()
        for sql in STATEMENTS:
            name = sql.split(" INDEX ")[1].split()[0]
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
