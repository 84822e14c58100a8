"""The wave's access page and the files of codes kept for one download.

The page shows what was issued for a wave (how many codes per unit, when, by whom; never a code),
its unit links, its service points with their links, and the files waiting for the viewer: the
letters and the mail-merge CSV of invitation codes, the CSV of receipt codes, a unit link's access
code. A file is handed out once, to the person who issued it, and deleted; one not fetched within
a day (survey.services.invitations.KEEP_FOR) is deleted unseen.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from survey.errors import N_, Message
from survey.services.audit import record
from survey.services.invitations import AccessError, access_wave, service_point_url, utc_now
from survey.services.waves import wave_title
from survey.settings import Settings
from survey.store import downloads as files
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.downloads import IssueRecord, KeptFile
from survey.store.waves import Wave

__all__ = [
    "GONE",
    "AccessOverview",
    "IssueRecord",
    "KeptCodes",
    "ServicePointAccess",
    "UnitChoice",
    "WaitingFile",
    "access_overview",
    "forget_file",
    "kept_codes",
]


#: a file that is not (or no longer) there: taken already, past its day, or another user's
GONE = Message(N_("this file has been downloaded already, or its day has passed: issue new codes if needed"))


@dataclass(frozen=True)
class WaitingFile:
    """A file of codes waiting for its one download (or, for an access code, to be shown once)."""

    token: str
    kind: str
    #: the unit's or the service point's name and key
    name: str
    key: str
    expires_at: dt.datetime
    #: the unit link and its access code (kind `access_code` only)
    url: str = ""
    access_code: str = ""


@dataclass(frozen=True)
class KeptCodes:
    """A kept file's codes and everything its download is made of."""

    kind: str
    wave_key: str | None
    #: the unit's or the service point's key and name
    key: str
    name: str
    codes: list[str]
    #: the rows of the CSV: the code and its personal link
    rows: list[tuple[str, str]]
    #: the letters' language
    language: str
    kommune: str
    wave_title: str
    closes_on: dt.date | None
    #: where staff type in a code
    entry_url: str


@dataclass(frozen=True)
class UnitChoice:
    key: str
    name: str
    headcount: int


@dataclass(frozen=True)
class ServicePointAccess:
    key: str
    name: str
    unit_name: str
    url: str
    kiosk_url: str


@dataclass(frozen=True)
class AccessOverview:
    """What the wave's access page shows."""

    wave: Wave
    #: the wave's title in the page's language
    title: str
    #: the wave's units (staff waves: whom codes and links are for)
    units: list[UnitChoice]
    #: the service points of the wave's units (citizen waves)
    service_points: list[ServicePointAccess]
    #: invitation codes and unit links issued for the wave, the newest first
    issues: list[IssueRecord]
    #: (unit name, link) of each unit link
    unit_links: list[tuple[str, str]]
    #: receipt codes issued for the wave's service points
    receipts: list[IssueRecord]
    #: the viewer's files of this wave still waiting
    waiting: list[WaitingFile]
    #: new codes may be issued (the wave is not closed)
    takes_codes: bool


async def _service_points_of(wave: Wave, settings: Settings) -> tuple[list[ServicePointAccess], list[int]]:
    ids = set(await wave_store.wave_unit_ids(wave.id))
    units = {u.key: u for u in await org_store.list_units(include_retired=True)}
    points = [p for p in await org_store.list_service_points() if p.unit in units and units[p.unit].id in ids]
    shown = [
        ServicePointAccess(
            p.key,
            p.name,
            units[p.unit].name,
            service_point_url(settings, p.key),
            service_point_url(settings, p.key) + "/kiosk",
        )
        for p in points
    ]
    return shown, [p.id for p in points]


def _waiting(kept: KeptFile) -> WaitingFile:
    if kept.kind != "access_code":
        return WaitingFile(kept.token, kept.kind, kept.name, kept.key, kept.expires_at)
    content = json.loads(kept.content)
    return WaitingFile(
        kept.token, kept.kind, kept.name, kept.key, kept.expires_at, content["url"], content["codes"][0]
    )


async def access_overview(settings: Settings, wave_key: str, viewer: str, lang: str = "de") -> AccessOverview:
    """The wave's access page for `viewer`, in `lang`. Files past their day are deleted first."""
    wave = await access_wave(wave_key)
    now = utc_now()
    await files.purge_expired(now)
    ids = set(await wave_store.wave_unit_ids(wave.id))
    units = [
        UnitChoice(u.key, u.name, u.headcount)
        for u in await org_store.list_units(include_retired=True)
        if u.id in ids
    ]
    points, point_ids = await _service_points_of(wave, settings) if wave.audience == "citizen" else ([], [])
    links = [
        (link.unit_name, f"{settings.base_url}/t/{link.token}")
        for link in await files.unit_links_of_wave(wave.id)
    ]
    return AccessOverview(
        wave,
        await wave_title(wave, lang),
        units,
        points,
        [i for i in await files.issues_of_wave(wave.id) if i.kind != "receipts"],
        links,
        await files.issues_of_service_points(point_ids),
        [_waiting(f) for f in await files.pending_files(viewer, wave.id, now)],
        wave.status != "closed",
    )


async def kept_codes(settings: Settings, token: str, owner: str) -> KeptCodes:
    """The codes of `owner`'s file `token`, to make its download from; `forget_file` once it is
    made. Another user's file is refused as if it did not exist."""
    now = utc_now()
    await files.purge_expired(now)
    kept = await files.find_file(token, now)
    if kept is None or kept.owner != owner:
        raise AccessError(GONE, missing=True)
    content = json.loads(kept.content)
    codes: list[str] = content["codes"]
    language = content.get("language", "de")
    wave = await wave_store.get_wave(kept.wave_key) if kept.wave_key else None
    entry_url = f"{settings.base_url}/i"
    if kept.kind == "receipts_csv":
        base = service_point_url(settings, kept.key)
        rows = [(code, f"{base}?beleg={code}") for code in codes]
    else:
        rows = [(code, f"{entry_url}/{code}") for code in codes]
    return KeptCodes(
        kept.kind,
        kept.wave_key,
        kept.key,
        kept.name,
        codes,
        rows,
        language,
        await org_store.kommune_name() or "",
        await wave_title(wave, language) if wave else "",
        wave.closes_on if wave else None,
        entry_url,
    )


async def forget_file(token: str, owner: str, what: str) -> bool:
    """Delete a file once it has been handed out, and write that to the audit log (`what`: which
    file, never its codes); False if another request took it first."""
    taken = await files.delete_file(token)
    if taken:
        await record(owner, "access.download", what)
    return taken
