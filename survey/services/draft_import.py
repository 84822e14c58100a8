"""A version or Leitbild file brought in: uploaded on the office's page, or given to
`survey questionnaires import`. The same checks as `survey questionnaires check`; the same
content hash as the version it was exported from.

What the file is comes from its own text: a version names its `questionnaire` and `version`, a
Leitbild its `leitbild` key. A file that says neither (or cannot be read) is refused with every
problem and its line, and nothing is stored. Otherwise it becomes a draft (problems and all, to be
fixed in the editor), or, where the very content is published already, nothing changes. A
published version or Leitbild with other content is refused: it is frozen. An existing draft is
replaced only when asked to (`replace`). Audited: `questionnaire.upload`, `leitbild.upload`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from survey.domain import content_hash
from survey.domain.catalog import CheckedText, check_leitbild_text, check_version_text
from survey.domain.schemas import ID_PATTERN
from survey.domain.yamlfile import read_yaml_text
from survey.errors import N_, Code, Message, Problem, QuestionnaireFileError
from survey.services.audit import record
from survey.services.drafts import (
    DraftError,
    check_draft_text,
    draft_name,
    publish_version,
    published_refusal,
)
from survey.services.leitbild_drafts import check_leitbild_draft, publish_leitbild
from survey.store import catalog as published_store
from survey.store import drafts as store
from survey.store.drafts import DraftKind
from survey.store.engine import write_transaction

__all__ = ["ImportOutcome", "import_text"]

_ID = re.compile(ID_PATTERN)

ImportResultKind = Literal["created", "replaced", "unchanged", "published"]

#: what an import came to, for a version and for a Leitbild (%(what)s names it)
_OUTCOMES = {
    "unchanged": N_("%(what)s is published with this very content: nothing to do"),
    "published": N_("%(what)s is published"),
    "created": N_("%(what)s is stored as a draft; the check finds no problem"),
    "replaced": N_("%(what)s is stored as a draft in place of the one before; the check finds no problem"),
    "problems": N_(
        "%(what)s is stored as a draft; the check finds %(count)s problem(s): fix them in the editor"
    ),
}


@dataclass(frozen=True)
class ImportOutcome:
    """What an uploaded or imported file came to: a new or replaced draft (with the problems the
    check finds), the same content as a published version or Leitbild (nothing stored), or
    published. `version` is 0 for a Leitbild."""

    kind: ImportResultKind
    key: str
    version: int
    problems: list[Problem]
    content_hash: str | None = None
    revision: int | None = None

    @property
    def label(self) -> str:
        return draft_name(self.key, self.version) if self.version else f"Leitbild {self.key}"

    @property
    def message(self) -> Message:
        template = _OUTCOMES["problems" if self.problems else self.kind]
        return Message(template, {"what": Code(self.label), "count": len(self.problems)})


def _what(text: str, name: str) -> tuple[DraftKind, str, int]:
    """What the file is: ("version", questionnaire, number) or ("leitbild", key, 0); else
    QuestionnaireFileError with every problem the check finds in it."""
    doc = read_yaml_text(text, name)
    if doc.problems:
        raise QuestionnaireFileError(doc.problems)
    data: Any = doc.data
    if isinstance(data, dict) and "questionnaire" in data:
        key, number = data.get("questionnaire"), data.get("version")
        whole = isinstance(number, int) and not isinstance(number, bool) and number >= 1
        if isinstance(key, str) and _ID.match(key) and len(key) <= 64 and whole:
            return "version", key, number
        checked = check_version_text(text, name, leitbilder={}, previous=None)
        raise QuestionnaireFileError([p for p in checked.problems if p.path in ("questionnaire", "version")])
    if isinstance(data, dict) and "leitbild" in data:
        key = data.get("leitbild")
        if isinstance(key, str) and _ID.match(key) and len(key) <= 64:
            return "leitbild", key, 0
        raise QuestionnaireFileError(
            [p for p in check_leitbild_text(text, name).problems if p.path == "leitbild"]
        )
    raise QuestionnaireFileError(
        [
            Problem(
                name,
                "",
                "this is neither a questionnaire version (`questionnaire:` and `version:` at the top) "
                "nor a Leitbild (`leitbild:` at the top): check that it is the right file",
                1,
            )
        ]
    )


async def _frozen(kind: DraftKind, key: str, number: int, checked: CheckedText) -> ImportOutcome | None:
    """Unchanged where the same content is published; None where nothing is published there;
    DraftError where other content is."""
    if kind == "version":
        record_ = (await published_store.published_versions()).get((key, number))
        digest = checked.version.content_hash if checked.version else None
        refusal = await published_refusal(key, number)
    else:
        record_ = (await published_store.published_leitbilder()).get(key)
        digest = content_hash(checked.leitbild) if checked.leitbild else None
        refusal = (
            DraftError(
                N_(
                    "the Leitbild %(key)s is published with other content and can no longer be "
                    "changed: give the new one a new key"
                ),
                key=Code(key),
            )
            if record_
            else None
        )
    if record_ is None:
        return None
    if digest == record_.content_hash:
        return ImportOutcome("unchanged", key, number, [], digest)
    assert refusal is not None
    raise refusal


async def _check(kind: DraftKind, key: str, number: int, text: str) -> CheckedText:
    if kind == "version":
        return await check_draft_text(key, number, text)
    return await check_leitbild_draft(key, text)


async def import_text(
    text: str, name: str, by: str, *, replace: bool = False, publish: bool = False
) -> ImportOutcome:
    """Bring in a version or Leitbild file as a draft (see the module's docstring); with
    `publish`, publish it at once where the check finds no problem."""
    kind, key, number = _what(text, name)
    action = "questionnaire.upload" if kind == "version" else "leitbild.upload"
    label = draft_name(key, number) if kind == "version" else key
    now = dt.datetime.now(dt.UTC)
    async with write_transaction():
        checked = await _check(kind, key, number, text)
        same = await _frozen(kind, key, number, checked)
        if same is not None:
            outcome = same
        elif await store.find_draft(kind, key, number) is not None:
            if not replace:
                raise DraftError(
                    N_(
                        "there is a draft of %(what)s already: edit that one, or upload again and "
                        "choose to replace it"
                    ),
                    what=Code(label),
                )
            revision = await store.overwrite_draft(kind, key, number, text, by, now)
            outcome = ImportOutcome("replaced", key, number, checked.problems, revision=revision)
        else:
            draft = await store.insert_draft(kind, key, number, text, by, now)
            outcome = ImportOutcome("created", key, number, checked.problems, revision=draft.revision)
    await record(by, action, label, f"{outcome.kind}; {len(outcome.problems)} problem(s)")
    if publish and outcome.kind in ("created", "replaced") and not outcome.problems:
        assert outcome.revision is not None
        if kind == "version":
            frozen = await publish_version(key, number, outcome.revision, by)
            return ImportOutcome("published", key, number, [], frozen.content_hash)
        leitbild = await publish_leitbild(key, outcome.revision, by)
        return ImportOutcome("published", key, number, [], content_hash(leitbild))
    return outcome
