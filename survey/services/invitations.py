"""Hand out access: staff invitation codes, unit links with a shared code, citizen receipt codes.

Codes exist in plain text only when they are made: the database keeps their keyed hashes. The
command line writes them into files at once; the survey office's page keeps them for one
download by the person who issued them (`keep`), a day at most, in the database so that any
worker on any host hands the file out, once. Every issue is recorded (how many, for whom, when,
by whom; never a code) and written to the audit log.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from survey.domain.codes import code_hash, new_code, new_token
from survey.errors import N_, Code, Message, SurveyError
from survey.services.audit import record
from survey.services.secret import installation_secret
from survey.settings import Settings
from survey.store import access
from survey.store import downloads as files
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.engine import write_transaction
from survey.store.waves import Wave

__all__ = [
    "KEEP_FOR",
    "LETTER_LANGUAGES",
    "MAX_CODES",
    "MAX_LETTERS",
    "MAX_VALID_DAYS",
    "AccessError",
    "FileKind",
    "IssuedInvitations",
    "IssuedReceipts",
    "UnitLinkIssued",
    "access_wave",
    "codes_csv",
    "create_unit_link",
    "issue_invitations",
    "issue_receipt_codes",
    "issue_receipts",
    "poster_target",
    "service_point_details",
    "service_point_url",
    "utc_now",
]

MAX_CODES = 100_000
#: letters are made as one PDF of a page each (WeasyPrint, about 30 ms a page): beyond this many
#: codes the page offers the mail-merge table only
MAX_LETTERS = 1_000
MAX_VALID_DAYS = 366
#: how long a file of codes waits for its one download
KEEP_FOR = dt.timedelta(hours=24)
#: the languages the letters are printed in (survey.report.printing.LANGUAGES)
LETTER_LANGUAGES = ("de", "en")
#: letters and the mail-merge CSV of invitation codes, the CSV of receipt codes, a unit link's code
FileKind = Literal["letters", "invitations_csv", "receipts_csv", "access_code"]
_NO_WAVE_HINT = "`survey wave list` shows the waves"
_KEYS_HINT = "`survey org list` shows the keys"


class AccessError(SurveyError):
    """Codes that cannot be issued as asked. `field` names the form field the refusal is about
    (`unit`, `count`, `valid_days`, `service_point`, `language`), or is empty where the wave itself
    takes no codes (a citizen wave asked for invitations, a closed wave); `missing` marks a wave or
    service point that does not exist."""

    def __init__(
        self,
        template: str | Message,
        /,
        *,
        field: str = "",
        missing: bool = False,
        hint: str | None = None,
        **params: object,
    ) -> None:
        super().__init__(template, hint=hint, **params)
        self.field = field
        self.missing = missing


@dataclass(frozen=True)
class IssuedInvitations:
    kommune: str
    wave: Wave
    unit_key: str
    unit_name: str
    entry_url: str
    #: the only time the codes exist in plain text: write them out now
    codes: list[str]
    #: the files kept for one download (`keep`): kind → token
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitLinkIssued:
    wave: Wave
    unit_name: str
    url: str
    access_code: str
    #: the token of the access code kept for the page that shows it once (`keep`)
    file: str | None = None


@dataclass(frozen=True)
class IssuedReceipts:
    service_point_key: str
    service_point_name: str
    valid_until: dt.date
    codes: list[str]
    #: the CSV kept for one download (`keep`)
    file: str | None = None


def utc_now() -> dt.datetime:
    """The moment issues and files are stamped with (UTC)."""
    return dt.datetime.now(dt.UTC)


def service_point_url(settings: Settings, key: str) -> str:
    return f"{settings.base_url}/s/{key}"


def codes_csv(rows: Iterable[tuple[str, str]], *, excel: bool = False) -> str:
    """The mail-merge table (`code;link`). `excel` starts it with a byte order mark, so that a
    German Excel reads the file as UTF-8."""
    table = io.StringIO(newline="")
    writer = csv.writer(table, delimiter=";")
    writer.writerow(["code", "link"])
    writer.writerows(rows)
    return ("\ufeff" if excel else "") + table.getvalue()


# --- checks -----------------------------------------------------------------------------------


async def access_wave(wave_key: str) -> Wave:
    """The wave, or the refusal that there is none (`missing`)."""
    wave = await wave_store.get_wave(wave_key)
    if wave is None:
        raise AccessError(
            N_("there is no wave %(wave)s"), missing=True, wave=Code(wave_key), hint=_NO_WAVE_HINT
        )
    return wave


def _taking_codes(wave: Wave, audience: str) -> None:
    if wave.audience != audience and audience == "staff":
        raise AccessError(
            N_(
                "%(wave)s is a citizen wave: invitation codes and unit links are for staff waves; "
                "citizens answer at the service points (posters, receipt codes)"
            ),
            wave=Code(wave.key),
            hint="`survey poster` prints a service point's poster",
        )
    if wave.audience != audience:
        raise AccessError(
            N_("%(wave)s is a staff wave: receipt codes are for the service points of citizen waves"),
            wave=Code(wave.key),
        )
    if wave.status == "closed":
        raise AccessError(
            N_("%(wave)s is closed: it takes no more answers, so it gets no new codes"),
            wave=Code(wave.key),
            hint="create a new wave",
        )


async def _staff_wave_and_unit(wave_key: str, unit_key: str) -> tuple[Wave, org_store.StoredUnit]:
    wave = await access_wave(wave_key)
    _taking_codes(wave, "staff")
    units = {u.key: u for u in await org_store.list_units()}
    unit = units.get(unit_key)
    if unit is None:
        raise AccessError(
            N_("there is no unit %(unit)s: choose one of the wave's units"),
            field="unit",
            unit=Code(unit_key),
            hint=_KEYS_HINT,
        )
    if unit.id not in await wave_store.wave_unit_ids(wave.id):
        raise AccessError(
            N_("%(unit)s is not among the units of %(wave)s: choose one of its units"),
            field="unit",
            unit=Code(unit_key),
            wave=Code(wave_key),
        )
    return wave, unit


def _count(count: int | None, unit: org_store.StoredUnit | None = None) -> int:
    if count is None and unit is not None:
        if unit.headcount < 1:
            raise AccessError(
                N_("%(unit)s has no staff of its own in the organisation file: enter the number of codes"),
                field="count",
                unit=unit.name,
            )
        count = unit.headcount
    if count is None or not 1 <= count <= MAX_CODES:
        raise AccessError(
            N_("the number of codes must be a whole number from 1 to %(most)s"), field="count", most=MAX_CODES
        )
    return count


def _language(language: str) -> str:
    if language not in LETTER_LANGUAGES:
        raise AccessError(
            N_("the letters are printed in German (de) or English (en): choose one"), field="language"
        )
    return language


def _codes_and_hashes(kind: str, count: int, secret: bytes) -> tuple[list[str], list[str]]:
    codes = [new_code(kind, secret) for _ in range(count)]
    return codes, [code_hash(kind, c.replace("-", ""), secret) for c in codes]


async def _made_codes(kind: str, count: int, secret: bytes) -> tuple[list[str], list[str]]:
    """`count` new codes and their hashes, made in a thread: 100,000 take seconds, which the
    event loop spends serving others meanwhile."""
    return await asyncio.to_thread(_codes_and_hashes, kind, count, secret)


async def _keep(batch: int, owner: str, kind: FileKind, content: dict[str, object], now: dt.datetime) -> str:
    # files past their day go whenever a new one comes, also where nobody opens the page again
    await files.purge_expired(now)
    token = new_token(32)
    await files.insert_file(token, batch, owner, kind, json.dumps(content), now + KEEP_FOR)
    return token


# --- issuing ----------------------------------------------------------------------------------


async def issue_invitations(
    settings: Settings,
    wave_key: str,
    unit_key: str,
    count: int | None = None,
    *,
    by: str = "cli",
    keep: tuple[FileKind, ...] = (),
    language: str = "de",
) -> IssuedInvitations:
    """Single-use codes for staff of a unit (`count`: the unit's headcount if not given). With
    `keep`, the letters (in `language`; up to MAX_LETTERS codes) and the CSV wait for `by`'s one
    download."""
    wave, unit = await _staff_wave_and_unit(wave_key, unit_key)
    count = _count(count, unit)
    _language(language)
    secret = await installation_secret(settings)
    codes, hashes = await _made_codes("invitation", count, secret)
    keep = tuple(kind for kind in keep if kind != "letters" or count <= MAX_LETTERS)
    now = utc_now()
    async with write_transaction():
        await access.insert_invitations(wave.id, unit.id, hashes)
        batch = await files.insert_batch(
            "invitations",
            wave_id=wave.id,
            unit_id=unit.id,
            service_point_id=None,
            count=count,
            issued_by=by,
            issued_at=now,
        )
        kept = {
            kind: await _keep(batch, by, kind, {"codes": codes, "language": language}, now) for kind in keep
        }
    await record(by, "access.invitations", wave.key, f"unit={unit.key} count={count}")
    return IssuedInvitations(
        await org_store.kommune_name() or "", wave, unit.key, unit.name, f"{settings.base_url}/i", codes, kept
    )


async def create_unit_link(
    settings: Settings, wave_key: str, unit_key: str, *, by: str = "cli", keep: bool = False
) -> UnitLinkIssued:
    """A link for a whole unit with a shared access code. The link can be shown again (its token is
    stored); the code only now (its hash is stored), or with `keep` once on `by`'s page."""
    wave, unit = await _staff_wave_and_unit(wave_key, unit_key)
    secret = await installation_secret(settings)
    token = new_token(16)
    code = new_code("unit", secret)
    url = f"{settings.base_url}/t/{token}"
    now = utc_now()
    kept = None
    async with write_transaction():
        await access.insert_unit_link(
            token, wave.id, unit.id, code_hash("unit", code.replace("-", ""), secret)
        )
        batch = await files.insert_batch(
            "unit_link",
            wave_id=wave.id,
            unit_id=unit.id,
            service_point_id=None,
            count=1,
            issued_by=by,
            issued_at=now,
        )
        if keep:
            kept = await _keep(batch, by, "access_code", {"codes": [code], "url": url}, now)
    await record(by, "access.unit_link", wave.key, f"unit={unit.key}")
    return UnitLinkIssued(wave, unit.name, url, code, kept)


async def _service_point(key: str) -> access.ServicePointRecord:
    point = await access.find_service_point(key)
    if point is None:
        raise AccessError(
            N_("no service point %(point)s"),
            field="service_point",
            missing=True,
            point=Code(key),
            hint=_KEYS_HINT,
        )
    return point


async def issue_receipts(
    settings: Settings,
    service_point_key: str,
    count: int | None,
    valid_days: int | None,
    *,
    today: dt.date | None = None,
    by: str = "cli",
    wave_key: str | None = None,
    keep: bool = False,
) -> IssuedReceipts:
    """One-time receipt codes for citizens of a service point, each valid until it is used or
    `valid_days` have passed. From a wave's page (`wave_key`) the service point must serve that
    citizen wave, and the wave must still take answers."""
    wave = await access_wave(wave_key) if wave_key is not None else None
    if wave is not None:
        _taking_codes(wave, "citizen")
    point = await _service_point(service_point_key)
    if wave is not None and point.unit_id not in await wave_store.wave_unit_ids(wave.id):
        raise AccessError(
            N_("%(point)s does not belong to a unit of %(wave)s: choose one of its service points"),
            field="service_point",
            point=Code(point.key),
            wave=Code(wave.key),
        )
    count = _count(count)
    if valid_days is None or not 1 <= valid_days <= MAX_VALID_DAYS:
        raise AccessError(
            N_("the days a code stays valid must be a whole number from 1 to %(most)s"),
            field="valid_days",
            most=MAX_VALID_DAYS,
        )
    secret = await installation_secret(settings)
    codes, hashes = await _made_codes("receipt", count, secret)
    until = (today or dt.date.today()) + dt.timedelta(days=valid_days)
    now = utc_now()
    kept = None
    async with write_transaction():
        await access.insert_receipt_codes(point.id, hashes, until)
        batch = await files.insert_batch(
            "receipts",
            wave_id=wave.id if wave else None,
            unit_id=None,
            service_point_id=point.id,
            count=count,
            issued_by=by,
            issued_at=now,
            valid_until=until,
        )
        if keep:
            kept = await _keep(batch, by, "receipts_csv", {"codes": codes}, now)
    await record(by, "access.receipts", point.key, f"count={count} valid_until={until.isoformat()}")
    return IssuedReceipts(point.key, point.name, until, codes, kept)


async def issue_receipt_codes(
    settings: Settings, service_point_key: str, count: int, valid_days: int, today: dt.date | None = None
) -> tuple[str, list[str]]:
    """(the service point's name, the codes); each code works once until it expires."""
    issued = await issue_receipts(settings, service_point_key, count, valid_days, today=today)
    return issued.service_point_name, issued.codes


# --- service points ---------------------------------------------------------------------------


async def service_point_details(key: str) -> tuple[str, str]:
    """(the Kommune's name, the service point's name)."""
    point = await _service_point(key)
    return await org_store.kommune_name() or "", point.name


async def poster_target(settings: Settings, key: str, kiosk: bool) -> tuple[str, str, str]:
    """(the Kommune's name, the service point's name, the link its poster shows)."""
    kommune, name = await service_point_details(key)
    return kommune, name, service_point_url(settings, key) + ("/kiosk" if kiosk else "")
