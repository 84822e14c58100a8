"""The problems of an uploaded file (survey.errors.Problem), said in the page's language.

The file checks (survey.domain: the YAML reader, the schema, the organisation's rules) write each
problem as one English sentence for the command line, with values marked as code. A page says it
in German or English without the marks: each known sentence is matched here and said again from
the portal catalog, its values kept; a hint from the schema (`x-hint`) is said the same way. A
sentence not known here (a new check) is shown as written, without the marks: still accurate,
only not translated. tests/web/test_org_pages.py breaks an organisation file in every way the
checks know and fails on any sentence this module does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from babel.numbers import format_decimal

from survey.errors import N_, Problem
from survey.web.i18n import portal_translations
from survey.web.manage._change_problems import CHANGE_HINTS, CHANGE_RULES

__all__ = ["HINTS", "ShownProblem", "is_known", "problem_text", "shown_problems"]


@dataclass(frozen=True)
class ShownProblem:
    """A problem as a page shows it: where (line, field) and what to do, in the page's language."""

    line: int | None
    #: the place inside the file, as the file writes it (`units[3].parent`)
    field: str
    text: str
    #: the file's own text on that line, when there is one
    source: str | None = None


#: each sentence of the checks (without its hint) → the portal msgid that says it
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), msgid)
    for p, msgid in (
        # survey.domain.yamlfile: reading the file
        (
            r"the file is empty: write the content described in the README",
            N_("the file is empty: write the organisation into it (kommune, units, service_points)"),
        ),
        (
            r"(?P<count>[\d,]+) more YAML aliases \(\*\) from here on are not listed: write the content out",
            N_("%(count)s more YAML aliases (*) from here on are not listed: write the content out"),
        ),
        (
            r"not valid YAML: cannot read the value `(?P<value>.*)` \(.*\): "
            r"(?:remove the tag \(`!…`\) or quote the value|quote it) to keep it as text",
            N_("the value %(value)s cannot be read: put it in quotes to keep it as text"),
        ),
        (
            r"not valid YAML: .*",
            N_(
                "this is not valid YAML: check the indentation, and put texts that contain ':' or '#' "
                "in quotes"
            ),
        ),
        (
            r"the control character #x(?P<code>[0-9a-f]{4}) is not allowed in YAML: remove it "
            r"\(copying from a word processor can bring it in\)",
            N_(
                "the control character #x%(code)s is not allowed in YAML: remove it "
                "(copying from a word processor can bring it in)"
            ),
        ),
        (
            r"YAML anchors and aliases \(&, \*\) are not supported here: write the content out",
            N_("YAML anchors and aliases (&, *) are not supported here: write the content out"),
        ),
        (
            r"YAML merge keys \(<<\) are not supported here: write the content out",
            N_("YAML merge keys (<<) are not supported here: write the content out"),
        ),
        (
            r"the key `(?P<key>[^`]*)` appears twice here: keep one",
            N_("the key %(key)s appears twice here: keep one"),
        ),
        (
            r"lists or mappings are nested more than (?P<depth>\d+) levels deep in here: "
            r"check the brackets and indentation",
            N_("lists or mappings are nested more than %(depth)s levels deep in here: check the indentation"),
        ),
        (
            r"lists or mappings are nested too deeply: check the brackets and indentation",
            N_("lists or mappings are nested too deeply: check the indentation"),
        ),
        (
            r"the file is (?P<size>[\d,]+) bytes; files over (?P<most>[\d,]+) bytes are refused: "
            r"split it or check it is the right file",
            N_(
                "the file is %(size)s bytes; files over %(most)s bytes are refused: check it is "
                "the right file"
            ),
        ),
        (
            r"not UTF-8 text \(byte (?P<byte>\d+)\): save the file as UTF-8",
            N_("the file is not UTF-8 text (byte %(byte)s): save it as UTF-8"),
        ),
        # survey.domain.validation: the file's structure
        (r"`(?P<key>[^`]+)` is missing: add it", N_("%(key)s is missing: add it")),
        (
            r"unknown key `(?P<key>[^`]*)`: remove it or fix the spelling \(allowed here: (?P<allowed>.*)\)",
            N_("unknown key %(key)s: remove it or fix the spelling (allowed here: %(allowed)s)"),
        ),
        (r"expected (?P<expected>.+?), found (?P<found>.+)", N_("expected %(expected)s, found %(found)s")),
        (
            r"`(?P<value>.*)` is not allowed here: use one of (?P<options>.*)",
            N_("%(value)s is not allowed here: use one of %(options)s"),
        ),
        (r"`(?P<value>.*)` is not valid here", N_("%(value)s is not valid here")),
        (r"the text is empty", N_("the text is empty")),
        (r"has (?P<count>\d+) entries", N_("has %(count)s entries")),
        (r"is empty", N_("is empty")),
        (r"(?P<value>.+) is out of range", N_("%(value)s is out of range")),
        (
            r"lists `(?P<value>[^`]*)` more than once: remove the duplicate",
            N_("lists %(value)s more than once: remove the duplicate"),
        ),
        (r"`(?P<value>.*)` is not a valid key here", N_("%(value)s is not a valid key here")),
        # survey.domain.org: the organisation's rules
        (
            r"the key `(?P<key>[^`]*)` is already used by (?P<other>units\[\d+\]): "
            r"give each unit its own key",
            N_("the key %(key)s is already used by %(other)s: give each unit its own key"),
        ),
        (
            r"exactly one unit needs no `parent` \(the whole administration\); "
            r"found (?P<count>\d+): (?P<keys>.*)",
            N_("exactly one unit needs no parent (the whole administration); found %(count)s: %(keys)s"),
        ),
        (
            r"`(?P<key>[^`]*)` names itself as parent: name the unit above it",
            N_("%(key)s names itself as parent: name the unit above it"),
        ),
        (
            r"no unit with key `(?P<key>[^`]*)`: fix the key or add that unit",
            N_("no unit has the key %(key)s: fix the key or add that unit"),
        ),
        (
            r"a (?P<kind>\S+) cannot sit under the (?P<parent_kind>\S+) `(?P<parent>[^`]*)`: "
            r"the order is (?P<order>.*)",
            N_("a %(kind)s cannot sit under the %(parent_kind)s %(parent)s: the order is %(order)s"),
        ),
        (
            r"the parents form a cycle: (?P<cycle>.*); one of them must point further up",
            N_("the parents form a cycle: %(cycle)s; one of them must point further up"),
        ),
        (
            r"the key `(?P<key>[^`]*)` is used twice: give each service point its own key",
            N_("the key %(key)s is used twice: give each service point its own key"),
        ),
        *CHANGE_RULES,
    )
]

#: the hints of the organisation file's schema (`x-hint` in survey.domain.schemas) → portal msgid
HINTS: dict[str, str] = {
    "write an organisation: `kommune: ...`, `units: ...`, `service_points: ...` (see the README)": N_(
        "write an organisation with kommune, units and service_points"
    ),
    "write the name of the Kommune": N_("write the name of the Kommune"),
    "list the org units, each with key, name, kind and headcount": N_(
        "list the org units, each with key, name, kind and headcount"
    ),
    "write each unit with key, name, kind, headcount and (below the top) parent": N_(
        "write each unit with key, name, kind, headcount and (below the top) parent"
    ),
    "use lower-case letters, digits and single hyphens, e.g. `team-spirit-1`": N_(
        "use lower-case letters, digits and single hyphens, e.g. team-spirit-1"
    ),
    "write the unit's name": N_("write the unit's name"),
    "name the key of the parent unit": N_("name the key of the parent unit"),
    "give the number of staff as a whole number, 0 or more": N_(
        "give the number of staff as a whole number, 0 or more"
    ),
    "list the service points, each with key, name and unit": N_(
        "list the service points, each with key, name and unit"
    ),
    "write each service point with key, name and unit": N_(
        "write each service point with key, name and unit"
    ),
    "write the name": N_("write the name"),
    "name the key of the unit it belongs to": N_("name the key of the unit it belongs to"),
    **CHANGE_HINTS,
}

#: the kinds of value the structure check names (survey.domain.validation), longest first
_KINDS = {
    "a mapping of keys to values": N_("a mapping of keys to values"),
    "nothing (an empty value)": N_("nothing (an empty value)"),
    "a whole number": N_("a whole number"),
    "true or false": N_("true or false"),
    "a mapping": N_("a mapping"),
    "a number": N_("a number"),
    "a text": N_("a text"),
    "a list": N_("a list"),
    "nothing": N_("nothing"),
}
_OR = N_("or")
#: values said in words, not as written
_NUMBERS = ("count", "size", "most")


def _kinds(text: str, gettext: Callable[[str], str]) -> str | None:
    """ "a text or a whole number" in the page's language; None for words not known here."""
    said = []
    rest = text
    while rest:
        kind = next((k for k in _KINDS if rest.startswith(k)), None)
        if kind is None:
            return None
        said.append(gettext(_KINDS[kind]))
        rest = rest[len(kind) :]
        if rest.startswith(" or "):
            rest = rest[len(" or ") :]
        elif rest:
            return None
    return f" {gettext(_OR)} ".join(said)


def _split_hint(message: str) -> tuple[str, str | None]:
    for hint, msgid in HINTS.items():
        if message.endswith(f": {hint}"):
            return message[: -len(hint) - 2], msgid
    return message, None


def _said(message: str, gettext: Callable[[str], str], locale: str) -> str | None:
    for pattern, msgid in _RULES:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        values: dict[str, object] = dict(found.groupdict())
        for name in _NUMBERS:
            if name in values:
                values[name] = format_decimal(int(str(values[name]).replace(",", "")), locale=locale)
        if "total" in values:  # the sum of a split's shares, perhaps with decimals
            values["total"] = format_decimal(float(str(values["total"])), locale=locale)
        if values.get("keys") == "none":
            values["keys"] = gettext(N_("none"))
        for name in ("expected", "found"):
            if name in values:
                words = _kinds(str(values[name]), gettext)
                if words is None:
                    return None
                values[name] = words
        return gettext(msgid) % values if values else gettext(msgid)
    return None


def is_known(message: str) -> bool:
    """Whether the sentence is said in the page's language (tests: every check is known)."""
    base, _ = _split_hint(message)
    return _said(base, portal_translations("de").gettext, "de_DE") is not None


def problem_text(message: str, lang: str) -> str:
    """A problem's sentence in the portal language `lang`, without code marks, upper-case first."""
    gettext = portal_translations(lang).gettext
    base, hint = _split_hint(message)
    text = _said(base, gettext, "de_DE" if lang == "de" else "en_GB")
    if text is None:
        text = message.replace("`", "")
    elif hint:
        text = f"{text}: {gettext(hint)}"
    return text[:1].upper() + text[1:]


def shown_problems(
    problems: Iterable[Problem], lang: str, content: bytes | None = None
) -> list[ShownProblem]:
    """The problems of a file as a page lists them, each with the text of its line in the file."""
    lines: list[str] = []
    if content is not None:
        lines = content.decode("utf-8", errors="replace").splitlines()
    shown = []
    for problem in problems:
        source = None
        if problem.line and 0 < problem.line <= len(lines):
            source = lines[problem.line - 1].strip()[:200] or None
        shown.append(ShownProblem(problem.line, problem.path, problem_text(problem.message, lang), source))
    return shown
