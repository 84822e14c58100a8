"""Languages of the reports and their gettext catalog (babel), like the respondent pages' (survey.web.i18n).

The report texts are English msgids in `reports/department.html`, `reports/overview.html` and the
modules of this package; German lives in `survey/report/locale/de/LC_MESSAGES/reports.po`. The
catalog is compiled in memory when first needed (no build step, no binary files in the
repository). `python -m survey.report.i18n` extracts the strings and merges them into the catalog.
"""

from __future__ import annotations

import functools
import io
import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

from survey.report.printing import reports_dir

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "compile_po",
    "extract",
    "locale_of",
    "merge_catalog",
    "translations",
    "update_catalogs",
]

#: report language → babel locale for numbers, dates and plurals. English follows British usage,
#: the nearest to what German readers expect ("21 November 2026", not "November 21, 2026").
LANGUAGES: dict[str, str] = {"de": "de_DE", "en": "en_GB"}
#: languages with a catalog; English is the msgids themselves
CATALOGS = ("de",)
DOMAIN = "reports"
LOCALE_DIR = Path(__file__).parent / "locale"
PACKAGE_DIR = Path(__file__).parent
#: the charts' texts are `pgettext("chart", …)`: the same English word may be German otherwise there
#: the packages inside survey/report whose modules hold report texts
SUBPACKAGES = ("charts/",)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "pgettext": ((1, "c"), 2)}


def locale_of(language: str) -> str:
    try:
        return LANGUAGES[language]
    except KeyError:
        supported = ", ".join(sorted(LANGUAGES))
        raise ValueError(f"no report texts for language {language!r}; supported: {supported}") from None


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> NullTranslations:
    locale_of(language)
    if language not in CATALOGS:
        return NullTranslations()
    return compile_po(catalog_path(language), language, DOMAIN)


def compile_po(path: Path, locale: str, domain: str = "messages") -> Translations:
    """A .po file as translations, compiled in memory: no build step, no binary files in git.
    `locale` decides the plural rule (e.g. "de" for Leichte Sprache)."""
    with path.open("rb") as po:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(po, locale=locale))
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def merge_catalog(path: Path, template: Catalog, locale: str, domain: str = "messages") -> None:
    """Bring a .po file up to date with the extracted strings (new ones untranslated)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with path.open("rb") as po:
            catalog = read_po(po, locale=locale)
    else:
        catalog = Catalog(locale=Locale.parse(locale), domain=domain)
    catalog.update(template, no_fuzzy_matching=True)
    with path.open("wb") as po:
        write_po(po, catalog, sort_output=True, include_lineno=False, ignore_obsolete=True)
    print(f"{path}: {sum(1 for m in catalog if m.id and not m.string)} untranslated", file=sys.stderr)


def extract(templates: Path | None = None) -> Catalog:
    """Every translatable string of the reports: `_()`/`ngettext()` in the report templates
    (`reports/*.html`), `_()`/`ngettext()`/`pgettext()` in the Python modules of this package."""
    template = Catalog(project="leitbild-puls", charset="utf-8")
    sources = [
        (templates or reports_dir(), "reports", [("*.html", "jinja2")]),
        (PACKAGE_DIR, "survey/report", [("**.py", "python")]),
    ]
    options = {"*.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
    for directory, prefix, method_map in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            directory, method_map, options, keywords=KEYWORDS
        ):
            # only the folder itself and its subpackages: no tests, no locale, no node_modules
            if "/" in filename and not (prefix == "survey/report" and filename.startswith(SUBPACKAGES)):
                continue
            template.add(
                message, None, [(f"{prefix}/{filename}", lineno)], auto_comments=comments, context=context
            )
    return template


def update_catalogs() -> None:
    template = extract()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as pot:
        write_po(pot, template, omit_header=False, sort_output=True, include_lineno=False)
    for language in CATALOGS:
        merge_catalog(catalog_path(language), template, language, DOMAIN)


if __name__ == "__main__":
    update_catalogs()
