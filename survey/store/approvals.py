"""The Personalrat's approvals and rejections, kept as a history, and what a wave's approval covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.store.tables import (
    Approval,
    ApprovalRejection,
    AuditEntry,
    OrgUnitRow,
    WaveRow,
    WaveUnitRow,
)

__all__ = [
    "StoredApproval",
    "StoredRejection",
    "WaveUnit",
    "insert_approval",
    "insert_rejection",
    "list_approvals",
    "list_rejections",
    "wave_changed_at",
    "wave_unit_keys",
    "wave_units",
    "wave_version_hash",
]


@dataclass(frozen=True)
class StoredApproval:
    kind: str
    subject: str
    content_hash: str
    approved_by: str
    approved_at: dt.datetime
    #: JSON of what a wave was when approved (None for versions and older approvals)
    facts: str | None = None


@dataclass(frozen=True)
class StoredRejection:
    kind: str
    subject: str
    content_hash: str
    reason: str
    rejected_by: str
    rejected_at: dt.datetime
    facts: str | None = None


@dataclass(frozen=True)
class WaveUnit:
    """A unit a wave covers, with its headcount as the organisation file gives it now."""

    key: str
    name: str
    kind: str
    headcount: int
    depth: int


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back what it was given; PostgreSQL an aware time. Both mean UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def insert_approval(
    kind: str,
    subject: str,
    content_hash: str,
    approved_by: str,
    approved_at: dt.datetime,
    facts: str | None = None,
) -> None:
    await Approval.insert(
        Approval(
            kind=kind,
            subject=subject,
            content_hash=content_hash,
            approved_by=approved_by,
            approved_at=approved_at,
            facts=facts,
        )
    ).run()


async def insert_rejection(rejection: StoredRejection) -> None:
    await ApprovalRejection.insert(
        ApprovalRejection(
            kind=rejection.kind,
            subject=rejection.subject,
            content_hash=rejection.content_hash,
            reason=rejection.reason,
            rejected_by=rejection.rejected_by,
            rejected_at=rejection.rejected_at,
            facts=rejection.facts,
        )
    ).run()


async def list_approvals(kind: str | None = None, subject: str | None = None) -> list[StoredApproval]:
    """Approvals, the newest first."""
    query = Approval.select(
        Approval.kind,
        Approval.subject,
        Approval.content_hash,
        Approval.approved_by,
        Approval.approved_at,
        Approval.facts,
    ).order_by(Approval.approved_at, Approval.id, ascending=False)
    if kind is not None:
        query = query.where(Approval.kind == kind)
    if subject is not None:
        query = query.where(Approval.subject == subject)
    return [
        StoredApproval(
            r["kind"], r["subject"], r["content_hash"], r["approved_by"], _aware(r["approved_at"]), r["facts"]
        )
        for r in await query.run()
    ]


async def list_rejections(kind: str | None = None, subject: str | None = None) -> list[StoredRejection]:
    """Rejections, the newest first."""
    query = ApprovalRejection.select(
        ApprovalRejection.kind,
        ApprovalRejection.subject,
        ApprovalRejection.content_hash,
        ApprovalRejection.reason,
        ApprovalRejection.rejected_by,
        ApprovalRejection.rejected_at,
        ApprovalRejection.facts,
    ).order_by(ApprovalRejection.rejected_at, ApprovalRejection.id, ascending=False)
    if kind is not None:
        query = query.where(ApprovalRejection.kind == kind)
    if subject is not None:
        query = query.where(ApprovalRejection.subject == subject)
    return [
        StoredRejection(
            r["kind"],
            r["subject"],
            r["content_hash"],
            r["reason"],
            r["rejected_by"],
            _aware(r["rejected_at"]),
            r["facts"],
        )
        for r in await query.run()
    ]


async def wave_unit_keys(wave_id: int) -> list[str]:
    rows = (
        await OrgUnitRow.select(OrgUnitRow.key)
        .where(OrgUnitRow.id.is_in(WaveUnitRow.select(WaveUnitRow.unit).where(WaveUnitRow.wave == wave_id)))
        .run()
    )
    return sorted(r["key"] for r in rows)


async def wave_units(wave_id: int) -> list[WaveUnit]:
    """The wave's units in tree order."""
    rows = (
        await OrgUnitRow.select(
            OrgUnitRow.key, OrgUnitRow.name, OrgUnitRow.kind, OrgUnitRow.headcount, OrgUnitRow.depth
        )
        .where(OrgUnitRow.id.is_in(WaveUnitRow.select(WaveUnitRow.unit).where(WaveUnitRow.wave == wave_id)))
        .order_by(OrgUnitRow.path)
        .run()
    )
    return [WaveUnit(r["key"], r["name"], r["kind"], r["headcount"] or 0, r["depth"]) for r in rows]


async def wave_changed_at(wave_id: int, key: str, actions: tuple[str, ...]) -> dt.datetime:
    """When the wave was last created or changed: the newest audit entry of `actions` about it, or
    (where none was written) the time the wave was created."""
    entry = (
        await AuditEntry.select(AuditEntry.at)
        .where((AuditEntry.target == key) & AuditEntry.action.is_in(list(actions)))
        .order_by(AuditEntry.id, ascending=False)
        .first()
        .run()
    )
    if entry is not None:
        return _aware(entry["at"])
    row = await WaveRow.select(WaveRow.created_at).where(WaveRow.id == wave_id).first().run()
    return _aware(row["created_at"])


async def wave_version_hash(wave_id: int) -> str:
    """The published content hash of the questionnaire version the wave uses."""
    row = (
        await WaveRow.select(WaveRow.questionnaire_version.content_hash.as_alias("content_hash"))
        .where(WaveRow.id == wave_id)
        .first()
        .run()
    )
    return row["content_hash"]
