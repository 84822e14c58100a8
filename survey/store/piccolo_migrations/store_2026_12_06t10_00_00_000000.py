"""Drafts of questionnaire versions and Leitbilder, edited in the browser (catalog_draft).

Raw DDL, one statement per engine where they differ (the id column), so that both end up as
piccolo would have made the table; (kind, key, version) is unique: one draft per version.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-06T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drafts of questionnaire versions and Leitbilder"

_COLUMNS = (
    "\"kind\" VARCHAR(16) NOT NULL DEFAULT '', "
    "\"key\" VARCHAR(64) NOT NULL DEFAULT '', "
    '"version" INTEGER NOT NULL DEFAULT 0, '
    "\"text\" TEXT NOT NULL DEFAULT '', "
    '"revision" INTEGER NOT NULL DEFAULT 1, '
    "\"created_by\" VARCHAR(64) NOT NULL DEFAULT '', "
    '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    "\"saved_by\" VARCHAR(64) NOT NULL DEFAULT '', "
    '"saved_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp'
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        id_column = (
            '"id" INTEGER PRIMARY KEY NOT NULL'
            if isinstance(engine, SQLiteEngine)
            else '"id" SERIAL PRIMARY KEY NOT NULL'
        )
        await engine.run_ddl(f'CREATE TABLE "catalog_draft" ({id_column}, {_COLUMNS})')
        await engine.run_ddl(
            'CREATE UNIQUE INDEX catalog_draft_unique ON "catalog_draft" ("kind", "key", "version")'
        )

    async def drop() -> None:
        await engine_finder().run_ddl('DROP TABLE "catalog_draft"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
