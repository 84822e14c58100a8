"""Co-determination: the Personalrat approves or rejects staff questionnaire versions and staff waves.

An approval records who approved what, when, and the content hash of what was approved: for a
version its content hash, for a wave the hash of its version's content hash, audience,
thresholds and units (`wave_content_hash`). A rejection records the same and the reason, which
the survey office is shown. Decisions are never changed or deleted; for the content as it is
now, the newest decision about exactly that content counts (survey.services.approvals_decisions),
so anything changed after a decision needs a new one, and content decided on as it is gets no
second equal decision (`AlreadyApproved`, `AlreadyRejected`). A staff wave opens only when its
version file is unchanged and both approvals count (`wave_approval_problems`). Citizen
questionnaires and waves need none.

Deciding is the Personalrat's own right: only users with the role `personalrat` approve or
reject; an admin does not count.

    approvals_decisions   records, decisions, wave facts and their changes
    approvals_files       the version decided on: published, or as its file reads
    approvals_status      where each version and wave stands (the list)
    approvals_review      everything a version or wave page shows
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from survey.domain import QuestionnaireVersion
from survey.errors import N_, Code, Message
from survey.services.accounts import Principal
from survey.services.approvals_decisions import (
    ApprovalError,
    ApprovalRecord,
    Decisions,
    RejectionRecord,
    WaveChange,
    approval_of,
    current_wave_hash,
    decisions_about,
    rejection_of,
    version_subject,
    wave_changes,
    wave_content_hash,
    wave_facts,
)
from survey.services.approvals_files import changed_file as changed_file_message
from survey.services.approvals_files import current_version, on_disk
from survey.services.approvals_status import ApprovalState, ApprovalStatus, approval_status, unit_names
from survey.services.audit import record
from survey.services.permissions import may_approve
from survey.store import approvals as store
from survey.store import catalog as catalog_store
from survey.store import waves as wave_store
from survey.store.approvals import StoredRejection
from survey.store.waves import Wave

__all__ = [
    "PERSONALRAT",
    "REASON_MOST",
    "AlreadyApproved",
    "AlreadyRejected",
    "ApprovalError",
    "ApprovalRecord",
    "ApprovalState",
    "ApprovalStatus",
    "ReasonRefused",
    "RejectionRecord",
    "approval_status",
    "approve_version",
    "approve_wave",
    "record_demo_approvals",
    "reject_version",
    "reject_wave",
    "staff_wave",
    "version_subject",
    "wave_approval_problems",
    "wave_content_hash",
]

PERSONALRAT = "personalrat"
#: the longest reason of a rejection, in characters
REASON_MOST = 2000


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


class AlreadyRejected(ApprovalError):
    """The content is rejected as it is already: `rejection` is the rejection that counts."""

    def __init__(self, rejection: RejectionRecord) -> None:
        self.rejection = rejection
        super().__init__(
            N_("%(subject)s is rejected already as it is now (by %(user)s on %(day)s): nothing changed"),
            subject=rejection.subject,
            user=rejection.rejected_by,
            day=f"{rejection.rejected_at:%Y-%m-%d}",
        )


class ReasonRefused(ApprovalError):
    """A rejection without a reason, or with one too long: a page shows it next to the field."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


async def _store(
    kind: str,
    subject: str,
    digest: str,
    username: str,
    at: dt.datetime | None = None,
    facts: str | None = None,
) -> None:
    await store.insert_approval(kind, subject, digest, username, at or _now(), facts)
    await record(username, f"approval.{kind}", subject, f"sha256 {digest}")


def _checked_reason(reason: str, subject: str) -> str:
    text = reason.strip()
    if not text:
        raise ReasonRefused(
            N_(
                "say why the Personalrat rejects %(subject)s: the reason is required, and the survey "
                "office is shown it"
            ),
            subject=subject,
        )
    if len(text) > REASON_MOST:
        raise ReasonRefused(
            N_("the reason has %(length)d characters: shorten it to %(most)d at most"),
            length=len(text),
            most=REASON_MOST,
        )
    return text


async def _refuse_repeat(kind: str, subject: str, digest: str, rejecting: bool = False) -> None:
    """A second equal decision about the same content records nothing new: a form sent twice, or
    two members deciding one after the other."""
    decisions = await decisions_about(kind, subject)
    if not rejecting and (approval := decisions.approval(digest)) is not None:
        raise AlreadyApproved(approval_of(approval))
    if rejecting and (rejection := decisions.rejection(digest)) is not None:
        raise AlreadyRejected(rejection_of(rejection))


async def _reject(
    kind: str, subject: str, digest: str, reason: str, by: str, facts: str | None
) -> RejectionRecord:
    await _refuse_repeat(kind, subject, digest, rejecting=True)
    stored = StoredRejection(kind, subject, digest, reason, by, _now(), facts)
    await store.insert_rejection(stored)
    await record(by, f"approval.rejected_{kind}", subject, f"sha256 {digest}")
    return rejection_of(stored)


# --- versions -----------------------------------------------------------------------------------


async def approve_version(
    questionnaire: str, version: int, *, by: Principal, questionnaires: Path
) -> ApprovalRecord:
    """The Personalrat approves a staff questionnaire version as it is: published, or as its file
    reads now (survey.services.approvals_files.current_version).

    Refused for anyone without the role personalrat, for a version that is nowhere, for a
    citizen questionnaire, for a published version whose file has changed since, and for a
    version approved as it is already (`AlreadyApproved`).
    """
    subject = version_subject(questionnaire, version)
    await _check_personalrat(by, subject)
    digest = (await current_version(questionnaire, version, questionnaires)).version.content_hash
    await _refuse_repeat("version", subject, digest)
    at = _now()
    await _store("version", subject, digest, by.username, at)
    return ApprovalRecord("version", subject, digest, by.username, at)


async def reject_version(
    questionnaire: str, version: int, *, by: Principal, reason: str, questionnaires: Path
) -> RejectionRecord:
    """The Personalrat rejects a staff questionnaire version as it is, and says why; refused as
    `approve_version` is, without a reason (`ReasonRefused`), and when rejected as it is already."""
    subject = version_subject(questionnaire, version)
    await _check_personalrat(by, subject)
    text = _checked_reason(reason, subject)
    digest = (await current_version(questionnaire, version, questionnaires)).version.content_hash
    return await _reject("version", subject, digest, text, by.username, None)


# --- waves --------------------------------------------------------------------------------------


async def _wave(key: str) -> Wave:
    wave = await wave_store.get_wave(key)
    if wave is None:
        raise ApprovalError(
            N_("there is no wave %(wave)s"), wave=Code(key), hint="`survey wave list` shows the waves"
        )
    return wave


async def staff_wave(key: str) -> Wave:
    """The staff wave `key`; refused for a wave that does not exist and for a citizen wave."""
    wave = await _wave(key)
    if wave.audience != "staff":
        raise ApprovalError(
            N_("%(wave)s is a citizen wave: only staff waves need the Personalrat's approval"), wave=Code(key)
        )
    return wave


async def approve_wave(key: str, *, by: Principal) -> ApprovalRecord:
    """The Personalrat approves a staff wave as it is now: version, thresholds, units.

    Refused for a citizen wave, a closed wave, and a wave approved as it is already."""
    await _check_personalrat(by, key)
    wave = await staff_wave(key)
    if wave.status == "closed":
        raise ApprovalError(N_("%(wave)s is closed: there is nothing left to approve"), wave=Code(key))
    digest = await current_wave_hash(wave)
    await _refuse_repeat("wave", key, digest)
    at = _now()
    await _store("wave", key, digest, by.username, at, await wave_facts(wave))
    return ApprovalRecord("wave", key, digest, by.username, at)


async def reject_wave(key: str, *, by: Principal, reason: str) -> RejectionRecord:
    """The Personalrat rejects a staff wave as it is now, and says why; the survey office sees the
    reason where the wave waits to open. Only a draft wave: an open one runs already."""
    await _check_personalrat(by, key)
    text = _checked_reason(reason, Code(key))
    wave = await staff_wave(key)
    if wave.status == "closed":
        raise ApprovalError(N_("%(wave)s is closed: there is nothing left to decide"), wave=Code(key))
    if wave.status == "open":
        raise ApprovalError(
            N_(
                "%(wave)s is open already: a rejection cannot stop it any more; the survey office "
                "can close it"
            ),
            wave=Code(key),
        )
    return await _reject(
        "wave", key, await current_wave_hash(wave), text, by.username, await wave_facts(wave)
    )


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
        digest = await current_wave_hash(wave)
        if not any(a.content_hash == digest for a in await store.list_approvals("wave", key)):
            await _store("wave", key, digest, username, at, await wave_facts(wave))


# --- checking -----------------------------------------------------------------------------------


def _rejected(rejection: StoredRejection) -> Message:
    """The survey office is told that, when and why the Personalrat rejected the content as it is."""
    day, reason = f"{rejection.rejected_at:%Y-%m-%d}", rejection.reason
    if rejection.kind == "wave":
        return Message(
            N_("the Personalrat rejected the wave %(wave)s on %(day)s: %(reason)s"),
            {"wave": Code(rejection.subject), "day": day, "reason": reason},
        )
    return Message(
        N_("the Personalrat rejected %(subject)s on %(day)s: %(reason)s"),
        {"subject": rejection.subject, "day": day, "reason": reason},
    )


#: how the office is told what changed in a wave since the Personalrat approved it
_CHANGED = {
    "version": N_(
        "the wave %(wave)s has changed since the Personalrat approved it on %(day)s: its questionnaire "
        "version from %(before)s to %(after)s; it needs a new approval"
    ),
    "k": N_(
        "the wave %(wave)s has changed since the Personalrat approved it on %(day)s: k from %(before)s "
        "to %(after)s; it needs a new approval"
    ),
    "k_text": N_(
        "the wave %(wave)s has changed since the Personalrat approved it on %(day)s: k_text from "
        "%(before)s to %(after)s; it needs a new approval"
    ),
    "units_added": N_(
        "the wave %(wave)s has changed since the Personalrat approved it on %(day)s: units added "
        "(%(after)s); it needs a new approval"
    ),
    "units_removed": N_(
        "the wave %(wave)s has changed since the Personalrat approved it on %(day)s: units removed "
        "(%(before)s); it needs a new approval"
    ),
}


async def _wave_problems(wave: Wave, decisions: Decisions) -> list[Message]:
    """Why the wave's own approval does not count (empty: it does)."""
    key = wave.key
    digest = await current_wave_hash(wave)
    hint = f"`survey approve wave {key} --by USER`"
    rejection = decisions.rejection(digest)
    if rejection is not None:
        return [_rejected(rejection)]
    if decisions.approval(digest) is not None:
        return []
    if not decisions.approvals:
        return [
            Message(
                N_(
                    "the Personalrat has not approved the wave %(wave)s (its version, thresholds "
                    "k=%(k)d, k_text=%(k_text)d and units)"
                ),
                {"wave": Code(key), "k": wave.k, "k_text": wave.k_text},
                hint,
            )
        ]
    approved = decisions.approvals[0]
    day = f"{approved.approved_at:%Y-%m-%d}"
    changes: list[WaveChange] = wave_changes(approved.facts, await wave_facts(wave), await unit_names())
    if changes:
        return [
            Message(
                _CHANGED[c.what], {"wave": Code(key), "day": day, "before": c.before, "after": c.after}, hint
            )
            for c in changes
        ]
    return [
        Message(
            N_(
                "the wave %(wave)s has changed (version, thresholds k=%(k)d, k_text=%(k_text)d or "
                "units) since the Personalrat approved it on %(day)s: it needs a new approval"
            ),
            {"wave": Code(key), "k": wave.k, "k_text": wave.k_text, "day": day},
            hint,
        )
    ]


async def wave_approval_problems(key: str, questionnaires: Path) -> list[Message]:
    """Why the staff wave `key` may not open yet; empty when it may (and for citizen waves).
    A rejection of the version or the wave as they are is said with its day and reason."""
    wave = await _wave(key)
    if wave.audience != "staff":
        return []
    problems: list[Message] = []
    subject = version_subject(wave.questionnaire, wave.version)
    all_published = await catalog_store.published_versions()
    published = all_published[(wave.questionnaire, wave.version)]
    disk = on_disk(questionnaires, wave.questionnaire, wave.version)
    if disk.version is None and disk.problems:
        problems.append(
            Message(
                N_("the file %(file)s of %(subject)s has problems, which must be fixed"),
                {"file": disk.file, "subject": subject},
                f"`survey questionnaires check --dir {questionnaires}` lists them",
            )
        )
    elif disk.version is not None and disk.version.content_hash != published.content_hash:
        problems.append(changed_file_message(disk, wave.questionnaire, wave.version, all_published))
    versions = await decisions_about("version", subject)
    rejection = versions.rejection(published.content_hash)
    if rejection is not None:
        problems.append(_rejected(rejection))
    elif versions.approval(published.content_hash) is None:
        problems.append(
            Message(
                N_(
                    "the Personalrat has not approved %(subject)s as published (its approval was "
                    "given for other content)"
                )
                if versions.approvals
                else N_("the Personalrat has not approved %(subject)s as published"),
                {"subject": subject},
                f"`survey approve version {wave.questionnaire} {wave.version} --by USER`",
            )
        )
    problems.extend(await _wave_problems(wave, await decisions_about("wave", key)))
    return problems
