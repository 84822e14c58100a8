"""Invitations and reminders by e-mail for staff waves, without learning who answered what.

_lists    the office's address list: checked whole, each address with its own invitation code
_sender   sending through the Kommune's relay: once, at the installation's rate, resumable
_status   what the office sees (counts per unit, never who), and the stop link
_seal     addresses and codes encrypted with the installation key
"""

from survey.domain.mailing import AddressListError
from survey.services.mailing._lists import ListTaken, mail_wave, take_address_list
from survey.services.mailing._sender import (
    HOLD,
    SendRun,
    forget_addresses,
    mail_sender_running,
    release,
    send_due,
    worker_name,
)
from survey.services.mailing._status import (
    MailOverview,
    MailTotals,
    UnitMail,
    mail_overview,
    stop_link_known,
    stop_mails,
)

__all__ = [
    "HOLD",
    "AddressListError",
    "ListTaken",
    "MailOverview",
    "MailTotals",
    "SendRun",
    "UnitMail",
    "forget_addresses",
    "mail_overview",
    "mail_sender_running",
    "mail_wave",
    "release",
    "send_due",
    "stop_link_known",
    "stop_mails",
    "take_address_list",
    "worker_name",
]
