"""Invitations, unit links and receipt codes: how respondents reach a wave."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from piccolo.table import Table

from survey.store.engine import current_engine, fetch_tuples, is_sqlite
from survey.store.submission_types import current_minute
from survey.store.tables import FloodCounter, Invitation, ReceiptCode, UnitLink

__all__ = [
    "InvitationTarget",
    "count_failures",
    "current_minute",
    "find_invitation",
    "find_service_point",
    "find_unit_link",
    "insert_invitations",
    "insert_receipt_codes",
    "insert_rows",
    "insert_unit_link",
    "record_failure",
    "unit_by_id",
    "unused_invitations",
]

#: piccolo writes one INSERT per call; both drivers cap one statement near 32,766 parameters
MAX_PARAMETERS = 32_000


@dataclass(frozen=True)
class InvitationTarget:
    wave_id: int
    unit_id: int


@dataclass(frozen=True)
class UnitLinkRow:
    wave_id: int
    unit_id: int
    code_hash: str


@dataclass(frozen=True)
class ServicePointRecord:
    id: int
    key: str
    name: str
    unit_id: int
    unit_name: str


async def insert_rows(table: type[Table], columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    """Multi-row INSERTs in chunks below the drivers' parameter limit. Plain SQL: building 100,000
    piccolo rows and their query strings took seconds of a single request (100,000 receipt codes)."""
    size = max(1, MAX_PARAMETERS // len(columns))
    row = "(" + ", ".join(["{}"] * len(columns)) + ")"
    head = f"INSERT INTO {table._meta.tablename} ({', '.join(columns)}) VALUES "
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        await table.raw(head + ", ".join([row] * len(chunk)), *[v for r in chunk for v in r]).run()


async def insert_invitations(wave_id: int, unit_id: int, hashes: list[str]) -> None:
    await insert_rows(Invitation, ("wave", "unit", "code_hash"), [(wave_id, unit_id, h) for h in hashes])


async def unused_invitations(wave_id: int, unit_id: int | None = None) -> int:
    query = Invitation.count().where(Invitation.wave == wave_id)
    if unit_id is not None:
        query = query.where(Invitation.unit == unit_id)
    return await query.run()


async def find_invitation(code_hash: str) -> InvitationTarget | None:
    # Plain SQL on the respondent side's lookups: building the query with piccolo costs more.
    rows = await fetch_tuples("SELECT wave, unit FROM invitation WHERE code_hash = {}", code_hash, quick=True)
    return InvitationTarget(*rows[0]) if rows else None


async def insert_unit_link(token: str, wave_id: int, unit_id: int, code_hash: str) -> None:
    await UnitLink.insert(UnitLink(token=token, wave=wave_id, unit=unit_id, code_hash=code_hash)).run()


async def find_unit_link(token: str) -> UnitLinkRow | None:
    rows = await fetch_tuples(
        "SELECT wave, unit, code_hash FROM unit_link WHERE token = {}", token, quick=True
    )
    return UnitLinkRow(*rows[0]) if rows else None


async def insert_receipt_codes(service_point_id: int, hashes: list[str], valid_until: dt.date) -> None:
    # SQLite keeps a date as its ISO text (what piccolo writes too); PostgreSQL takes the date
    until: object = valid_until.isoformat() if is_sqlite(current_engine()) else valid_until
    rows = [(service_point_id, h, until) for h in hashes]
    await insert_rows(ReceiptCode, ("service_point", "code_hash", "valid_until"), rows)


async def find_service_point(key: str) -> ServicePointRecord | None:
    rows = await fetch_tuples(
        "SELECT p.id, p.key, p.name, u.id AS unit_id, u.name AS unit_name "
        "FROM service_point p JOIN org_unit u ON u.id = p.unit "
        "WHERE p.key = {} AND p.active = {}",
        key,
        True,
        quick=True,
    )
    return ServicePointRecord(*rows[0]) if rows else None


async def unit_by_id(unit_id: int) -> tuple[str, str]:
    """(key, name) of a unit."""
    (key, name), *_ = await fetch_tuples(
        "SELECT key, name FROM org_unit WHERE id = {}", int(unit_id), quick=True
    )
    return key, name


async def record_failure(scope: str) -> None:
    """Count a failed attempt (a wrong access code) for this scope and minute; no personal data."""
    await FloodCounter.raw(
        "INSERT INTO flood_counter (scope, minute, count) VALUES ({}, {}, 1) "
        "ON CONFLICT (scope, minute) DO UPDATE SET count = flood_counter.count + 1",
        scope,
        current_minute(),
    )


async def count_failures(scope: str, minutes: int = 10) -> int:
    rows = await fetch_tuples(
        "SELECT count FROM flood_counter WHERE scope = {} AND minute > {}",
        scope,
        current_minute() - minutes,
        quick=True,
    )
    return sum(count for (count,) in rows)
