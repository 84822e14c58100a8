"""Apply piccolo migrations; report which are pending."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.check import CheckMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards

from survey.errors import DatabaseError

__all__ = ["migration_status", "upgrade"]

APP = "store"


async def migration_status() -> list[tuple[str, str, bool]]:
    """(migration id, description, applied) for every migration of the app."""
    with contextlib.redirect_stdout(io.StringIO()):
        statuses = await CheckMigrationManager(APP).get_migration_statuses()
    return [(s.migration_id, s.description, s.has_ran) for s in statuses]


async def upgrade() -> list[str]:
    """Apply every pending migration; returns the ids applied (none when up to date)."""
    pending = [mid for mid, _, ran in await migration_status() if not ran]
    if not pending:
        return []
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        result = await run_forwards(APP)
    if not result.success:
        raise DatabaseError(f"the migrations failed: {result.message or output.getvalue()}")
    return pending


async def require_upgraded() -> None:
    pending = [mid for mid, _, ran in await migration_status() if not ran]
    if pending:
        raise DatabaseError(f"the database lacks {len(pending)} migration(s): run `survey db upgrade` first")
