"""Create a wave as planned, change it while it may change, and its titles per language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from survey.domain import QuestionnaireVersion
from survey.errors import N_, Code, Message, SurveyError
from survey.services.catalog import version_for_wave
from survey.services.waves._checks import (
    comment_review_problems,
    key_problems,
    period_problems,
    problem,
    reminder_problems,
    threshold_problems,
    title_problems,
    unit_ids,
    unit_problems,
    version_choices,
    version_problems,
)
from survey.services.waves._model import (
    TITLE_MAX,
    FieldProblem,
    VersionChoice,
    WaveChange,
    WavePlan,
    WavePlanError,
    get_wave,
)
from survey.store import catalog as catalog_store
from survey.store import org as org_store
from survey.store import waves as store
from survey.store.engine import write_transaction
from survey.store.org import StoredUnit
from survey.store.waves import Wave

__all__ = [
    "create_planned_wave",
    "create_wave",
    "edit_planned_wave",
    "edit_wave",
    "title_in",
    "wave_title",
]


def _default_language(version: QuestionnaireVersion) -> str:
    return "de" if "de" in version.languages else version.languages[0]


def _titles_for(version: QuestionnaireVersion, asked: dict[str, str], opens_on: dt.date) -> dict[str, str]:
    """A title per language of the version: the one asked for, else the questionnaire's own with
    the month of the first day (languages the version lacks are left out)."""
    default = _default_language(version)
    titles = {}
    for lang in version.languages:
        own = version.title.get(lang) or version.title.get(default) or version.questionnaire
        given = asked.get(lang) or (asked.get("de") if lang == default else None)
        titles[lang] = (given or "").strip() or f"{own} {opens_on:%m/%Y}"
    return titles


def title_in(wave: Wave, titles: dict[str, str], lang: str) -> str:
    """The wave's title in `lang`: its own, else the German one (also for variants such as
    `de-x-ls`), else the title every wave has."""
    return titles.get(lang) or titles.get(lang.split("-")[0]) or titles.get("de") or wave.title


async def wave_title(wave: Wave, lang: str) -> str:
    """The wave's title in `lang`, falling back to German (see `title_in`)."""
    return title_in(wave, await store.wave_titles(wave.id), lang)


# --- create and edit -------------------------------------------------------------------------------


async def _free_key(questionnaire: str, opens_on: dt.date) -> str:
    base = f"{questionnaire}-{opens_on:%Y-%m}"[:60].strip("-")
    key, n = base, 1
    while await store.get_wave(key) is not None:
        n += 1
        key = f"{base}-{n}"
    return key


async def _chosen_version(questionnaires: Path, choice: VersionChoice) -> QuestionnaireVersion:
    """The version as `version_for_wave` takes it (a file's version is published now)."""
    try:
        return await version_for_wave(questionnaires, *choice.ref)
    except SurveyError as exc:  # its files changed between the form and now
        raise WavePlanError(
            [
                FieldProblem(
                    "version",
                    Message(N_("this version cannot be used now: its file has changed; choose it again")),
                    exc.message.for_cli(),
                )
            ]
        ) from None


async def create_planned_wave(plan: WavePlan, questionnaires: Path) -> Wave:
    """A new draft wave as planned, or WavePlanError with every problem; the questionnaire version
    is published (frozen) if it is not yet."""
    problems = key_problems(plan.key) if plan.key else []
    if plan.key and not problems and await store.get_wave(plan.key) is not None:
        problems.append(
            problem(
                "key",
                f"a wave `{plan.key}` exists already: choose another key",
                N_("a wave %(wave)s exists already: choose another key"),
                wave=Code(plan.key),
            )
        )
    problems += period_problems(plan.opens_on, plan.closes_on)
    problems += threshold_problems(plan.k, plan.k_text) + comment_review_problems(plan.comment_review)
    problems += reminder_problems(plan.reminder_mode, plan.reminder_days, plan.opens_on, plan.closes_on)
    units = await org_store.list_units()
    problems += await unit_problems(plan.units, units)
    wrong_version, choice = version_problems(
        await version_choices(questionnaires), plan.questionnaire, plan.version
    )
    problems += wrong_version + title_problems(plan.titles)
    if problems or choice is None:
        raise WavePlanError(problems)
    chosen = await _chosen_version(questionnaires, choice)
    version_id = await store.version_id(chosen.questionnaire, chosen.version)
    assert version_id is not None
    key = plan.key or await _free_key(plan.questionnaire, plan.opens_on)
    titles = _titles_for(chosen, plan.titles, plan.opens_on)
    async with write_transaction():
        await store.insert_wave(
            key=key,
            title=titles[_default_language(chosen)][:TITLE_MAX],
            version_id=version_id,
            audience=chosen.audience,
            opens_on=plan.opens_on,
            closes_on=plan.closes_on,
            unit_ids=unit_ids(plan.units, plan.subtrees, units),
            k=plan.k,
            k_text=plan.k_text,
            titles=titles,
            comment_review=plan.comment_review,
            reminder_mode=plan.reminder_mode,
            reminder_days=plan.reminder_days,
        )
    return await get_wave(key)


async def create_wave(
    *,
    key: str,
    questionnaires: Path,
    questionnaire: str,
    version: int | None,
    units: list[str],
    opens_on: dt.date,
    closes_on: dt.date,
    title: str | None = None,
    k: int = 5,
    k_text: int = 10,
    subtrees: bool = True,
    comment_review: str = "none",
    reminder_mode: str = "all",
    reminder_days: tuple[int, ...] = (),
) -> Wave:
    """A new draft wave (the command line's way of `create_planned_wave`): `title` is the German
    (default) one; the other languages get the questionnaire's own title."""
    problems = key_problems(key)
    if problems:  # an empty key is the command line's mistake, not a key to make up
        raise WavePlanError(problems)
    plan = WavePlan(
        questionnaire,
        version,
        units,
        opens_on,
        closes_on,
        key,
        {"de": title} if title else {},
        k,
        k_text,
        subtrees,
        comment_review,
        reminder_mode,
        reminder_days,
    )
    return await create_planned_wave(plan, questionnaires)


def _locked_problems(wave: Wave, change: WaveChange) -> list[FieldProblem]:
    """What an open wave's change asks of what opening locked (a value the wave has already is
    no change)."""
    asked = (
        ("questionnaire", "--questionnaire", change.questionnaire, wave.questionnaire),
        ("version", "--version", change.version, wave.version),
        ("units", "--units", change.units, None),
        ("k", "--k", change.k, wave.k),
        ("k_text", "--k-text", change.k_text, wave.k_text),
        ("comment_review", "--comment-review", change.comment_review, wave.comment_review),
        ("reminder_mode", "--reminder-mode", change.reminder_mode, wave.reminder_mode),
        ("reminder_days", "--reminders", change.reminder_days, wave.reminder_days),
        ("opens_on", "--opens", change.opens_on, wave.opens_on),
    )
    locked = [(name, option) for name, option, value, now in asked if value is not None and value != now]
    if not locked:
        return []
    cli = (
        f"`{wave.key}` is open: {', '.join(option for _, option in locked)} are locked once a wave opens "
        "(so results stay comparable and anonymity rules cannot shift); only --title and --closes may change"
    )
    message = Message(
        N_(
            "locked since the wave opened (so that results stay comparable and the anonymity rules "
            "cannot shift): only its titles and its last day may change"
        )
    )
    return [FieldProblem(name, message, cli) for name, _ in locked]


async def _new_version(
    wave: Wave, change: WaveChange, questionnaires: Path
) -> tuple[list[FieldProblem], VersionChoice | None]:
    """The version a draft's change asks for (None: it keeps its own)."""
    if change.questionnaire is None and change.version is None:
        return [], None
    questionnaire = change.questionnaire or wave.questionnaire
    same = questionnaire == wave.questionnaire
    if same and change.version in (None, wave.version):
        return [], None
    # another questionnaire without a number: its newest version
    number = change.version if change.version is not None or not same else None
    return version_problems(await version_choices(questionnaires), questionnaire, number)


async def _change_problems(
    wave: Wave, change: WaveChange, units: list[StoredUnit], questionnaires: Path
) -> tuple[list[FieldProblem], VersionChoice | None]:
    if wave.status == "closed":
        message = Message(
            N_("%(wave)s is closed: nothing about it changes any more"), {"wave": Code(wave.key)}
        )
        return [
            FieldProblem("wave", message, f"`{wave.key}` is closed; nothing about it changes any more")
        ], None
    problems = _locked_problems(wave, change) if wave.status == "open" else []
    if problems:
        return problems, None
    problems += period_problems(change.opens_on or wave.opens_on, change.closes_on or wave.closes_on)
    k = change.k if change.k is not None else wave.k
    problems += threshold_problems(k, change.k_text if change.k_text is not None else wave.k_text)
    if change.comment_review is not None:
        problems += comment_review_problems(change.comment_review)
    if (
        change.reminder_mode is not None
        or change.reminder_days is not None
        or change.closes_on
        or change.opens_on
    ):
        problems += reminder_problems(
            change.reminder_mode if change.reminder_mode is not None else wave.reminder_mode,
            change.reminder_days if change.reminder_days is not None else wave.reminder_days,
            change.opens_on or wave.opens_on,
            change.closes_on or wave.closes_on,
        )
    if change.units is not None:
        problems += await unit_problems(change.units, units)
    wrong_version, choice = await _new_version(wave, change, questionnaires)
    return problems + wrong_version + title_problems(change.titles or {}), choice


async def edit_planned_wave(key: str, change: WaveChange, questionnaires: Path) -> Wave:
    """Change a wave as asked, or WavePlanError with every problem. A draft changes in all but
    its key; once open, its version, units, thresholds and first day are locked."""
    wave = await get_wave(key)
    units = await org_store.list_units()
    problems, choice = await _change_problems(wave, change, units, questionnaires)
    if problems:
        raise WavePlanError(problems)
    values: dict[str, object] = {
        name: value
        for name, value in (
            ("opens_on", change.opens_on),
            ("closes_on", change.closes_on),
            ("k", change.k),
            ("k_text", change.k_text),
            ("comment_review", change.comment_review),
            ("reminder_mode", change.reminder_mode),
            ("reminder_days", change.reminder_days),
        )
        if value is not None
    }
    version = await _chosen_version(questionnaires, choice) if choice is not None else None
    if version is not None:
        values["questionnaire_version"] = await store.version_id(version.questionnaire, version.version)
        values["audience"] = version.audience
    if change.titles is not None or version is not None:
        version = version or await catalog_store.load_published_version(wave.questionnaire, wave.version)
        assert version is not None
        stored = await store.wave_titles(wave.id)
        # a wave made before titles per language keeps its one title where no other is asked
        asked = {**(stored or {_default_language(version): wave.title}), **(change.titles or {})}
        titles = _titles_for(version, asked, change.opens_on or wave.opens_on)
        values["titles"] = titles
        values["title"] = titles[_default_language(version)][:TITLE_MAX]
    async with write_transaction():
        if values:
            await store.update_wave(wave.id, **values)
        if change.units is not None:
            await store.set_wave_units(wave.id, unit_ids(change.units, change.subtrees, units))
    return await get_wave(key)


async def edit_wave(
    key: str,
    *,
    title: str | None = None,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    k: int | None = None,
    k_text: int | None = None,
    questionnaires: Path | None = None,
) -> Wave:
    """Change a wave (the command line's way of `edit_planned_wave`): `title` is the German
    (default) one; once open, its version, thresholds and start are locked."""
    change = WaveChange(
        opens_on=opens_on, closes_on=closes_on, k=k, k_text=k_text, titles={"de": title} if title else None
    )
    return await edit_planned_wave(key, change, questionnaires or Path("questionnaires"))
