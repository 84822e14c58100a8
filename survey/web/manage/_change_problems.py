"""The sentences of an organisation file's `changes:` and `valid_from` checks
(survey.domain.org_changes, survey.domain.org), matched as survey.web.manage._file_problems
matches the others, and the hints of their schema."""

from __future__ import annotations

from survey.errors import N_

__all__ = ["CHANGE_HINTS", "CHANGE_RULES"]

_HERE = r" \(here: (?P<count>\d+)\)"

CHANGE_RULES: list[tuple[str, str]] = [
    (
        r"a rename names the unit's key before in `from` and its key now in `to` \(the same key if only "
        r"the name changes\)" + _HERE,
        N_(
            "a rename names the unit's key before under from and its key now under to (the same key if "
            "only the name changes); here: %(count)s"
        ),
    ),
    (
        r"a move names the unit's key in `from` and in `to`" + _HERE,
        N_("a move names the unit's key under from and under to; here: %(count)s"),
    ),
    (
        r"a merger names two or more units in `from` and the one unit they became in `to`" + _HERE,
        N_(
            "a merger names two or more units under from and the one unit they became under to; "
            "here: %(count)s"
        ),
    ),
    (
        r"a split names the one unit in `from` and the two or more units it became in `to`" + _HERE,
        N_(
            "a split names the one unit under from and the two or more units it became under to; "
            "here: %(count)s"
        ),
    ),
    (
        r"a dissolution names the one unit that ends in `from` and nothing in `to`" + _HERE,
        N_("a dissolution names the one unit that ends under from and nothing under to; here: %(count)s"),
    ),
    (
        r"a new unit is named in `to` only, with nothing in `from`" + _HERE,
        N_("a new unit is named under to only, with nothing under from; here: %(count)s"),
    ),
    (
        r"a move keeps the unit's key, but `from` is `(?P<before>[^`]*)` and `to` is `(?P<after>[^`]*)`: "
        r"write the same key in both, or declare the new key as `renamed` \(the file's `parent` places "
        r"the unit\)",
        N_(
            "a move keeps the unit's key, but from is %(before)s and to is %(after)s: write the same key "
            "in both, or declare the new key as renamed (the file's parent places the unit)"
        ),
    ),
    (r"only a split has shares: remove them here", N_("only a split has shares: remove them here")),
    (
        r"`shares` is missing: give each unit of `to` its share of the staff of `(?P<unit>[^`]*)` in "
        r"percent, e\.g\. (?P<example>\{.*\})",
        N_(
            "shares are missing: give each unit under to its share of the staff of %(unit)s in percent, "
            "for example %(example)s"
        ),
    ),
    (
        r"no share for `(?P<key>[^`]*)`: give each unit of `to` its share of the staff in percent",
        N_("no share for %(key)s: give each unit under to its share of the staff in percent"),
    ),
    (
        r"`(?P<key>[^`]*)` is not in `to`: give shares only to the units the split became",
        N_("%(key)s is not under to: give shares only to the units the split became"),
    ),
    (
        r"the shares add up to (?P<total>[0-9.]+), not 100: give each unit's share of the staff of "
        r"`(?P<unit>[^`]*)` in percent, together 100",
        N_(
            "the shares add up to %(total)s, not 100: give each unit's share of the staff of %(unit)s "
            "in percent, together 100"
        ),
    ),
    (
        r"no unit with key `(?P<key>[^`]*)` in `units`: fix the key or add the unit",
        N_("no unit under units has the key %(key)s: fix the key or add the unit"),
    ),
    (
        r"`(?P<key>[^`]*)` ends with this change but is still listed in `units`: remove it there "
        r"\(a unit that goes on is listed in `to` as well\)",
        N_(
            "%(key)s ends with this change but is still listed under units: remove it there (a unit "
            "that goes on is listed under to as well)"
        ),
    ),
    (
        r"the changes lead round in a cycle: (?P<cycle>.*); a unit cannot follow from itself: remove "
        r"one of these changes, or declare it in a later upload",
        N_(
            "the changes lead round in a cycle: %(cycle)s; a unit cannot follow from itself: remove "
            "one of these changes, or declare it in a later upload"
        ),
    ),
    (
        r"`(?P<key>[^`]*)` is already named in (?P<other>changes\[\d+\]): a unit takes part in one "
        r"change per upload; declare the other change in a later upload",
        N_(
            "%(key)s is already named in %(other)s: a unit takes part in one change per upload; "
            "declare the other change in a later upload"
        ),
    ),
    (
        r"no unit `(?P<key>[^`]*)` in the organisation stored now: fix the key \(`from` names units as "
        r"they are before this file\)",
        N_(
            "the organisation stored now has no unit %(key)s: fix the key (from names the units as they "
            "are before this file)"
        ),
    ),
    (
        r"`(?P<key>[^`]*)` was the key of a retired unit: give the renamed unit another key",
        N_("%(key)s was the key of a retired unit: give the renamed unit another key"),
    ),
    (
        r"`(?P<key>[^`]*)` is a unit already: a change leads to new units \(or to one of `from`\); "
        r"list it in `from` if it takes the others in",
        N_(
            "%(key)s is a unit already: a change leads to new units (or to one of those under from); "
            "list it under from if it takes the others in"
        ),
    ),
    (
        r"`(?P<key>[^`]*)` stays under `(?P<parent>[^`]*)`: give it its new `parent` in `units`, or "
        r"remove this change",
        N_("%(key)s stays under %(parent)s: give it its new parent under units, or remove this change"),
    ),
    (
        r"`(?P<key>[^`]*)` keeps its name and key: give it its new `name` in `units`, or remove this change",
        N_("%(key)s keeps its name and key: give it its new name under units, or remove this change"),
    ),
    (
        r"expected a day such as 2027-01-01: write it as YYYY-MM-DD, unquoted",
        N_("expected a day such as 2027-01-01: write it as YYYY-MM-DD, without quotes"),
    ),
    (
        r"(?P<day>\d{4}-\d{2}-\d{2}) lies ahead: apply the file on that day or later \(an organisation "
        r"takes effect when it is applied, or on an earlier day\)",
        N_(
            "%(day)s lies ahead: apply the file on that day or later (an organisation takes effect when "
            "it is applied, or on an earlier day)"
        ),
    ),
    (
        r"the organisation stored now is valid from (?P<day>[\d-]+): a newer one cannot take effect "
        r"before it; write (?P=day) or a later day",
        N_(
            "the organisation stored now is valid from %(day)s: a newer one cannot take effect before "
            "it; write %(day)s or a later day"
        ),
    ),
]

CHANGE_HINTS: dict[str, str] = {
    "write the day the organisation takes effect as YYYY-MM-DD": N_(
        "write the day the organisation takes effect as YYYY-MM-DD"
    ),
    "list the changes since the organisation stored now, e.g. `- {kind: merged, from: [a, b], to: c}` "
    "(see docs/reorganisations.md)": N_(
        "list the changes since the organisation stored now, each with kind, from and to"
    ),
    "write each change with `kind`, `from` and `to` (a split also `shares`)": N_(
        "write each change with kind, from and to (a split also shares)"
    ),
    "name a unit by its key, or several as a list, e.g. [buergerbuero-nord, buergerbuero-sued]": N_(
        "name a unit by its key, or several as a list, e.g. [buergerbuero-nord, buergerbuero-sued]"
    ),
    "name a unit by its key": N_("name a unit by its key"),
    "give each unit of `to` its share of the staff in percent, e.g. {schulverwaltung: 70, sportamt: 30}": N_(
        "give each unit under to its share of the staff in percent, e.g. {schulverwaltung: 70, sportamt: 30}"
    ),
    "give the share in percent, more than 0 and at most 100": N_(
        "give the share in percent, more than 0 and at most 100"
    ),
}
