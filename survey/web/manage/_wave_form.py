"""The form of a wave (portal/wave_form.html): reading what was typed, and showing it again.

One form creates a wave and changes it: questionnaire version, units (a tree of checkboxes, each
with or without its sub-units), first and last day, the thresholds k and k_text, who releases the
free-text comments before leads read them, and a title in
each language of the version. What was typed is kept as text, so that a refused form shows it
again with each problem next to its field; an open wave's form offers only what may still change
(its titles and its last day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.response import Template

from survey.domain.mailing import parse_reminder_days
from survey.errors import N_, Message
from survey.services.approvals import approval_status, wave_approval_problems
from survey.services.waves import (
    FieldProblem,
    Wave,
    WaveChange,
    WaveDetail,
    WavePlan,
    unit_choices,
    version_choices,
    wave_title,
)
from survey.web.i18n import LANGUAGES
from survey.web.manage._common import settings_of
from survey.web.notices import say
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang, translator

__all__ = [
    "NEW_WAVE_PAGE",
    "WaveForm",
    "blank_form",
    "change_of",
    "form_of",
    "parse_day",
    "plan_of",
    "read_form",
    "show_form",
    "wave_approved",
    "wave_page_of",
]

NEW_WAVE_PAGE = "/buero/runden/neu"
#: the longest value a form field is read with (a title is at most 200 characters; more is cut
#: off only past what any check would take, so the check still sees that it is too long)
_FIELD_LIMIT = 1000
_TEXT_FIELDS = (
    "key",
    "version",
    "opens_on",
    "closes_on",
    "k",
    "k_text",
    "comment_review",
    "reminder_mode",
    "reminder_days",
    "subtrees",
    "refresh",
)


def wave_page_of(key: str) -> str:
    return f"/buero/runden/{key}"


# --- reading the form -----------------------------------------------------------------------------


@dataclass
class WaveForm:
    """The form as typed (every value a text, kept to show it again) and its problems per field."""

    values: dict[str, str]
    units: list[str]
    titles: dict[str, str]
    problems: list[FieldProblem] = field(default_factory=list)


async def read_form(request: Request[Any, Any, Any]) -> WaveForm:
    form = await request.form()
    values = {name: str(form.get(name) or "").strip()[:_FIELD_LIMIT] for name in _TEXT_FIELDS}
    units = [str(u)[:_FIELD_LIMIT] for u in form.getall("units", [])][:_FIELD_LIMIT]
    titles = {
        name.removeprefix("titles."): str(value)[:_FIELD_LIMIT]
        for name, value in form.multi_items()
        if name.startswith("titles.") and name.removeprefix("titles.") in LANGUAGES
    }
    return WaveForm(values, units, titles)


def _refuse(form: WaveForm, name: str, template: str, **params: object) -> None:
    form.problems.append(FieldProblem(name, Message(template, params), ""))


def parse_day(text: str, name: str, problems: list[FieldProblem]) -> dt.date | None:
    """The day `text` (2026-12-01 or 1.12.2026), or None with its problem added for field `name`."""
    if not text:
        problems.append(FieldProblem(name, Message(N_("enter a day, e.g. 2026-12-01")), ""))
        return None
    try:
        if "." in text:
            day, month, year = (int(part) for part in text.split(".") if part.isascii())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError:
        template = N_("%(value)s is no day: enter it as 2026-12-01 or 1.12.2026")
        problems.append(FieldProblem(name, Message(template, {"value": text}), ""))
        return None


def _day(form: WaveForm, name: str) -> dt.date | None:
    return parse_day(form.values.get(name, ""), name, form.problems)


def _number(form: WaveForm, name: str, example: int) -> int | None:
    text = form.values.get(name, "")
    if text.isascii() and text.isdigit() and len(text) <= 6:
        return int(text)
    if not text:
        _refuse(form, name, N_("enter a whole number, e.g. %(example)d"), example=example)
    else:
        _refuse(
            form,
            name,
            N_("%(value)s is no whole number: enter e.g. %(example)d"),
            value=text,
            example=example,
        )
    return None


def _version(form: WaveForm) -> tuple[str, int] | None:
    questionnaire, _, number = form.values.get("version", "").rpartition(":")
    if not questionnaire or not (number.isascii() and number.isdigit()) or len(number) > 6:
        _refuse(form, "version", N_("choose a questionnaire version of the list"))
        return None
    return questionnaire, int(number)


def _reminder_days(form: WaveForm) -> tuple[int, ...] | None:
    days = parse_reminder_days(form.values.get("reminder_days", ""))
    if days is None:
        _refuse(form, "reminder_days", N_("write whole numbers of days separated by commas, e.g. 7, 14"))
    return days


def plan_of(form: WaveForm) -> WavePlan | None:
    """The wave the form asks for; None where a field cannot even be read (its problem noted)."""
    version, opens_on, closes_on = _version(form), _day(form, "opens_on"), _day(form, "closes_on")
    k, k_text = _number(form, "k", 5), _number(form, "k_text", 10)
    reminder_days = _reminder_days(form)
    if version is None or opens_on is None or closes_on is None or k is None or k_text is None:
        return None
    if reminder_days is None:
        return None
    return WavePlan(
        questionnaire=version[0],
        version=version[1],
        units=form.units,
        opens_on=opens_on,
        closes_on=closes_on,
        key=form.values.get("key", ""),
        titles=form.titles,
        k=k,
        k_text=k_text,
        subtrees=form.values.get("subtrees") != "no",
        comment_review=form.values.get("comment_review") or "none",
        reminder_mode=form.values.get("reminder_mode") or "all",
        reminder_days=reminder_days,
    )


def change_of(form: WaveForm, wave: Wave) -> WaveChange | None:
    """What the form changes; an open wave's form sends only its titles and its last day."""
    if wave.status == "open":
        closes_on = _day(form, "closes_on")
        return None if closes_on is None else WaveChange(closes_on=closes_on, titles=form.titles)
    plan = plan_of(form)
    if plan is None:
        return None
    return WaveChange(
        questionnaire=plan.questionnaire,
        version=plan.version,
        units=plan.units,
        subtrees=plan.subtrees,
        opens_on=plan.opens_on,
        closes_on=plan.closes_on,
        k=plan.k,
        k_text=plan.k_text,
        titles=plan.titles,
        comment_review=plan.comment_review,
        reminder_mode=plan.reminder_mode,
        reminder_days=plan.reminder_days,
    )


# --- showing the form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Option:
    value: str
    label: str
    languages: list[str]
    #: why it cannot be chosen, in the page's language; empty: it can
    blocked: str


async def _options(questionnaires: Path, lang: str) -> list[tuple[str, list[_Option]]]:
    """The versions to choose from, grouped by questionnaire (its title in the page's language)."""
    _ = translator(lang)
    groups: dict[str, tuple[str, list[_Option]]] = {}
    for choice in await version_choices(questionnaires):
        v = choice.version
        title = v.title.get(lang) or v.title.get("de") or v.questionnaire
        audience = _("staff survey") if v.audience == "staff" else _("citizen survey")
        source = (
            _("published") if choice.source == "published" else _("file, published when the wave is created")
        )
        label = _(
            "%(title)s – version %(number)s (%(audience)s, %(source)s)",
            title=title,
            number=v.version,
            audience=audience,
            source=source,
        )
        blocked = say(choice.blocked, lang) if choice.blocked else ""
        group = groups.setdefault(v.questionnaire, (f"{title} ({v.questionnaire})", []))  # an optgroup
        group[1].append(_Option(f"{v.questionnaire}:{v.version}", label, v.languages, blocked))
    return list(groups.values())


def _languages(options: list[tuple[str, list[_Option]]], chosen: str) -> list[tuple[str, str]]:
    """(tag, name) of the title fields: the languages of the chosen version."""
    flat = [o for _, group in options for o in group]
    option = next((o for o in flat if o.value == chosen), None) or next(
        (o for o in flat if not o.blocked), None
    )
    tags = option.languages if option else ["de"]
    return [(tag, LANGUAGES[tag].native if tag in LANGUAGES else tag) for tag in tags]


def _default_choice(options: list[tuple[str, list[_Option]]]) -> str:
    """The newest usable version of the first questionnaire (staff-pulse before citizen-contact)."""
    usable = [o for _, group in options for o in group if not o.blocked]
    staff = [o for o in usable if o.value.startswith("staff")]
    return (staff or usable)[-1].value if usable else ""


def blank_form() -> WaveForm:
    today = dt.date.today()
    return WaveForm(
        {
            "key": "",
            "version": "",
            "opens_on": (today + dt.timedelta(days=7)).isoformat(),
            "closes_on": (today + dt.timedelta(days=21)).isoformat(),
            "k": "5",
            "k_text": "10",
            "comment_review": "none",
            "reminder_mode": "all",
            "reminder_days": "",
            "subtrees": "yes",
        },
        [],
        {},
    )


def form_of(detail: WaveDetail) -> WaveForm:
    w = detail.wave
    return WaveForm(
        {
            "key": w.key,
            "version": f"{w.questionnaire}:{w.version}",
            "opens_on": w.opens_on.isoformat(),
            "closes_on": w.closes_on.isoformat(),
            "k": str(w.k),
            "k_text": str(w.k_text),
            "comment_review": w.comment_review,
            "reminder_mode": w.reminder_mode,
            "reminder_days": ", ".join(str(day) for day in w.reminder_days),
            "subtrees": "no",
        },
        list(detail.unit_keys),
        dict(detail.titles),
    )


async def wave_approved(wave: Wave, questionnaires: Path) -> bool:
    """Has the Personalrat approved the staff draft `wave` as it is now (not only its version)?"""
    if wave.audience != "staff" or wave.status != "draft":
        return False
    return any(s.subject == wave.key and s.approved for s in (await approval_status(questionnaires)).waves)


async def _approval_note(wave: Wave, questionnaires: Path, lang: str) -> tuple[bool, list[str]]:
    """For a staff wave: whether the Personalrat has approved it as it is, and what is missing."""
    if wave.audience != "staff" or wave.status != "draft":
        return False, []
    approved = await wave_approved(wave, questionnaires)
    problems = [say(p, lang) for p in await wave_approval_problems(wave.key, questionnaires)]
    return approved, problems


async def show_form(
    request: Request[Any, Any, Any],
    state: State,
    form: WaveForm,
    *,
    wave: Wave | None = None,
    status: int = 200,
) -> Template:
    settings = settings_of(state)
    lang = portal_lang(request)
    _ = page_text(request)
    options = await _options(settings.questionnaires, lang)
    chosen = form.values.get("version") or _default_choice(options)
    form.values["version"] = chosen
    errors: dict[str, list[str]] = {}
    for p in form.problems:  # a questionnaire is chosen with its version: one field
        name = "version" if p.field == "questionnaire" else p.field
        errors.setdefault(name, []).append(say(p.message, lang))
    approved, approval_problems = (
        await _approval_note(wave, settings.questionnaires, lang) if wave else (False, [])
    )
    title = _("Change the wave %(wave)s", wave=wave.key) if wave else _("New wave")
    return page(
        request,
        "portal/wave_form.html",
        title=title,
        status=status,
        wave=wave,
        form=form,
        errors=errors,
        options=options,
        languages=_languages(options, chosen),
        several_language_sets=len({tuple(o.languages) for _, g in options for o in g}) > 1,
        units=await unit_choices(),
        approved=approved,
        approval_problems=approval_problems,
        wave_title=await wave_title(wave, lang) if wave else "",
        action=f"{wave_page_of(wave.key)}/bearbeiten" if wave else NEW_WAVE_PAGE,
    )
