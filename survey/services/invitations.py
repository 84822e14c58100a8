"""Hand out access: staff invitation codes, unit links with a shared code, citizen receipt codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.domain.codes import code_hash, new_code, new_token
from survey.errors import SurveyError
from survey.services.secret import installation_secret
from survey.settings import Settings
from survey.store import access
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.engine import write_transaction
from survey.store.waves import Wave

__all__ = [
    "IssuedInvitations",
    "UnitLinkIssued",
    "create_unit_link",
    "issue_invitations",
    "issue_receipt_codes",
    "service_point_url",
]

MAX_CODES = 100_000


@dataclass(frozen=True)
class IssuedInvitations:
    kommune: str
    wave: Wave
    unit_key: str
    unit_name: str
    entry_url: str
    #: the only time the codes exist in plain text: write them out now
    codes: list[str]


@dataclass(frozen=True)
class UnitLinkIssued:
    wave: Wave
    unit_name: str
    url: str
    access_code: str


async def _staff_wave_and_unit(wave_key: str, unit_key: str) -> tuple[Wave, org_store.StoredUnit]:
    wave = await wave_store.get_wave(wave_key)
    if wave is None:
        raise SurveyError(f"there is no wave `{wave_key}`: `survey wave list` shows the waves")
    if wave.audience != "staff":
        raise SurveyError(
            f"`{wave_key}` is a citizen wave: invitations are for staff waves; citizens "
            "answer at service points (`survey poster`)"
        )
    if wave.status == "closed":
        raise SurveyError(f"`{wave_key}` is closed: create a new wave")
    units = {u.key: u for u in await org_store.list_units()}
    unit = units.get(unit_key)
    if unit is None:
        raise SurveyError(f"--unit: no unit with key `{unit_key}`; `survey org list` shows the keys")
    if unit.id not in await wave_store.wave_unit_ids(wave.id):
        raise SurveyError(f"`{unit_key}` is not among the units of `{wave_key}`: pick one of its units")
    return wave, unit


async def issue_invitations(
    settings: Settings, wave_key: str, unit_key: str, count: int
) -> IssuedInvitations:
    if not 1 <= count <= MAX_CODES:
        raise SurveyError(f"--count {count}: give 1 to {MAX_CODES:,} codes")
    wave, unit = await _staff_wave_and_unit(wave_key, unit_key)
    secret = await installation_secret(settings)
    codes = [new_code("invitation", secret) for _ in range(count)]
    hashes = [code_hash("invitation", c.replace("-", ""), secret) for c in codes]
    async with write_transaction():
        await access.insert_invitations(wave.id, unit.id, hashes)
    return IssuedInvitations(
        await org_store.kommune_name() or "", wave, unit.key, unit.name, f"{settings.base_url}/i", codes
    )


async def create_unit_link(settings: Settings, wave_key: str, unit_key: str) -> UnitLinkIssued:
    wave, unit = await _staff_wave_and_unit(wave_key, unit_key)
    secret = await installation_secret(settings)
    token = new_token(16)
    code = new_code("unit", secret)
    async with write_transaction():
        await access.insert_unit_link(
            token, wave.id, unit.id, code_hash("unit", code.replace("-", ""), secret)
        )
    return UnitLinkIssued(wave, unit.name, f"{settings.base_url}/t/{token}", code)


def service_point_url(settings: Settings, key: str) -> str:
    return f"{settings.base_url}/s/{key}"


async def issue_receipt_codes(
    settings: Settings, service_point_key: str, count: int, valid_days: int, today: dt.date | None = None
) -> tuple[str, list[str]]:
    """(the service point's name, the codes); each code works once until it expires."""
    if not 1 <= count <= MAX_CODES:
        raise SurveyError(f"--count {count}: give 1 to {MAX_CODES:,} codes")
    if not 1 <= valid_days <= 366:
        raise SurveyError(f"--valid-days {valid_days}: give 1 to 366 days")
    point = await access.find_service_point(service_point_key)
    if point is None:
        raise SurveyError(f"no service point `{service_point_key}`: `survey org list` shows the keys")
    secret = await installation_secret(settings)
    codes = [new_code("receipt", secret) for _ in range(count)]
    until = (today or dt.date.today()) + dt.timedelta(days=valid_days)
    async with write_transaction():
        await access.insert_receipt_codes(
            point.id, [code_hash("receipt", c.replace("-", ""), secret) for c in codes], until
        )
    return point.name, codes


async def service_point_details(key: str) -> tuple[str, str]:
    """(the Kommune's name, the service point's name)."""
    point = await access.find_service_point(key)
    if point is None:
        raise SurveyError(f"no service point `{key}`: `survey org list` shows the keys")
    return await org_store.kommune_name() or "", point.name
