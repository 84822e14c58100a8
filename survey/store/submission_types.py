"""The submission writer's types: what a submission brings and what became of it."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import time
import uuid

import msgspec

__all__ = ["FLOOD_KEEP_MINUTES", "NewResponse", "Outcome", "Refused", "SubmissionWriter", "current_minute"]

#: flood and failure counts older than this are deleted by the writer
FLOOD_KEEP_MINUTES = 24 * 60


def current_minute() -> int:
    """The minute the flood and failure counters count in."""
    return int(time.time() // 60)


class Outcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    CODE_USED = "code_used"
    RECEIPT_USED = "receipt_used"
    FLOOD = "flood"
    #: the wave closed after its entry was looked up (the writer checks it in its transaction)
    WAVE_CLOSED = "wave_closed"
    #: the unit link's access codes were guessed wrong too often lately
    ACCESS_PAUSED = "access_paused"


class NewResponse(msgspec.Struct, kw_only=True, array_like=True):
    """A checked submission on its way to the writer (as a msgpack array through the SQLite
    writer's pipe: survey.store.sqlite_writer)."""

    key_hash: str
    wave_id: int
    unit_id: int
    language: str
    submitted_on: dt.date
    answers: list[tuple[str, int | None]] = msgspec.field(default_factory=list)
    #: (item, text), redacted already (survey.text.redaction)
    comments: list[tuple[str, str]] = msgspec.field(default_factory=list)
    #: "released", or "pending" where the wave's comments wait for review
    comment_state: str = "released"
    service_point_id: int | None = None
    #: staff invitation to consume (its row is deleted in the same transaction)
    invitation_hash: str | None = None
    #: citizen receipt code to consume
    receipt_hash: str | None = None
    #: flood protection: count this submission against (scope, minute); refuse above the limit
    flood_scope: str | None = None
    flood_limit: int = 0
    #: the minute it came in (the app worker's clock: survey.store.access.current_minute)
    minute: int = msgspec.field(default_factory=current_minute)
    #: unit link: refuse while the wrong access codes of `pause_scope` after minute
    #: `pause_after_minute` number `pause_limit` or more (checked in the writer's transaction)
    pause_scope: str | None = None
    pause_limit: int = 0
    pause_after_minute: int = 0
    id: uuid.UUID = msgspec.field(default_factory=uuid.uuid4)


class Refused(Exception):
    """A submission is not stored, for `outcome`."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


class SubmissionWriter:
    """Base: a queue of (submission, future) drained in batches (survey.store.submissions)."""

    #: the most submissions one commit has held, and the batches written again one at a time
    largest_batch = 0
    rewritten = 0

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    def enqueue(self, response: NewResponse) -> asyncio.Future[Outcome]:
        """Queue `response`; the future gets its outcome once the batch holding it committed."""
        raise NotImplementedError

    async def submit(self, response: NewResponse) -> Outcome:
        return await self.enqueue(response)
