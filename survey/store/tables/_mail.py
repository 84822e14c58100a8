"""Invitations and reminders by e-mail: the address lists, the outbox, and what was sent.

Addresses live here only while a wave needs them, encrypted with the installation key; they are
deleted when the wave closes (reminding everyone: after the last reminder). Nothing here is ever
joined to a response. The tallies (how many mails per unit were sent, refused, stopped) stay.
Composite uniqueness is kept by one unique text column each (`…_key`), which piccolo creates the
same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from survey.store.tables._core import OrgUnitRow, WaveRow

__all__ = ["MailLease", "MailOutbox", "MailRecipient", "MailRound", "MailTally"]


class MailRecipient(Table, tablename="mail_recipient"):
    """One address of a staff wave's list, with its invitation code, both sealed (encrypted)."""

    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    language = Varchar(length=16)
    #: "<wave id>:<keyed hash of the address>": an address is on a wave's list once
    address_key = Varchar(length=100, unique=True)
    #: the address and the invitation code, encrypted with the installation key
    sealed = Text()
    #: the person followed the link that stops further mails
    stopped = Boolean(default=False)


class MailOutbox(Table, tablename="mail_outbox"):
    """One mail to one address: due, being sent (claimed by a worker), sent, refused or stopped."""

    recipient = ForeignKey(MailRecipient, null=False, on_delete=OnDelete.cascade, index=True)
    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    #: invitation, reminder-1, reminder-2, …
    kind = Varchar(length=16)
    #: "<recipient id>:<kind>": never the same mail twice to one address
    mail_key = Varchar(length=64, unique=True)
    due_on = Date()
    #: due | sending | sent | refused | stopped
    state = Varchar(length=16, default="due", index=True)
    worker = Varchar(length=100, default="")
    claimed_at = Timestamptz(null=True, default=None)


class MailTally(Table, tablename="mail_tally"):
    """What was sent of one mail of a wave to one unit, kept when the addresses are gone.
    `uncertain`: claimed by a sender that stopped before it could record the outcome (counted as
    sent, never sent again)."""

    #: "<wave id>:<unit id>:<kind>"
    tally_key = Varchar(length=100, unique=True)
    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(OrgUnitRow, null=False, on_delete=OnDelete.restrict)
    kind = Varchar(length=16)
    sent = Integer(default=0)
    refused = Integer(default=0)
    uncertain = Integer(default=0)
    stopped = Integer(default=0)


class MailRound(Table, tablename="mail_round"):
    """One reminder of a wave, queued once for its whole list (whichever worker comes first)."""

    #: "<wave id>:<reminder number>"
    round_key = Varchar(length=64, unique=True)
    wave = ForeignKey(WaveRow, null=False, on_delete=OnDelete.cascade, index=True)
    number = Integer()
    queued_at = Timestamptz()


class MailLease(Table, tablename="mail_lease"):
    """Who sends: one worker on one host at a time holds the lease and renews it while sending."""

    name = Varchar(length=32, unique=True)
    holder = Varchar(length=100)
    until = Timestamptz()
