"""The gettext catalogs of the respondent pages: complete, not fuzzy, placeholders and plurals right.

No database: the msgids come from `survey.web.i18n.extract()` (the code and templates as they are
now), the translations from the .po files as `python -m survey.web.i18n` leaves them.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

import survey
from survey.web.i18n import LANGUAGES, LOCALE_DIR, Language, extract, translations

CATALOGS = [lang for lang in LANGUAGES.values() if lang.catalog is not None]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
COUNT = "%(num)d"  # the number ngettext() is given; see survey.web.respond_text.translators
SAMPLE_N = range(201)  # n = 0…200, every form of every language shows up

#: gettext plural forms where babel's table (babel.messages.plurals) is out of date. Turkish has
#: "one" and "other" in CLDR and in GNU gettext's plural table: nplurals=2; plural=(n != 1).
PLURALS_OVERRIDE = {"tr": (2, "(n != 1)")}


def _language_code(lang: Language) -> str:
    return lang.locale.split("_")[0]  # de_DE for de and de-x-ls, tr_TR → tr, ar → ar


def _expected_plurals(lang: Language) -> tuple[int, str]:
    code = _language_code(lang)
    if code in PLURALS_OVERRIDE:
        return PLURALS_OVERRIDE[code]
    rule = get_plural(code)
    return rule.num_plurals, rule.plural_expr


def _key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def _label(message: Message) -> str:
    return f"msgid {_key(message)!r}"


def _forms(message: Message) -> list[str]:
    if isinstance(message.string, (list, tuple)):
        return list(message.string)
    return [message.string or ""]


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract()


@pytest.fixture(scope="module", params=CATALOGS, ids=lambda lang: lang.catalog)
def po(request: pytest.FixtureRequest) -> tuple[Language, Catalog]:
    lang: Language = request.param
    path = LOCALE_DIR / str(lang.catalog) / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{lang.catalog}: {path} is missing; run `python -m survey.web.i18n`"
    with path.open("rb") as file:
        return lang, read_po(file, locale=_language_code(lang))


def _plural(catalog: Catalog) -> Callable[[int], int]:
    return gettext.c2py(catalog.plural_expr)


def test_every_string_is_translated(template: Catalog, po: tuple[Language, Catalog]) -> None:
    lang, catalog = po
    problems = []
    for wanted in template:
        if not wanted.id:
            continue
        message = catalog.get(_key(wanted))
        if message is None:
            problems.append(f"{_label(wanted)}: missing (run `python -m survey.web.i18n`)")
            continue
        if wanted.pluralizable != message.pluralizable:
            problems.append(f"{_label(wanted)}: singular/plural differs from the code")
            continue
        if message.fuzzy:
            problems.append(f"{_label(wanted)}: fuzzy")
        forms = _forms(message)
        if message.pluralizable and len(forms) != catalog.num_plurals:
            problems.append(
                f"{_label(wanted)}: {len(forms)} plural forms, the header says {catalog.num_plurals}"
            )
        empty = [i for i, form in enumerate(forms) if not form.strip()]
        if empty:
            where = f" (msgstr{empty})" if message.pluralizable else ""
            problems.append(f"{_label(wanted)}: not translated{where}")
    assert not problems, f"catalog {lang.catalog}:\n  " + "\n  ".join(problems)


def test_header_is_not_fuzzy(po: tuple[Language, Catalog]) -> None:
    # msgfmt skips a fuzzy header, and with it the Plural-Forms line.
    lang, catalog = po
    assert not catalog.fuzzy, f"catalog {lang.catalog}: the header entry is marked fuzzy"


#: every catalog the package ships: the respondent pages' languages, the portal's and the reports'
SHIPPED_PO = sorted(Path(survey.__file__).parent.glob("**/locale/*/LC_MESSAGES/*.po"))


def _po_language(path: Path) -> str:
    return path.parent.parent.name.split("_")[0]  # de_x_ls → de (Leichte Sprache is German)


def test_every_catalog_is_checked() -> None:
    folders = {path.parent.parent.name for path in SHIPPED_PO}
    assert {str(lang.catalog) for lang in CATALOGS} <= folders, "a language's messages.po is not found"
    assert {"messages.po", "portal.po", "reports.po"} <= {path.name for path in SHIPPED_PO}


@pytest.mark.parametrize("path", SHIPPED_PO, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_plural_forms_fit_the_language(path: Path) -> None:
    """Each catalog's Plural-Forms header picks the form CLDR's rule picks (babel's table, with
    its known gaps overridden), for every n the pages can show."""
    code = _po_language(path)
    with path.open("rb") as file:
        catalog = read_po(file, locale=code)
    num_plurals, expression = PLURALS_OVERRIDE.get(code) or (
        get_plural(code).num_plurals,
        get_plural(code).plural_expr,
    )
    header = _header(path, "Plural-Forms")
    assert header, f"{path}: no Plural-Forms header"
    declared = dict(part.strip().split("=", 1) for part in header.rstrip(";").split(";") if "=" in part)
    assert int(declared["nplurals"]) == num_plurals, (
        f"{path}: Plural-Forms says nplurals={declared['nplurals']}, {code} has {num_plurals}"
    )
    ours, reference = gettext.c2py(declared["plural"]), gettext.c2py(expression)
    wrong = [n for n in SAMPLE_N if ours(n) != reference(n)]
    assert not wrong, (
        f"{path}: plural={declared['plural']} picks the wrong form for n={wrong[:5]}; "
        f"CLDR ({expression}) differs there"
    )
    assert {ours(n) for n in SAMPLE_N} == set(range(num_plurals)), (
        f"{path}: plural={declared['plural']} does not use every form"
    )
    assert catalog.num_plurals == num_plurals


def _header(path: Path, name: str) -> str:
    """One header field as the file states it (babel's reader replaces Plural-Forms with its own)."""
    with path.open("rb") as file:
        catalog = read_po(file)
    for key, value in catalog.mime_headers:
        if key == name:
            return value
    return ""


def test_placeholders_are_kept(template: Catalog, po: tuple[Language, Catalog]) -> None:
    """Every msgstr has the msgid's placeholders, with the same type.

    As with `msgfmt --check`, a plural form used for one single number (Arabic 1 and 2, say) may
    leave out the count and spell the number as a word.
    """
    lang, catalog = po
    plural = _plural(catalog)
    single = {i for i in range(catalog.num_plurals) if sum(plural(n) == i for n in SAMPLE_N) == 1}
    problems = []
    for wanted in template:
        message = catalog.get(_key(wanted)) if wanted.id else None
        if message is None:
            continue  # reported by test_every_string_is_translated
        ids = wanted.id if isinstance(wanted.id, (list, tuple)) else [wanted.id]
        expected = set(PLACEHOLDER.findall(ids[-1]))
        assert all(set(PLACEHOLDER.findall(i)) == expected for i in ids), f"{_label(wanted)}: msgids differ"
        sample = {name[2:-2]: 3 if name.endswith("d") else "300" for name in expected}
        for index, form in enumerate(_forms(message)):
            if not form:
                continue
            found = set(PLACEHOLDER.findall(form))
            may_drop_count = message.pluralizable and index in single
            if found != expected and not (may_drop_count and found == expected - {COUNT}):
                problems.append(
                    f"{_label(wanted)}: msgstr[{index}] has {sorted(found)}, the msgid {sorted(expected)}"
                )
            if message.pluralizable or expected:
                try:
                    form % sample
                except (KeyError, ValueError, TypeError) as exc:
                    problems.append(f"{_label(wanted)}: msgstr[{index}] cannot be formatted ({exc!r})")
    assert not problems, f"catalog {lang.catalog}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("tag", ["de", "de-x-ls", "tr", "ar", "uk", "ru"])
def test_languages_are_translated_at_run_time(tag: str) -> None:
    text = translations(tag).gettext("Send answers")
    assert text and text != "Send answers", f"{tag}: 'Send answers' is not translated at run time"


def test_russian_plural_forms() -> None:
    catalog = translations("ru")

    def check(n: int) -> str:
        return catalog.ngettext("Please check %(num)d answer", "Please check %(num)d answers", n) % {"num": n}

    one, few, many = check(1), check(3), check(5)
    for n, text in ((1, one), (3, few), (5, many)):
        assert str(n) in text, f"ru, n={n}: {text!r} does not show the number"
        assert "answer" not in text, f"ru, n={n}: {text!r} is not translated"
    nouns = {one.replace("1", "#"), few.replace("3", "#"), many.replace("5", "#")}
    assert len(nouns) == 3, f"ru: the forms for 1, 3 and 5 should differ: {one!r}, {few!r}, {many!r}"
    # the same forms come back for 21, 24 and 11
    assert check(21) == one.replace("1", "21")
    assert check(24) == few.replace("3", "24")
    assert check(11) == many.replace("5", "11")


# --- the signed-in pages: survey/web/locale/de/LC_MESSAGES/portal.po (German; English is the msgids) ---

PORTAL_PO = LOCALE_DIR / "de" / "LC_MESSAGES" / "portal.po"


@pytest.fixture(scope="module")
def portal_template() -> Catalog:
    return extract(portal=True)


@pytest.fixture(scope="module")
def portal_po() -> Catalog:
    assert PORTAL_PO.exists(), f"{PORTAL_PO} is missing; run `python -m survey.web.i18n`"
    with PORTAL_PO.open("rb") as file:
        return read_po(file, locale="de")


def test_portal_catalog_translates_every_portal_string(portal_template: Catalog, portal_po: Catalog) -> None:
    assert any(m.id for m in portal_template), "no portal strings extracted: is the extraction broken?"
    problems = []
    for wanted in portal_template:
        if not wanted.id:
            continue
        message = portal_po.get(_key(wanted))
        if message is None:
            problems.append(f"{_label(wanted)}: missing (run `python -m survey.web.i18n`)")
        elif wanted.pluralizable != message.pluralizable:
            problems.append(f"{_label(wanted)}: singular/plural differs from the code")
        elif any(not form.strip() for form in _forms(message)):
            problems.append(f"{_label(wanted)}: not translated")
    assert not problems, "portal.po:\n  " + "\n  ".join(problems)


def test_portal_catalog_has_no_fuzzy_entry(portal_po: Catalog) -> None:
    assert not portal_po.fuzzy, "portal.po: the header entry is marked fuzzy"
    fuzzy = [_label(m) for m in portal_po if m.id and m.fuzzy]
    untranslated = [_label(m) for m in portal_po if m.id and not all(f.strip() for f in _forms(m))]
    assert not fuzzy, "portal.po: fuzzy entries:\n  " + "\n  ".join(fuzzy)
    assert not untranslated, "portal.po: untranslated entries:\n  " + "\n  ".join(untranslated)


def test_portal_placeholders_are_kept(portal_template: Catalog, portal_po: Catalog) -> None:
    problems = []
    for wanted in portal_template:
        message = portal_po.get(_key(wanted)) if wanted.id else None
        if message is None:
            continue  # reported above
        msgid = _key(wanted)
        expected = set(PLACEHOLDER.findall(msgid))
        sample = {name[2:-2]: 3 if name.endswith("d") else "300" for name in expected}
        for form in _forms(message):
            if set(PLACEHOLDER.findall(form)) != expected:
                problems.append(f"{_label(wanted)}: {form!r} has other placeholders than the msgid")
            if form.count("%%") != msgid.count("%%"):
                problems.append(f"{_label(wanted)}: {form!r} has another number of literal per cent signs")
            if expected or "%%" in msgid:
                try:
                    form % sample
                except (KeyError, ValueError, TypeError) as exc:
                    problems.append(f"{_label(wanted)}: {form!r} cannot be formatted ({exc!r})")
    assert not problems, "portal.po:\n  " + "\n  ".join(problems)


def test_portal_pages_are_german_at_run_time() -> None:
    from survey.web.i18n import portal_translations

    german = portal_translations("de")
    for msgid in ("Sign in", "Values across the waves", "Comments of the latest wave"):
        assert german.gettext(msgid) != msgid, f"portal: {msgid!r} is not translated at run time"
    assert portal_translations("en").gettext("Sign in") == "Sign in"


# --- one term per concept -----------------------------------------------------------------------

GLOSSARY = Path(survey.__file__).parent / "glossary.yaml"


def _glossary() -> list[dict]:
    import yaml

    return yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))["terms"]


def _glossary_problems(path: Path) -> list[str]:
    """Where a German catalog says a concept in other words than the glossary's (survey/glossary.yaml)."""
    terms = [t for t in _glossary() if path.stem in t.get("catalogs", [path.stem])]
    with path.open("rb") as po:
        catalog = read_po(po)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
        for term in terms:
            for english in ids:
                words = PLACEHOLDER.sub("", english)  # "%(wave)s" is a name, not the word
                problems += [
                    f"{_label(message)} uses {bad!r}" for bad in term.get("not_en", []) if bad in words
                ]
                if not any(re.search(rf"\b{re.escape(e)}", words, re.IGNORECASE) for e in term["en"]):
                    continue
                for german in _forms(message):
                    if not any(d in german for d in term["de"]):
                        problems.append(f"{_label(message)}: {term['concept']} is {term['de'][0]!r}")
                    problems += [
                        f"{_label(message)}: {bad!r} for {term['de'][0]!r}"
                        for bad in term.get("not_de", [])
                        if bad in german
                    ]
    return problems


GERMAN_CATALOGS = sorted(
    [
        *(LOCALE_DIR / "de" / "LC_MESSAGES").glob("*.po"),
        *(Path(survey.__file__).parent / "report" / "locale" / "de" / "LC_MESSAGES").glob("*.po"),
    ]
)


@pytest.mark.parametrize("path", GERMAN_CATALOGS, ids=lambda p: p.stem)
def test_every_german_catalog_keeps_the_glossary(path: Path) -> None:
    """One term per concept: where the English says "wave", the German says "Runde" (never
    "Welle"), "adjusted p" is "korrigiertes p", "interval" is "Intervall", and so on."""
    assert _glossary_problems(path) == []


def test_the_glossary_check_finds_a_term_said_otherwise(tmp_path: Path) -> None:
    catalog = Catalog(locale="de")
    catalog.add("Respondents per wave", "Antworten je Welle")
    catalog.add("adjusted p = %(p)s", "korrigiertes p = %(p)s")
    catalog.add("%(wave)s is open", "%(wave)s ist geöffnet")  # a placeholder is not the word
    catalog.add("the 95 % band", "das 95-%-Intervall")
    path = tmp_path / "portal.po"
    from babel.messages.pofile import write_po

    with path.open("wb") as po:
        write_po(po, catalog)
    problems = _glossary_problems(path)
    assert problems == [
        "msgid 'Respondents per wave': a wave of a questionnaire is 'Runde'",
        "msgid 'Respondents per wave': 'Welle' for 'Runde'",
        "msgid 'the 95 % band' uses '95 % band'",
    ]
