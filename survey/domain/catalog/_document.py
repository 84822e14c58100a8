"""One version's document checked the one way every source is checked: a file of the folder, an
upload, a draft kept in the database. On its own (`_version`) and against the version before it
(`_changes`), or as a first version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from survey.domain.catalog._changes import check_changes, check_first_version
from survey.domain.catalog._version import check_version
from survey.domain.questionnaire import Leitbild
from survey.domain.schemas import VERSION_SCHEMA
from survey.domain.validation import schema_problems
from survey.domain.yamlfile import YamlDocument
from survey.errors import Problem


def check_version_document(
    doc: YamlDocument,
    questionnaire: str,
    number: int,
    leitbilder: Mapping[str, Leitbild],
    broken: Mapping[str, str],
    previous: dict[str, Any] | None,
    previous_broken: set[str],
) -> list[Problem]:
    """Every problem of version `number` of `questionnaire` (`doc`, decoded without problems):
    its structure, its own rules, and the change rules against `previous` (the data of version
    `number - 1`; None where there is none to compare with: then only v1 is checked as a first
    version, and the caller reports the gap)."""
    found = schema_problems(doc, VERSION_SCHEMA)
    data = doc.data if isinstance(doc.data, dict) else {}
    check_version(doc, data, questionnaire, number, dict(leitbilder), dict(broken), found)
    if isinstance(previous, dict):
        check_changes(doc, data, previous, number - 1, found, previous_broken)
    elif number == 1:
        # Where v(N-1) is missing or unreadable, that is reported already; the fix is
        # there, not in removing `change`/`replaces` here.
        check_first_version(doc, data, found)
    return found
