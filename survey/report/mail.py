"""E-mail invitations and reminders of a staff wave, from templates the Kommune edits.

The wording lives in `reports/mail/<language>/`: `invitation.txt`, `invitation.html`,
`reminder.txt` and `reminder.html`, looked up like the letters (`SURVEY_REPORTS`, else
`./reports`, else the shipped folder), so a Kommune's own folder wins. The `.txt` template holds
two blocks, `subject` and `body`; the `.html` template is the whole HTML document and gets the
rendered `subject` as well. Only `.html` is escaped.

This module renders and builds the message; it never sends, and it never reads the database: the
sending service hands in a `MailContext` per address and passes the `EmailMessage` to the relay.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import functools
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Literal, TypeVar
from urllib.parse import quote

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateSyntaxError

import survey
from survey.errors import FileProblems, Problem
from survey.report.printing import LANGUAGES, reports_dir

__all__ = [
    "KINDS",
    "MailContext",
    "MailKind",
    "MailTemplateError",
    "RenderedMail",
    "build_message",
    "mail_languages",
    "render_mail",
]

MailKind = Literal["invitation", "reminder"]
_T = TypeVar("_T")
KINDS: tuple[MailKind, ...] = ("invitation", "reminder")
#: folder inside the reports folder, one sub-folder per language
MAIL_FOLDER = "mail"
_SUFFIXES = ("txt", "html")
_TEXT_BLOCKS = ("subject", "body")
_SHIPPED = Path(survey.__file__).resolve().parent.parent / "reports" / MAIL_FOLDER
# A folder name becomes a path: a language tag and nothing else (`de`, `en`, `de-x-ls`).
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
# Anything an HTML mail would fetch when opened. A remote image tells its server who opened the
# mail and when; a survey that promises anonymity does not track its invitations.
_REMOTE = re.compile(
    r"""(?:\b(?:src|srcset|background|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import)|(?:<link\b)|(?:<script\b)|(?:<iframe\b)""",
    re.IGNORECASE,
)


class MailTemplateError(FileProblems):
    """A mail template is missing or cannot be rendered; each problem names the file (and the line
    where known) and says what to do."""


@dataclass(frozen=True)
class MailContext:
    """What one mail says: the wave, the unit, the way in, the closing date and the stop link.

    `entry_url` is where a code is typed in (`{base_url}/i`, as on the letters); the personal link
    is `entry_url/CODE`. `code` is None in a reminder of mode *an alle*: that reminder carries no
    code and no personal link and points to the invitation mail of `invited_on` instead.
    `reminder_number` is 0 for the invitation, 1 for the first reminder, and so on. `contact`
    (optional) says whom to ask, e.g. "Sozialplanung, Telefon 0351 123-456"; without it the mail
    names the Personalrat.
    """

    kommune: str
    wave_title: str
    unit_name: str
    entry_url: str
    closes_on: dt.date
    stop_url: str
    code: str | None = None
    reminder_number: int = 0
    invited_on: dt.date | None = None
    contact: str = ""

    def __post_init__(self) -> None:
        _check_url("entry_url", self.entry_url)
        _check_url("stop_url", self.stop_url)
        if self.code is not None and (not self.code or any(c.isspace() for c in self.code)):
            raise ValueError(f"code {self.code!r}: give the code as issued, or None for no code")
        if self.reminder_number < 0:
            raise ValueError(f"reminder_number {self.reminder_number}: 0 for the invitation, 1, 2, … after")

    @property
    def code_included(self) -> bool:
        """Whether the mail carries the code and the personal link (the invitation, and reminders
        in mode *nur offene Codes*)."""
        return self.code is not None

    @property
    def link(self) -> str | None:
        """The personal link, built as on the invitation letters; None without a code."""
        if self.code is None:
            return None
        return f"{self.entry_url.rstrip('/')}/{quote(self.code, safe='')}"


@dataclass(frozen=True)
class RenderedMail:
    """One mail in one language, ready for `build_message`."""

    subject: str
    text: str
    html: str
    language: str
    stop_url: str


def mail_languages(templates: Path | None = None) -> set[str]:
    """The languages that have all four mail templates in the reports folder `templates`
    (None: `SURVEY_REPORTS`, else `./reports`, else the shipped one)."""
    root = _mail_root(templates)
    if not root.is_dir():
        return set()
    return {
        folder.name
        for folder in root.iterdir()
        if folder.is_dir() and _LANGUAGE_TAG.fullmatch(folder.name) and not _missing(folder)
    }


def render_mail(
    kind: MailKind, language: str, context: MailContext, templates: Path | None = None
) -> RenderedMail:
    """The subject, plain text and HTML of one invitation or reminder in `language`.

    `templates` is the reports folder (`Settings.reports`; None: the same lookup as the letters).
    Raises `MailTemplateError` when a template is missing, broken, uses an unknown variable or
    makes the HTML fetch something from the network.
    """
    _check_kind(kind, context)
    if not _LANGUAGE_TAG.fullmatch(language):
        raise ValueError(f"language {language!r}: give a language tag such as 'de' or 'en'")
    root = _mail_root(templates)
    _require_templates(root, language)
    values = _values(kind, language, context, root)
    environment = _environment(str(root))
    text_path = root / language / f"{kind}.txt"
    html_path = root / language / f"{kind}.html"
    subject, body = _render_text(environment, f"{language}/{kind}.txt", text_path, values)
    html = _render_html(environment, f"{language}/{kind}.html", html_path, {**values, "subject": subject})
    return RenderedMail(subject, body, html, language, context.stop_url)


def build_message(
    rendered: RenderedMail,
    *,
    sender: str,
    to: str,
    message_id_domain: str,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message (plain text, then HTML, both UTF-8) with the stop link as
    one-click `List-Unsubscribe` (RFC 2369, RFC 8058).

    The Message-ID is random at `message_id_domain` (no host name or process id in it); a
    `Message-ID` in `headers` replaces it, as any header there replaces the one set here.
    """
    if not re.fullmatch(r"[A-Za-z0-9.-]+", message_id_domain):
        raise ValueError(f"message_id_domain {message_id_domain!r}: give a domain such as 'lindenau.de'")
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(dt.datetime.now().astimezone())
    message["Message-ID"] = f"<{secrets.token_hex(16)}@{message_id_domain}>"
    # Asks out-of-office responders not to answer a mailing (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{rendered.stop_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable keeps every line short and 7-bit, whatever the relay announces.
    message.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    # After the content: setting it clears the message's own Content-* headers.
    message["Content-Language"] = rendered.language
    for name, value in (headers or {}).items():
        del message[name]
        message[name] = value
    return message


# --- headers -------------------------------------------------------------------------------------


class _OneLineHeader(UnstructuredHeader):
    """A header written on one line. Folded, a long stop URL turns into RFC 2047 encoded words,
    which mail clients do not read as a URL; RFC 5322 allows lines up to 998 characters.

    The stored header object folds itself, so this holds whatever policy the sender flattens
    with (aiosmtplib and smtplib use `email.policy.SMTP`)."""

    max_count = 1

    def fold(self, *, policy: email.policy.Policy) -> str:  # type: ignore[override]
        return f"{self.name}: {self}{policy.linesep}"  # type: ignore[attr-defined]


def _header_registry() -> HeaderRegistry:
    registry = HeaderRegistry()
    registry.map_to_type("list-unsubscribe", _OneLineHeader)  # type: ignore[arg-type]
    return registry


_POLICY = email.policy.default.clone(header_factory=_header_registry())


def _check_url(name: str, url: str) -> None:
    # The stop URL goes into a header as it is: ASCII, no spaces, nothing that ends the <…>.
    if (
        not url.startswith(("http://", "https://"))
        or not url.isascii()
        or any(c.isspace() or c in '<>"' or ord(c) < 32 for c in url)
    ):
        raise ValueError(f"{name} {url!r}: give an absolute http(s) URL in ASCII, without spaces")


def _check_kind(kind: str, context: MailContext) -> None:
    if kind == "invitation":
        if context.code is None or context.reminder_number != 0:
            raise ValueError("an invitation carries a code and has reminder_number 0")
    elif kind == "reminder":
        if context.reminder_number < 1:
            raise ValueError("a reminder has reminder_number 1 or more")
    else:
        raise ValueError(f"kind {kind!r}: use one of {', '.join(KINDS)}")


# --- templates -----------------------------------------------------------------------------------


def _mail_root(templates: Path | None) -> Path:
    return (templates if templates is not None else reports_dir()) / MAIL_FOLDER


def _names() -> list[str]:
    return [f"{kind}.{suffix}" for kind in KINDS for suffix in _SUFFIXES]


def _missing(folder: Path) -> list[str]:
    return [name for name in _names() if not (folder / name).is_file()]


def _require_templates(root: Path, language: str) -> None:
    folder = root / language
    if not folder.is_dir():
        available = ", ".join(sorted(mail_languages(root.parent))) or "none"
        raise MailTemplateError(
            [
                Problem(
                    str(folder),
                    "",
                    f"no mail templates in language {language!r} (complete languages: {available}): "
                    f"copy the folder {_SHIPPED / 'de'} to {folder} and translate the four files, "
                    "or send this mail in one of the complete languages",
                )
            ]
        )
    missing = _missing(folder)
    if missing:
        raise MailTemplateError(
            [Problem(str(folder / name), "", _copy_hint(language, name)) for name in missing]
        )


def _copy_hint(language: str, name: str) -> str:
    shipped = _SHIPPED / language / name
    if shipped.is_file():
        return f"missing: every mail language needs all four templates; copy {shipped} and adapt it"
    german = _SHIPPED / "de" / name
    return f"missing: every mail language needs all four templates; copy {german} and translate it"


@functools.lru_cache(maxsize=8)
def _environment(directory: str) -> Environment:
    # Only .html is escaped: a unit called "A&B" must read "A&B" in the plain text and the subject.
    # StrictUndefined turns a misspelt variable in an edited template into an error instead of a
    # mail with a gap.
    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=lambda name: name is not None and name.endswith(".html"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _values(kind: MailKind, language: str, context: MailContext, root: Path) -> dict[str, object]:
    locale = _babel_locale(language, root / language)
    return {
        "kind": kind,
        "language": language,
        "kommune": context.kommune,
        "wave_title": context.wave_title,
        "unit_name": context.unit_name,
        "entry_url": context.entry_url.rstrip("/"),
        "code": context.code,
        "link": context.link,
        "code_included": context.code_included,
        "closes_on": format_date(context.closes_on, format="long", locale=locale),
        "invited_on": format_date(context.invited_on, format="long", locale=locale)
        if context.invited_on
        else None,
        "stop_url": context.stop_url,
        "reminder_number": context.reminder_number,
        "contact": context.contact,
    }


def _babel_locale(language: str, folder: Path) -> str:
    """The babel locale for dates: de → de_DE, en → en_GB (as on the letters), else the language's
    main tag (`tr`, and `de` for Leichte Sprache `de-x-ls`)."""
    if language in LANGUAGES:
        return LANGUAGES[language]
    main = language.split("-")[0]
    if main in LANGUAGES:
        return LANGUAGES[main]
    try:
        return str(Locale.parse(main))
    except (UnknownLocaleError, ValueError):
        raise MailTemplateError(
            [
                Problem(
                    str(folder), "", f"{main!r} is not a language code: name the folder by one (de, en, tr)"
                )
            ]
        ) from None


def _render_text(
    environment: Environment, name: str, path: Path, values: dict[str, object]
) -> tuple[str, str]:
    template = _guarded(path, lambda: environment.get_template(name))
    absent = [block for block in _TEXT_BLOCKS if block not in template.blocks]
    if absent:
        needed = " and ".join(f"{{% block {b} %}}…{{% endblock %}}" for b in absent)
        raise MailTemplateError(
            [
                Problem(
                    str(path), "", f"lacks {needed}: the shipped {_SHIPPED / 'de' / path.name} shows the form"
                )
            ]
        )
    context = template.new_context(values)
    subject = _guarded(path, lambda: "".join(template.blocks["subject"](context)))
    body = _guarded(path, lambda: "".join(template.blocks["body"](context)))
    # One line: a subject never carries a line break into the header.
    subject = " ".join(subject.split())
    if not subject:
        raise MailTemplateError(
            [Problem(str(path), "", "the subject block is empty: write the mail's subject in it")]
        )
    return subject, _tidy(body)


def _render_html(environment: Environment, name: str, path: Path, values: dict[str, object]) -> str:
    template: Template = _guarded(path, lambda: environment.get_template(name))
    html = _guarded(path, lambda: template.render(values))
    found = _REMOTE.search(html)
    if found:
        start = max(found.start() - 40, 0)
        raise MailTemplateError(
            [
                Problem(
                    str(path),
                    "",
                    f"the mail would load something from the network (…{html[start : found.end() + 40]}…): "
                    "a remote image tells its server who opened the mail; "
                    "remove it or embed it as a data: URL",
                )
            ]
        )
    return html


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    # Branches of {% if %} leave blank lines behind; a paragraph break is one blank line.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def _guarded(path: Path, step: Callable[[], _T]) -> _T:
    """`step()`, with any error of an edited template turned into a `MailTemplateError`."""
    try:
        return step()
    except MailTemplateError:
        raise
    except TemplateSyntaxError as error:
        problem = Problem(str(path), "", f"{error.message}: correct the template", error.lineno)
        raise MailTemplateError([problem]) from error
    except Exception as error:  # whatever an edited template does wrong is the template's problem
        reason = f"{type(error).__name__}: {error}" if not str(error).startswith("'") else str(error)
        message = (
            f"cannot be rendered ({reason}): use only the variables the shipped template lists at its top"
        )
        raise MailTemplateError(
            [Problem(str(path), "", message, _line(error.__traceback__, path))]
        ) from error


def _line(traceback: TracebackType | None, path: Path) -> int | None:
    # jinja rewrites tracebacks so that a template's frames carry its file name and line.
    line = None
    target = path.resolve()
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename == str(path) or Path(filename).resolve() == target:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
