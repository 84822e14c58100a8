"""The office's address list of a staff wave: checked whole, then each address gets its own code.

A list is taken whole or not at all (every wrong line named, survey.domain.mailing), so nothing
is sent from a list that is not clean. Each new address gets a fresh single-use invitation code
(stored as its keyed hash like every code, survey.services.invitations) and its invitation is
queued for the wave's first day (or today, for a wave already open). An address already on the
wave's list is left as it is: it has its code and its invitation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from survey.domain.codes import code_hash, new_code
from survey.domain.mailing import AddressListError, ListedAddress, raise_problems, read_address_list
from survey.errors import N_, Code, Message
from survey.report.mail import mail_languages
from survey.services.audit import record
from survey.services.mailing._seal import Sealer
from survey.services.secret import installation_secret
from survey.services.waves._model import get_wave
from survey.settings import Settings
from survey.store import access
from survey.store import catalog as catalog_store
from survey.store import mail as store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.engine import write_transaction
from survey.store.waves import Wave

__all__ = ["ListTaken", "mail_wave", "take_address_list", "templates_of"]


@dataclass(frozen=True)
class ListTaken:
    wave: Wave
    #: new addresses per unit key
    added: dict[str, int]
    #: addresses that were on the wave's list already (left as they were)
    known: int


async def mail_wave(wave_key: str) -> Wave:
    """The wave `wave_key` if it may take an address list: a staff wave that is not closed and
    whose addresses have not been deleted after its last reminder."""
    wave = await get_wave(wave_key)  # WaveError where there is none
    if wave.audience != "staff":
        raise AddressListError(
            N_("%(wave)s asks citizens: invitations by e-mail are for staff waves"), wave=Code(wave.key)
        )
    if wave.status == "closed":
        raise AddressListError(N_("%(wave)s is closed: no more invitations go out"), wave=Code(wave.key))
    if wave.reminder_days and len(wave.reminder_days) in await store.round_numbers(wave.id):
        raise AddressListError(
            N_(
                "the last reminder of %(wave)s has gone out and its addresses are deleted: no list can follow"
            ),
            wave=Code(wave.key),
        )
    return wave


async def _languages(wave: Wave, templates: Path | None) -> tuple[list[str], set[str]]:
    version = await catalog_store.load_published_version(wave.questionnaire, wave.version)
    languages = list(version.languages) if version is not None else ["de"]
    return languages, mail_languages(templates) & set(languages)


def _line_problems(
    listed: list[ListedAddress], units: dict[str, int], languages: set[str], default: str
) -> list[Message]:
    problems = []
    for a in listed:
        if a.unit not in units:
            problems.append(
                Message(
                    N_("line %(line)d: %(unit)s is not a unit of this wave: use one of %(units)s"),
                    {"line": a.line, "unit": Code(a.unit), "units": ", ".join(sorted(units))[:300]},
                )
            )
        if (a.language or default) not in languages:
            problems.append(
                Message(
                    N_(
                        "line %(line)d: there is no invitation mail in %(language)s: use one of %(languages)s"
                    ),
                    {"line": a.line, "language": Code(a.language), "languages": ", ".join(sorted(languages))},
                )
            )
    return problems


def _sealed(
    new: list[tuple[ListedAddress, str]], unit_ids: dict[str, int], default: str, secret: bytes
) -> tuple[list[store.NewRecipient], list[str]]:
    """Each new (address, its key) with a fresh code, sealed; and the codes' hashes in the same
    order. Run in a thread: 100,000 addresses take seconds the event loop serves others meanwhile."""
    sealer = Sealer(secret)
    recipients, hashes = [], []
    for listed, key in new:
        code = new_code("invitation", secret)
        hashes.append(code_hash("invitation", code.replace("-", ""), secret))
        recipients.append(
            store.NewRecipient(
                unit_ids[listed.unit], listed.language or default, key, sealer.seal(listed.address, code)
            )
        )
    return recipients, hashes


async def take_address_list(
    settings: Settings,
    wave_key: str,
    text: str,
    *,
    by: str,
    default_unit: str = "",
    today: dt.date | None = None,
) -> ListTaken:
    """Check the list `text` whole, then add its new addresses with their codes and queue their
    invitations; AddressListError naming every wrong line (nothing taken)."""
    wave = await mail_wave(wave_key)
    listed = read_address_list(text, default_unit=default_unit)
    wave_units = set(await wave_store.wave_unit_ids(wave.id))
    units = {u.key: u.id for u in await org_store.list_units() if u.id in wave_units}
    languages, with_mail = await _languages(wave, templates_of(settings))
    default = "de" if "de" in languages else languages[0]
    problems = _line_problems(listed, units, with_mail, default)
    if problems:
        raise_problems(problems)
    secret = await installation_secret(settings)
    sealer = Sealer(secret)
    known = await store.known_address_keys(wave.id)
    keyed = [(a, sealer.address_key(wave.id, a.address)) for a in listed]
    fresh = [(a, key) for a, key in keyed if key not in known]
    recipients, hashes = await asyncio.to_thread(_sealed, fresh, units, default, secret)
    new = [a for a, _key in fresh]
    today = today or dt.date.today()
    async with write_transaction():
        for unit_id in {r.unit_id for r in recipients}:
            of_unit = [h for r, h in zip(recipients, hashes, strict=True) if r.unit_id == unit_id]
            await access.insert_invitations(wave.id, unit_id, of_unit)
        await store.insert_recipients(wave.id, recipients)
        await store.queue_for(wave.id, "invitation", max(today, wave.opens_on))
    added: dict[str, int] = {}
    for a in new:
        added[a.unit] = added.get(a.unit, 0) + 1
    parts = [f"added {len(new)}", f"already listed {len(listed) - len(new)}"]
    parts += [f"{unit}={n}" for unit, n in sorted(added.items())]
    await record(by, "mail.list", wave.key, "; ".join(parts))
    return ListTaken(wave, added, len(listed) - len(new))


def templates_of(settings: Settings) -> Path | None:
    """The reports folder the mail templates are in (None: the letters' lookup)."""
    return Path(settings.reports) if settings.reports else None
