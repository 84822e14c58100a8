"""The audit log: every sign-in, export, raw-data view, approval and refusal, never the data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.store.tables import AuditEntry

__all__ = ["AuditRecord", "audit_log", "record"]


@dataclass(frozen=True)
class AuditRecord:
    at: dt.datetime
    username: str
    action: str
    target: str
    detail: str


async def record(username: str, action: str, target: str = "", detail: str = "") -> None:
    """Write one entry (its own statement, so it stays even when the request fails later)."""
    await AuditEntry.insert(
        AuditEntry(
            at=dt.datetime.now(dt.UTC),
            username=username[:64],
            action=action[:64],
            target=target[:300],
            detail=detail,
        )
    ).run()


async def audit_log(*, limit: int = 200, action: str | None = None) -> list[AuditRecord]:
    """The newest entries first."""
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    return [
        AuditRecord(r["at"], r["username"], r["action"], r["target"], r["detail"]) for r in await query.run()
    ]
