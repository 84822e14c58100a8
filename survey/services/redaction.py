"""Free text is redacted before it is stored (survey.text.redaction): names, e-mail addresses,
phone numbers, IBANs, dates of birth, addresses, vehicle registrations and case numbers become
markers in the comment's language, and the original is never kept.

Besides its own lists, the redaction knows every user's display name, a list of further names the
survey office keeps, and the office's rules (case-number patterns, words that are never names;
YAML, the file `questionnaires/_redaction/rules.yaml` until the office saves its own). These live in the
database, so every worker and host redacts alike: a worker rebuilds its redactor when they have
changed, looking at most once a minute (and at once after a change in the same worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from survey.errors import Problem
from survey.services.audit import record
from survey.services.background import in_background
from survey.store import comments as store
from survey.text.redaction import (
    LIMITS,
    LIMITS_DE,
    Redactor,
    check_rules_text,
    is_german_noun,
    load_redactor,
)

__all__ = [
    "NAMES_MAX",
    "REFRESH_SECONDS",
    "RedactionSettings",
    "RedactionSettingsError",
    "current_redactor",
    "forget_redactor",
    "redact_comments",
    "redaction_settings",
    "redactor_kept_fresh",
    "save_redaction_settings",
]

REFRESH_SECONDS = 60.0
#: the longest list of names the office may keep (characters)
NAMES_MAX = 200_000
#: the rules shipped with the installation, beside the questionnaires (a folder starting with
#: "_" is no questionnaire's)
_RULES_FOLDER, _RULES_FILE = "_redaction", "rules.yaml"

_current: dict[str, object] = {}
#: whether a task keeps this worker's redactor fresh (then a submission never reads the database)
_kept = {"fresh": False}


def _default_rules(questionnaires: Path) -> str:
    path = questionnaires / _RULES_FOLDER / _RULES_FILE
    return path.read_text(encoding="utf-8") if path.is_file() else ""


#: titles that stand before a person's name in a display name
_TITLES = {"Dr.", "Prof.", "Dipl.-Ing.", "Frau", "Herr"}


def _user_name_words(users: list[str]) -> list[str]:
    """The words of the users' display names that look like a person's name ("Anna Schmidt",
    "Dr. Kai Weber": two to four capitalised words) and are no German noun: a display name may
    also be "Leitung Jugendamt" or "Büro der Oberbürgermeisterin", whose words must stay in
    comments. A surname that is a noun too (Koch) is found by the name lists and its context."""
    words: set[str] = set()
    for name in users:
        parts = [p.strip(".") for p in name.replace(",", " ").split() if p not in _TITLES]
        if 2 <= len(parts) <= 4 and all(p[:1].isupper() and p[1:2].islower() for p in parts):
            words.update(p for p in parts if len(p) > 1 and not is_german_noun(p))
    return sorted(words)


def _names(users: list[str], office_list: str) -> list[str]:
    return [*_user_name_words(users), *(line.strip() for line in office_list.splitlines() if line.strip())]


async def current_redactor(questionnaires: Path) -> Redactor:
    """This worker's redactor, rebuilt where what it learns from the database has changed. In the
    app a task keeps it fresh (`redactor_kept_fresh`), so that a submission never waits for it."""
    now = time.monotonic()
    redactor = _current.get("redactor")
    checked = float(_current.get("checked", 0.0))  # type: ignore[arg-type]
    if isinstance(redactor, Redactor) and (_kept["fresh"] or now - checked < REFRESH_SECONDS):
        return redactor
    users, names, rules = await store.redaction_sources()
    rules = rules or _default_rules(questionnaires)
    sources = (tuple(users), names, rules)
    if not isinstance(redactor, Redactor) or _current.get("sources") != sources:
        redactor = load_redactor(extra_names=_names(users, names), rules_text=rules or None)
        _current.update(redactor=redactor, sources=sources)
    _current["checked"] = now
    return redactor


def forget_redactor() -> None:
    """Rebuild on the next use (after the office saved its list or rules, or on another database)."""
    _current.clear()


async def _refresh(questionnaires: Path) -> None:
    _current["checked"] = 0.0
    _kept["fresh"] = False
    try:
        await current_redactor(questionnaires)
    finally:
        _kept["fresh"] = True


@asynccontextmanager
async def redactor_kept_fresh(questionnaires: Path) -> AsyncIterator[None]:
    """Load this worker's redactor now (about a second: the name lists) and look for changed users,
    lists or rules every REFRESH_SECONDS in the background, not on a submission's way."""
    await _refresh(questionnaires)

    async def keep_fresh() -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            with contextlib.suppress(Exception):  # the next round tries again; the old one serves
                await _refresh(questionnaires)

    try:
        async with in_background(keep_fresh, "redactor-refresh"):
            yield
    finally:
        _kept["fresh"] = False


async def redact_comments(
    questionnaires: Path, comments: list[tuple[str, str]], language: str
) -> list[tuple[str, str]]:
    """(item, text) → (item, redacted text)."""
    if not comments:
        return comments
    redactor = await current_redactor(questionnaires)
    return [(item, redactor.redact(text, language).text) for item, text in comments]


@dataclass(frozen=True)
class RedactionSettings:
    #: the office's further names, one per line
    names: str
    #: the office's rules (YAML); the shipped file's where the office has saved none
    rules: str
    #: whether `rules` is the office's own
    own_rules: bool
    #: language → what cannot be checked there, in English and in German
    limits: dict[str, str]
    limits_de: dict[str, str]


async def redaction_settings(questionnaires: Path) -> RedactionSettings:
    _, names, rules = await store.redaction_sources()
    rules = rules or _default_rules(questionnaires)
    return RedactionSettings(
        names, rules, bool(await store.setting(store.REDACTION_RULES)), dict(LIMITS), dict(LIMITS_DE)
    )


class RedactionSettingsError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


async def save_redaction_settings(names: str, rules: str, by: str) -> None:
    """Save the office's list and rules; RedactionSettingsError with every problem of the rules
    (nothing is saved then)."""
    problems = check_rules_text(rules, _RULES_FILE) if rules.strip() else []
    if problems:
        raise RedactionSettingsError(problems)
    names = "\n".join(line.strip() for line in names.splitlines() if line.strip())[:NAMES_MAX]
    await store.set_setting(store.REDACTION_NAMES, names)
    await store.set_setting(store.REDACTION_RULES, rules)
    forget_redactor()
    await record(
        by, "redaction.settings", "", f"{len(names.splitlines())} names, rules {len(rules)} characters"
    )
