"""The answer tally replaces the count index; the answers keep one index, (unit, wave).

`answer_tally` (survey.store.tally) holds how often each code was given per unit, wave and item,
filled here from the answers. The count index `answer_counts (unit, wave, item, value)` and the
index on the answers' response ids go: a response's sixteen answers touched sixteen pages of the
first and a random page of the second, which took three quarters of the submission writer's time.
`answer_unit (unit, wave)` takes their place for what reads answers by unit and wave; new answers
append to it.

Without an index on `answer.response`, its foreign key would make deleting a response scan every
answer (the cascade looks for children), so the key goes on both engines: PostgreSQL drops the
constraint, SQLite rebuilds the table without it (wave and unit keep theirs there). The only
deletion of responses, a wave's with the demo's --reset, deletes the wave's answers first.
`response_wave (wave)` goes too: `response_wave_unit (wave, unit)` answers everything it did.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-07T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "answer_tally instead of the count index; answer without the response index and key"

NO_ANSWER = -(2**40)  # survey.store.tally.NO_ANSWER, as it was when this migration was written

_TALLY = (
    "CREATE TABLE answer_tally (unit INTEGER NOT NULL, wave INTEGER NOT NULL, item VARCHAR(64) NOT NULL, "
    "value BIGINT NOT NULL, shard INTEGER NOT NULL, n INTEGER NOT NULL, "
    "PRIMARY KEY (unit, wave, item, value, shard))"
)
_FILL = (
    "INSERT INTO answer_tally (unit, wave, item, value, shard, n) "
    f"SELECT unit, wave, item, COALESCE(value, {NO_ANSWER}), 0, COUNT(*) FROM answer "
    f"GROUP BY unit, wave, item, COALESCE(value, {NO_ANSWER})"
)
_SQLITE_ANSWER = (
    'CREATE TABLE "{name}" ("id" INTEGER PRIMARY KEY NOT NULL, '
    '"response" UUID NOT NULL{response_key}, '
    '"wave" INTEGER NOT NULL REFERENCES "wave" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, '
    '"unit" INTEGER NOT NULL REFERENCES "org_unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, '
    '"item" VARCHAR(64) NOT NULL DEFAULT \'\', "value" INTEGER DEFAULT null)'
)
_RESPONSE_KEY = ' REFERENCES "response" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null'


async def _rebuild_sqlite_answer(engine, response_key: str) -> None:  # type: ignore[no-untyped-def]
    """The answer table again, its rows kept, with or without the key on `response`."""
    await engine.run_ddl(_SQLITE_ANSWER.format(name="answer_rebuilt", response_key=response_key))
    await engine.run_ddl(
        "INSERT INTO answer_rebuilt (id, response, wave, unit, item, value) "
        "SELECT id, response, wave, unit, item, value FROM answer"
    )
    await engine.run_ddl("DROP TABLE answer")
    await engine.run_ddl("ALTER TABLE answer_rebuilt RENAME TO answer")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)

    async def tally() -> None:
        engine = engine_finder()
        postgres = isinstance(engine, PostgresEngine)
        await engine.run_ddl(_TALLY if postgres else _TALLY + " WITHOUT ROWID")
        await engine.run_ddl(_FILL)
        if postgres:
            await engine.run_ddl("ALTER TABLE answer DROP CONSTRAINT IF EXISTS answer_response_fkey")
            await engine.run_ddl("DROP INDEX IF EXISTS answer_response")
            await engine.run_ddl("DROP INDEX IF EXISTS answer_counts")
        else:
            await _rebuild_sqlite_answer(engine, "")  # its indexes go with the old table
        await engine.run_ddl("CREATE INDEX answer_unit ON answer (unit, wave)")
        await engine.run_ddl("DROP INDEX IF EXISTS response_wave")

    async def counts_index() -> None:
        engine = engine_finder()
        postgres = isinstance(engine, PostgresEngine)
        if postgres:
            await engine.run_ddl("DROP INDEX answer_unit")
            await engine.run_ddl(
                "ALTER TABLE answer ADD CONSTRAINT answer_response_fkey FOREIGN KEY (response) "
                "REFERENCES response (id) ON DELETE CASCADE ON UPDATE CASCADE"
            )
        else:
            await _rebuild_sqlite_answer(engine, _RESPONSE_KEY)
        await engine.run_ddl('CREATE INDEX answer_response ON "answer" ("response")')
        await engine.run_ddl("CREATE INDEX answer_counts ON answer (unit, wave, item, value)")
        await engine.run_ddl('CREATE INDEX response_wave ON "response" ("wave")')
        await engine.run_ddl("DROP TABLE answer_tally")

    manager.add_raw(tally)
    manager.add_raw_backwards(counts_index)
    return manager
