"""The audit log: every sign-in, export, raw-data view, approval and refusal, never the data.

`record()` writes one entry (who, when, action code, target, detail); every code has its sentence
in survey.services.audit_events. `read_log()` reads a page of the entries that match a
`LogFilter` (who, what, from which day to which, which unit: see audit_events for the unit rule),
newest first, paged by entry id; `log_extract()` reads them all for a CSV file. Times are UTC,
and so are the days of the filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from survey.errors import N_, Code, Message, SurveyError
from survey.services.audit_events import EVENTS, GROUPS, codes_of
from survey.store import audit as store
from survey.store.org import list_units

__all__ = [
    "EXTRACT_MOST",
    "AuditRecord",
    "LogFilter",
    "LogFilterError",
    "LogPage",
    "audit_log",
    "filter_summary",
    "log_extract",
    "read_log",
    "record",
]

#: the most entries one CSV extract holds: past it, the filters must be narrower
EXTRACT_MOST = 100_000
#: the largest entry id there can be (a 64-bit integer)
_BIGGEST_ID = 2**63 - 1


@dataclass(frozen=True)
class AuditRecord:
    at: dt.datetime
    username: str
    action: str
    target: str
    detail: str
    id: int = 0


class LogFilterError(SurveyError):
    """A filter of the audit log that names nothing there is (`field`: which one)."""

    def __init__(self, field: str, template: str, **params: object) -> None:
        super().__init__(template, **params)
        self.field = field


@dataclass(frozen=True)
class LogFilter:
    """What a reader of the log asks for; an empty field asks for everything."""

    #: the user name, as written in the log (any case)
    user: str = ""
    #: a group of GROUPS or an action code
    what: str = ""
    #: the first and the last day (UTC) of the entries, both included
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    #: a unit key: the entries that name it or a unit below it
    unit: str = ""


@dataclass(frozen=True)
class LogPage:
    entries: list[AuditRecord]
    #: how many entries match the filter, on every page
    total: int
    #: the id to read the next older page before, None on the oldest page
    older: int | None
    #: the id to read the next newer page after, None on the newest page
    newer: int | None


def _detail_text(detail: str | Message | Iterable[Message]) -> str:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, Message):
        return detail.text()
    return "; ".join(m.text() for m in detail)


async def record(
    username: str, action: str, target: str = "", detail: str | Message | Iterable[Message] = ""
) -> None:
    """Write one entry (its own statement, so it stays even when the request fails later).

    `detail` may be a `Message` (or several, joined by "; "): its English text is kept, and the
    pages read it back in their language through the portal catalog."""
    await store.insert_entry(
        dt.datetime.now(dt.UTC), username[:64], action[:64], target[:300], _detail_text(detail)
    )


def _record(entry: store.StoredEntry) -> AuditRecord:
    return AuditRecord(entry.at, entry.username, entry.action, entry.target, entry.detail, entry.id)


async def audit_log(*, limit: int = 200, action: str | None = None) -> list[AuditRecord]:
    """The newest entries first."""
    chosen = store.EntryFilter(actions=(action,) if action else ())
    return [_record(e) for e in await store.select_entries(chosen, limit=limit)]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


async def _entry_filter(chosen: LogFilter) -> store.EntryFilter:
    actions: tuple[str, ...] = ()
    if chosen.what:
        if chosen.what not in GROUPS and chosen.what not in EVENTS:
            raise LogFilterError("what", N_("there is no kind of event %(what)s"), what=Code(chosen.what))
        actions = codes_of(chosen.what) or ("",)  # a group without codes yet matches nothing
    words: tuple[str, ...] = ()
    if chosen.unit:
        units = await list_units()
        picked = next((u for u in units if u.key == chosen.unit), None)
        if picked is None:
            raise LogFilterError("unit", N_("there is no unit %(unit)s"), unit=Code(chosen.unit))
        words = tuple(u.key for u in units if u.path.startswith(picked.path))
    user = chosen.user.strip()
    return store.EntryFilter(
        usernames=tuple({user, user.lower()}) if user else (),
        actions=actions,
        since=_midnight(chosen.first_day) if chosen.first_day else None,
        until=_midnight(chosen.last_day + dt.timedelta(days=1))
        if chosen.last_day not in (None, dt.date.max)
        else None,
        words=words,
    )


async def read_log(
    chosen: LogFilter, *, before: int | None = None, after: int | None = None, size: int = 50
) -> LogPage:
    """One page of the matching entries, newest first: the newest `size`, those just older than
    entry `before`, or those just newer than entry `after`."""
    query = await _entry_filter(chosen)
    if query.since and query.until and query.since >= query.until:
        return LogPage([], 0, None, None)  # from a day after the last one: nothing
    entries = await store.select_entries(query, before=before, after=after, limit=size)
    total = await store.count_entries(query)
    older = newer = None
    if entries:
        last, first = entries[-1].id, entries[0].id
        older = last if await store.entry_exists(query, before=last) else None
        newer = first if await store.entry_exists(query, after=first) else None
    elif after is not None and await store.entry_exists(query, before=min(after + 1, _BIGGEST_ID)):
        older = min(after + 1, _BIGGEST_ID)  # past the newest entry: the way back
    elif before is not None and await store.entry_exists(query, after=before - 1):
        newer = before - 1
    return LogPage([_record(e) for e in entries], total, older, newer)


async def log_extract(chosen: LogFilter) -> list[AuditRecord]:
    """Every matching entry, newest first (at most EXTRACT_MOST, else LogFilterError)."""
    query = await _entry_filter(chosen)
    total = await store.count_entries(query)
    if total > EXTRACT_MOST:
        raise LogFilterError(
            "",
            N_("%(count)s entries match, more than %(most)s fit in one file: choose fewer days or one kind"),
            count=total,
            most=EXTRACT_MOST,
        )
    return [_record(e) for e in await store.select_entries(query)]


def filter_summary(chosen: LogFilter, *, before: int | None = None, after: int | None = None) -> str:
    """The filters as the detail of a reading of the log ("user=buero; from=2026-11-01")."""
    parts = [
        ("user", chosen.user.strip()),
        ("action", chosen.what),
        ("from", chosen.first_day.isoformat() if chosen.first_day else ""),
        ("until", chosen.last_day.isoformat() if chosen.last_day else ""),
        ("unit", chosen.unit),
        ("before", str(before) if before is not None else ""),
        ("after", str(after) if after is not None else ""),
    ]
    return "; ".join(f"{name}={value}" for name, value in parts if value)
