"""answer.wave and answer.unit without foreign keys on PostgreSQL.

They are copies of the response's wave and unit, written in the same statement batch as the
response, whose own keys guard them. Checking them took two thirds of the time of loading answers
into PostgreSQL (BENCHMARKS.md, bulk load); SQLite keeps them (a check there costs little, and
dropping a constraint would mean rebuilding the table).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-21T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "answer: no foreign keys on the copies of wave and unit (PostgreSQL)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)

    async def drop() -> None:
        engine = engine_finder()
        if isinstance(engine, PostgresEngine):
            await engine.run_ddl(
                "ALTER TABLE answer DROP CONSTRAINT IF EXISTS answer_wave_fkey, "
                "DROP CONSTRAINT IF EXISTS answer_unit_fkey"
            )

    async def restore() -> None:
        engine = engine_finder()
        if isinstance(engine, PostgresEngine):
            await engine.run_ddl(
                "ALTER TABLE answer ADD CONSTRAINT answer_wave_fkey FOREIGN KEY (wave) REFERENCES wave (id) "
                "ON DELETE RESTRICT, ADD CONSTRAINT answer_unit_fkey FOREIGN KEY (unit) REFERENCES org_unit (id) "
                "ON DELETE RESTRICT"
            )

    manager.add_raw(drop)
    manager.add_raw_backwards(restore)
    return manager
