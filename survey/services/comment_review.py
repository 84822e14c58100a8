"""The review of free-text comments before leads read them, where the Personalrat approved it.

A wave names who releases its comments (`Wave.comment_review`: none | office | personalrat |
both; locked when it opens). Until everyone named has released a comment, it waits (`pending`)
and no lead, report, export or API reads it. A reviewer may instead black out a passage more (it is
replaced by a marker; the earlier text is not kept) or withhold the comment with a reason: its
text is emptied at once, so nobody reads it afterwards, the reviewers included. Every decision is
written to the audit log with the comment's number and unit, never its text or the reason (a
reason may quote the text).
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.errors import N_, Message, SurveyError
from survey.services.accounts import Principal
from survey.services.audit import record
from survey.services.permissions import comment_reviewer_roles
from survey.store import comments as store
from survey.store import waves as wave_store
from survey.store.comments import ReviewComment
from survey.store.engine import write_transaction
from survey.store.waves import Wave

__all__ = [
    "BLACKED_OUT",
    "REASON_MAX",
    "CommentReviewError",
    "ReviewPage",
    "ReviewWave",
    "black_out",
    "release_comment",
    "review_page",
    "review_waves",
    "withhold_comment",
]

REASON_MAX = 500
#: what a passage a reviewer blacked out becomes, in the comment's language
BLACKED_OUT = {
    "de": "[geschwärzt]",
    "de-x-ls": "[geschwärzt]",
    "en": "[blacked out]",
    "tr": "[karartıldı]",
    "ar": "[محجوب]",
    "uk": "[приховано]",
    "ru": "[скрыто]",
}


class CommentReviewError(SurveyError):
    """A review decision cannot be taken as asked (no such comment, not this reviewer's, no reason)."""


@dataclass(frozen=True)
class ReviewWave:
    wave: Wave
    pending: int
    withheld: int


async def review_waves(viewer: Principal) -> list[ReviewWave]:
    """The waves whose comments `viewer` releases, newest first, with what waits and was withheld."""
    counts = await store.review_counts()
    waves = [
        w for w in await wave_store.list_waves() if any(comment_reviewer_roles(viewer, w.comment_review))
    ]
    return [ReviewWave(w, *counts.get(w.id, (0, 0))) for w in reversed(waves)]


@dataclass(frozen=True)
class ReviewPage:
    wave: Wave
    #: in which capacity the viewer releases: (as the survey office, as the Personalrat)
    roles: tuple[bool, bool]
    #: comments waiting for this viewer's release
    waiting: list[ReviewComment]
    #: released by this viewer, waiting for the other reviewer
    with_others: list[ReviewComment]
    withheld: list[ReviewComment]


def _waits_for(comment: ReviewComment, roles: tuple[bool, bool]) -> bool:
    office, personalrat = roles
    return (office and not comment.office_released) or (personalrat and not comment.personalrat_released)


async def _wave_of(key: str, viewer: Principal) -> tuple[Wave, tuple[bool, bool]]:
    wave = await wave_store.get_wave(key)
    roles = comment_reviewer_roles(viewer, wave.comment_review) if wave else (False, False)
    if wave is None or not any(roles):
        raise CommentReviewError(
            Message(N_("no wave %(wave)s whose comments you release"), {"wave": key}),
        )
    return wave, roles


async def review_page(key: str, viewer: Principal) -> ReviewPage:
    wave, roles = await _wave_of(key, viewer)
    comments = await store.waiting(wave.id)
    pending = [c for c in comments if c.state == "pending"]
    return ReviewPage(
        wave,
        roles,
        [c for c in pending if _waits_for(c, roles)],
        [c for c in pending if not _waits_for(c, roles)],
        [c for c in comments if c.state == "withheld"],
    )


async def _comment(
    key: str, comment_id: int, viewer: Principal
) -> tuple[Wave, tuple[bool, bool], ReviewComment]:
    wave, roles = await _wave_of(key, viewer)
    found = await store.reviewed_comment(comment_id)
    if found is None or found[0] != wave.id or found[1].state != "pending":
        raise CommentReviewError(
            Message(
                N_("comment %(number)s of this wave does not wait for release (any more)"),
                {"number": comment_id},
            )
        )
    return wave, roles, found[1]


def _logged(comment: ReviewComment) -> str:
    """What the audit log keeps of a decision's comment: its number and unit, never its text or a
    reason (a reason may quote the text)."""
    return f"comment {comment.id} ({comment.unit})"


async def release_comment(key: str, comment_id: int, viewer: Principal) -> None:
    wave, roles, comment = await _comment(key, comment_id, viewer)
    needs = (wave.comment_review in ("office", "both"), wave.comment_review in ("personalrat", "both"))
    async with write_transaction():
        await store.release(comment_id, roles[0], roles[1], needs)
    await record(viewer.username, "comment.release", wave.key, _logged(comment))


async def withhold_comment(key: str, comment_id: int, reason: str, viewer: Principal) -> None:
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise CommentReviewError(
            Message(
                N_("give a reason of at most %(max)d characters: it is shown to the reviewers"),
                {"max": REASON_MAX},
            )
        )
    wave, _, comment = await _comment(key, comment_id, viewer)
    async with write_transaction():
        await store.withhold(comment_id, reason)
    await record(viewer.username, "comment.withhold", wave.key, _logged(comment))


async def black_out(key: str, comment_id: int, passage: str, viewer: Principal) -> str:
    """Replace every occurrence of `passage` by the marker; the new text."""
    wave, _, comment = await _comment(key, comment_id, viewer)
    passage = passage.strip()
    if not passage or passage not in comment.text:
        raise CommentReviewError(
            Message(
                N_("copy the passage to black out exactly as it stands in the comment (it was not found)")
            )
        )
    text = comment.text.replace(passage, BLACKED_OUT.get(comment.language, BLACKED_OUT["de"]))
    async with write_transaction():
        await store.replace_text(comment_id, text)
    await record(viewer.username, "comment.redact", wave.key, _logged(comment))
    return text
