"""The mail tables' reads and writes (survey.store.tables._mail): lists, outbox, tallies, lease.

Every change of a mail's state is one conditional UPDATE (`… WHERE state = 'due'`), so that of two
senders only one can take a mail, on SQLite and PostgreSQL alike. Addresses are deleted with
SQLite's secure_delete on, so that no free page of the file (nor a backup of it) keeps them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.store.access import insert_rows
from survey.store.engine import fetch_tuples, is_sqlite
from survey.store.tables import MailLease, MailOutbox, MailRecipient, MailRound, MailTally

__all__ = [
    "ClaimedMail",
    "MailCounts",
    "NewRecipient",
    "claim",
    "count_mails",
    "delete_recipients",
    "due_mail_ids",
    "insert_recipients",
    "known_address_keys",
    "lists_in_waves",
    "mark",
    "queue_for",
    "recipients_of",
    "record_round",
    "release_lease",
    "reseal",
    "round_numbers",
    "settle_abandoned",
    "stop_recipient",
    "take_lease",
]


@dataclass(frozen=True)
class NewRecipient:
    unit_id: int
    language: str
    address_key: str
    sealed: str


@dataclass(frozen=True)
class ClaimedMail:
    id: int
    recipient_id: int
    wave_id: int
    unit_id: int
    kind: str
    language: str
    sealed: str
    stopped: bool


@dataclass(frozen=True)
class MailCounts:
    """One unit's mails of one kind: in the outbox now, and tallied."""

    unit_id: int
    kind: str
    due: int
    sent: int
    refused: int
    uncertain: int
    stopped: int


async def known_address_keys(wave_id: int) -> set[str]:
    rows = await fetch_tuples("SELECT address_key FROM mail_recipient WHERE wave = {}", wave_id)
    return {row[0] for row in rows}


async def insert_recipients(wave_id: int, recipients: list[NewRecipient]) -> None:
    columns = ("wave", "unit", "language", "address_key", "sealed", "stopped")
    await insert_rows(
        MailRecipient,
        columns,
        [(wave_id, r.unit_id, r.language, r.address_key, r.sealed, False) for r in recipients],
    )


async def queue_for(wave_id: int, kind: str, due_on: dt.date, recipient_ids: list[int] | None = None) -> int:
    """Queue mail `kind` to every address of the wave that has not stopped (or to `recipient_ids`
    only) and has not got it queued yet; the number queued. Inside a write transaction."""
    before = await _outbox_count(wave_id, kind)
    if recipient_ids is None:
        await MailOutbox.raw(
            "INSERT INTO mail_outbox (recipient, wave, unit, kind, mail_key, due_on, state, worker) "
            "SELECT r.id, r.wave, r.unit, {}, CAST(r.id AS VARCHAR(20)) || ':' || {}, "
            "CAST({} AS DATE), 'due', '' "
            "FROM mail_recipient r WHERE r.wave = {} AND NOT r.stopped AND NOT EXISTS "
            "(SELECT 1 FROM mail_outbox o WHERE o.recipient = r.id AND o.kind = {})",
            kind,
            kind,
            due_on,
            wave_id,
            kind,
        ).run()
    else:
        columns = ("recipient", "wave", "unit", "kind", "mail_key", "due_on", "state", "worker")
        units = dict(
            await fetch_tuples("SELECT id, unit FROM mail_recipient WHERE wave = {}", wave_id)  # type: ignore[arg-type]
        )
        await insert_rows(
            MailOutbox,
            columns,
            [(r, wave_id, units[r], kind, f"{r}:{kind}", due_on, "due", "") for r in recipient_ids],
        )
    await MailTally.raw(
        "INSERT INTO mail_tally (tally_key, wave, unit, kind, sent, refused, uncertain, stopped) "
        "SELECT DISTINCT CAST(o.wave AS VARCHAR(20)) || ':' || CAST(o.unit AS VARCHAR(20)) || ':' || o.kind, "
        "o.wave, o.unit, o.kind, 0, 0, 0, 0 FROM mail_outbox o WHERE o.wave = {} AND o.kind = {} "
        "ON CONFLICT (tally_key) DO NOTHING",
        wave_id,
        kind,
    ).run()
    return await _outbox_count(wave_id, kind) - before


async def _outbox_count(wave_id: int, kind: str) -> int:
    rows = await fetch_tuples("SELECT COUNT(*) FROM mail_outbox WHERE wave = {} AND kind = {}", wave_id, kind)
    return int(rows[0][0])


async def recipients_of(wave_id: int) -> list[tuple[int, str, bool]]:
    """(id, sealed, stopped) of every address of the wave."""
    rows = await fetch_tuples("SELECT id, sealed, stopped FROM mail_recipient WHERE wave = {}", wave_id)
    return [(int(r[0]), r[1], bool(r[2])) for r in rows]


async def round_numbers(wave_id: int) -> set[int]:
    rows = await fetch_tuples("SELECT number FROM mail_round WHERE wave = {}", wave_id)
    return {int(r[0]) for r in rows}


async def record_round(wave_id: int, number: int, now: dt.datetime) -> bool:
    """Note reminder `number` of the wave as queued; False where another worker did it first."""
    rows = await MailRound.raw(
        "INSERT INTO mail_round (round_key, wave, number, queued_at) VALUES ({}, {}, {}, {}) "
        "ON CONFLICT (round_key) DO NOTHING RETURNING id",
        f"{wave_id}:{number}",
        wave_id,
        number,
        now,
    ).run()
    return bool(rows)


async def lists_in_waves(wave_ids: list[int]) -> set[int]:
    """The waves of `wave_ids` that have an address list now."""
    if not wave_ids:
        return set()
    marks = ", ".join(["{}"] * len(wave_ids))
    rows = await fetch_tuples(f"SELECT DISTINCT wave FROM mail_recipient WHERE wave IN ({marks})", *wave_ids)
    return {int(r[0]) for r in rows}


async def due_mail_ids(wave_ids: list[int], today: dt.date, limit: int) -> list[int]:
    if not wave_ids:
        return []
    marks = ", ".join(["{}"] * len(wave_ids))
    rows = await fetch_tuples(
        f"SELECT id FROM mail_outbox WHERE state = 'due' AND due_on <= {{}} AND wave IN ({marks}) "
        "ORDER BY due_on, id LIMIT {}",
        today,
        *wave_ids,
        limit,
    )
    return [int(r[0]) for r in rows]


async def claim(mail_id: int, worker: str, now: dt.datetime) -> ClaimedMail | None:
    """Take mail `mail_id` for sending (state sending, committed before the mail goes out); None
    where another sender took it first."""
    rows = await MailOutbox.raw(
        "UPDATE mail_outbox SET state = 'sending', worker = {}, claimed_at = {} "
        "WHERE id = {} AND state = 'due' RETURNING id",
        worker,
        now,
        mail_id,
    ).run()
    if not rows:
        return None
    found = await fetch_tuples(
        "SELECT o.id, o.recipient, o.wave, o.unit, o.kind, r.language, r.sealed, r.stopped "
        "FROM mail_outbox o JOIN mail_recipient r ON r.id = o.recipient WHERE o.id = {}",
        mail_id,
    )
    if not found:
        return None
    i, recipient, wave, unit, kind, language, sealed, stopped = found[0]
    return ClaimedMail(int(i), int(recipient), int(wave), int(unit), kind, language, sealed, bool(stopped))


_TALLIED = {"sent": "sent", "refused": "refused", "stopped": "stopped", "uncertain": "uncertain"}


async def mark(mail: ClaimedMail, outcome: str) -> None:
    """Record what became of a claimed mail (sent | refused | stopped), or put it back (due)."""
    state = "due" if outcome == "due" else ("sent" if outcome == "uncertain" else outcome)
    await MailOutbox.raw(
        "UPDATE mail_outbox SET state = {}, worker = '', claimed_at = NULL "
        "WHERE id = {} AND state = 'sending'",
        state,
        mail.id,
    ).run()
    if outcome in _TALLIED:
        column = _TALLIED[outcome]
        await MailTally.raw(
            f"UPDATE mail_tally SET {column} = {column} + 1 WHERE tally_key = {{}}",
            f"{mail.wave_id}:{mail.unit_id}:{mail.kind}",
        ).run()


async def settle_abandoned(worker: str, older_than: dt.datetime) -> int:
    """Mails a sender claimed and never settled (it stopped while sending: own earlier run, or
    another sender whose claim is older than `older_than`): counted as uncertain, never sent again."""
    rows = await fetch_tuples(
        "SELECT id, recipient, wave, unit, kind FROM mail_outbox WHERE state = 'sending' "
        "AND (worker = {} OR claimed_at < {})",
        worker,
        older_than,
    )
    for i, recipient, wave, unit, kind in rows:
        await mark(
            ClaimedMail(int(i), int(recipient), int(wave), int(unit), kind, "", "", False), "uncertain"
        )
    return len(rows)


async def reseal(recipient_id: int, sealed: str) -> None:
    await MailRecipient.update({MailRecipient.sealed: sealed}).where(MailRecipient.id == recipient_id).run()


async def stop_recipient(recipient_id: int) -> bool:
    """Mark the address as stopped and its queued mails too; False where it is gone already."""
    rows = (
        await MailRecipient.update({MailRecipient.stopped: True})
        .where(MailRecipient.id == recipient_id)
        .returning(MailRecipient.id)
        .run()
    )
    return bool(rows)


async def delete_recipients(wave_id: int) -> int:
    """Every address of the wave and its outbox rows (the tallies stay); inside a write transaction."""
    if is_sqlite():
        await MailRecipient.raw("PRAGMA secure_delete = ON").run()
    rows = await MailRecipient.raw("DELETE FROM mail_recipient WHERE wave = {} RETURNING id", wave_id).run()
    await MailOutbox.raw("DELETE FROM mail_outbox WHERE wave = {}", wave_id).run()
    return len(rows)


async def count_mails(wave_id: int) -> list[MailCounts]:
    """Per unit and kind: mails waiting in the outbox, and the tallies."""
    due = {
        (int(u), k): int(n)
        for u, k, n in await fetch_tuples(
            "SELECT unit, kind, COUNT(*) FROM mail_outbox WHERE wave = {} AND state IN ('due', 'sending') "
            "GROUP BY unit, kind",
            wave_id,
        )
    }
    tallies = await fetch_tuples(
        "SELECT unit, kind, sent, refused, uncertain, stopped FROM mail_tally WHERE wave = {}", wave_id
    )
    counts = [
        MailCounts(int(u), k, due.get((int(u), k), 0), int(s), int(r), int(x), int(st))
        for u, k, s, r, x, st in tallies
    ]
    return sorted(counts, key=lambda c: (c.unit_id, c.kind))


async def take_lease(name: str, holder: str, now: dt.datetime, hold: dt.timedelta) -> bool:
    """Hold the lease `name` until now + `hold` where nobody else holds it; True if held."""
    await MailLease.raw(
        "INSERT INTO mail_lease (name, holder, until) VALUES ({}, '', {}) ON CONFLICT (name) DO NOTHING",
        name,
        now - dt.timedelta(seconds=1),
    ).run()
    rows = (
        await MailLease.update({MailLease.holder: holder, MailLease.until: now + hold})
        .where((MailLease.name == name) & ((MailLease.holder == holder) | (MailLease.until < now)))
        .returning(MailLease.id)
        .run()
    )
    return bool(rows)


async def release_lease(name: str, holder: str, now: dt.datetime) -> None:
    await (
        MailLease.update({MailLease.until: now - dt.timedelta(seconds=1)})
        .where((MailLease.name == name) & (MailLease.holder == holder))
        .run()
    )
