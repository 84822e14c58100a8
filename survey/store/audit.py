"""The audit log's queries: entries written one at a time, read newest first by filter, and paged
by their id (keyset): a page asks for the entries before or after an id it has shown, so that
entries written meanwhile (each reading of the log is one) never shift a page.

The words of an entry's target and detail that can be unit keys are kept beside it (`audit_word`),
so that "which entries name these units" is an index lookup, not a read of the whole log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from survey.store.engine import write_transaction
from survey.store.tables import AuditEntry, AuditWord

__all__ = [
    "EntryFilter",
    "StoredEntry",
    "count_entries",
    "entry_exists",
    "insert_entry",
    "select_entries",
    "words_of",
]

#: a word as a key is written (survey.domain.schemas.ID_PATTERN): letters a–z, digits and inner
#: "-"; any other character ends it, so "dashboard asd", "unit=asd" and "lead:asd" hold the word
#: asd, and "asd-nord" or "puls-asd-2026" do not
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HEX_HASH = re.compile(r"[0-9a-f]{32,}")
#: the most words kept of one entry (a long detail names its units early)
_MOST_WORDS = 64


def words_of(*texts: str) -> list[str]:
    """The words of the texts that can be unit keys: with a letter, at most 64 characters, not a
    checksum; each once, in order."""
    found: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(text.lower()):
            if len(word) <= 64 and not word.isdigit() and not _HEX_HASH.fullmatch(word):
                found.setdefault(word)
    return list(found)[:_MOST_WORDS]


@dataclass(frozen=True)
class EntryFilter:
    """Which entries: every condition given must hold (an empty one holds for all)."""

    #: the entry's user name is one of these
    usernames: Sequence[str] = ()
    #: its action code is one of these
    actions: Sequence[str] = ()
    #: written at or after this moment
    since: dt.datetime | None = None
    #: written before this moment
    until: dt.datetime | None = None
    #: its target or its detail holds one of these words (`words_of`)
    words: Sequence[str] = ()


@dataclass(frozen=True)
class StoredEntry:
    id: int
    at: dt.datetime
    username: str
    action: str
    target: str
    detail: str


async def insert_entry(at: dt.datetime, username: str, action: str, target: str, detail: str) -> None:
    """The entry, and its words beside it, in one transaction: one commit (and on SQLite one turn
    of the write lock, which the submission writer waits for) instead of two."""
    words = words_of(target, detail)
    async with write_transaction():
        [row] = await AuditEntry.insert(
            AuditEntry(at=at, username=username, action=action, target=target, detail=detail)
        ).run()
        if words:
            await AuditWord.insert(*(AuditWord(entry=row["id"], word=word) for word in words)).run()


def _conditions(chosen: EntryFilter, before: int | None = None, after: int | None = None) -> list[Any]:
    conditions: list[Any] = []
    if chosen.usernames:
        conditions.append(AuditEntry.username.is_in(list(chosen.usernames)))
    if chosen.actions:
        conditions.append(AuditEntry.action.is_in(list(chosen.actions)))
    if chosen.since is not None:
        conditions.append(AuditEntry.at >= chosen.since)
    if chosen.until is not None:
        conditions.append(AuditEntry.at < chosen.until)
    if chosen.words:
        named = AuditWord.select(AuditWord.entry).where(
            AuditWord.word.is_in([w.lower() for w in chosen.words])
        )
        conditions.append(AuditEntry.id.is_in(named))
    if before is not None:
        conditions.append(AuditEntry.id < before)
    if after is not None:
        conditions.append(AuditEntry.id > after)
    return conditions


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back what it was given; PostgreSQL an aware time. Both mean UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def select_entries(
    chosen: EntryFilter, *, before: int | None = None, after: int | None = None, limit: int | None = None
) -> list[StoredEntry]:
    """The entries that match, newest first: with `after` alone, the `limit` oldest of those newer
    than it (still listed newest first), else the `limit` newest (older than `before`, if given)."""
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=after is not None and before is None)
    conditions = _conditions(chosen, before, after)
    if conditions:
        query = query.where(*conditions)
    if limit is not None:
        query = query.limit(limit)
    rows = [
        StoredEntry(r["id"], _aware(r["at"]), r["username"], r["action"], r["target"], r["detail"])
        for r in await query.run()
    ]
    return sorted(rows, key=lambda entry: entry.id, reverse=True)


async def count_entries(chosen: EntryFilter) -> int:
    conditions = _conditions(chosen)
    query = AuditEntry.count()
    if conditions:
        query = query.where(*conditions)
    return await query.run()


async def entry_exists(chosen: EntryFilter, *, before: int | None = None, after: int | None = None) -> bool:
    """Whether any entry matches (older than `before`, newer than `after`)."""
    query = AuditEntry.select(AuditEntry.id).limit(1)
    conditions = _conditions(chosen, before, after)
    if conditions:
        query = query.where(*conditions)
    return bool(await query.run())
