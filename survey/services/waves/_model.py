"""What a wave is asked as and answered with: plans, changes, problems, listings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from survey.domain import QuestionnaireVersion
from survey.errors import N_, Code, Message, SurveyError
from survey.store import waves as store
from survey.store.waves import Wave

__all__ = [
    "K_MAX",
    "K_MIN",
    "TITLE_MAX",
    "FieldProblem",
    "VersionChoice",
    "WaveAction",
    "WaveChange",
    "WaveDetail",
    "WaveError",
    "WaveListing",
    "WavePlan",
    "WavePlanError",
    "answerable",
    "get_wave",
]

K_MIN = 3
#: the largest threshold taken: beyond it no unit of a Kommune would ever show a figure
K_MAX = 1000
#: the longest title (the column's width)
TITLE_MAX = 200
#: what the survey office does to a wave from its page
WaveAction = Literal["open", "close"]


class WaveError(SurveyError):
    """A wave command that cannot be carried out as asked."""


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with a wave as asked: the field (`key`, `questionnaire`, `version`, `units`,
    `opens_on`, `closes_on`, `k`, `k_text`, `titles.<language>`), what to do on a page or in the
    API (`message`, no command), and the command line's text (`cli`, which names the option)."""

    field: str
    message: Message
    cli: str


class WavePlanError(WaveError):
    """A wave that cannot be created or changed as asked: `problems` names every one with its
    field. The message is the command line's text; pages and the API show the problems."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__(Message("\n".join(p.cli for p in problems)))


@dataclass(frozen=True)
class WaveListing:
    wave: Wave
    units: int
    responses: int


@dataclass(frozen=True)
class WaveDetail:
    """A wave with the names of its units (tree order) and its number of responses, and what its
    own page adds: the units' keys and the title in each language of its version."""

    wave: Wave
    units: list[str]
    responses: int
    unit_keys: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WavePlan:
    """A new wave as the office asks for it. An empty `key` is made from the questionnaire and the
    first day; an empty title is the questionnaire's own title in that language with the month."""

    questionnaire: str
    version: int | None
    units: list[str]
    opens_on: dt.date
    closes_on: dt.date
    key: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    k: int = 5
    k_text: int = 10
    #: each unit with its sub-units
    subtrees: bool = True
    #: who releases free-text comments before leads read them (COMMENT_REVIEWS)
    comment_review: str = "none"
    #: who gets e-mail reminders (survey.domain.mailing.REMINDER_MODES) and on which days after
    #: the first day; the Personalrat approves both with a staff wave
    reminder_mode: str = "all"
    reminder_days: tuple[int, ...] = ()


@dataclass(frozen=True)
class WaveChange:
    """What changes about a wave (None: stays). A draft may change everything but its key; an
    open wave only its titles and its last day."""

    questionnaire: str | None = None
    version: int | None = None
    units: list[str] | None = None
    subtrees: bool = False
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    k: int | None = None
    k_text: int | None = None
    #: per language; an empty title goes back to the questionnaire's own
    titles: dict[str, str] | None = None
    comment_review: str | None = None
    reminder_mode: str | None = None
    reminder_days: tuple[int, ...] | None = None


@dataclass(frozen=True)
class VersionChoice:
    """A questionnaire version a wave may ask: published in the database (made in the browser, or
    published earlier) or in the questionnaire folder (published when a wave takes it). Drafts are
    none: they are neither."""

    version: QuestionnaireVersion
    #: `published` or `file`
    source: str
    #: why it cannot be chosen (its file has changed since it was published); None: it can
    blocked: Message | None = None

    @property
    def ref(self) -> tuple[str, int]:
        return (self.version.questionnaire, self.version.version)


def answerable(wave: Wave, today: dt.date) -> str:
    """`open`, or why not: `draft`, `not_yet_open`, `closed`."""
    if wave.status == "draft":
        return "draft"
    if wave.status == "closed" or today > wave.closes_on:
        return "closed"
    if today < wave.opens_on:
        return "not_yet_open"
    return "open"


async def get_wave(key: str) -> Wave:
    wave = await store.get_wave(key)
    if wave is None:
        raise WaveError(
            N_("there is no wave %(wave)s"), wave=Code(key), hint="`survey wave list` shows the waves"
        )
    return wave
