"""The checks of a wave as asked (one set for pages, API and command line), and what may be chosen."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

from survey.domain import Catalog
from survey.domain.mailing import MAX_REMINDER_DAY, MAX_REMINDERS, REMINDER_MODES, reminder_dates
from survey.errors import N_, Code, Message
from survey.services.catalog import check_folder
from survey.services.waves._model import K_MAX, K_MIN, TITLE_MAX, FieldProblem, VersionChoice, WaveError
from survey.store import catalog as catalog_store
from survey.store import org as org_store
from survey.store.org import StoredUnit

__all__ = [
    "COMMENT_REVIEWS",
    "check_thresholds",
    "check_wave_key",
    "comment_review_problems",
    "key_problems",
    "period_problems",
    "problem",
    "reminder_problems",
    "threshold_problems",
    "title_problems",
    "unit_choices",
    "unit_ids",
    "unit_problems",
    "version_choices",
    "version_problems",
]

_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: keys that are addresses of pages under /buero/runden/ (a wave of that key could not be reached)
_RESERVED_KEYS = ("neu",)
#: what a title may not hold: line breaks, tabs and other control characters (NUL among them)
_CONTROL = re.compile("[\u0000-\u001f\u007f]")


def problem(name: str, cli: str, template: str, **params: object) -> FieldProblem:
    return FieldProblem(name, Message(template, params), cli)


def key_problems(key: str) -> list[FieldProblem]:
    if not _KEY.match(key) or len(key) > 64:
        return [
            problem(
                "key",
                f"`{key}` is not a wave key: use lower-case letters, digits and hyphens, e.g. puls-2026-q4",
                N_("use lower-case letters, digits and hyphens only (at most 64), e.g. puls-2026-q4"),
            )
        ]
    if key in _RESERVED_KEYS:
        return [
            problem(
                "key",
                f"`{key}` names the page that creates waves: choose another key",
                N_("%(key)s names the page that creates waves: choose another key"),
                key=Code(key),
            )
        ]
    return []


#: who releases free-text comments before leads read them: nobody (they show at once), the survey
#: office, the Personalrat, or both; the Personalrat approves the choice with the staff wave
COMMENT_REVIEWS = ("none", "office", "personalrat", "both")


def comment_review_problems(review: str) -> list[FieldProblem]:
    if review in COMMENT_REVIEWS:
        return []
    return [
        problem(
            "comment_review",
            f"--comment-review {review}: use one of {', '.join(COMMENT_REVIEWS)}",
            N_("choose who releases the comments: nobody, the survey office, the Personalrat or both"),
        )
    ]


def reminder_problems(
    mode: str, days: tuple[int, ...], opens_on: dt.date, closes_on: dt.date
) -> list[FieldProblem]:
    """The reminders as asked: a known mode, at most MAX_REMINDERS days, each after the one before
    and (moved off a weekend) on or before the last day."""
    problems = []
    if mode not in REMINDER_MODES:
        problems.append(
            problem(
                "reminder_mode",
                f"--reminder-mode {mode}: use one of {', '.join(REMINDER_MODES)}",
                N_("choose who gets reminders: everyone on the list, or only those whose code is unused"),
            )
        )
    out_of_range = any(not 1 <= day <= MAX_REMINDER_DAY for day in days)
    if len(days) > MAX_REMINDERS or any(b <= a for a, b in itertools.pairwise(days)) or out_of_range:
        problems.append(
            problem(
                "reminder_days",
                f"--reminders {','.join(map(str, days))}: give up to {MAX_REMINDERS} days after the first "
                "day in ascending order, e.g. 7,14",
                N_(
                    "give up to %(max)d days after the first day, each larger than the one before, e.g. 7, 14"
                ),
                max=MAX_REMINDERS,
            )
        )
    elif days and reminder_dates(opens_on, days)[-1] > closes_on:
        last = reminder_dates(opens_on, days)[-1]
        problems.append(
            problem(
                "reminder_days",
                f"--reminders: the last reminder would go out on {last} (a weekend moves to Monday), "
                f"after the wave's last day {closes_on}: choose fewer days or a later last day",
                N_(
                    "the last reminder would go out on %(day)s (a weekend day moves to the Monday), after "
                    "the wave's last day: choose fewer days or a later last day"
                ),
                day=last.isoformat(),
            )
        )
    return problems


def threshold_problems(k: int, k_text: int) -> list[FieldProblem]:
    problems = []
    if k < K_MIN:
        problems.append(
            problem(
                "k",
                f"--k {k}: scores need at least {K_MIN} respondents; use {K_MIN} or more (default 5)",
                N_("scores need at least %(min)d respondents: enter %(min)d or more (5 is usual)"),
                min=K_MIN,
            )
        )
    elif k > K_MAX:
        problems.append(problem("k", f"--k {k}: use at most {K_MAX}", N_("enter at most %(max)d"), max=K_MAX))
    if k_text < k:
        problems.append(
            problem(
                "k_text",
                f"--k-text {k_text}: free text and distributions need at least as many "
                f"respondents as scores (--k {k}); use {k} or more (default 10)",
                N_(
                    "distributions and free text need at least as many respondents as scores "
                    "(k = %(k)d): enter %(k)d or more (10 is usual)"
                ),
                k=k,
            )
        )
    elif k_text > K_MAX:
        problems.append(
            problem(
                "k_text", f"--k-text {k_text}: use at most {K_MAX}", N_("enter at most %(max)d"), max=K_MAX
            )
        )
    return problems


def check_wave_key(key: str) -> None:
    """The command line's check of a wave key (the LimeSurvey import's too)."""
    problems = key_problems(key)
    if problems:
        raise WaveError(problems[0].cli)


def check_thresholds(k: int, k_text: int) -> None:
    problems = threshold_problems(k, k_text)
    if problems:
        raise WaveError(problems[0].cli)


def period_problems(opens_on: dt.date, closes_on: dt.date) -> list[FieldProblem]:
    if closes_on >= opens_on:
        return []
    return [
        problem(
            "closes_on",
            f"--closes {closes_on} is before --opens {opens_on}: swap them",
            N_("the last day is before the first day (%(opens)s): choose a later day"),
            opens=opens_on.isoformat(),
        )
    ]


def title_problems(titles: dict[str, str]) -> list[FieldProblem]:
    problems = []
    for lang, title in titles.items():
        if len(title) > TITLE_MAX:
            problems.append(
                problem(
                    f"titles.{lang}",
                    f"--title: at most {TITLE_MAX} characters",
                    N_("a title has at most %(max)d characters; this one has %(length)d"),
                    max=TITLE_MAX,
                    length=len(title),
                )
            )
        elif _CONTROL.search(title):
            problems.append(
                problem(
                    f"titles.{lang}",
                    "--title: one line of text, without control characters",
                    N_("a title is one line of text: remove the line breaks and control characters"),
                )
            )
    return problems


async def unit_problems(keys: list[str], units: list[StoredUnit]) -> list[FieldProblem]:
    if not keys:
        return [
            problem(
                "units",
                "--units: name at least one unit key (a Dezernat includes its sub-units)",
                N_("choose at least one unit (with its sub-units, if you like)"),
            )
        ]
    if not units:
        return [
            problem(
                "units",
                "no organisation yet: run `survey org import FILE` first",
                N_("there is no organisation yet: the organisation file must be uploaded first"),
            )
        ]
    known = {u.key for u in units}
    unknown = [k for k in keys if k not in known]
    if unknown:
        return [
            problem(
                "units",
                f"--units: no unit with key {', '.join(f'`{k}`' for k in unknown)}; "
                "`survey org list` shows the keys",
                N_("no unit with key %(units)s: choose units of the list"),
                units=", ".join(unknown),
            )
        ]
    return []


def unit_ids(keys: list[str], subtrees: bool, units: list[StoredUnit]) -> list[int]:
    by_key = {u.key: u for u in units}
    chosen = {by_key[k].path for k in keys}
    if subtrees:
        return [u.id for u in units if any(u.path.startswith(p) for p in chosen)]
    return [by_key[k].id for k in keys]


def version_problems(
    choices: list[VersionChoice], questionnaire: str, number: int | None
) -> tuple[list[FieldProblem], VersionChoice | None]:
    """Problems of the version asked for, or the choice it names (without a number the newest)."""
    mine = [c for c in choices if c.version.questionnaire == questionnaire]
    if not mine:
        names = ", ".join(sorted({c.version.questionnaire for c in choices})) or "none"
        return [
            problem(
                "questionnaire",
                f"there is no questionnaire `{questionnaire}` (questionnaires: {names})",
                N_("there is no questionnaire %(questionnaire)s: choose one of the list"),
                questionnaire=Code(questionnaire),
            )
        ], None
    chosen = next((c for c in mine if c.version.version == number), None) if number else mine[-1]
    if chosen is None:
        known = ", ".join(f"v{c.version.version}" for c in mine)
        return [
            problem(
                "version",
                f"{questionnaire} has no version {number} (versions: {known})",
                N_("%(questionnaire)s has no version %(number)d (versions: %(known)s)"),
                questionnaire=Code(questionnaire),
                number=number,
                known=known,
            )
        ], None
    if chosen.blocked is not None:
        return [FieldProblem("version", chosen.blocked, chosen.blocked.text(code=True))], None
    return [], chosen


def _folder_catalog(root: Path) -> Catalog:
    """The folder's versions that load without a problem; none where there is no folder."""
    return check_folder(root)[0] if root.is_dir() else Catalog(root)


async def version_choices(questionnaires: Path) -> list[VersionChoice]:
    """Every version a wave may ask, ordered by questionnaire and number: those published in the
    database and those in the folder's files that load without a problem. Drafts are not among
    them. A published version whose file has changed since is blocked (it would be refused)."""
    catalog = _folder_catalog(questionnaires)
    published = await catalog_store.published_versions()
    choices = []
    for ref in sorted(set(catalog.versions) | set(published)):
        on_disk = catalog.versions.get(ref)
        record_ = published.get(ref)
        if record_ is None:
            assert on_disk is not None
            choices.append(VersionChoice(on_disk, "file"))
            continue
        stored = await catalog_store.load_published_version(*ref)
        assert stored is not None
        blocked = None
        if on_disk is not None and on_disk.content_hash != record_.content_hash:
            blocked = Message(
                N_(
                    "the file of %(questionnaire)s version %(number)d has changed since it was "
                    "published on %(day)s, so it cannot be used: choose another version"
                ),
                {"questionnaire": Code(ref[0]), "number": ref[1], "day": f"{record_.published_at:%Y-%m-%d}"},
            )
        choices.append(VersionChoice(stored, "published", blocked))
    return choices


async def unit_choices() -> list[StoredUnit]:
    """The organisation's active units in tree order, for choosing a wave's units."""
    return await org_store.list_units()
