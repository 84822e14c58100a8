"""The Personalrat's approvals, kept as a history, and what a wave's approval covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.store.tables import Approval, OrgUnitRow, WaveRow, WaveUnitRow

__all__ = ["StoredApproval", "insert_approval", "list_approvals", "wave_unit_keys", "wave_version_hash"]


@dataclass(frozen=True)
class StoredApproval:
    kind: str
    subject: str
    content_hash: str
    approved_by: str
    approved_at: dt.datetime


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back what it was given; PostgreSQL an aware time. Both mean UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def insert_approval(
    kind: str, subject: str, content_hash: str, approved_by: str, approved_at: dt.datetime
) -> None:
    await Approval.insert(
        Approval(
            kind=kind,
            subject=subject,
            content_hash=content_hash,
            approved_by=approved_by,
            approved_at=approved_at,
        )
    ).run()


async def list_approvals(kind: str | None = None, subject: str | None = None) -> list[StoredApproval]:
    """Approvals, the newest first."""
    query = Approval.select(
        Approval.kind, Approval.subject, Approval.content_hash, Approval.approved_by, Approval.approved_at
    ).order_by(Approval.approved_at, Approval.id, ascending=False)
    if kind is not None:
        query = query.where(Approval.kind == kind)
    if subject is not None:
        query = query.where(Approval.subject == subject)
    return [
        StoredApproval(r["kind"], r["subject"], r["content_hash"], r["approved_by"], _aware(r["approved_at"]))
        for r in await query.run()
    ]


async def wave_unit_keys(wave_id: int) -> list[str]:
    rows = (
        await OrgUnitRow.select(OrgUnitRow.key)
        .where(OrgUnitRow.id.is_in(WaveUnitRow.select(WaveUnitRow.unit).where(WaveUnitRow.wave == wave_id)))
        .run()
    )
    return sorted(r["key"] for r in rows)


async def wave_version_hash(wave_id: int) -> str:
    """The published content hash of the questionnaire version the wave uses."""
    row = (
        await WaveRow.select(WaveRow.questionnaire_version.content_hash.as_alias("content_hash"))
        .where(WaveRow.id == wave_id)
        .first()
        .run()
    )
    return row["content_hash"]
