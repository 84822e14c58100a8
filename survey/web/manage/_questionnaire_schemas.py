"""The schemas of the questionnaire and Leitbild API (survey office), and what its routes share:
a text with its problems, a refusal."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Response

from survey.errors import Problem, SurveyError
from survey.services.drafts import DraftState
from survey.services.leitbild_drafts import LeitbildState
from survey.web.api import refusals
from survey.web.manage._common import ACTION_RESPONSES, ActionResult, api_result
from survey.web.notices import Notice
from survey.web.security import BodyText

__all__ = [
    "BODY_RESPONSES",
    "CatalogOut",
    "ChangeOut",
    "ImportIn",
    "ImportOut",
    "LeitbildNewIn",
    "LeitbildOut",
    "ProblemOut",
    "QuestionnaireOut",
    "ReviewOut",
    "RevisionIn",
    "TextIn",
    "TextOut",
    "ValueOut",
    "VersionOut",
    "draft_out",
    "problems_out",
    "refused",
    "when",
]

# --- schemas --------------------------------------------------------------------------------------


class VersionOut(msgspec.Struct, frozen=True):
    questionnaire: str
    version: int
    #: `draft` (in the database, editable), `published` (frozen) or `in_use` (a wave uses it)
    state: str
    title: dict[str, str]
    languages: list[str]
    items: int
    published_at: str | None
    content_hash: str | None
    revision: int | None
    saved_by: str | None
    saved_at: str | None
    #: how many problems the check finds in a draft
    problems: int


class QuestionnaireOut(msgspec.Struct, frozen=True):
    questionnaire: str
    audience: str
    #: the version a new draft would be (None: a newer draft exists, or nothing is published)
    next_version: int | None
    versions: list[VersionOut]


class LeitbildOut(msgspec.Struct, frozen=True):
    key: str
    state: str
    name: dict[str, str]
    languages: list[str]
    values: int
    published_at: str | None
    content_hash: str | None
    revision: int | None
    saved_by: str | None
    saved_at: str | None
    problems: int


class CatalogOut(msgspec.Struct, frozen=True):
    questionnaires: list[QuestionnaireOut]
    leitbilder: list[LeitbildOut]


class ProblemOut(msgspec.Struct, frozen=True):
    line: int | None
    #: the place inside the text, such as `items[3].text`
    path: str
    message: str


class TextOut(msgspec.Struct, frozen=True):
    """A version's or Leitbild's text (YAML) with what the checks find in it."""

    key: str
    #: the version number; 0 for a Leitbild
    version: int
    state: str
    text: str
    #: a draft's revision: send it back with the next save
    revision: int | None
    problems: list[ProblemOut]


class TextIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A draft's new text (YAML), and the revision it was read at."""

    text: BodyText
    revision: Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)]


class RevisionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The revision of the draft that was reviewed: published only if it is still that one."""

    revision: Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)]


class ImportIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A version or Leitbild file (YAML), as `survey questionnaires import` takes it."""

    text: BodyText
    filename: BodyText = "upload.yaml"
    #: replace a draft of the same version, if there is one
    replace: bool = False
    #: publish at once, if the check finds no problem
    publish: bool = False


class ImportOut(ActionResult, frozen=True):
    #: `created`, `replaced`, `unchanged`, `published`; empty where refused
    kind: str = ""
    key: str = ""
    version: int = 0
    problems: list[ProblemOut] = msgspec.field(default_factory=list)


class LeitbildNewIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new Leitbild: a copy of the published `source` under the new `key`."""

    source: BodyText
    key: BodyText


class ChangeOut(msgspec.Struct, frozen=True):
    #: `identical`, `editorial`, `replaced`, `added` or `retired`
    kind: str
    item: str
    old: str | None


class ValueOut(msgspec.Struct, frozen=True):
    value: str
    comparable: bool
    keeping: list[str]
    breaking: list[str]


class ReviewOut(msgspec.Struct, frozen=True):
    questionnaire: str
    version: int
    can_publish: bool
    #: why it cannot be published now
    blockers: list[str]
    #: a staff version needs the Personalrat's approval before a wave uses it
    needs_approval: bool
    changes: list[ChangeOut]
    values: list[ValueOut]


BODY_RESPONSES = {**ACTION_RESPONSES, **refusals(413, 415)}


def problems_out(problems: list[Problem]) -> list[ProblemOut]:
    return [ProblemOut(p.line, p.path, p.message) for p in problems]


def when(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def refused(exc: SurveyError) -> Response[ActionResult]:
    return api_result(Notice(False, exc.message))


def draft_out(state: DraftState | LeitbildState, key: str, version: int) -> TextOut:
    return TextOut(
        key, version, "draft", state.draft.text, state.draft.revision, problems_out(state.problems)
    )
