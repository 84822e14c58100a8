"""What the office sees of a wave's mails, and the stop link's effect.

Per unit: the addresses on the list, the invitations waiting, sent, refused by the relay, stopped,
and uncertain (a sender stopped while sending them). Reminders in mode *an alle* likewise. In mode
*nur offene Codes* the number of reminders a unit got is the number of its people who have not
answered: shown per unit it would give away small units, so those reminders are shown only for
the whole wave, and only where the wave's participation shows its total (k or more responses).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.domain.figures import HiddenFigure
from survey.domain.mailing import reminder_dates
from survey.services.mailing._seal import Sealer
from survey.services.mailing._sender import forget_addresses
from survey.services.participation import wave_responses
from survey.services.secret import installation_secret
from survey.settings import Settings
from survey.store import mail as store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.engine import fetch_tuples, write_transaction
from survey.store.waves import Wave

__all__ = [
    "MailOverview",
    "MailTotals",
    "UnitMail",
    "forget_addresses",
    "mail_overview",
    "stop_link_known",
    "stop_mails",
]


@dataclass(frozen=True)
class MailTotals:
    waiting: int = 0
    sent: int = 0
    refused: int = 0
    stopped: int = 0
    uncertain: int = 0

    def __add__(self, other: MailTotals) -> MailTotals:
        return MailTotals(
            self.waiting + other.waiting,
            self.sent + other.sent,
            self.refused + other.refused,
            self.stopped + other.stopped,
            self.uncertain + other.uncertain,
        )


@dataclass(frozen=True)
class UnitMail:
    key: str
    name: str
    #: addresses on the list now (0 once they are deleted)
    addresses: int
    invitations: MailTotals
    #: reminders of mode an alle; None in mode nur offene Codes (shown for the whole wave only)
    reminders: MailTotals | None


@dataclass(frozen=True)
class MailOverview:
    wave: Wave
    #: whether the installation has a relay (SURVEY_SMTP_HOST)
    enabled: bool
    reminder_dates: list[dt.date]
    #: the reminders queued so far (1, 2, …)
    reminders_queued: list[int]
    units: list[UnitMail]
    total: UnitMail
    #: mode nur offene Codes: the whole wave's reminders, hidden while its participation is
    reminders_open_codes: MailTotals | HiddenFigure | None
    #: addresses were on the list and are deleted now (after the last reminder, or at closing)
    addresses_deleted: bool


def _totals(rows: list[store.MailCounts], unit_id: int | None, reminders: bool) -> MailTotals:
    total = MailTotals()
    for c in rows:
        if (unit_id is None or c.unit_id == unit_id) and (c.kind != "invitation") == reminders:
            total = total + MailTotals(c.due, c.sent, c.refused, c.stopped, c.uncertain)
    return total


async def mail_overview(settings: Settings, wave: Wave) -> MailOverview:
    counts = await store.count_mails(wave.id)
    listed = {
        int(u): int(n)
        for u, n in await fetch_tuples(
            "SELECT unit, COUNT(*) FROM mail_recipient WHERE wave = {} GROUP BY unit", wave.id
        )
    }
    wave_units = set(await wave_store.wave_unit_ids(wave.id))
    by_all = wave.reminder_mode == "all"
    units = [
        UnitMail(
            u.key,
            u.name,
            listed.get(u.id, 0),
            _totals(counts, u.id, False),
            _totals(counts, u.id, True) if by_all else None,
        )
        for u in await org_store.list_units()
        if u.id in wave_units
    ]
    total = UnitMail(
        "",
        "",
        sum(listed.values()),
        _totals(counts, None, False),
        _totals(counts, None, True) if by_all else None,
    )
    open_codes: MailTotals | HiddenFigure | None = None
    if not by_all:
        responses = await wave_responses(wave, await wave_store.count_responses(wave.id))
        open_codes = responses if isinstance(responses, HiddenFigure) else _totals(counts, None, True)
    return MailOverview(
        wave=wave,
        enabled=bool(settings.smtp_host),
        reminder_dates=reminder_dates(wave.opens_on, wave.reminder_days),
        reminders_queued=sorted(await store.round_numbers(wave.id)),
        units=units,
        total=total,
        reminders_open_codes=open_codes,
        addresses_deleted=bool(counts) and not listed,
    )


async def stop_link_known(settings: Settings, token: str) -> bool:
    """Whether `token` is a stop link this installation made (its keyed check holds)."""
    return Sealer(await installation_secret(settings)).recipient_of(token) is not None


async def stop_mails(settings: Settings, token: str) -> bool | None:
    """Stop further mails to the address of a stop link: True where stopped now, False where its
    address is no longer kept (nothing more is sent to it anyway), None for a token that is not one."""
    recipient = Sealer(await installation_secret(settings)).recipient_of(token)
    if recipient is None:
        return None
    async with write_transaction():
        return await store.stop_recipient(recipient)
