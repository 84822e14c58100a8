"""What the Personalrat decided about a staff questionnaire version or a staff wave, and what changed.

A decision, an approval or a rejection, names the content hash it was made on: for a version its
content hash, for a wave the hash of its version's content hash, audience, thresholds and units
(`wave_content_hash`). For the content as it is now, the newest decision about exactly that content
counts (`Decisions.counting`): the Personalrat may reject what it approved before and approve what
it rejected. A decision about other content says only that the content has changed since; for a
wave it also kept what the wave was (`wave_facts`), so the change can be named (`wave_changes`:
"k von 5 auf 6").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Literal

import msgspec

from survey.errors import SurveyError
from survey.store import approvals as store
from survey.store.approvals import StoredApproval, StoredRejection
from survey.store.waves import Wave

__all__ = [
    "ApprovalError",
    "ApprovalRecord",
    "DecisionState",
    "Decisions",
    "RejectionRecord",
    "WaveChange",
    "approval_of",
    "current_wave_hash",
    "decisions_about",
    "rejection_of",
    "version_subject",
    "wave_changes",
    "wave_content_hash",
    "wave_facts",
]

#: approved / rejected: the newest decision about the current content; changed: decided only about
#: other content (it changed since); waiting: never decided on
DecisionState = Literal["approved", "rejected", "changed", "waiting"]


class ApprovalError(SurveyError):
    """An approval or rejection that cannot be given, or a staff wave that cannot open for want of one."""


class ApprovalRecord(msgspec.Struct, frozen=True):
    """One approval: who, when, and the content hash approved."""

    kind: Literal["version", "wave"]
    subject: str
    content_hash: str
    approved_by: str
    approved_at: dt.datetime


class RejectionRecord(msgspec.Struct, frozen=True):
    """One rejection: who, when, why, and the content hash rejected."""

    kind: Literal["version", "wave"]
    subject: str
    content_hash: str
    reason: str
    rejected_by: str
    rejected_at: dt.datetime


class WaveChange(msgspec.Struct, frozen=True):
    """One change of a wave since a decision about it: what, and its value before and now.

    `version`: the questionnaire version (`staff-pulse v1` → `staff-pulse v2`); `k`, `k_text`:
    the thresholds; `comment_review`: who releases comments; `reminders`: the reminder mode and days
    ("all: 7,14"); `units_added`, `units_removed`: unit
    names in `after` or `before`."""

    what: Literal["version", "k", "k_text", "comment_review", "reminders", "units_added", "units_removed"]
    before: str
    after: str


def version_subject(questionnaire: str, version: int) -> str:
    """`staff-pulse v3`: how approvals name a version."""
    return f"{questionnaire} v{version}"


def wave_content_hash(
    version_hash: str,
    audience: str,
    k: int,
    k_text: int,
    unit_keys: list[str],
    comment_review: str = "none",
    reminders: str = "",
) -> str:
    """SHA-256 of the canonical JSON of what the Personalrat approves about a wave. Who releases the
    comments, and the reminders (`reminder_words`), count only where they are chosen, so approvals
    from before those choices stay valid."""
    facts: dict[str, object] = {
        "version": version_hash,
        "audience": audience,
        "k": k,
        "k_text": k_text,
        "units": sorted(unit_keys),
    }
    if comment_review != "none":
        facts["comment_review"] = comment_review
    if reminders:
        facts["reminders"] = reminders
    canonical = json.dumps(
        facts,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def current_wave_hash(wave: Wave) -> str:
    return wave_content_hash(
        await store.wave_version_hash(wave.id),
        wave.audience,
        wave.k,
        wave.k_text,
        await store.wave_unit_keys(wave.id),
        wave.comment_review,
        reminder_words(wave),
    )


def reminder_words(wave: Wave) -> str:
    """The wave's reminders as the approval keeps them: "open_codes: 7,14"; "" for none in mode all
    (every wave before reminders existed)."""
    if wave.reminder_mode == "all" and not wave.reminder_days:
        return ""
    return f"{wave.reminder_mode}: {','.join(str(day) for day in wave.reminder_days)}"


async def wave_facts(wave: Wave) -> str:
    """What a decision about the wave keeps of it (JSON), to name later changes."""
    facts = {
        "version": version_subject(wave.questionnaire, wave.version),
        "k": wave.k,
        "k_text": wave.k_text,
        "comment_review": wave.comment_review,
        "reminders": reminder_words(wave),
        "units": await store.wave_unit_keys(wave.id),
    }
    return json.dumps(facts, sort_keys=True, ensure_ascii=False)


def wave_changes(before: str | None, now: str, unit_names: dict[str, str]) -> list[WaveChange]:
    """What differs between two `wave_facts`; empty where the earlier ones were not kept."""
    if not before:
        return []
    try:
        old, new = json.loads(before), json.loads(now)
    except ValueError:
        return []
    old.setdefault("comment_review", "none")  # kept before comments could wait for review
    old.setdefault("reminders", "")  # kept before reminders existed
    changes = [
        WaveChange(what, str(old[what]), str(new[what]))  # type: ignore[arg-type]
        for what in ("version", "k", "k_text", "comment_review", "reminders")
        if what in old and what in new and old[what] != new[what]
    ]
    added = [k for k in new["units"] if k not in old.get("units", [])]
    removed = [k for k in old.get("units", []) if k not in new["units"]]
    if added:
        changes.append(WaveChange("units_added", "", ", ".join(unit_names.get(k, k) for k in added)))
    if removed:
        changes.append(WaveChange("units_removed", ", ".join(unit_names.get(k, k) for k in removed), ""))
    return changes


def approval_of(stored: StoredApproval) -> ApprovalRecord:
    return ApprovalRecord(
        stored.kind,  # type: ignore[arg-type]
        stored.subject,
        stored.content_hash,
        stored.approved_by,
        stored.approved_at,
    )


def rejection_of(stored: StoredRejection) -> RejectionRecord:
    return RejectionRecord(
        stored.kind,  # type: ignore[arg-type]
        stored.subject,
        stored.content_hash,
        stored.reason,
        stored.rejected_by,
        stored.rejected_at,
    )


def _at(decision: StoredApproval | StoredRejection) -> dt.datetime:
    return decision.approved_at if isinstance(decision, StoredApproval) else decision.rejected_at


@dataclass(frozen=True)
class Decisions:
    """Every decision about one subject, each list the newest first."""

    approvals: list[StoredApproval]
    rejections: list[StoredRejection]

    def _newest(self, digest: str | None, same: bool) -> StoredApproval | StoredRejection | None:
        candidates = [
            d
            for d in (*self.approvals, *self.rejections)
            if digest is None or (d.content_hash == digest) == same
        ]
        # a rejection made in the same instant as an approval counts: the safer reading
        return max(candidates, key=lambda d: (_at(d), isinstance(d, StoredRejection)), default=None)

    def counting(self, digest: str) -> StoredApproval | StoredRejection | None:
        """The newest decision about exactly the content `digest`: the one that counts."""
        return self._newest(digest, True)

    def newest(self) -> StoredApproval | StoredRejection | None:
        return self._newest(None, True)

    def state(self, digest: str) -> DecisionState:
        counting = self.counting(digest)
        if counting is not None:
            return "approved" if isinstance(counting, StoredApproval) else "rejected"
        return "changed" if self.newest() is not None else "waiting"

    def approval(self, digest: str) -> StoredApproval | None:
        """The approval that counts for `digest` (None: not approved as it is)."""
        counting = self.counting(digest)
        return counting if isinstance(counting, StoredApproval) else None

    def rejection(self, digest: str) -> StoredRejection | None:
        """The rejection that counts for `digest` (None: not rejected as it is)."""
        counting = self.counting(digest)
        return counting if isinstance(counting, StoredRejection) else None


async def decisions_about(kind: str, subject: str) -> Decisions:
    return Decisions(await store.list_approvals(kind, subject), await store.list_rejections(kind, subject))
