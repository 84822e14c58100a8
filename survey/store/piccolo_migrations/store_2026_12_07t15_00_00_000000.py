"""The answer tally counts the responses too: one row per unit and wave under the item RESPONSES.

Counting the responses of a unit and wave read every one of them (the index on (wave, unit)):
at tens of thousands of responses in an open wave, each report's respondents took a fifth of a
second of the database, and every data stamp counted the open waves' responses again. The tally
(survey.store.tally) now keeps that number as its writers add each response; this fills it from
the responses there are.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the answer tally counts the responses per unit and wave"

# survey.store.tally.RESPONSES and NO_ANSWER, as they were when this migration was written
RESPONSES = "#responses"
NO_ANSWER = -(2**40)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)

    async def fill() -> None:
        await engine_finder().run_ddl(
            "INSERT INTO answer_tally (unit, wave, item, value, shard, n) "
            f"SELECT unit, wave, '{RESPONSES}', {NO_ANSWER}, 0, COUNT(*) FROM response GROUP BY unit, wave"
        )

    async def empty() -> None:
        await engine_finder().run_ddl(f"DELETE FROM answer_tally WHERE item = '{RESPONSES}'")

    manager.add_raw(fill)
    manager.add_raw_backwards(empty)
    return manager
