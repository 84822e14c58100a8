"""Sending: invitations and reminders through the Kommune's relay, once, at the installation's rate.

Every worker (and `survey mail send`) runs `send_due` now and then; one of them holds the lease in
the database (`mail_lease`) and sends, the others return at once, so that mails go out once and
at the rate set, over all workers and hosts. Each mail is claimed before it goes out (its state
`sending` committed), and recorded as sent, refused or stopped after. A sender that stops while a
mail is claimed (a crash, a SIGKILL) leaves it `sending`: it is counted as uncertain and never
sent again (at most once: a mail the relay had taken just before the crash is not sent twice).
A relay that cannot be reached, or answers with a temporary error, puts the mail back for the
next run.

Reminders are queued on their day (a weekend day moves to the Monday) by whichever sender holds
the lease first, once (`mail_round`). In mode *nur offene Codes* a reminder goes only to addresses
whose code is still unused; in mode *an alle* to every address, and an invitation keeps no code
once sent. Addresses go when the wave closes, and in mode *an alle* after the last reminder.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.utils import parseaddr

import aiosmtplib

from survey.domain.codes import code_hash
from survey.domain.mailing import reminder_dates
from survey.report.mail import MailContext, build_message, render_mail
from survey.services.audit import record
from survey.services.background import in_background
from survey.services.mailing._lists import templates_of
from survey.services.mailing._seal import Sealer
from survey.services.secret import installation_secret
from survey.services.waves._plans import wave_title
from survey.settings import Settings
from survey.store import mail as store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.engine import fetch_tuples, write_transaction
from survey.store.waves import Wave

__all__ = [
    "HOLD",
    "SendRun",
    "forget_addresses",
    "mail_sender_running",
    "release",
    "send_due",
    "worker_name",
]

LEASE = "sender"
#: how long a lease lasts without renewal; a claim older than this is another sender's leftover
HOLD = dt.timedelta(seconds=60)
#: mails looked up at a time
BATCH = 200
#: seconds between two runs of a worker's sender when nothing is left to send
SEND_EVERY = 20.0
_log = logging.getLogger(__name__)


@dataclass
class SendRun:
    """What one run did."""

    #: whether this run held the lease (else another sender is at work)
    held: bool = False
    sent: int = 0
    refused: int = 0
    stopped: int = 0
    #: claimed earlier by a sender that stopped before recording the outcome
    uncertain: int = 0
    #: reminders queued in this run, per wave key (mode an alle only, see `reminded_open_codes`)
    queued: dict[str, int] = field(default_factory=dict)
    #: waves whose addresses were deleted in this run
    forgotten: list[str] = field(default_factory=list)
    #: mails still due today after this run (a batch limit, a lost lease or a relay problem)
    remaining: int = 0
    #: what went wrong with the relay, if anything (the mails stay due)
    relay_problem: str = ""
    #: whether reminders to unused codes went out: their number is the number of people who have
    #: not answered, so it is neither counted in `sent` nor written to any log
    reminded_open_codes: bool = False


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sending(wave: Wave, today: dt.date) -> bool:
    return wave.status == "open" and wave.audience == "staff" and wave.opens_on <= today <= wave.closes_on


async def _open_codes(wave: Wave, sealer: Sealer, secret: bytes) -> list[int]:
    """The addresses of the wave whose code is unused (mode nur offene Codes)."""
    unused = {
        row[0] for row in await fetch_tuples("SELECT code_hash FROM invitation WHERE wave = {}", wave.id)
    }

    def unused_of(recipients: list[tuple[int, str, bool]]) -> list[int]:
        ids = []
        for recipient, sealed, stopped in recipients:
            _address, code = sealer.unseal(sealed)
            if not stopped and code and code_hash("invitation", code.replace("-", ""), secret) in unused:
                ids.append(recipient)
        return ids

    # decrypting 100,000 addresses takes seconds: in a thread, the event loop serves others
    return await asyncio.to_thread(unused_of, await store.recipients_of(wave.id))


async def _queue_reminders(wave: Wave, today: dt.date, sealer: Sealer, secret: bytes) -> int:
    """Queue the reminders of the wave due by `today` that are not queued yet; how many mails."""
    done = await store.round_numbers(wave.id)
    queued = 0
    for number, day in enumerate(reminder_dates(wave.opens_on, wave.reminder_days), start=1):
        if day > today or number in done:
            continue
        ids = await _open_codes(wave, sealer, secret) if wave.reminder_mode == "open_codes" else None
        async with write_transaction():
            if await store.record_round(wave.id, number, _now()):
                queued += await store.queue_for(wave.id, f"reminder-{number}", day, ids)
    return queued


async def forget_addresses(wave: Wave) -> int:
    """Delete the wave's addresses and their links to codes (the tallies stay); how many."""
    async with write_transaction():
        return await store.delete_recipients(wave.id)


async def _finished_reminding(wave: Wave) -> bool:
    """Mode an alle: the last reminder is queued and nothing of the wave is waiting any more."""
    if wave.reminder_mode != "all" or not wave.reminder_days:
        return False
    if len(wave.reminder_days) not in await store.round_numbers(wave.id):
        return False
    waiting = await fetch_tuples(
        "SELECT 1 FROM mail_outbox WHERE wave = {} AND state IN ('due', 'sending') LIMIT 1", wave.id
    )
    return not waiting


class _Relay:
    """One connection to the relay for a run, opened at the first mail."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: aiosmtplib.SMTP | None = None

    async def send(self, message: object) -> None:
        s = self.settings
        if self.smtp is None:
            smtp = aiosmtplib.SMTP(
                hostname=s.smtp_host,
                port=s.smtp_port,
                use_tls=s.smtp_security == "tls",
                start_tls=s.smtp_security == "starttls",
                timeout=30,
            )
            await smtp.connect()
            if s.smtp_user:
                await smtp.login(s.smtp_user, s.smtp_password)
            self.smtp = smtp
        await self.smtp.send_message(message)  # type: ignore[arg-type]

    async def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await self.smtp.quit()
            self.smtp = None


@dataclass
class _Run:
    settings: Settings
    worker: str
    today: dt.date
    sealer: Sealer
    waves: dict[int, Wave]
    kommune: str
    units: dict[int, str]
    relay: _Relay
    result: SendRun
    titles: dict[tuple[int, str], str] = field(default_factory=dict)
    #: when the next mail may go (the event loop's clock)
    next_at: float = 0.0
    #: the mail sent last and its outcome, recorded with the next claim
    pending: tuple[store.ClaimedMail, str] | None = None


async def _message(run: _Run, mail: store.ClaimedMail, address: str, code: str) -> object:
    wave = run.waves[mail.wave_id]
    s = run.settings
    number = 0 if mail.kind == "invitation" else int(mail.kind.rsplit("-", 1)[1])
    key = (wave.id, mail.language)
    if key not in run.titles:
        run.titles[key] = await wave_title(wave, mail.language)
    context = MailContext(
        kommune=run.kommune,
        wave_title=run.titles[key],
        unit_name=run.units.get(mail.unit_id, ""),
        entry_url=f"{s.base_url}/i",
        closes_on=wave.closes_on,
        stop_url=f"{s.base_url}/abmelden/{run.sealer.stop_token(mail.recipient_id)}",
        code=code if code and (number == 0 or wave.reminder_mode == "open_codes") else None,
        reminder_number=number,
        invited_on=wave.opens_on,
    )
    rendered = render_mail(
        "invitation" if number == 0 else "reminder", mail.language, context, templates_of(s)
    )
    domain = parseaddr(s.mail_from)[1].rpartition("@")[2] or "localhost"
    return build_message(rendered, sender=s.mail_from, to=address, message_id_domain=domain)


async def _deliver(run: _Run, mail: store.ClaimedMail) -> str:
    """Send one claimed mail; its outcome (sent | refused | stopped | due)."""
    if mail.stopped:
        return "stopped"
    address, code = run.sealer.unseal(mail.sealed)
    message = await _message(run, mail, address, code)
    try:
        await run.relay.send(message)
    except aiosmtplib.SMTPRecipientsRefused:
        return "refused"
    except aiosmtplib.SMTPResponseException as error:
        if error.code >= 500:
            return "refused"
        run.result.relay_problem = f"the relay answered {error.code} {error.message}"
        return "due"
    except (aiosmtplib.SMTPException, OSError) as error:
        run.result.relay_problem = f"the relay cannot be reached: {error}"
        return "due"
    return "sent"


async def _record(run: _Run) -> None:
    """Record the outcome of the mail sent last (inside the transaction that claims the next)."""
    if run.pending is None:
        return
    mail, outcome = run.pending
    run.pending = None
    await store.mark(mail, outcome)
    wave = run.waves[mail.wave_id]
    if outcome == "sent" and mail.kind == "invitation" and wave.reminder_mode == "all":
        # reminding everyone needs no code: the address alone is kept until the last reminder
        address, _code = run.sealer.unseal(mail.sealed)
        await store.reseal(mail.recipient_id, run.sealer.seal(address))
    if mail.kind != "invitation" and wave.reminder_mode == "open_codes":
        run.result.reminded_open_codes = True
    elif outcome in ("sent", "refused", "stopped"):
        setattr(run.result, outcome, getattr(run.result, outcome) + 1)


async def _send_one(run: _Run, mail_id: int) -> bool:
    """Record the last mail and claim this one in one transaction, then send it; False where the
    run should stop (relay problem). A crash between the two leaves the last mail claimed: it was
    sent, is counted uncertain and never sent again."""
    # only the lease holder sends, so the rate kept here is the installation's
    wait = run.next_at - asyncio.get_running_loop().time()
    if wait > 0:
        await asyncio.sleep(wait)
    run.next_at = max(run.next_at, asyncio.get_running_loop().time()) + 60 / run.settings.mail_rate
    async with write_transaction():
        await _record(run)
        mail = await store.claim(mail_id, run.worker, _now())
    if mail is None:
        return True
    outcome = await _deliver(run, mail)
    run.pending = (mail, outcome)
    return outcome != "due"


async def _prepare(settings: Settings, worker: str, today: dt.date, result: SendRun) -> _Run:
    secret = await installation_secret(settings)
    sealer = Sealer(secret)
    waves = {w.id: w for w in await wave_store.list_waves()}
    listed = await store.lists_in_waves(list(waves))
    for wave_id in sorted(listed):
        wave = waves[wave_id]
        if wave.status == "closed":
            await forget_addresses(wave)
            result.forgotten.append(wave.key)
        elif _sending(wave, today) and wave.reminder_days:
            queued = await _queue_reminders(wave, today, sealer, secret)
            if queued and wave.reminder_mode == "all":
                result.queued[wave.key] = queued
    sending = {i: w for i, w in waves.items() if i in listed and _sending(w, today)}
    units = {u.id: u.name for u in await org_store.list_units()}
    kommune = await org_store.kommune_name() or ""
    return _Run(settings, worker, today, sealer, sending, kommune, units, _Relay(settings), result)


async def send_due(settings: Settings, *, worker: str | None = None, today: dt.date | None = None) -> SendRun:
    """One run: take the lease, queue due reminders, send what is due (a batch at most), delete
    the addresses that are no longer needed. Without SURVEY_SMTP_HOST nothing happens."""
    result = SendRun()
    if not settings.smtp_host:
        return result
    worker = worker or worker_name()
    today = today or dt.date.today()
    async with write_transaction():
        result.held = await store.take_lease(LEASE, worker, _now(), HOLD)
    if not result.held:
        return result
    async with write_transaction():
        result.uncertain = await store.settle_abandoned(worker, _now() - HOLD)
    run = await _prepare(settings, worker, today, result)
    renewed = _now()
    try:
        for mail_id in await store.due_mail_ids(list(run.waves), today, BATCH):
            if _now() - renewed > HOLD / 4:
                async with write_transaction():
                    if not await store.take_lease(LEASE, worker, _now(), HOLD):
                        break
                renewed = _now()
            if not await _send_one(run, mail_id):
                break
    finally:
        await run.relay.close()
        async with write_transaction():
            await _record(run)
    for wave in run.waves.values():
        if await _finished_reminding(wave):
            await forget_addresses(wave)
            result.forgotten.append(wave.key)
    result.remaining = len(await store.due_mail_ids(list(run.waves), today, BATCH))
    if result.sent or result.refused or result.uncertain or result.forgotten or result.reminded_open_codes:
        parts = [f"sent {result.sent}", f"refused {result.refused}", f"uncertain {result.uncertain}"]
        if result.reminded_open_codes:
            parts.append("reminders to unused codes sent")
        if result.forgotten:
            parts.append(f"addresses deleted {', '.join(result.forgotten)}")
        await record("mail-sender", "mail.send", worker, "; ".join(parts))
    return result


async def release(worker: str) -> None:
    """Give the lease up (a sender that ends on purpose), so the next one need not wait."""
    async with write_transaction():
        await store.release_lease(LEASE, worker, _now())


@contextlib.asynccontextmanager
async def mail_sender_running(settings: Settings) -> AsyncIterator[None]:
    """An app worker's sender in the background (where SURVEY_SMTP_HOST is set): a run every
    SEND_EVERY seconds, at once again while mails are waiting; the lease lets one worker send."""
    if not settings.smtp_host:
        yield
        return
    worker = worker_name()

    async def keep_sending() -> None:
        while True:
            try:
                run = await send_due(settings, worker=worker)
            except Exception:  # the next run tries again; the problem goes to the server's log
                _log.exception("sending invitations and reminders failed")
                run = SendRun()
            if run.relay_problem:
                _log.warning("mail relay: %s", run.relay_problem)
            busy = run.held and run.remaining and not run.relay_problem
            await asyncio.sleep(0 if busy else SEND_EVERY)

    try:
        async with in_background(keep_sending, "mail-sender"):
            yield
    finally:
        with contextlib.suppress(Exception):
            await release(worker)
