"""Where each staff version and staff wave stands with the Personalrat: approved, rejected, changed
since a decision, or waiting; for the Personalrat's pages, the API and `survey approve list`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import msgspec

from survey.domain import check_catalog
from survey.services.approvals_decisions import (
    ApprovalRecord,
    Decisions,
    DecisionState,
    RejectionRecord,
    WaveChange,
    approval_of,
    current_wave_hash,
    rejection_of,
    version_subject,
    wave_changes,
    wave_facts,
)
from survey.store import approvals as store
from survey.store import catalog as catalog_store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.approvals import StoredApproval, StoredRejection
from survey.store.waves import Wave

__all__ = ["ApprovalState", "ApprovalStatus", "approval_status", "state_of", "unit_names", "wave_state"]


class ApprovalState(msgspec.Struct, frozen=True):
    """Whether the current content of a staff version or wave is approved.

    `state` is, for a version: `unpublished` (only in the files), `published`, or `file_changed`
    (the published version's file differs from what was published; a published version without a
    file is `published`: the database holds it); for a wave its status (`draft`, `open`). `latest`
    is the approval that counts when `approved`, else the newest one (under another hash: then
    `stale`). `decision` says where the current content stands (approved, rejected, changed since
    a decision about earlier content, waiting); `rejection` is the rejection that counts, or where
    the content changed since one, that one; `changes` what changed in a wave since the newest
    decision about it (empty where that is not known).
    """

    kind: Literal["version", "wave"]
    subject: str
    title: str
    state: str
    content_hash: str
    approved: bool
    stale: bool
    latest: ApprovalRecord | None
    decision: DecisionState = "waiting"
    rejection: RejectionRecord | None = None
    #: changed: whether the newest decision, about earlier content, was an approval or a rejection
    changed_since: Literal["approval", "rejection"] | None = None
    #: changed: when that decision was made
    changed_after: dt.datetime | None = None
    changes: list[WaveChange] = []


class ApprovalStatus(msgspec.Struct, frozen=True):
    versions: list[ApprovalState]
    waves: list[ApprovalState]


def state_of(
    kind: Literal["version", "wave"],
    subject: str,
    title: str,
    state: str,
    digest: str,
    decisions: Decisions,
    changes: list[WaveChange] | None = None,
) -> ApprovalState:
    """The state of `subject` whose content is now `digest`; `changes` what changed in it since
    the newest decision (waves)."""
    decision = decisions.state(digest)
    approval = decisions.approval(digest)
    shown = approval or (decisions.approvals[0] if decisions.approvals else None)
    newest = decisions.newest()
    rejection = decisions.rejection(digest)
    if decision == "changed" and isinstance(newest, StoredRejection):
        rejection = newest
    return ApprovalState(
        kind=kind,
        subject=subject,
        title=title,
        state=state,
        content_hash=digest,
        approved=approval is not None,
        stale=not any(a.content_hash == digest for a in decisions.approvals) and bool(decisions.approvals),
        latest=approval_of(shown) if shown else None,
        decision=decision,
        rejection=rejection_of(rejection) if rejection else None,
        changed_since=(
            None
            if decision != "changed"
            else "approval"
            if isinstance(newest, StoredApproval)
            else "rejection"
        ),
        changed_after=(
            None
            if decision != "changed" or newest is None
            else newest.approved_at
            if isinstance(newest, StoredApproval)
            else newest.rejected_at
        ),
        changes=changes or [],
    )


async def unit_names() -> dict[str, str]:
    """Unit key → name, retired units included (a decision may name one)."""
    return {u.key: u.name for u in await org_store.list_units(include_retired=True)}


async def wave_state(wave: Wave, decisions: Decisions, names: dict[str, str]) -> ApprovalState:
    digest = await current_wave_hash(wave)
    changes: list[WaveChange] = []
    newest = decisions.newest()
    if newest is not None and newest.content_hash != digest:
        changes = wave_changes(newest.facts, await wave_facts(wave), names)
    return state_of("wave", wave.key, wave.title, wave.status, digest, decisions, changes)


def _title(texts: dict[str, str]) -> str:
    return texts.get("de") or next(iter(texts.values()), "")


async def approval_status(questionnaires: Path) -> ApprovalStatus:
    """Every staff version (in the files or published) and every staff wave not closed, with
    whether its current content is approved.

    A published version's current content is what was published (waves use that); a version only
    in the files is current as its file reads.
    """
    catalog, _ = check_catalog(questionnaires)
    published = await catalog_store.published_versions()
    approvals: dict[tuple[str, str], list[StoredApproval]] = {}
    for approval in await store.list_approvals():
        approvals.setdefault((approval.kind, approval.subject), []).append(approval)
    rejections: dict[tuple[str, str], list[StoredRejection]] = {}
    for rejection in await store.list_rejections():
        rejections.setdefault((rejection.kind, rejection.subject), []).append(rejection)

    def decisions(kind: str, subject: str) -> Decisions:
        return Decisions(approvals.get((kind, subject), []), rejections.get((kind, subject), []))

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
        versions.append(state_of("version", subject, title, state, digest, decisions("version", subject)))
    names = await unit_names()
    waves = [
        await wave_state(w, decisions("wave", w.key), names)
        for w in await wave_store.list_waves()
        if w.audience == "staff" and w.status != "closed"
    ]
    return ApprovalStatus(versions, waves)
