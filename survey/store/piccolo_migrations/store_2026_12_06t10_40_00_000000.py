"""The audit log's filters get their indexes: by user name, by time, and by the unit keys an entry
names (audit_word: the words of each entry's target and detail that can be keys).

The log is read newest first, 50 entries at a time, filtered by who, what (already indexed:
`action`), from which day to which and which unit. Without these, each filter read the whole log,
which grows with every sign-in and every reading of the log itself; a unit filter, which looks
for the unit's key and its sub-units' keys as whole words, took seconds at 200 000 entries.

The words of the entries written before this migration are filled in here, by the rule of
survey.store.audit.words_of as it was written then (copied, so that this migration stays as it ran).
"""

import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-06T10:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log indexes: user name, time, unit words"

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HEX_HASH = re.compile(r"[0-9a-f]{32,}")
_CHUNK = 2000


def _words_of(*texts):
    found = {}
    for text in texts:
        for word in _WORD.findall((text or "").lower()):
            if len(word) <= 64 and not word.isdigit() and not _HEX_HASH.fullmatch(word):
                found.setdefault(word)
    return list(found)[:64]


async def _fill_words(engine) -> None:
    last = 0
    while True:
        rows = await engine.run_ddl(
            f'SELECT "id", "target", "detail" FROM "audit_log" WHERE "id" > {last} ORDER BY "id" LIMIT {_CHUNK}'
        )
        if not rows:
            return
        # the words are [a-z0-9-] and the ids whole numbers: safe to write into the statement
        values = [f"({int(r['id'])}, '{w}')" for r in rows for w in _words_of(r["target"], r["detail"])]
        if values:
            await engine.run_ddl(f'INSERT INTO "audit_word" ("entry", "word") VALUES {", ".join(values)}')
        last = int(rows[-1]["id"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        id_column = (
            '"id" INTEGER PRIMARY KEY NOT NULL'
            if isinstance(engine, SQLiteEngine)
            else '"id" SERIAL PRIMARY KEY NOT NULL'
        )
        await engine.run_ddl(
            f'CREATE TABLE "audit_word" ({id_column}, "entry" INTEGER NOT NULL DEFAULT 0, '
            "\"word\" VARCHAR(64) NOT NULL DEFAULT '')"
        )
        await _fill_words(engine)
        await engine.run_ddl('CREATE INDEX audit_word_lookup ON "audit_word" ("word", "entry")')
        await engine.run_ddl('CREATE INDEX audit_log_username_id ON "audit_log" ("username", "id")')
        await engine.run_ddl('CREATE INDEX audit_log_at ON "audit_log" ("at")')

    async def drop() -> None:
        engine = engine_finder()
        await engine.run_ddl('DROP TABLE "audit_word"')
        await engine.run_ddl("DROP INDEX audit_log_username_id")
        await engine.run_ddl("DROP INDEX audit_log_at")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
