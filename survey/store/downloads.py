"""What the survey office issued for respondents, and the files of codes kept for one download.

An issue (`access_batch`) is recorded for good: how many codes, for which unit or service point,
when and by whom; never a code. The codes themselves exist in plain text only in the files kept
for their one download (`one_time_file`): taking a file deletes it, and a file not taken is
deleted once it expires. Both live in the database, so that every worker on every host sees the
same files and a file is handed out once, whichever worker is asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.store.engine import as_date, fetch_tuples
from survey.store.tables import AccessBatch, OneTimeFile

__all__ = [
    "IssueRecord",
    "KeptFile",
    "UnitLinkRecord",
    "delete_file",
    "find_file",
    "insert_batch",
    "insert_file",
    "issues_of_service_points",
    "issues_of_wave",
    "pending_files",
    "purge_expired",
    "unit_links_of_wave",
]


@dataclass(frozen=True)
class IssueRecord:
    """One issue as the access page lists it: kind, for whom, how many, when, by whom."""

    kind: str
    #: the unit's or the service point's name and key
    name: str
    key: str
    count: int
    valid_until: dt.date | None
    issued_by: str
    issued_at: dt.datetime


@dataclass(frozen=True)
class KeptFile:
    """A file of codes waiting for its one download."""

    token: str
    kind: str
    owner: str
    #: JSON: the codes and what the file needs besides
    content: str
    expires_at: dt.datetime
    #: what it was issued for: the wave (if any), the unit's or the service point's key and name
    wave_key: str | None
    key: str
    name: str


@dataclass(frozen=True)
class UnitLinkRecord:
    unit_key: str
    unit_name: str
    token: str


def _moment(value: dt.datetime | str) -> dt.datetime:
    """A timestamp as the driver gives it (SQLite: ISO text) as an aware datetime."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def insert_batch(
    kind: str,
    *,
    wave_id: int | None,
    unit_id: int | None,
    service_point_id: int | None,
    count: int,
    issued_by: str,
    issued_at: dt.datetime,
    valid_until: dt.date | None = None,
) -> int:
    """Record an issue; its id."""
    row = AccessBatch(
        kind=kind,
        wave=wave_id,
        unit=unit_id,
        service_point=service_point_id,
        count=count,
        valid_until=valid_until,
        issued_by=issued_by[:64],
        issued_at=issued_at,
    )
    (inserted,) = await AccessBatch.insert(row).returning(AccessBatch.id).run()
    return int(inserted["id"])


async def insert_file(
    token: str, batch_id: int, owner: str, kind: str, content: str, expires_at: dt.datetime
) -> None:
    await OneTimeFile.insert(
        OneTimeFile(
            token=token,
            batch=batch_id,
            owner=owner[:64],
            kind=kind,
            content=content,
            expires_at=expires_at,
        )
    ).run()


_ISSUES = (
    "SELECT b.kind, COALESCE(u.name, p.name), COALESCE(u.key, p.key), b.count, b.valid_until, "
    "b.issued_by, b.issued_at FROM access_batch b "
    "LEFT JOIN org_unit u ON u.id = b.unit LEFT JOIN service_point p ON p.id = b.service_point "
)


def _issue(row: tuple) -> IssueRecord:  # type: ignore[type-arg]
    kind, name, key, count, valid_until, issued_by, issued_at = row
    return IssueRecord(
        kind,
        name,
        key,
        count,
        as_date(valid_until) if valid_until is not None else None,
        issued_by,
        _moment(issued_at),
    )


async def issues_of_wave(wave_id: int) -> list[IssueRecord]:
    """Invitation codes and unit links issued for the wave, the newest first."""
    rows = await fetch_tuples(_ISSUES + "WHERE b.wave = {} ORDER BY b.id DESC", wave_id)
    return [_issue(tuple(r)) for r in rows]


async def issues_of_service_points(service_point_ids: list[int]) -> list[IssueRecord]:
    """Receipt codes issued for these service points (from any page or the API), the newest first."""
    if not service_point_ids:
        return []
    marks = ", ".join("{}" for _ in service_point_ids)
    rows = await fetch_tuples(
        _ISSUES + f"WHERE b.service_point IN ({marks}) ORDER BY b.id DESC", *service_point_ids
    )
    return [_issue(tuple(r)) for r in rows]


_FILES = (
    "SELECT f.token, f.kind, f.owner, f.content, f.expires_at, w.key, "
    "COALESCE(u.key, p.key), COALESCE(u.name, p.name) FROM one_time_file f "
    "JOIN access_batch b ON b.id = f.batch LEFT JOIN wave w ON w.id = b.wave "
    "LEFT JOIN org_unit u ON u.id = b.unit LEFT JOIN service_point p ON p.id = b.service_point "
)


def _file(row: tuple) -> KeptFile:  # type: ignore[type-arg]
    token, kind, owner, content, expires_at, wave_key, key, name = row
    return KeptFile(token, kind, owner, content, _moment(expires_at), wave_key, key, name)


async def pending_files(owner: str, wave_id: int, now: dt.datetime) -> list[KeptFile]:
    """The files of this wave's page still waiting for `owner`'s download, the oldest first."""
    rows = await fetch_tuples(
        _FILES + "WHERE f.owner = {} AND b.wave = {} AND f.expires_at > {} ORDER BY f.id",
        owner,
        wave_id,
        now,
    )
    return [_file(tuple(r)) for r in rows]


async def find_file(token: str, now: dt.datetime) -> KeptFile | None:
    rows = await fetch_tuples(_FILES + "WHERE f.token = {} AND f.expires_at > {}", token, now)
    return _file(tuple(rows[0])) if rows else None


async def delete_file(token: str) -> bool:
    """Delete the file; False if it was gone already (another request took it first)."""
    deleted = await OneTimeFile.delete().where(OneTimeFile.token == token).returning(OneTimeFile.id).run()
    return bool(deleted)


async def purge_expired(now: dt.datetime) -> None:
    await OneTimeFile.delete().where(OneTimeFile.expires_at <= now).run()


async def unit_links_of_wave(wave_id: int) -> list[UnitLinkRecord]:
    rows = await fetch_tuples(
        "SELECT u.key, u.name, l.token FROM unit_link l JOIN org_unit u ON u.id = l.unit "
        "WHERE l.wave = {} ORDER BY u.path, l.id",
        wave_id,
    )
    return [UnitLinkRecord(*r) for r in rows]
