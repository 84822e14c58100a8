"""The problems of a questionnaire version or Leitbild (a draft, an upload), said in the page's
language, and placed at the field of the editor they belong to.

The checks (survey.domain.catalog, the same as `survey questionnaires check`) write each problem
as one English sentence for the command line, with values marked as code. Each sentence of the
catalog's own rules is matched here and said again from the portal catalog, its values kept; the
sentences of reading a file and of its structure (and their `x-hint`s) are said by
survey.web.manage._file_problems, the hints of the version and Leitbild schemas here. A sentence
not known (a new check) is shown as written, without the marks. tests/web/test_questionnaire_pages.py
fails on any sentence of the checks it provokes that is not known here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from babel import Locale

from survey.errors import N_
from survey.web.i18n import portal_translations
from survey.web.manage._file_problems import is_known as is_known_file_problem
from survey.web.manage._file_problems import problem_text as file_problem_text

__all__ = ["catalog_problem_text", "is_known", "language_label"]

#: each sentence of the catalog's rules → the portal msgid that says it (values kept by name)
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), msgid)
    for p, msgid in (
        # languages and texts (survey.domain.catalog._texts)
        (
            r"`(?P<tag>[^`]*)` is not a known language: use tags such as de, en, tr, ar, uk, ru or de-x-ls",
            N_("%(tag)s is not a known language: use a tag such as de, en, tr, ar, uk, ru or de-x-ls"),
        ),
        (
            r"no text for `(?P<language>[^`]*)`: add `[^`]*` \(the file declares the languages (?P<all>.*)\)",
            N_("translation missing: no text in %(language)s (the version has the languages %(all)s)"),
        ),
        (
            r"text in `(?P<language>[^`]*)`, which the file does not declare: "
            r"add it to `languages` or remove it",
            N_(
                "a text in %(language)s, a language the version does not have: add the language or "
                "remove the text"
            ),
        ),
        # one version on its own (survey.domain.catalog._version)
        (
            r"no Leitbild with key `(?P<key>[^`]*)` \(known: (?P<known>.*)\): "
            r"fix the key or add the Leitbild file",
            N_(
                "there is no published Leitbild %(key)s (published: %(known)s): fix the key or "
                "publish the Leitbild first"
            ),
        ),
        (
            r"the code (?P<code>\d+) is used twice: give each option its own code",
            N_("the code %(code)s is used twice: give each option its own code"),
        ),
        (
            r"the section id `(?P<id>[^`]*)` appears twice: give each section its own id",
            N_("the section id %(id)s appears twice: give each section its own id"),
        ),
        (
            r"no section with id `(?P<id>[^`]*)` \(defined: (?P<known>.*)\): "
            r"fix the id or add the section under `sections`",
            N_("there is no section %(id)s (sections: %(known)s): choose one of them or add the section"),
        ),
        (
            r"the item id `(?P<id>[^`]*)` appears twice in this version: give each item its own id",
            N_("the question id %(id)s appears twice in this version: give each question its own id"),
        ),
        (
            r"no scale named `(?P<name>[^`]*)` \(defined: (?P<known>.*)\): "
            r"fix the name or define it under `scales`",
            N_("there is no scale %(name)s (scales: %(known)s): choose one of them"),
        ),
        (
            r"`values` is missing: list the Leitbild values this item measures, e\.g\. values: \[vertrauen\]",
            N_("no Leitbild value chosen: choose the values this question measures"),
        ),
        (
            r"a free-text item cannot be reversed: remove `reverse`",
            N_("a free-text question cannot be reversed: untick the reversed direction"),
        ),
        (
            r"`(?P<value>[^`]*)` is not a value of the Leitbild `(?P<key>[^`]*)`: use one of (?P<keys>.*)",
            N_("%(value)s is not a value of the Leitbild %(key)s: use one of %(keys)s"),
        ),
        # between v(N-1) and vN (survey.domain.catalog._changes)
        (
            r"`(?P<key>[^`]*)` needs a previous version to refer to: remove it",
            N_(
                "the first version has no version before it: a question can neither be reworded "
                "nor replace another"
            ),
        ),
        (
            r"differs from v(?P<number>\d+) \((?P<old>.*)\): a questionnaire keeps its audience and "
            r"Leitbild; start a new questionnaire instead",
            N_(
                "differs from version %(number)s (%(old)s): a questionnaire keeps its audience and "
                "Leitbild; start a new questionnaire instead"
            ),
        ),
        (
            r"there is no item `(?P<id>[^`]*)` in v(?P<number>\d+) to reword: "
            r"remove `change` \(a new item\) or use the old id",
            N_(
                "version %(number)s has no question %(id)s to reword: mark it as new, or keep the "
                "old question's id"
            ),
        ),
        (
            r"the item keeps the id `(?P<id>[^`]*)` of v(?P<number>\d+), so it replaces nothing: "
            r"remove `replaces` or give the item a new id",
            N_(
                "the question keeps the id %(id)s of version %(number)s, so it replaces nothing: "
                "give it a new id, or mark the change as editorial"
            ),
        ),
        (
            r"the answer scale differs from v(?P<number>\d+): that is a substantive change, so give "
            r"the item a new id and `replaces: (?P<id>[^`]*)`",
            N_(
                "the answer scale differs from version %(number)s: that is a substantive change, so "
                "give the question a new id that replaces %(id)s"
            ),
        ),
        (
            r"the values differ from v(?P<number>\d+): that changes what the item measures, so give "
            r"the item a new id and `replaces: (?P<id>[^`]*)`",
            N_(
                "the Leitbild values differ from version %(number)s: that changes what the question "
                "measures, so give it a new id that replaces %(id)s"
            ),
        ),
        (
            r"`reverse` differs from v(?P<number>\d+): give the item a new id and `replaces: (?P<id>[^`]*)`",
            N_(
                "the direction differs from version %(number)s: give the question a new id that "
                "replaces %(id)s"
            ),
        ),
        (
            r"the wording differs from v(?P<number>\d+) but the id stays: add `change: editorial` if "
            r"it still measures the same thing, or give it a new id with `replaces: (?P<id>[^`]*)` if it "
            r"does not",
            N_(
                "the wording differs from version %(number)s but the id stays: mark the change as "
                "editorial if it still measures the same thing, or as substantive with a new id if "
                "it does not"
            ),
        ),
        (
            r"the text is the same as in v(?P<number>\d+): remove `change: editorial`",
            N_("the wording is the same as in version %(number)s: mark the question as unchanged"),
        ),
        (
            r"there is no item `(?P<id>[^`]*)` in v(?P<number>\d+): name an item id of v\d+",
            N_("version %(number)s has no question %(id)s: name a question of version %(number)s"),
        ),
        (
            r"`(?P<id>[^`]*)` is still in this version: remove it from the items or remove `replaces`",
            N_(
                "%(id)s is still in this version: a question replaces one that is no longer asked; "
                "retire %(id)s or mark this question as new"
            ),
        ),
        (
            r"`(?P<id>[^`]*)` is already replaced by items\[(?P<index>\d+)\]: one item replaces one item",
            N_("%(id)s is already replaced by another question: one question replaces one question"),
        ),
        # a Leitbild (survey.domain.catalog._leitbild)
        (
            r"the value key `(?P<key>[^`]*)` appears twice: give each value its own key",
            N_("the value key %(key)s appears twice: give each value its own key"),
        ),
        # a text instead of a file (survey.domain.catalog._text_check, survey.services.draft_import)
        (
            r"is `(?P<said>[^`]*)` but this draft is of `(?P<key>[^`]*)`: they must be equal",
            N_("is %(said)s, but this draft is of %(key)s: keep %(key)s"),
        ),
        (
            r"is (?P<said>\d+) but this draft is version (?P<number>\d+): they must be equal",
            N_("is %(said)s, but this draft is version %(number)s: keep %(number)s"),
        ),
        (
            r"there is no version (?P<number>\d+) of `(?P<key>[^`]*)` to compare with: "
            r"number versions without gaps",
            N_("there is no version %(number)s of %(key)s to compare with: number versions without gaps"),
        ),
        (
            r"is `(?P<said>[^`]*)` but this draft is the Leitbild `(?P<key>[^`]*)`: they must be equal",
            N_("is %(said)s, but this draft is the Leitbild %(key)s: keep %(key)s"),
        ),
        (
            r"this is neither a questionnaire version \(`questionnaire:` and `version:` at the top\) "
            r"nor a Leitbild \(`leitbild:` at the top\): check that it is the right file",
            N_(
                "this is neither a questionnaire version nor a Leitbild (their first lines name "
                "questionnaire and version, or leitbild): check that it is the right file"
            ),
        ),
    )
]

#: the hints of the version's and the Leitbild's structure (`x-hint` in survey.domain.schemas) →
#: portal msgid; the shared ones (ids) are said by survey.web.manage._file_problems
_HINTS: dict[str, str] = {
    "use a language tag such as de, en, tr, ar, uk, ru or de-x-ls (Leichte Sprache)": N_(
        "use a language tag such as de, en, tr, ar, uk, ru or de-x-ls (Leichte Sprache)"
    ),
    "list the languages of the texts, e.g. [de, en]": N_("list the languages of the texts, e.g. de and en"),
    "write the text": N_("write the text"),
    "give one text per language, e.g. {de: ..., en: ...}": N_("give one text per language"),
    "write the label": N_("write the label"),
    "give exactly 5 labels from the lowest to the highest per language": N_(
        "give exactly 5 labels per language, from the lowest to the highest"
    ),
    "give 5 labels from the lowest to the highest per language, e.g. de: [...]": N_(
        "give exactly 5 labels per language, from the lowest to the highest"
    ),
    "give exactly 2 anchor labels (for 0 and for 10) per language": N_(
        "give exactly 2 anchor labels per language (for 0 and for 10)"
    ),
    "give 2 anchor labels (for 0 and for 10) per language, e.g. de: [...]": N_(
        "give exactly 2 anchor labels per language (for 0 and for 10)"
    ),
    "give exactly 2 labels (no, yes) per language": N_("give exactly 2 labels per language (no, yes)"),
    "give 2 labels (no, yes) per language, e.g. de: [...]": N_(
        "give exactly 2 labels per language (no, yes)"
    ),
    "list at least two options, each with `code` and `label`": N_(
        "list at least two options, each with a code and a label"
    ),
    "write each option as `code: ...` and `label: {...}`": N_("write each option with a code and a label"),
    "use a whole number from 0 to 999": N_("use a whole number from 0 to 999"),
    "use a whole number from 1 to 10000": N_("use a whole number from 1 to 10000"),
    "give the scale a `type` and the fields that type needs": N_(
        "give the scale a type and the fields that type needs"
    ),
    "write each item with `id`, `text`, `scale` and `values`": N_(
        "write each question with id, text, scale and values"
    ),
    "name one of the scales defined under `scales`": N_("name one of the scales of this version"),
    "name a value key of the Leitbild": N_("name a value key of the Leitbild"),
    "list the Leitbild values the item measures, e.g. [vertrauen]": N_(
        "list the Leitbild values the question measures"
    ),
    "write true or false": N_("write true or false"),
    "only `change: editorial` is allowed (wording changed, still comparable)": N_(
        "only an editorial change can be declared (wording changed, still comparable)"
    ),
    "name the id of the item of the previous version it replaces": N_(
        "name the id of the question of the previous version it replaces"
    ),
    "name the id of one of the sections listed under `sections`": N_(
        "name one of the sections of this version"
    ),
    "write each section with `id` and `title` (and optionally `intro`)": N_(
        "write each section with an id and a title (and, if you like, an introduction)"
    ),
    "write a questionnaire version: `questionnaire: ...`, `version: ...`, ... (see the README)": N_(
        "write a questionnaire version: questionnaire, version, audience, leitbild, languages, title, "
        "scales and items"
    ),
    "use 1, 2, 3, ...": N_("use 1, 2, 3, …"),
    "name the key of a Leitbild file": N_("name the key of a published Leitbild"),
    "list the sections, each with `id` and `title`": N_("list the sections, each with an id and a title"),
    "name scales with lower-case letters, digits and hyphens": N_(
        "name scales with lower-case letters, digits and hyphens"
    ),
    "define at least one scale, e.g. agree5: {type: likert-5, ...}": N_("define at least one answer scale"),
    "list at least one item": N_("list at least one question"),
    "write a Leitbild: `leitbild: ...`, `languages: ...`, `name: ...`, ... (see the README)": N_(
        "write a Leitbild: leitbild, languages, name and values"
    ),
    "list the values of the Leitbild, each with `key` and `name`": N_(
        "list the values of the Leitbild, each with a key and a name"
    ),
    "write each value with `key` and `name`": N_("write each value with a key and a name"),
}


def language_label(tag: str, lang: str) -> str:
    """`Englisch (en)` on a German page, `German (de)` on an English one."""
    if tag == "de-x-ls":
        name = "Leichte Sprache" if lang == "de" else "Easy German"
    else:
        name = Locale.parse(lang).languages.get(tag.split("-")[0], tag)
    return f"{name} ({tag})"


def _said(message: str, gettext: Callable[[str], str], lang: str) -> str | None:
    for pattern, msgid in _RULES:
        found = pattern.fullmatch(message)
        if found is not None:
            values = found.groupdict()
            if "language" in values:
                values["language"] = language_label(values["language"], lang)
            return gettext(msgid) % values
    return None


def _split_hint(message: str) -> tuple[str, str | None]:
    for hint, msgid in _HINTS.items():
        if message.endswith(f": {hint}"):
            return message[: -len(hint) - 2], msgid
    return message, None


def catalog_problem_text(message: str, lang: str) -> str:
    """A problem's sentence in the portal language `lang`, without code marks, upper-case first."""
    gettext = portal_translations(lang).gettext
    text = _said(message, gettext, lang)
    if text is None:
        base, hint = _split_hint(message)
        text = file_problem_text(base, lang)
        if hint is not None:
            text = f"{text}: {gettext(hint)}"
    return text[:1].upper() + text[1:]


def is_known(message: str) -> bool:
    """Whether the sentence is said in the page's language (tests: every check met is known)."""
    if _said(message, portal_translations("de").gettext, "de") is not None:
        return True
    base, _ = _split_hint(message)
    return is_known_file_problem(base)
