"""A thousand broken questionnaire and organisation files, every one refused with a clear error.

The property tests (test_properties.py) check that the loaders never raise, whatever they get;
some of their mutations happen to leave a valid file, so they say nothing about how many broken
files were refused. Here hypothesis generates broken files until at least 600 questionnaire or
Leitbild files and 400 organisation files were refused, in seeded batches (the same files on
every run), and counts: generated, refused with a clear error (every problem names an existing
file, a place inside it and what to do), still valid (these do not count), tracebacks (none).

The breakage: the shipped files' data (in German and English only: two languages break in every way
seven do) with one key missing, an unknown key or a value of the
wrong type (`one_edit`), or up to three such edits at random (`mutated`); their text with
duplicate keys, anchors and aliases up to a "billion laughs", merge keys, explicit tags, deep
nesting, huge numbers, control characters, tabs, unbalanced quotes, cut off or in another
encoding (`broken_text`); random bytes; and in the organisation cycles of parents, units named
twice and parents or units that do not exist.
"""

from __future__ import annotations

import copy
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SHIPPED, SHIPPED_ORG, read_data, write_data
from file_strategies import GARBAGE, TAGGED, answer_flaw, billion_laughs, broken_text, mutated, one_edit
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from survey.domain import check_catalog, check_org
from survey.errors import Problem

#: refused files wanted of each kind; batches of examples are generated until there are as many,
#: up to twice as many examples as wanted
QUESTIONNAIRES_WANTED, ORGS_WANTED = 600, 400
BATCH = 50
#: an alias bomb is answered within this time (expanded, it would never end)
QUICK = 2.0


@dataclass
class Tally:
    """What happened to the generated files of one kind."""

    generated: int = 0
    refused: int = 0
    valid: int = 0
    tracebacks: int = 0
    unclear: int = 0
    slowest: float = 0.0
    slowest_breakage: str = ""
    by_breakage: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def record(self, breakage: str, check: Callable[[], list[Problem]], content: bytes | None) -> None:
        self.generated += 1
        started = time.perf_counter()
        try:
            problems = check()
        except Exception:
            self.tracebacks += 1
            self._keep(f"{breakage}: traceback\n{traceback.format_exc()}", content)
            return
        finally:
            took = time.perf_counter() - started
            if took > self.slowest:
                self.slowest, self.slowest_breakage = took, breakage
        if not problems:
            self.valid += 1
            return
        flaws = [f"{flaw}: {problem}" for problem in problems if (flaw := answer_flaw(problem))]
        if flaws:
            self.unclear += 1
            self._keep(f"{breakage}: unclear problems\n" + "\n".join(flaws[:5]), content)
            return
        self.refused += 1
        self.by_breakage[breakage] += 1

    def _keep(self, what: str, content: bytes | None) -> None:
        if len(self.failures) < 5:
            shown = "" if content is None else f"\nthe file began with {content[:300]!r}"
            self.failures.append(what + shown)

    def figures(self, name: str) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.by_breakage.items()))
        return (
            f"{name}: generated {self.generated}, refused {self.refused}, valid {self.valid}, "
            f"tracebacks {self.tracebacks}, unclear {self.unclear}, "
            f"slowest {self.slowest:.2f} s ({self.slowest_breakage})\n"
            f"  refused by breakage: {kinds}"
        )


def _generate(
    tally: Tally, wanted: int, strategy: st.SearchStrategy[Any], run: Callable[[Any], None]
) -> None:
    """Seeded batches of examples of `strategy` given to `run`, until `wanted` files were refused."""
    for batch in range(2 * wanted // BATCH):
        if tally.refused >= wanted:
            return

        @seed(20260 + batch)
        @settings(
            max_examples=BATCH,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def examples(case: Any) -> None:
            run(case)

        examples()


# --- questionnaire and Leitbild files ------------------------------------------------------------

#: each target is checked in the smallest catalog that still holds everything it refers to
TARGETS: dict[str, tuple[str, ...]] = {
    "leitbild.yaml": ("leitbild.yaml", "staff-pulse/v1.yaml"),
    "staff-pulse/v1.yaml": ("leitbild.yaml", "staff-pulse/v1.yaml"),
    "staff-pulse/v2.yaml": ("leitbild.yaml", "staff-pulse/v1.yaml", "staff-pulse/v2.yaml"),
    "citizen-contact/v1.yaml": ("leitbild.yaml", "citizen-contact/v1.yaml"),
}
#: the languages the broken files keep: the shipped files are in seven, and every text in each; two
#: languages break in every way seven do, and the loader reads a file of two in half the time
KEPT_LANGUAGES = ("de", "en")
ALL_LANGUAGES = {"de", "de-x-ls", "en", "tr", "ar", "uk", "ru"}


def _in_two_languages(data: Any) -> Any:
    """The shipped file's data with only KEPT_LANGUAGES in every text and in `languages`."""
    if isinstance(data, dict):
        if data and set(data) <= ALL_LANGUAGES and "de" in data:
            return {tag: _in_two_languages(data[tag]) for tag in KEPT_LANGUAGES if tag in data}
        return {
            key: list(KEPT_LANGUAGES) if key == "languages" else _in_two_languages(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_in_two_languages(item) for item in data]
    return data


BASE_DATA = {
    part: _in_two_languages(read_data(SHIPPED / part)) for parts in TARGETS.values() for part in parts
}
DATA = {target: BASE_DATA[target] for target in TARGETS}
TEXT = {
    target: yaml.dump(DATA[target], allow_unicode=True, sort_keys=False, width=1000) for target in TARGETS
}


@st.composite
def broken_questionnaire(draw: st.DrawFn) -> tuple[str, str, Any]:
    """(target, breakage, data to write or bytes)."""
    target = draw(st.sampled_from(list(TARGETS)))
    how = draw(st.sampled_from(["data", "edit", "text", "text", "text", "bytes"]))
    if how == "data":
        return target, "mutated data", draw(mutated(DATA[target]))
    if how == "edit":
        return target, *draw(one_edit(DATA[target]))
    if how == "text":
        breakage, content = draw(broken_text(TEXT[target]))
        return target, breakage, content
    return target, "random bytes", draw(GARBAGE)


def _catalogs(base: Path) -> dict[str, Path]:
    roots = {}
    for target, parts in TARGETS.items():
        root = base / target.replace("/", "-") / "questionnaires"
        for part in parts:
            (root / part).parent.mkdir(parents=True, exist_ok=True)
            write_data(root / part, BASE_DATA[part])
        roots[target] = root
    return roots


def _write(path: Path, content: Any) -> bytes:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write_data(path, content)
    return path.read_bytes()


def _refuse_questionnaires(tally: Tally, base: Path) -> None:
    roots = _catalogs(base)

    def run(case: tuple[str, str, Any]) -> None:
        target, breakage, content = case
        root = roots[target]
        path = root / target
        try:
            written = _write(path, content)
            tally.record(breakage, lambda: check_catalog(root)[1], written)
        finally:
            write_data(path, BASE_DATA[target])

    _generate(tally, QUESTIONNAIRES_WANTED, broken_questionnaire(), run)


# --- organisation files --------------------------------------------------------------------------

ORG = read_data(SHIPPED_ORG)
ORG_TEXT = SHIPPED_ORG.read_text(encoding="utf-8")
UNIT_KEYS = [unit["key"] for unit in ORG["units"]]


def _below(key: str) -> list[str]:
    """`key` and the keys of every unit under it."""
    out = [key]
    for current in out:
        out.extend(u["key"] for u in ORG["units"] if u.get("parent") == current)
    return out


@st.composite
def broken_tree(draw: st.DrawFn) -> tuple[str, Any]:
    """(breakage, data): the organisation with a cycle, a unit named twice, or a reference to nothing."""
    data = copy.deepcopy(ORG)
    units = data["units"]
    what = draw(st.sampled_from(["cycle", "duplicate unit", "unknown parent", "unknown unit", "two roots"]))
    if what == "cycle":
        # a unit hangs under itself or under one of the units below it
        unit = draw(st.sampled_from(units))
        unit["parent"] = draw(st.sampled_from(_below(unit["key"])))
    elif what == "duplicate unit":
        twin = copy.deepcopy(draw(st.sampled_from(units)))
        units.insert(draw(st.integers(min_value=0, max_value=len(units))), twin)
    elif what == "unknown parent":
        orphan = draw(st.sampled_from(units[1:]))
        orphan["parent"] = draw(st.sampled_from(["gibt-es-nicht", "", "Verwaltung"]))
    elif what == "unknown unit":
        draw(st.sampled_from(data["service_points"]))["unit"] = draw(st.sampled_from(["gibt-es-nicht", ""]))
    else:
        draw(st.sampled_from(units[1:])).pop("parent", None)
    return what, data


@st.composite
def broken_org(draw: st.DrawFn) -> tuple[str, Any]:
    how = draw(st.sampled_from(["data", "edit", "tree", "text", "text", "bytes"]))
    if how == "data":
        return "mutated data", draw(mutated(ORG))
    if how == "edit":
        return draw(one_edit(ORG))
    if how == "tree":
        return draw(broken_tree())
    if how == "text":
        return draw(broken_text(ORG_TEXT))
    return "random bytes", draw(GARBAGE)


def _refuse_orgs(tally: Tally, base: Path) -> None:
    base.mkdir()
    path = base / "org.yaml"

    def check() -> list[Problem]:
        organisation, problems = check_org(path)
        # a refused file gives no organisation; a valid one does
        assert (organisation is None) == bool(problems), (organisation, problems)
        return problems

    def run(case: tuple[str, Any]) -> None:
        breakage, content = case
        tally.record(breakage, check, _write(path, content))

    _generate(tally, ORGS_WANTED, broken_org(), run)


# --- the count -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_thousand_broken_files_each_end_in_a_clear_error(tmp_path: Path) -> None:
    questionnaires, orgs = Tally(), Tally()
    started = time.perf_counter()
    _refuse_questionnaires(questionnaires, tmp_path / "questionnaires")
    _refuse_orgs(orgs, tmp_path / "org")
    total = Tally(
        generated=questionnaires.generated + orgs.generated,
        refused=questionnaires.refused + orgs.refused,
        valid=questionnaires.valid + orgs.valid,
        tracebacks=questionnaires.tracebacks + orgs.tracebacks,
        unclear=questionnaires.unclear + orgs.unclear,
    )
    print()
    print(f"{time.perf_counter() - started:.1f} s")
    print(questionnaires.figures("questionnaire and Leitbild files"))
    print(orgs.figures("organisation files"))
    print(
        f"generated {total.generated}, refused {total.refused}, valid {total.valid}, "
        f"tracebacks {total.tracebacks} ({time.perf_counter() - started:.1f} s)"
    )
    failures = "\n\n".join(questionnaires.failures + orgs.failures)
    assert total.tracebacks == 0, failures
    assert total.unclear == 0, failures
    assert questionnaires.refused >= QUESTIONNAIRES_WANTED
    assert orgs.refused >= ORGS_WANTED
    assert total.refused >= 1000
    # every kind of breakage was among the refused files
    breakages = set(questionnaires.by_breakage) | set(orgs.by_breakage)
    assert {
        "missing key",
        "unknown key",
        "wrong type",
        "duplicate key",
        "alias bomb",
        "deep nesting",
        "huge number",
        "cycle",
    } <= breakages
    # How long the slowest file took is printed, not asserted (deep nesting makes PyYAML slow on
    # a busy machine); that an alias bomb is answered at once is the next test's assertion.


@pytest.mark.parametrize("levels", [10, 30])
def test_a_billion_laughs_is_refused_at_once_and_clearly(tmp_path: Path, levels: int) -> None:
    """10**levels laughs if aliases were expanded; the loader refuses the first alias instead."""
    path = tmp_path / "org.yaml"
    path.write_text(billion_laughs(levels, 10) + "kommune: Lindenau\nunits: *lol9\n", encoding="utf-8")
    started = time.perf_counter()
    organisation, problems = check_org(path)
    assert time.perf_counter() - started < QUICK
    assert organisation is None
    assert all(answer_flaw(p) is None for p in problems), problems
    assert problems[0].line == 2 and "anchors and aliases" in problems[0].message
    # one problem per alias would be thousands of lines: a few, then how many more
    assert len(problems) <= 11
    assert "more" in problems[-1].message


@pytest.mark.parametrize(
    "value", [*TAGGED, "9" * 5000, "-" + "9" * 5000], ids=lambda value: value[:24].replace(" ", "_")
)
def test_a_value_that_cannot_be_read_is_a_problem_at_its_line(tmp_path: Path, value: str) -> None:
    """`!!bool maybe` once raised a KeyError out of the loader; a number of 5,000 digits was
    quoted in full, with Python's advice to raise its digit limit."""
    path = tmp_path / "org.yaml"
    path.write_text(f"kommune: Lindenau\nunits:\n  - key: {value}\n", encoding="utf-8")
    organisation, problems = check_org(path)
    assert organisation is None and problems
    assert all(answer_flaw(p) is None for p in problems), problems
    assert any(p.line == 3 for p in problems), problems
    assert all(len(p.message) < 300 and "sys.set_int_max_str_digits" not in p.message for p in problems)


@pytest.mark.parametrize("depth", [65, 500, 5000])
def test_deep_nesting_is_refused_at_its_line(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "org.yaml"
    nested = "[" * depth + "]" * depth
    path.write_text(f"kommune: Lindenau\nunits:\n  - key: a\n    name: {nested}\n", encoding="utf-8")
    organisation, problems = check_org(path)
    assert organisation is None
    deep = [p for p in problems if "nested" in p.message]
    assert len(deep) == 1 and deep[0].line == 4, problems
    assert answer_flaw(deep[0]) is None
