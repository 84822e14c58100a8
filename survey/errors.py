"""Errors raised by Leitbild-Puls.

Every error a person can cause carries a message that names the place (file, path inside
the file, command option, form field) and says what to do. The CLI and the web app turn
these into clear messages; anything else is a bug.

    SurveyError
    ├── FileProblems           one or more problems in files a person edits
    │   ├── QuestionnaireFileError   questionnaire or Leitbild files
    │   ├── OrgFileError             organisation files
    │   └── ImportFileError          LimeSurvey files, mapping files and response exports
    ├── CatalogError           catalog rules
    │   ├── UnknownVersion           a questionnaire version that is neither on disk nor published
    │   └── PublishedVersionChanged  a published version's file was edited afterwards
    ├── OrgError               organisation rules against the database
    ├── ConfigError            settings and environment variables
    └── DatabaseError          the database cannot be reached or is not upgraded
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CatalogError",
    "ConfigError",
    "DatabaseError",
    "FileProblems",
    "ImportFileError",
    "OrgError",
    "OrgFileError",
    "Problem",
    "PublishedVersionChanged",
    "QuestionnaireFileError",
    "SurveyError",
    "UnknownVersion",
]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a file: where it is and what to do about it."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        inside = f" {self.path}:" if self.path else ""
        return f"{where}:{inside} {self.message}"


class SurveyError(Exception):
    """Base of every error Leitbild-Puls raises on purpose."""


class FileProblems(SurveyError):
    """One or more problems found in files; `problems` lists every one, not only the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class QuestionnaireFileError(FileProblems):
    pass


class OrgFileError(FileProblems):
    pass


class ImportFileError(FileProblems):
    pass


class CatalogError(SurveyError):
    pass


class UnknownVersion(CatalogError):
    pass


class PublishedVersionChanged(CatalogError):
    pass


class OrgError(SurveyError):
    pass


class ConfigError(SurveyError):
    pass


class DatabaseError(SurveyError):
    pass
