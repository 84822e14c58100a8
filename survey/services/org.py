"""The organisation: import it from a file (command line, or the browser with a preview first),
show it, and change one unit's headcount.

In the browser an organisation file goes in two steps: the upload is checked exactly as
`survey org import` checks a file and kept in the database (`upload_org_file`), its preview says
what would change against the organisation as stored now (`org_preview`), and only the
confirmation applies it (`apply_org_upload`). The confirmation names the uploaded content's hash
and the stamp of the organisation the preview was made against: a preview is applied only while
the organisation is still the one it showed, on whichever worker or host the confirmation lands.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import secrets
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

import yaml

from survey.domain import Organisation, check_org, load_org
from survey.domain.org import StoredOrganisation
from survey.domain.org_diff import HeadcountChange, OrgDiff, diff_organisation
from survey.errors import N_, Code, Message, OrgError, OrgFileError, Problem
from survey.services.accounts import Principal
from survey.services.audit import record
from survey.store import org as store
from survey.store import org_versions as version_store
from survey.store.engine import write_transaction

__all__ = [
    "MAX_HEADCOUNT",
    "DeclaredChange",
    "OrgPreview",
    "OrgTree",
    "OrganisationChanged",
    "TreeUnit",
    "applied_message",
    "apply_org_upload",
    "change_headcount",
    "check_org_file",
    "import_org",
    "kept_upload",
    "may_manage_organisation",
    "org_preview",
    "organisation_file",
    "organisation_listing",
    "organisation_tree",
    "parse_headcount",
    "stored_organisation",
    "upload_org_file",
]

#: the largest headcount a unit may have (as in the file's schema)
MAX_HEADCOUNT = 1_000_000
#: how long an uploaded file waits for its confirmation
UPLOAD_KEPT = dt.timedelta(days=1)
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
#: how .xlsx/.docx (zip) and .xls/.doc (OLE) files begin
_OFFICE_FILES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def may_manage_organisation(principal: Principal) -> bool:
    """Upload the organisation and change headcounts: the survey office (or an admin) of the whole
    organisation, as for the waves the organisation is surveyed in."""
    return principal.may("office")


def check_org_file(path: Path) -> tuple[Organisation | None, list[Problem]]:
    """The organisation in the file, with every problem found in it (then no organisation)."""
    return check_org(path)


async def organisation_listing() -> tuple[str | None, list[store.StoredUnit], list[store.StoredServicePoint]]:
    """The Kommune's name, its active units (tree order) and service points."""
    return await store.kommune_name(), await store.list_units(), await store.list_service_points()


async def stored_organisation() -> StoredOrganisation:
    """What an organisation file's changes and day are checked against: the units stored now
    (retired ones included) and the day the organisation stored now took effect."""
    latest = await version_store.latest_version()
    return StoredOrganisation(
        await store.list_units(include_retired=True),
        latest.valid_from if latest else None,
        dt.date.today(),
    )


async def import_org(path: Path, by: str = "survey org import") -> tuple[Organisation, store.OrgChange]:
    """Check the whole file first, then store all of it in one transaction (a new version)."""
    organisation = load_org(path, await stored_organisation())
    content_hash = hashlib.sha256(await asyncio.to_thread(path.read_bytes)).hexdigest()
    async with write_transaction():
        change = await store.save_organisation(organisation, by, content_hash)
    return organisation, change


# --- the tree as the organisation page shows it ------------------------------------------------


@dataclass(frozen=True)
class TreeUnit:
    key: str
    name: str
    kind: str
    parent: str | None
    depth: int
    #: staff of the unit itself, and of the unit with everything below it
    headcount: int
    subtree_headcount: int


@dataclass(frozen=True)
class OrgTree:
    kommune: str | None
    #: the stamp of the organisation as shown (survey.store.org.organisation_stamp)
    stamp: str
    units: list[TreeUnit]
    service_points: list[store.StoredServicePoint]


def _by_name(units: list[store.StoredUnit]) -> list[store.StoredUnit]:
    """The units in tree order, parents before children, siblings by name (Dezernat I, II, III)
    rather than by key as the database orders them."""
    children: dict[str | None, list[store.StoredUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent, []).append(unit)
    ordered: list[store.StoredUnit] = []

    def visit(parent: str | None) -> None:
        for unit in sorted(children.get(parent, []), key=lambda u: (u.name.casefold(), u.key)):
            ordered.append(unit)
            visit(unit.key)

    visit(None)
    return ordered


async def organisation_tree() -> OrgTree:
    kommune, units, points = await organisation_listing()
    units = _by_name(units)
    tree = [
        TreeUnit(
            u.key,
            u.name,
            u.kind,
            u.parent,
            u.depth,
            u.headcount,
            sum(v.headcount for v in units if v.path.startswith(u.path)),
        )
        for u in units
    ]
    return OrgTree(kommune, await store.organisation_stamp(), tree, points)


_FILE_HEADER = """\
# The organisation of {kommune}, as stored on {day}: edit it and upload it again.
# headcount = staff assigned directly to the unit, not to its sub-units.
# Kinds from top to bottom: Verwaltung > Dezernat > Fachbereich > Abteilung > Team.
# A unit left out is retired (its earlier results stay); a new key is a new unit.
# Reorganised? Say under `changes:` how the units follow from the ones before, so that the trends
# join across it, e.g. - {{kind: split, from: a, to: [b, c], shares: {{b: 60, c: 40}}}}
#                      - {{kind: merged, from: [d, e], to: f}}
"""


async def organisation_file() -> str:
    """The organisation as stored, as an organisation file (YAML) to edit and upload again:
    the same format `survey org import` reads, and importing it changes nothing."""
    kommune, units, points = await organisation_listing()
    units = _by_name(units)
    data = {
        "kommune": kommune or "",
        "units": [
            {
                "key": u.key,
                "name": u.name,
                "kind": u.kind,
                **({"parent": u.parent} if u.parent else {}),
                "headcount": u.headcount,
            }
            for u in units
        ],
        "service_points": [{"key": p.key, "name": p.name, "unit": p.unit} for p in points],
    }
    header = _FILE_HEADER.format(kommune=kommune or "-", day=dt.date.today().isoformat())
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


# --- upload, preview, apply ----------------------------------------------------------------------


@dataclass(frozen=True)
class OrgPreview:
    """An uploaded file and what applying it would change now."""

    token: str
    filename: str
    content_hash: str
    uploaded_by: str
    uploaded_at: dt.datetime
    #: the organisation the diff was computed against: the confirmation must name it
    stamp: str
    diff: OrgDiff
    #: (unit key, wave key, wave status) of units the file retires that a draft or open wave covers
    running: list[tuple[str, str, str]]
    #: the reorganisation the file declares, with the units' names: how the trends go on
    declared: list[DeclaredChange] = field(default_factory=list)


@dataclass(frozen=True)
class DeclaredChange:
    """One change of a file's `changes:` as the preview says it: the units before and after it
    by name, and for a split each successor's share of the staff (percent, by name)."""

    kind: str
    before: list[str]
    after: list[str]
    shares: list[tuple[str, float]]


def _declared(
    organisation: Organisation, stored: list[store.StoredUnit], diff: OrgDiff
) -> list[DeclaredChange]:
    """How the trends go on if the file is applied as it is: its declared changes, then what the
    comparison finds beyond them (a move or new name under the same key, a unit that ends or is
    new without a declared change)."""
    before = {u.key: u.name for u in stored}
    after = {u.key: u.name for u in organisation.units}
    declared, ended, carried = organisation.changes, diff.ended, diff.carried
    found = [
        *(("moved", [u.key], [u.key]) for u in diff.moved if u.key not in carried),
        *(("renamed", [u.key], [u.key]) for u in diff.renamed if u.key not in carried),
        *(("dissolved", [u.key], []) for u in diff.retired if u.key not in ended),
        *(("new", [], [u.key]) for u in diff.added if u.key not in carried),
    ]
    return [
        DeclaredChange(
            c.kind,
            [before.get(k, k) for k in c.before],
            [after.get(k, k) for k in c.after],
            [(after.get(k, k), share) for k, share in c.shares.items()],
        )
        for c in declared
    ] + [
        DeclaredChange(kind, [before.get(k, k) for k in b], [after.get(k, k) for k in a], [])
        for kind, b, a in found
    ]


def _display_name(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable()).strip()[:200]
    return name or "organisation.yaml"


def _check_content(
    content: bytes, filename: str, stored: StoredOrganisation
) -> tuple[Organisation | None, list[Problem]]:
    """The checks of `survey org import`, on the content of an uploaded file."""
    with tempfile.TemporaryDirectory(prefix="lp-org-") as folder:
        path = Path(folder) / "organisation.yaml"
        path.write_bytes(content)
        organisation, problems = check_org(path, stored)
    return organisation, [replace(p, file=filename) for p in problems]


async def _checked(content: bytes, filename: str) -> Organisation:
    stored = await stored_organisation()
    organisation, problems = await asyncio.to_thread(_check_content, content, filename, stored)
    if problems or organisation is None:
        raise OrgFileError(problems)
    return organisation


async def _preview(upload: store.StoredUpload, organisation: Organisation) -> OrgPreview:
    stamp = await store.organisation_stamp()
    stored = await store.list_units(include_retired=True)
    diff = diff_organisation(
        stored,
        await store.list_service_points(include_retired=True),
        await store.kommune_name(),
        organisation,
    )
    running = await store.units_in_running_waves([u.key for u in diff.retired])
    return OrgPreview(
        upload.token,
        upload.filename,
        upload.content_hash,
        upload.uploaded_by,
        upload.uploaded_at,
        stamp,
        diff,
        running,
        _declared(organisation, stored, diff),
    )


async def upload_org_file(content: bytes, filename: str, by: str) -> OrgPreview:
    """Check an uploaded organisation file and keep it for its preview; nothing else changes.

    OrgFileError names every problem (line, field, what to do), as `survey org import` does."""
    shown = _display_name(filename)
    if content.startswith(_OFFICE_FILES):
        raise OrgError(
            N_(
                "%(file)s is an Excel or other office file, not an organisation file: upload the "
                "organisation as a YAML file, like the one this page offers for download"
            ),
            file=Code(shown),
        )
    organisation = await _checked(content, shown)
    upload = store.StoredUpload(
        secrets.token_urlsafe(24),
        shown,
        content.decode("utf-8"),
        hashlib.sha256(content).hexdigest(),
        by,
        dt.datetime.now(dt.UTC),
    )
    await store.delete_uploads_before(upload.uploaded_at - UPLOAD_KEPT)
    await store.save_upload(upload)
    return await _preview(upload, organisation)


_GONE = N_(
    "this preview is no longer there: it has been applied, or it is older than a day. "
    "Upload the organisation file again"
)
_NOT_THIS = N_("the confirmation does not belong to this upload: open its preview again and confirm there")
_CHANGED = N_(
    "the organisation has changed since this preview was shown (another file or a headcount): "
    "check its preview again and confirm once more"
)


class OrganisationChanged(OrgError):
    """The organisation is no longer the one a preview showed: the preview is to be checked again."""


_STALE_FILE = N_(
    "the uploaded file no longer passes the checks (they have changed since): upload it again to "
    "see what to fix"
)
#: why an apply was refused, as the audit log names it
_REFUSAL_CODES = {
    _GONE: "gone",
    _NOT_THIS: "not_this_upload",
    _CHANGED: "organisation_changed",
    _STALE_FILE: "checks_failed",
}


async def _upload(token: str) -> store.StoredUpload:
    upload = await store.find_upload(token[:64])
    if upload is None:
        raise OrgError(_GONE)
    return upload


async def _kept_file(upload: store.StoredUpload) -> Organisation:
    """The organisation of a kept upload, checked again (the checks may have changed since, with
    a new release of Leitbild-Puls in between)."""
    try:
        return await _checked(upload.content.encode("utf-8"), upload.filename)
    except OrgFileError:
        raise OrgError(_STALE_FILE) from None


async def org_preview(token: str) -> OrgPreview:
    """What the uploaded file would change in the organisation as it is now (OrgError: gone)."""
    return (await kept_upload(token))[1]


async def kept_upload(token: str) -> tuple[store.StoredUpload, OrgPreview]:
    """An uploaded file as kept, and its preview against the organisation as it is now."""
    upload = await _upload(token)
    return upload, await _preview(upload, await _kept_file(upload))


async def apply_org_upload(token: str, content_hash: str, stamp: str, by: str) -> OrgPreview:
    """Apply an uploaded file, if the organisation is still the one its preview showed (audited:
    `org.import` with the file's hash and the changes counted, `org.import_refused` with why).

    OrgError: the upload is gone (applied, expired), the hash is not the upload's, or the
    organisation has changed since the preview (`stamp`): nothing is changed then."""
    upload: store.StoredUpload | None = None
    try:
        upload = await _upload(token)
        if not secrets.compare_digest(upload.content_hash.encode(), content_hash.encode()):
            raise OrgError(_NOT_THIS)
        organisation = await _kept_file(upload)
        async with write_transaction():
            await store.lock_organisation()
            preview = await _preview(upload, organisation)
            if preview.stamp != stamp:
                raise OrganisationChanged(_CHANGED)
            if not await store.delete_upload(upload.token):
                raise OrgError(_GONE)
            await store.save_organisation(organisation, by, upload.content_hash)
    except OrgError as exc:
        target = upload.filename if upload else token[:64]
        await record(by, "org.import_refused", target, _REFUSAL_CODES.get(exc.message.template, "refused"))
        raise
    counts = preview.diff.counts()
    # one part per kind of change ("; " parts: the audit log's pages read each in their language)
    detail = "; ".join(f"{name} {count}" for name, count in counts.items() if count) or "no changes"
    await record(by, "org.import", upload.filename, f"sha256 {upload.content_hash}; {detail}")
    return preview


def applied_message(preview: OrgPreview) -> Message:
    """What applying the file did, for the notice of the page and the API's answer."""
    diff = preview.diff
    if diff.empty:
        return Message(
            N_("the file %(file)s matches the organisation: nothing has changed"),
            {"file": Code(preview.filename)},
        )
    return Message(
        N_(
            "the organisation of %(file)s is applied. Units added: %(added)s, moved: %(moved)s, "
            "renamed: %(renamed)s, retired: %(retired)s; headcounts changed: %(headcounts)s"
        ),
        {
            "file": Code(preview.filename),
            "added": len(diff.added),
            "moved": len(diff.moved),
            "renamed": len(diff.renamed),
            "retired": len(diff.retired),
            "headcounts": len(diff.headcounts),
        },
    )


# --- one unit's headcount ------------------------------------------------------------------------


def parse_headcount(text: str) -> int:
    """A headcount as typed into a form: a whole number from 0 to MAX_HEADCOUNT (OrgError)."""
    cleaned = text.strip()
    if not _WHOLE_NUMBER.fullmatch(cleaned):
        raise OrgError(N_("enter the headcount as a whole number, 0 or more (for example 12)"))
    value = int(cleaned)
    _check_headcount(value)
    return value


def _check_headcount(value: int) -> None:
    if not 0 <= value <= MAX_HEADCOUNT:
        raise OrgError(N_("enter a headcount from 0 to 1,000,000: the staff working in the unit itself"))


async def change_headcount(key: str, headcount: int, by: str) -> HeadcountChange:
    """Set one active unit's own headcount (audited); OrgError: no such unit, or out of range."""
    _check_headcount(headcount)
    async with write_transaction():
        await store.lock_organisation()
        units = {u.key: u for u in await store.list_units()}
        old = await store.set_headcount(key, headcount)
    if old is None:
        raise OrgError(
            N_(
                "there is no unit %(unit)s in the organisation (or it has been retired): "
                "choose one from the list"
            ),
            unit=Code(key[:64]),
        )
    await record(by, "org.headcount", key, f"{old} → {headcount}")
    return HeadcountChange(key, units[key].name, old, headcount)
