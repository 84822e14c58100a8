"""Co-determination: the Personalrat approves staff questionnaire versions and staff waves.

An approval records who approved what, when, and the content hash of what was approved: for a
version its content hash, for a wave the hash of its version's content hash, audience,
thresholds and units (`wave_content_hash`). Approvals are never changed or deleted; the
newest one whose hash matches the current content counts, so anything changed after an
approval needs a new one, and content approved as it is gets no second one
(`AlreadyApproved`). A staff wave opens only when its version file is unchanged and both
approvals match (`wave_approval_problems`). Citizen questionnaires and waves need none.

Approving is the Personalrat's own right: only users with the role `personalrat` approve; an
admin does not count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import msgspec

from survey.domain import Catalog, QuestionnaireVersion, check_catalog
from survey.errors import N_, Code, Message, Problem, SurveyError
from survey.services.accounts import Principal
from survey.services.audit import record
from survey.services.permissions import may_approve
from survey.store import approvals as store
from survey.store import catalog as catalog_store
from survey.store import waves as wave_store
from survey.store.approvals import StoredApproval
from survey.store.catalog import PublishedRecord
from survey.store.waves import Wave

__all__ = [
    "PERSONALRAT",
    "AlreadyApproved",
    "ApprovalError",
    "ApprovalRecord",
    "ApprovalState",
    "ApprovalStatus",
    "approval_status",
    "approve_version",
    "approve_wave",
    "record_demo_approvals",
    "version_subject",
    "wave_approval_problems",
    "wave_content_hash",
]

PERSONALRAT = "personalrat"


class ApprovalError(SurveyError):
    """An approval that cannot be given, or a staff wave that cannot open for want of one."""


class AlreadyApproved(ApprovalError):
    """The content is approved as it is already: `approval` is the approval that counts."""

    def __init__(self, approval: ApprovalRecord) -> None:
        self.approval = approval
        super().__init__(
            N_("%(subject)s is approved already as it is now (by %(user)s on %(day)s): nothing changed"),
            subject=approval.subject,
            user=approval.approved_by,
            day=f"{approval.approved_at:%Y-%m-%d}",
        )


class ApprovalRecord(msgspec.Struct, frozen=True):
    """One approval: who, when, and the content hash approved."""

    kind: Literal["version", "wave"]
    subject: str
    content_hash: str
    approved_by: str
    approved_at: dt.datetime


class ApprovalState(msgspec.Struct, frozen=True):
    """Whether the current content of a staff version or wave is approved.

    `state` is, for a version: `unpublished` (only in the files), `published`, or `file_changed`
    (the published version's file differs from what was published; a published version without a
    file is `published`: the database holds it); for a wave its status (`draft`, `open`). `latest` is the approval that counts
    when `approved`, else the newest one (under another hash: then `stale`).
    """

    kind: Literal["version", "wave"]
    subject: str
    title: str
    state: str
    content_hash: str
    approved: bool
    stale: bool
    latest: ApprovalRecord | None


class ApprovalStatus(msgspec.Struct, frozen=True):
    versions: list[ApprovalState]
    waves: list[ApprovalState]


def version_subject(questionnaire: str, version: int) -> str:
    """`staff-pulse v3`: how approvals name a version."""
    return f"{questionnaire} v{version}"


def wave_content_hash(version_hash: str, audience: str, k: int, k_text: int, unit_keys: list[str]) -> str:
    """SHA-256 of the canonical JSON of what the Personalrat approves about a wave."""
    canonical = json.dumps(
        {
            "version": version_hash,
            "audience": audience,
            "k": k,
            "k_text": k_text,
            "units": sorted(unit_keys),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _record_of(stored: StoredApproval) -> ApprovalRecord:
    return ApprovalRecord(
        stored.kind,  # type: ignore[arg-type]
        stored.subject,
        stored.content_hash,
        stored.approved_by,
        stored.approved_at,
    )


async def _check_personalrat(by: Principal, subject: str) -> None:
    # Deliberately not Principal.may(): there an admin counts for every role (see may_approve).
    if not may_approve(by):
        await record(by.username, "approval.refused", subject, "not a Personalrat member")
        raise ApprovalError(
            N_(
                "%(user)s is not a Personalrat member: only users with the role personalrat approve "
                "staff questionnaires and waves (co-determination is the Personalrat's own right; "
                "an admin does not count)"
            ),
            user=Code(by.username),
        )


async def _store(kind: str, subject: str, digest: str, username: str, at: dt.datetime | None = None) -> None:
    await store.insert_approval(kind, subject, digest, username, at or _now())
    await record(username, f"approval.{kind}", subject, f"sha256 {digest}")


# --- the files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _OnDisk:
    """A version as its file is now: loaded, or why not (`problems`, or no file at all)."""

    version: QuestionnaireVersion | None
    file: str
    problems: list[Problem]
    catalog: Catalog


def _on_disk(root: Path, questionnaire: str, number: int) -> _OnDisk:
    catalog, problems = check_catalog(root)
    ref = (questionnaire, number)
    file = catalog.files.get(ref, str(root / questionnaire / f"v{number}.yaml"))
    return _OnDisk(
        catalog.versions.get(ref), file, [p for p in problems if Path(p.file) == Path(file)], catalog
    )


def _unknown(catalog: Catalog, questionnaire: str, number: int) -> Message:
    versions = catalog.versions_of(questionnaire)
    if not versions:
        return Message(
            N_("there is no questionnaire %(questionnaire)s in %(folder)s (questionnaires: %(names)s)"),
            {
                "questionnaire": Code(questionnaire),
                "folder": str(catalog.root),
                "names": ", ".join(catalog.questionnaires()) or "–",
            },
        )
    return Message(
        N_("%(questionnaire)s has no version %(number)d in %(folder)s (versions: %(known)s)"),
        {
            "questionnaire": questionnaire,
            "number": number,
            "folder": str(catalog.root),
            "known": ", ".join(f"v{v.version}" for v in versions),
        },
    )


def _changed_file(
    disk: _OnDisk, questionnaire: str, number: int, published: dict[tuple[str, int], PublishedRecord]
) -> Message:
    newest = max(
        v for q, v in {*disk.catalog.versions, *published, (questionnaire, number)} if q == questionnaire
    )
    return Message(
        N_(
            "the file %(file)s of %(subject)s has changed since it was approved/published (published "
            "%(day)s): undo the change or create v%(next)d and have it approved"
        ),
        {
            "file": disk.file,
            "subject": version_subject(questionnaire, number),
            "day": f"{published[(questionnaire, number)].published_at:%Y-%m-%d}",
            "next": newest + 1,
        },
    )


# --- approving ----------------------------------------------------------------------------------


async def approve_version(
    questionnaire: str, version: int, *, by: Principal, questionnaires: Path
) -> ApprovalRecord:
    """The Personalrat approves a staff questionnaire version as its file reads now.

    Refused for anyone without the role personalrat, for a version not in the files, for a
    citizen questionnaire, for a published version whose file has changed since, and for a
    version approved as it is already (`AlreadyApproved`).
    """
    subject = version_subject(questionnaire, version)
    await _check_personalrat(by, subject)
    disk = _on_disk(questionnaires, questionnaire, version)
    published = await catalog_store.published_versions()
    record = published.get((questionnaire, version))
    current = disk.version
    if current is None and not disk.problems and record is not None:
        # made in the browser or published from a folder that is gone: the database is the record
        current = await catalog_store.load_published_version(questionnaire, version)
    if current is None:
        if disk.problems:
            listed = "\n".join(f"    {p}" for p in disk.problems)
            raise ApprovalError(
                N_("%(subject)s cannot be approved: its file has problems, which must be fixed first"),
                subject=subject,
                hint=f"`survey questionnaires check` lists them:\n{listed}",
            )
        raise ApprovalError(_unknown(disk.catalog, questionnaire, version))
    if current.audience != "staff":
        raise ApprovalError(
            N_(
                "%(subject)s is a citizen questionnaire: only staff questionnaires need the "
                "Personalrat's approval"
            ),
            subject=subject,
        )
    if record is not None and record.content_hash != current.content_hash:
        raise ApprovalError(_changed_file(disk, questionnaire, version, published))
    digest = current.content_hash
    await _refuse_repeat("version", subject, digest)
    at = _now()
    await _store("version", subject, digest, by.username, at)
    return ApprovalRecord("version", subject, digest, by.username, at)


async def _wave(key: str) -> Wave:
    wave = await wave_store.get_wave(key)
    if wave is None:
        raise ApprovalError(
            N_("there is no wave %(wave)s"), wave=Code(key), hint="`survey wave list` shows the waves"
        )
    return wave


async def _refuse_repeat(kind: str, subject: str, digest: str) -> None:
    """A second approval of the same content records nothing new: a form sent twice, or two
    members approving one after the other."""
    matching = _matching(await store.list_approvals(kind, subject), digest)
    if matching is not None:
        raise AlreadyApproved(_record_of(matching))


async def _current_wave_hash(wave: Wave) -> str:
    return wave_content_hash(
        await store.wave_version_hash(wave.id),
        wave.audience,
        wave.k,
        wave.k_text,
        await store.wave_unit_keys(wave.id),
    )


async def approve_wave(key: str, *, by: Principal) -> ApprovalRecord:
    """The Personalrat approves a staff wave as it is now: version, thresholds, units.

    Refused for a citizen wave, a closed wave, and a wave approved as it is already."""
    await _check_personalrat(by, key)
    wave = await _wave(key)
    if wave.audience != "staff":
        raise ApprovalError(
            N_("%(wave)s is a citizen wave: only staff waves need the Personalrat's approval"), wave=Code(key)
        )
    if wave.status == "closed":
        raise ApprovalError(N_("%(wave)s is closed: there is nothing left to approve"), wave=Code(key))
    digest = await _current_wave_hash(wave)
    await _refuse_repeat("wave", key, digest)
    at = _now()
    await _store("wave", key, digest, by.username, at)
    return ApprovalRecord("wave", key, digest, by.username, at)


async def record_demo_approvals(
    username: str,
    *,
    versions: Sequence[QuestionnaireVersion] = (),
    waves: Sequence[str] = (),
    at: dt.datetime | None = None,
) -> None:
    """Approvals in the demo Personalrat's name for the demo's simulated history.

    No role check (the demo's users may not exist yet); a version or wave already approved as it
    is gets no second approval, so running the demo again adds nothing.
    """
    for version in versions:
        if version.audience != "staff":
            continue
        subject = version_subject(version.questionnaire, version.version)
        if not any(
            a.content_hash == version.content_hash for a in await store.list_approvals("version", subject)
        ):
            await _store("version", subject, version.content_hash, username, at)
    for key in waves:
        wave = await _wave(key)
        if wave.audience != "staff":
            continue
        digest = await _current_wave_hash(wave)
        if not any(a.content_hash == digest for a in await store.list_approvals("wave", key)):
            await _store("wave", key, digest, username, at)


# --- checking -----------------------------------------------------------------------------------


def _matching(approvals: list[StoredApproval], digest: str) -> StoredApproval | None:
    return next((a for a in approvals if a.content_hash == digest), None)


async def wave_approval_problems(key: str, questionnaires: Path) -> list[Message]:
    """Why the staff wave `key` may not open yet; empty when it may (and for citizen waves)."""
    wave = await _wave(key)
    if wave.audience != "staff":
        return []
    problems: list[Message] = []
    subject = version_subject(wave.questionnaire, wave.version)
    all_published = await catalog_store.published_versions()
    published = all_published[(wave.questionnaire, wave.version)]
    disk = _on_disk(questionnaires, wave.questionnaire, wave.version)
    if disk.version is None and disk.problems:
        problems.append(
            Message(
                N_("the file %(file)s of %(subject)s has problems, which must be fixed"),
                {"file": disk.file, "subject": subject},
                f"`survey questionnaires check --dir {questionnaires}` lists them",
            )
        )
    elif disk.version is not None and disk.version.content_hash != published.content_hash:
        problems.append(_changed_file(disk, wave.questionnaire, wave.version, all_published))
    version_approvals = await store.list_approvals("version", subject)
    if _matching(version_approvals, published.content_hash) is None:
        problems.append(
            Message(
                N_(
                    "the Personalrat has not approved %(subject)s as published (its approval was "
                    "given for other content)"
                )
                if version_approvals
                else N_("the Personalrat has not approved %(subject)s as published"),
                {"subject": subject},
                f"`survey approve version {wave.questionnaire} {wave.version} --by USER`",
            )
        )
    wave_approvals = await store.list_approvals("wave", key)
    if _matching(wave_approvals, await _current_wave_hash(wave)) is None:
        hint = f"`survey approve wave {key} --by USER`"
        if wave_approvals:
            problems.append(
                Message(
                    N_(
                        "the wave %(wave)s has changed (version, thresholds k=%(k)d, k_text=%(k_text)d or "
                        "units) since the Personalrat approved it on %(day)s: it needs a new approval"
                    ),
                    {
                        "wave": Code(key),
                        "k": wave.k,
                        "k_text": wave.k_text,
                        "day": f"{wave_approvals[0].approved_at:%Y-%m-%d}",
                    },
                    hint,
                )
            )
        else:
            problems.append(
                Message(
                    N_(
                        "the Personalrat has not approved the wave %(wave)s (its version, thresholds "
                        "k=%(k)d, k_text=%(k_text)d and units)"
                    ),
                    {"wave": Code(key), "k": wave.k, "k_text": wave.k_text},
                    hint,
                )
            )
    return problems


def _state(
    kind: Literal["version", "wave"],
    subject: str,
    title: str,
    state: str,
    digest: str,
    approvals: list[StoredApproval],
) -> ApprovalState:
    matching = _matching(approvals, digest)
    shown = matching or (approvals[0] if approvals else None)
    return ApprovalState(
        kind=kind,
        subject=subject,
        title=title,
        state=state,
        content_hash=digest,
        approved=matching is not None,
        stale=matching is None and bool(approvals),
        latest=_record_of(shown) if shown else None,
    )


def _title(texts: dict[str, str]) -> str:
    return texts.get("de") or next(iter(texts.values()), "")


async def approval_status(questionnaires: Path) -> ApprovalStatus:
    """Every staff version (in the files or published) and every staff wave not closed, with
    whether its current content is approved; for the Personalrat's page, API and `survey approve list`.

    A published version's current content is what was published (waves use that); a version only
    in the files is current as its file reads.
    """
    catalog, _ = check_catalog(questionnaires)
    published = await catalog_store.published_versions()
    approvals: dict[tuple[str, str], list[StoredApproval]] = {}
    for approval in await store.list_approvals():
        approvals.setdefault((approval.kind, approval.subject), []).append(approval)
    versions = []
    for questionnaire, number in sorted(set(catalog.versions) | set(published)):
        on_disk = catalog.versions.get((questionnaire, number))
        record = published.get((questionnaire, number))
        if record is None:
            assert on_disk is not None
            if on_disk.audience != "staff":
                continue
            state, digest, title = "unpublished", on_disk.content_hash, _title(on_disk.title)
        else:
            stored = on_disk
            if stored is None or stored.content_hash != record.content_hash:
                stored = await catalog_store.load_published_version(questionnaire, number)
                assert stored is not None
            if stored.audience != "staff":
                continue
            digest = record.content_hash
            title = _title(stored.title)
            if on_disk is not None and on_disk.content_hash != record.content_hash:
                state = "file_changed"
            else:
                state = "published"
        subject = version_subject(questionnaire, number)
        versions.append(
            _state("version", subject, title, state, digest, approvals.get(("version", subject), []))
        )
    waves = [
        _state(
            "wave", w.key, w.title, w.status, await _current_wave_hash(w), approvals.get(("wave", w.key), [])
        )
        for w in await wave_store.list_waves()
        if w.audience == "staff" and w.status != "closed"
    ]
    return ApprovalStatus(versions, waves)
