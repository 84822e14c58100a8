"""Hypothesis strategies of broken questionnaire and organisation files, and what a clear answer is.

Shared by the property tests (tests/domain/test_properties.py) and the count of broken files
(tests/domain/test_broken_files.py). Two kinds of breakage: `mutated` edits the decoded data
(wrong types, missing and unknown keys) and is written back as YAML; `broken_text` edits the
text itself, for what a data edit cannot write (duplicate keys, anchors and aliases, tags, deep
nesting, huge numbers, control characters, bad indentation).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from survey.errors import Problem

__all__ = [
    "GARBAGE",
    "KEYS",
    "WORDS",
    "answer_flaw",
    "assert_answered",
    "billion_laughs",
    "broken_text",
    "json_like",
    "keys",
    "mutated",
    "one_edit",
]

# Words that occur in the files: drawn often, so mutations reach the rules behind the schema.
WORDS = [
    "editorial",
    "agree5",
    "recommend10",
    "comment",
    "likert-5",
    "single-choice",
    "text",
    "yes-no",
    "de",
    "en",
    "de-x-ls",
    "lindenau",
    "vertrauen",
    "nachhaltig",
    "wissen-geteilt",
    "ablaeufe-vereinfachen",
    "spielraum-nutzen",
    "verwaltung",
    "kjfs",
    "jugendamt",
    "asd",
    "Team",
    "Dezernat",
    "Fachbereich",
]
KEYS = [
    "id",
    "text",
    "scale",
    "values",
    "change",
    "replaces",
    "reverse",
    "required",
    "help",
    "labels",
    "anchors",
    "options",
    "code",
    "label",
    "no_answer",
    "max_length",
    "type",
    "version",
    "questionnaire",
    "languages",
    "key",
    "parent",
    "kind",
    "headcount",
    "unit",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(WORDS),
)
json_like = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=4)
    ),
    max_leaves=8,
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=8))


def _containers(node: Any) -> list[Any]:
    """Every dict and list inside `node`, `node` first."""
    found: list[Any] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            found.append(current)
            stack.extend(current.values())
        elif isinstance(current, list):
            found.append(current)
            stack.extend(current)
    return found


@st.composite
def mutated(draw: st.DrawFn, original: Any) -> Any:
    """`original` with one to three random edits: delete a key, replace a value, add a key, truncate."""
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        target = draw(st.sampled_from(_containers(data)))
        operation = draw(st.sampled_from(["delete", "replace", "add", "truncate"]))
        if isinstance(target, dict):
            names = list(target)
            if operation == "delete" and names:
                del target[draw(st.sampled_from(names))]
            elif operation == "replace" and names:
                target[draw(st.sampled_from(names))] = draw(json_like)
            elif operation == "truncate" and names:
                for name in names[draw(st.integers(min_value=0, max_value=len(names))) :]:
                    del target[name]
            else:
                target[draw(keys)] = draw(json_like)
        else:
            if operation == "delete" and target:
                del target[draw(st.integers(min_value=0, max_value=len(target) - 1))]
            elif operation == "replace" and target:
                target[draw(st.integers(min_value=0, max_value=len(target) - 1))] = draw(json_like)
            elif operation == "truncate":
                del target[draw(st.integers(min_value=0, max_value=len(target))) :]
            else:
                target.append(draw(json_like))
    return data


@st.composite
def one_edit(draw: st.DrawFn, original: Any) -> tuple[str, Any]:
    """(what was broken, data): `original` with one named edit of one mapping inside it."""
    data = copy.deepcopy(original)
    target = draw(st.sampled_from([c for c in _containers(data) if isinstance(c, dict) and c]))
    name = draw(st.sampled_from(list(target)))
    what = draw(st.sampled_from(["missing key", "unknown key", "wrong type"]))
    if what == "missing key":
        del target[name]
    elif what == "unknown key":
        target[draw(keys.filter(lambda key: key not in target))] = draw(json_like)
    else:
        kept = type(target[name])
        target[name] = draw(json_like.filter(lambda value: type(value) is not kept))
    return what, data


YAMLISH = st.text(alphabet=st.sampled_from(list("-:[]{}#&*!|>'\"%@`?,. \n\tabcv1 0ä")), max_size=80)
GARBAGE = st.one_of(
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    YAMLISH.map(lambda t: t.encode("utf-8")),
    st.binary(max_size=200),
)


# --- breakage of the text ------------------------------------------------------------------------

#: a line `key: value` or `- key: value` of a block mapping (the shipped files are written so)
_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?P<key>[A-Za-z_][\w-]*):(?P<rest>.*)$")
#: values written in place of a scalar: explicit tags, including ones that would run code elsewhere
TAGGED = [
    "!!python/object/apply:os.system ['echo hostile']",
    "!!python/name:os.system ''",
    "!!binary AAAA",
    "!!binary '%%%'",
    "!!timestamp 2024-13-45",
    "!!int abc",
    "!!float x",
    "!!bool maybe",
    "!!null x",
    "!!set {a, b}",
    "!!omap [a: 1, a: 2]",
    "!!pairs [a: 1]",
    "!custom value",
    "!<tag:example.org,2026:x> 1",
    "2024-02-30",
    "2024-13-45 10:00:00",
]

#: values with a quote or bracket that is never closed
UNBALANCED = ['"open', "'open", '"a"b"', "[open", "{open", "a: b: c"]


def billion_laughs(levels: int, width: int) -> str:
    """The "billion laughs" document: `levels` anchors, each a list of `width` aliases of the one
    before; fully expanded it holds width**levels laughs."""
    lines = ["lol0: &lol0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _nested(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return "{a: " * depth + "1" + "}" * depth


@st.composite
def huge_numbers(draw: st.DrawFn) -> str:
    digits = draw(st.integers(min_value=19, max_value=6000))
    return draw(
        st.sampled_from(
            [
                "9" * digits,
                "-" + "9" * digits,
                "0x" + "f" * digits,
                "1" + "_000" * (digits // 3),
                "1.5e400",
                "-1.0e400",
                ".inf",
                "-.Inf",
                ".nan",
                "1" + "0" * digits + ".5",
            ]
        )
    )


def _lines_with_keys(lines: list[str]) -> list[int]:
    return [n for n, line in enumerate(lines) if _KEY_LINE.match(line)]


def _replace_value(lines: list[str], n: int, value: str) -> None:
    match = _KEY_LINE.match(lines[n])
    assert match
    lines[n] = f"{match['indent']}{match['dash'] or ''}{match['key']}: {value}"


BREAKAGES = [
    "duplicate key",
    "alias bomb",
    "alias",
    "merge key",
    "tag",
    "deep nesting",
    "huge number",
    "control character",
    "tab indentation",
    "unbalanced quote",
    "cut off",
    "encoding",
]


@st.composite
def broken_text(draw: st.DrawFn, text: str) -> tuple[str, bytes]:
    """(what was broken, the file's new bytes): one edit of the YAML text `text`."""
    lines = text.splitlines()
    keyed = _lines_with_keys(lines)
    what = draw(st.sampled_from(BREAKAGES))
    n = draw(st.sampled_from(keyed))
    match = _KEY_LINE.match(lines[n])
    assert match
    indent, dash, key = match["indent"], match["dash"], match["key"]
    if what == "duplicate key":
        # a second `key:` in the same mapping, written before the first one
        value = draw(st.sampled_from(["x", "1", "[]", "{}", '""', "~"]))
        if dash:
            lines[n] = indent + "  " + lines[n][len(indent) + 2 :]
            lines.insert(n, f"{indent}- {key}: {value}")
        else:
            lines.insert(n, f"{indent}{key}: {value}")
    elif what == "alias bomb":
        levels = draw(st.integers(min_value=3, max_value=12))
        bomb = billion_laughs(levels, draw(st.integers(min_value=2, max_value=12))).splitlines()
        if draw(st.booleans()):
            # at the top, in the file's own mapping
            lines[:0] = bomb
        else:
            # as the value of one key: the anchors in a list there, the last laugh used
            lines[n] = f"{indent}{'- ' if dash else ''}{key}:"
            inner = indent + ("    " if dash else "  ")
            lines[n + 1 : n + 1] = [f"{inner}- {line.split(': ', 1)[1]}" for line in bomb]
    elif what == "alias":
        # an anchor on one value, an alias of it on another
        other = draw(st.sampled_from(keyed))
        first, second = sorted((n, other))
        match = _KEY_LINE.match(lines[first])
        assert match
        rest = match["rest"].strip()
        lines[first] = f"{match['indent']}{match['dash'] or ''}{match['key']}: &x {rest}".rstrip()
        if second == first:
            lines.insert(first + 1, f"{match['indent']}{'  ' if match['dash'] else ''}again: *x")
        else:
            _replace_value(lines, second, "*x")
    elif what == "merge key":
        lines[n] = f"{indent}{'- ' if dash else ''}{key}: &base {match['rest'].strip() or '{}'}"
        lines.insert(n + 1, f"{indent}{'  ' if dash else ''}<<: *base")
    elif what == "tag":
        _replace_value(lines, n, draw(st.sampled_from(TAGGED)))
    elif what == "deep nesting":
        depth = draw(st.sampled_from([50, 80, 200, 400, 1500]))
        _replace_value(lines, n, _nested(depth, draw(st.sampled_from(["list", "map"]))))
    elif what == "huge number":
        _replace_value(lines, n, draw(huge_numbers()))
    elif what == "control character":
        char = draw(st.sampled_from(["\x00", "\x07", "\x08", "\x1b", "\x7f", "\x85\x00", "\ufffe", "\ud800"]))
        line = lines[n]
        at = draw(st.integers(min_value=0, max_value=len(line)))
        lines[n] = line[:at] + char + line[at:]
    elif what == "tab indentation":
        candidates = [m for m in keyed if lines[m].startswith(" ")] or keyed
        m = draw(st.sampled_from(candidates))
        stripped = lines[m].lstrip(" ")
        lines[m] = "\t" * max(1, (len(lines[m]) - len(stripped)) // 2) + stripped
    elif what == "unbalanced quote":
        _replace_value(lines, n, draw(st.sampled_from(UNBALANCED)))
    elif what == "cut off":
        joined = "\n".join(lines)
        at = draw(st.integers(min_value=0, max_value=len(joined) - 1))
        return what, joined[:at].encode("utf-8", "surrogatepass")
    if what == "encoding":
        encoding = draw(st.sampled_from(["latin-1", "utf-16", "cp1252", "utf-32"]))
        joined = "\n".join(lines) + "\n"
        if encoding in ("latin-1", "cp1252") and joined.isascii():
            joined = joined.replace(":", ": äöü ß", 1)
        return what, joined.encode(encoding, "replace")
    return what, ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


# --- what a clear answer is ----------------------------------------------------------------------

#: problems that concern the file as a whole, so no place inside it can be named
WHOLE_FILE = ("the file is empty", "the file is ", "not UTF-8 text")


def answer_flaw(problem: Any) -> str | None:
    """Why `problem` is not a clear answer (None if it is): a Problem naming an existing file, a
    place inside it (a path or a line) and what to do, as `what is wrong: what to do`."""
    if not isinstance(problem, Problem):
        return f"not a Problem: {problem!r}"
    if not problem.message.strip():
        return "empty message"
    what, _, fix = problem.message.rpartition(": ")
    if not what.strip() or not fix.strip():
        return "not of the form 'what is wrong: what to do'"
    if not Path(problem.file).exists():
        return "names no existing file"
    if problem.line is not None and problem.line < 1:
        return f"line {problem.line}"
    if not str(problem).startswith(problem.file):
        return "does not start with the file"
    if problem.line is None and not problem.path and not problem.message.startswith(WHOLE_FILE):
        return "names no place inside the file (neither a path nor a line)"
    return None


def assert_answered(problems: list[Problem]) -> None:
    assert isinstance(problems, list)
    for problem in problems:
        flaw = answer_flaw(problem)
        assert flaw is None, f"{flaw}: {problem}"
