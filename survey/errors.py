"""Errors raised by Leitbild-Puls.

Every error a person can cause carries a message that names the place (file, path inside
the file, command option, form field) and says what to do. The CLI and the web app turn
these into clear messages; anything else is a bug.

    SurveyError
    ├── FileProblems           one or more problems in files a person edits
    │   ├── QuestionnaireFileError   questionnaire or Leitbild files
    │   ├── OrgFileError             organisation files
    │   ├── ImportFileError          LimeSurvey files, mapping files and response exports
    │   │
    │   │   (beside the text layer's code)
    │   ├── CodebookFileError        survey.text.themes: a codebook of comment themes
    │   ├── RedactionFileError       survey.text.redaction: the Kommune's redaction rules
    │   └── MailTemplateError        survey.report.mail: a mail template is missing or broken
    ├── CatalogError           catalog rules
    │   ├── UnknownVersion           a questionnaire version that is neither on disk nor published
    │   └── PublishedVersionChanged  a published version's file was edited afterwards
    ├── OrgError               organisation rules against the database
    ├── ConfigError            settings and environment variables
    ├── DatabaseError          the database cannot be reached or is not upgraded
    │
    │   (among those the services raise, defined beside them)
    ├── WaveError              survey.services.waves: a wave cannot be created, opened, closed, edited
    ├── ApprovalError          survey.services.approvals: no approval, or none may be given
    ├── AccessError            survey.services.invitations: codes, links or posters cannot be issued
    ├── AddressListError       survey.domain.mailing: an address list with wrong lines (each named)
    ├── LogFilterError         survey.services.audit: a filter of the audit log is not understood
    └── ExportError            survey.services.exports: an export cannot be made as asked
        ├── WaveNotClosed            raw answers of a wave that is not closed (still running, a draft)
        └── NothingToExport          no such wave, questionnaire or unit, or no responses there

Messages are structured (`Message`), so that one error reads right wherever it is shown:

- `template`: English with named placeholders (`"%(wave)s is open already"`). It is the msgid of
  the portal catalog (mark it with `N_` where it is written; survey/web/i18n.py extracts the
  services that do), so a page shows it in German or English. It is %-formatted only when it has
  parameters: a template without any writes a literal per cent sign as "%".
- `params`: the values. A `Code` value (a wave key, a file name, a format) is shown as code on the
  command line (`` `puls-2026` ``) and as a plain value on a page.
- `hint`: what to do on the command line (`` `survey approve wave puls --by USER` ``). Only the
  CLI shows it: `str(error)` is the command line's text, message, hint and details; pages and the
  JSON API use `Message.text()` and never show a command.
- `details`: the single reasons under a summary (why a wave cannot open), each a `Message`.

Errors that only the command line raises (option checks such as `--k 2`) may keep a plain text:
`SurveyError("...")` is a `Message` without parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "N_",
    "CatalogError",
    "Code",
    "ConfigError",
    "DatabaseError",
    "FileProblems",
    "ImportFileError",
    "Message",
    "OrgError",
    "OrgFileError",
    "Problem",
    "PublishedVersionChanged",
    "QuestionnaireFileError",
    "SurveyError",
    "UnknownVersion",
]


def N_(template: str) -> str:
    """Mark `template` as a msgid of the portal catalog; it is translated where it is shown."""
    return template


class Code(str):
    """A message parameter the command line shows as code (`` `puls-2026` ``), a page as a value."""

    __slots__ = ()


@dataclass(frozen=True)
class Message:
    """One message for a person: template, values, command-line hint and detailed reasons."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    hint: str | None = None
    details: tuple[Message, ...] = ()

    def text(self, gettext: Callable[[str], str] | None = None, *, code: bool = False) -> str:
        """The message without hint and details: English, or translated by `gettext` (the
        portal catalog's); `code` marks Code values with backticks (command line, JSON API)."""
        template = gettext(self.template) if gettext else self.template
        if not self.params:
            return template
        values = {k: f"`{v}`" if code and isinstance(v, Code) else v for k, v in self.params.items()}
        return template % values

    def for_cli(self) -> str:
        """The command line's text: the message, its hint, and each detail on a line of its own."""
        text = self.text(code=True)
        if self.hint:
            text += f": {self.hint}"
        if self.details:
            text += ":" + "".join(f"\n  - {d.for_cli()}" for d in self.details)
        return text

    def __str__(self) -> str:
        return self.for_cli()


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
    """Base of every error Leitbild-Puls raises on purpose.

    `SurveyError(N_("%(wave)s is closed already"), wave=Code(key), hint=...)`, or with a ready
    `Message`; `message` holds it, `str(error)` is its command-line text (`Message.for_cli`).
    """

    def __init__(
        self,
        template: str | Message,
        /,
        *,
        hint: str | None = None,
        details: Iterable[Message] = (),
        **params: object,
    ) -> None:
        if isinstance(template, Message):
            self.message = template
        else:
            self.message = Message(template, params, hint, tuple(details))
        super().__init__(self.message.for_cli())


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
