"""Checking a regular expression a Kommune writes for its case numbers, before it runs on comments.

Python's `re` cannot stop a match after a time, so what could backtrack for minutes is refused
beforehand: a repetition inside a repetition (`(a+)+`, `(\\d*)*`), and alternatives inside a
repetition that can start alike (`(a|ab)+`, `(\\w|\\d)*`). A pattern must also be short, match at
least one character, and leave ordinary words alone.
"""

from __future__ import annotations

import re
import re._constants as sre_c  # the parsed form of a pattern: there is no public one
import re._parser as sre_parse
import string
from typing import Any

__all__ = ["MAX_PATTERN", "pattern_problem"]

MAX_PATTERN = 300
#: words no case number looks like: a pattern that matches any of them would redact plain text
_PLAIN = (
    "Die Wartezeit im Bürgerbüro war lang, aber die Beratung durch Frau Schmidt war freundlich und "
    "hilfreich. The staff were kind and helpful. Çok teşekkürler. Спасибо. شكرا"
)
_ALPHABET = frozenset(string.printable + "äöüßÄÖÜ")
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT)
_FIXES = (
    ("unterminated character set", "escape the bracket as \\[ or close the set with ]"),
    ("missing ), unterminated subpattern", "close the bracket with ) or escape it as \\("),
    ("unbalanced parenthesis", "remove the ) or escape it as \\)"),
    ("nothing to repeat", "escape the *, + or ? (\\*, \\+, \\?) or put what is repeated before it"),
    ("multiple repeat", "escape the second *, + or ? (\\*, \\+, \\?)"),
    ("bad escape", "remove the backslash, or write it twice (\\\\) for a backslash itself"),
    ("bad character range", "put the smaller character first (a-z) or escape the hyphen as \\-"),
    ("unknown extension", "escape the ( and ? as \\( and \\?"),
    ("global flags not at the start", "move (?i) and the like to the very start"),
)


def pattern_problem(pattern: str) -> str | None:
    """What is wrong with a case-number pattern, with what to do; None when it is fine."""
    if len(pattern) > MAX_PATTERN:
        return f"the pattern has {len(pattern):,} characters; at most {MAX_PATTERN} are allowed: shorten it"
    try:
        compiled = re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        fix = next((f for m, f in _FIXES if m in exc.msg), "check it against Python's regular expressions")
        return f"not a valid regular expression: {exc.msg} at position {exc.pos} — {fix}"
    except (RecursionError, OverflowError):
        return "the pattern is nested too deeply or repeats too often: write it more simply"
    slow = _slow(list(parsed), outer=None)
    if slow:
        return slow
    if compiled.match("") is not None:
        return (
            "the pattern matches an empty text, so it would change every comment: "
            "make it match at least one character"
        )
    plain = compiled.search(_PLAIN)
    if plain:
        return (
            f"the pattern matches ordinary words (`{plain.group()}`): make it more specific, "
            "e.g. with the digits or the fixed letters of the number"
        )
    return None


def _slow(items: list[tuple[Any, Any]], outer: tuple[int, frozenset[str]] | None) -> str | None:
    """Why matching could backtrack for minutes, or None. `outer` is the maximum of the
    repetition the items are inside and the characters an iteration of it can start with."""
    for op, av in items:
        if op in _REPEATS:
            low, high, sub = av
            body = list(sub)
            first = _first(body)
            unbounded = sre_c.MAXREPEAT in (high, outer[0] if outer else 0)
            # `(a+)+`: where one iteration of the outer part ends and the next begins is open
            if outer is not None and high > 1 and low != high and unbounded and first & outer[1]:
                return (
                    "refused: a repetition inside a repetition (like `(a+)+`) can make checking one "
                    "comment take minutes: repeat only the inner or only the outer part, or put a "
                    "fixed character between the repeated parts"
                )
            found = _slow(body, (high, first) if high > 1 else outer)
            if found:
                return found
        elif op is sre_c.BRANCH:
            alternatives = [list(a) for a in av[1]]
            if outer is not None and outer[0] == sre_c.MAXREPEAT and _overlap(alternatives):
                return (
                    "refused: alternatives that can start alike inside a repetition (like `(a|ab)+`) "
                    "can make checking one comment take minutes: make each alternative start differently"
                )
            for alternative in alternatives:
                found = _slow(alternative, outer)
                if found:
                    return found
        elif op is sre_c.SUBPATTERN:
            found = _slow(list(av[3]), outer)
            if found:
                return found
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            found = _slow(list(av[1]), outer)
            if found:
                return found
    return None


def _overlap(alternatives: list[list[tuple[Any, Any]]]) -> bool:
    seen: set[str] = set()
    for alternative in alternatives:
        first = _first(alternative)
        if not first or seen & first:
            return True
        seen |= first
    return False


def _first(items: list[tuple[Any, Any]]) -> frozenset[str]:
    """The characters (of a sample alphabet) a match of `items` can start with; everything where
    it cannot tell, nothing for an empty match."""
    for index, (op, av) in enumerate(items):
        rest = items[index + 1 :]
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue
        if op is sre_c.SUBPATTERN:
            return _first([*av[3], *rest])
        if op in _REPEATS:
            first = _first(list(av[2]))
            return first | _first(rest) if av[0] == 0 else first
        if op is sre_c.BRANCH:
            return frozenset().union(*(_first([*a, *rest]) for a in av[1]))
        return _chars(op, av)
    return frozenset()


def _chars(op: Any, av: Any) -> frozenset[str]:
    if op is sre_c.LITERAL:
        return frozenset({chr(av)})
    if op is sre_c.NOT_LITERAL:
        return _ALPHABET - {chr(av)}
    if op is sre_c.IN:
        chars: set[str] = set()
        negate = False
        for item_op, item_av in av:
            if item_op is sre_c.NEGATE:
                negate = True
            elif item_op is sre_c.RANGE:
                chars |= {c for c in _ALPHABET if item_av[0] <= ord(c) <= item_av[1]}
            else:
                chars |= _chars(item_op, item_av)
        return _ALPHABET - chars if negate else frozenset(chars)
    if op is sre_c.CATEGORY:
        return _category(str(av))
    return _ALPHABET


def _category(name: str) -> frozenset[str]:
    tests = {"DIGIT": str.isdigit, "WORD": lambda c: c.isalnum() or c == "_", "SPACE": str.isspace}
    for key, test in tests.items():
        if key in name:
            chars = frozenset(c for c in _ALPHABET if test(c))
            return _ALPHABET - chars if "NOT" in name else chars
    return _ALPHABET
