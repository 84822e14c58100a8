"""Languages of the respondent pages and their gettext catalogs (babel).

UI strings are English msgids in the code and templates, translated in
`survey/web/locale/<catalog>/LC_MESSAGES/messages.po`. The catalogs are compiled in memory at
start-up (no build step, no binary files in the repository). `python -m survey.web.i18n`
extracts the strings and merges them into every catalog (`make messages`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po
from babel.support import NullTranslations

from survey.report.i18n import compile_po, merge_catalog

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "PORTAL_LANGUAGES",
    "Language",
    "SwitchLink",
    "language",
    "pick_language",
    "portal_translations",
    "switch_links",
    "translations",
]

LOCALE_DIR = Path(__file__).parent / "locale"
SOURCES = Path(__file__).parent.parent


@dataclass(frozen=True)
class Language:
    tag: str  # BCP 47, as in the questionnaire files and the html lang attribute
    native: str  # the name in the language itself, for the language switch
    locale: str  # babel locale for numbers, dates and plurals
    catalog: str | None  # folder under locale/, None for the English msgids themselves
    rtl: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"


LANGUAGES: dict[str, Language] = {
    lang.tag: lang
    for lang in (
        Language("de", "Deutsch", "de_DE", "de"),
        Language("de-x-ls", "Leichte Sprache", "de_DE", "de_x_ls"),
        Language("en", "English", "en_GB", None),
        Language("tr", "Türkçe", "tr_TR", "tr"),
        Language("ar", "العربية", "ar", "ar", rtl=True),
        Language("uk", "Українська", "uk_UA", "uk"),
        Language("ru", "Русский", "ru_RU", "ru"),
    )
}
DEFAULT_LANGUAGE = "de"


@dataclass(frozen=True)
class SwitchLink:
    """One entry of a page's language switch: the same page in another language."""

    tag: str
    native: str
    direction: str
    url: str
    current: bool


def switch_links(
    path: str, tags: Sequence[str], current: str, query: Mapping[str, str] | None = None
) -> list[SwitchLink]:
    """The language switch of the page at `path` (with its `query`), for the languages `tags`."""
    return [
        SwitchLink(
            tag,
            LANGUAGES[tag].native,
            LANGUAGES[tag].direction,
            f"{path}?{urlencode({**(query or {}), 'lang': tag})}",
            tag == current,
        )
        for tag in tags
        if tag in LANGUAGES
    ]


def language(tag: str) -> Language:
    return LANGUAGES.get(tag) or LANGUAGES[DEFAULT_LANGUAGE]


def pick_language(requested: str | None, offered: list[str], accept: str | None = None) -> str:
    """The requested language if the questionnaire offers it, else the browser's, else the first."""
    if requested in offered:
        return requested  # type: ignore[return-value]
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        for candidate in (tag, tag.split("-")[0]):
            if candidate in offered:
                return candidate
    return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in offered else offered[0]


@functools.cache
def translations(tag: str) -> NullTranslations:
    catalog = language(tag).catalog
    if catalog is None:
        return NullTranslations()
    return compile_po(LOCALE_DIR / catalog / "LC_MESSAGES" / "messages.po", _plural_locale(catalog))


def _plural_locale(catalog: str) -> str:
    return {"de_x_ls": "de"}.get(catalog, catalog)


#: the pages of signed-in users (leads, survey office, Personalrat): German and English only
PORTAL_DOMAIN = "portal"
PORTAL_LANGUAGES = ("de", "en")
#: the services whose messages (marked with survey.errors.N_) the office and Personalrat pages show
_PORTAL_SERVICES = (
    "services/waves",
    "services/approvals",
    "services/exports",
    "services/figures",
    "services/org",
    "services/accounts",
    "services/passwords",
    "services/user_rules",
    "services/invitations",
    "services/access_files",
    "services/audit",
    "services/audit_events",
    "services/draft",
    "services/leitbild_drafts",
    "services/measures",
    "services/comment_review",
    "services/codebooks",
    "services/redaction",
    "services/mailing",
)
_PORTAL_SOURCES = (
    "report/show.py",
    "web/templates/portal/",
    "web/portal",
    "web/dashboard",
    "web/auth",
    "web/manage",
    "web/measures",
    "web/comments",
    "web/templates/measures/",
    # the survey office's page of feedback links (the rest of web/public is the respondents')
    "web/public/_office",
    # the stop link of the e-mails (German and English, in the portal's words)
    "web/public/_stop",
    "web/templates/public/stop.html",
    # the checks of an address list, said on the office's page
    "domain/mailing",
    *_PORTAL_SERVICES,
)


def _is_portal(filename: str) -> bool:
    return filename.startswith(_PORTAL_SOURCES)


@functools.cache
def portal_translations(tag: str) -> NullTranslations:
    if tag != "de":
        return NullTranslations()
    return compile_po(LOCALE_DIR / "de" / "LC_MESSAGES" / f"{PORTAL_DOMAIN}.po", "de", PORTAL_DOMAIN)


def extract(portal: bool = False) -> Catalog:
    """Every translatable string of the respondent pages (or, with `portal`, of the signed-in
    pages): `_()`/`ngettext()` in Python and templates. The reports have their own catalog."""
    template = Catalog(project="leitbild-puls", charset="utf-8")
    method_map = [
        ("web/templates/**.html", "jinja2"),
        ("web/**.py", "python"),
        ("services/**.py", "python"),
        # the words reports and pages share (survey.report.show.FigureText): in both catalogs
        ("report/show.py", "python"),
        # the checks of an address list (their N_ messages), in the portal catalog
        ("domain/mailing.py", "python"),
    ]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, lineno, message, comments, context in extract_from_dir(
        SOURCES, method_map, options, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    ):
        if _is_portal(filename) != portal:
            continue
        template.add(message, None, [(f"survey/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def update_catalogs() -> None:
    template = extract()
    with (LOCALE_DIR / "messages.pot").open("wb") as pot:
        write_po(pot, template, omit_header=False, sort_output=True, include_lineno=False)
    for lang in LANGUAGES.values():
        if lang.catalog is None:
            continue
        path = LOCALE_DIR / lang.catalog / "LC_MESSAGES" / "messages.po"
        merge_catalog(path, template, _plural_locale(lang.catalog))
    portal = extract(portal=True)
    with (LOCALE_DIR / f"{PORTAL_DOMAIN}.pot").open("wb") as pot:
        write_po(pot, portal, omit_header=False, sort_output=True, include_lineno=False)
    merge_catalog(LOCALE_DIR / "de" / "LC_MESSAGES" / f"{PORTAL_DOMAIN}.po", portal, "de", PORTAL_DOMAIN)


if __name__ == "__main__":
    update_catalogs()
