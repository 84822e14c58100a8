"""Comments stored before redaction existed are redacted now, in place: from now on no stored
comment holds a name, phone number, address or similar that the redaction finds (the original is
not kept anywhere). The redaction knows the users' display names here too; the survey office's
own list and rules apply to comments stored after it saves them. Applied after 2026-12-06T14:30.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-06T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "redact the comments stored before redaction"
CHUNK = 2000


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="store", description=DESCRIPTION)

    async def redact_stored() -> None:
        from survey.text.redaction import load_redactor

        engine = engine_finder()
        if not await engine.run_querystring(QueryString("SELECT 1 FROM comment LIMIT 1")):
            return  # nothing stored: a new installation need not load the name lists
        users = await engine.run_querystring(QueryString("SELECT display_name FROM app_user"))
        redactor = load_redactor(extra_names=[u["display_name"] for u in users if u["display_name"]])
        last = 0
        while True:
            rows = await engine.run_querystring(
                QueryString(
                    "SELECT c.id AS id, c.text AS text, r.language AS language FROM comment c "
                    "JOIN response r ON r.id = c.response WHERE c.id > {} ORDER BY c.id LIMIT {}",
                    last,
                    CHUNK,
                )
            )
            if not rows:
                return
            for row in rows:
                redacted = redactor.redact(row["text"], row["language"]).text
                if redacted != row["text"]:
                    await engine.run_querystring(
                        QueryString("UPDATE comment SET text = {} WHERE id = {}", redacted, row["id"])
                    )
            last = rows[-1]["id"]

    manager.add_raw(redact_stored)
    return manager
