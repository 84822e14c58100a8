"""The one read of every respondent request: the code, link or service point with its wave(s),
unit and the Kommune's name, in a single query.

A form and each submission start here; the rest of a submission is the write of survey.store.
submissions. Plain SQL through the driver: building the query with piccolo costs more than the
indexed lookup itself.

What a unit link or a service point leads to is kept per worker for a second (survey.store.
entry_keep): a link's wave, unit and access code never change, and what can (a wave closing early,
a link paused by wrong access codes) the submission writer reads again in the transaction that
stores the answers. The store functions that change waves or the organisation empty the keep, so
this worker sees its own changes at once and other workers within the second. An invitation code
is used once, so its entry is never kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from survey.store.engine import fetch_tuples
from survey.store.entry_keep import kept_or_read
from survey.store.waves import WAVE_COLUMNS, WAVE_WIDTH, Wave, wave_of_row

__all__ = [
    "EntryRecord",
    "find_invitation_entry",
    "find_service_point_entry",
    "find_unit_link_entry",
    "submission_key_used",
]


@dataclass(frozen=True)
class EntryRecord:
    """What a code, link or service point leads to."""

    #: the code's or link's wave; a service point's waves of the audience asked for, newest first
    waves: list[Wave]
    unit_id: int
    unit_name: str
    kommune: str | None
    service_point_id: int | None = None
    service_point_name: str | None = None
    #: a unit link's keyed hash of its shared access code
    access_hash: str | None = None


_VERSION = "JOIN questionnaire_version v ON v.id = w.questionnaire_version"
_KOMMUNE = "(SELECT value FROM setting WHERE key = {})"


def _record(rows: Sequence[Sequence[Any]]) -> EntryRecord | None:
    if not rows:
        return None
    first = rows[0]
    unit_id, unit_name, kommune, point_id, point_name, access_hash = first[WAVE_WIDTH:]
    waves = [wave_of_row(row) for row in rows if row[0] is not None]
    return EntryRecord(waves, unit_id, unit_name, kommune, point_id, point_name, access_hash)


async def find_invitation_entry(code_hash: str) -> EntryRecord | None:
    """The unused invitation with this keyed hash (a used one is deleted with its response)."""
    rows = await fetch_tuples(
        f"SELECT {WAVE_COLUMNS}, u.id, u.name, {_KOMMUNE}, NULL, NULL, NULL "
        f"FROM invitation i JOIN wave w ON w.id = i.wave {_VERSION} JOIN org_unit u ON u.id = i.unit "
        "WHERE i.code_hash = {}",
        "kommune",
        code_hash,
        quick=True,
    )
    return _record(rows)


async def find_unit_link_entry(token: str) -> EntryRecord | None:
    """The unit link of `token` (kept a second)."""

    async def read() -> EntryRecord | None:
        rows = await fetch_tuples(
            f"SELECT {WAVE_COLUMNS}, u.id, u.name, {_KOMMUNE}, NULL, NULL, l.code_hash "
            f"FROM unit_link l JOIN wave w ON w.id = l.wave {_VERSION} JOIN org_unit u ON u.id = l.unit "
            "WHERE l.token = {}",
            "kommune",
            token,
            quick=True,
        )
        return _record(rows)

    return await kept_or_read("unit", token, read)


async def find_service_point_entry(key: str, audience: str) -> EntryRecord | None:
    """The active service point `key` with the waves of `audience` that cover its unit (none: an
    empty list); kept a second."""

    async def read() -> EntryRecord | None:
        rows = await fetch_tuples(
            f"SELECT {WAVE_COLUMNS}, u.id, u.name, {_KOMMUNE}, p.id, p.name, NULL "
            "FROM service_point p JOIN org_unit u ON u.id = p.unit "
            f"LEFT JOIN (wave_unit wu JOIN wave w ON w.id = wu.wave AND w.audience = {{}} {_VERSION}) "
            "ON wu.unit = u.id "
            "WHERE p.key = {} AND p.active = {} ORDER BY w.opens_on DESC",
            "kommune",
            audience,
            key,
            True,
            quick=True,
        )
        return _record(rows)

    return await kept_or_read(f"point:{audience}", key, read)


async def submission_key_used(key_hash: str) -> bool:
    """Has a response been stored with this submission key (its hash)?"""
    rows = await fetch_tuples("SELECT 1 FROM submission_key WHERE key_hash = {}", key_hash, quick=True)
    return bool(rows)
