"""What a measure (Maßnahme) must be: the checks that the measures pages, their JSON twins and the
services share. Each problem is a message under the field it belongs to, naming the field and
what to do, so that a page shows it next to that field and the API under `fields`.

A measure's values must be values of the organisation's Leitbild (the one the newest published
questionnaire version names), its questions (items, optional) questions of a published version
that measure one of its values. Days are typed as 2026-12-01 or 1.12.2026.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from survey.errors import N_, Code, Message, SurveyError
from survey.store import catalog as catalog_store
from survey.store import drafts as draft_store

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_LAG_DAYS",
    "MAX_NOTE",
    "MAX_TEXT",
    "STATUSES",
    "CatalogItem",
    "CatalogValue",
    "MeasureCatalog",
    "MeasureConflict",
    "MeasureError",
    "MeasureForbidden",
    "MeasureInput",
    "MeasureNotFound",
    "checked_facts",
    "measure_catalog",
    "note_problems",
    "parse_day",
    "refusal",
]

#: the states of a measure, in the words of its German users (English: planned, in progress, done, dropped)
STATUSES = ("geplant", "laufend", "umgesetzt", "verworfen")
MAX_TEXT = 200
MAX_DESCRIPTION = 5000
MAX_NOTE = 5000
#: the longest wait after the start before a wave counts as "after" (two years)
MAX_LAG_DAYS = 730
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


class MeasureError(SurveyError):
    """Input that cannot make a measure (or a note) as asked. `fields` holds each problem under the
    field it belongs to (`title`, `values`, `items`, `units`, `starts_on`, …; `noted_on` and
    `text` of a note; `unit` of an invitation)."""

    def __init__(
        self, template: str | Message, /, *, fields: dict[str, Message] | None = None, **params: object
    ):
        super().__init__(template, **params)
        self.fields = dict(fields or {})


class MeasureConflict(SurveyError):
    """A step that does not fit the measure as it is now (a unit that is an owner already, one that
    is not invited)."""


class MeasureNotFound(SurveyError):
    """No such measure, or no such unit or value to filter by."""


class MeasureForbidden(SurveyError):
    """The viewer's roles do not allow this; `what` says what was asked, for the audit log."""

    def __init__(self, what: str) -> None:
        super().__init__(N_("your roles do not allow this"))
        self.what = what


@dataclass(frozen=True)
class CatalogValue:
    key: str
    #: the name in each language of the Leitbild
    name: dict[str, str]


@dataclass(frozen=True)
class CatalogItem:
    id: str
    questionnaire: str
    audience: str
    #: the text in each language, of the newest published version that has the item
    text: dict[str, str]
    values: tuple[str, ...]


@dataclass(frozen=True)
class MeasureCatalog:
    """What a measure may name: the Leitbild's values, and the items of the published versions."""

    leitbild: str | None
    values: tuple[CatalogValue, ...]
    items: tuple[CatalogItem, ...]

    def value_keys(self) -> list[str]:
        return [v.key for v in self.values]

    def item(self, item_id: str) -> CatalogItem | None:
        return next((i for i in self.items if i.id == item_id), None)


async def measure_catalog() -> MeasureCatalog:
    """The Leitbild the newest published version names (else the first published one), and every
    item of a published version that measures a value (free text does not)."""
    versions = await draft_store.published_version_contents()
    published = await catalog_store.published_versions()
    newest = max(versions, key=lambda v: published[(v.questionnaire, v.version)].published_at, default=None)
    leitbild = await catalog_store.load_leitbild(newest.leitbild if newest else None)
    values = tuple(CatalogValue(v.key, dict(v.name)) for v in (leitbild.values if leitbild else []))
    items: dict[str, CatalogItem] = {}
    for version in versions:  # by questionnaire and number: a newer version's text wins
        for item in version.items:
            if item.values:
                items[item.id] = CatalogItem(
                    item.id, version.questionnaire, version.audience, dict(item.text), tuple(item.values)
                )
    return MeasureCatalog(leitbild.key if leitbild else None, values, tuple(items.values()))


@dataclass(frozen=True)
class MeasureInput:
    """A measure as typed: every text as it came (days as 2026-12-01 or 1.12.2026, the lag in days
    as digits), so that a refused form shows it again."""

    title: str = ""
    description: str = ""
    values: Sequence[str] = ()
    items: Sequence[str] = ()
    units: Sequence[str] = ()
    responsible: str = ""
    starts_on: str = ""
    due_on: str = ""
    effect_lag_days: str = "0"
    status: str = "geplant"
    public: bool = False


@dataclass
class _Found:
    facts: dict[str, object] = field(default_factory=dict)
    problems: dict[str, Message] = field(default_factory=dict)


def refusal(problems: dict[str, Message]) -> MeasureError:
    """One refusal for every problem found, each under the field it belongs to."""
    if len(problems) == 1:
        return MeasureError(next(iter(problems.values())), fields=problems)
    summary = Message(
        N_("%(count)s entries need a change"), {"count": len(problems)}, details=tuple(problems.values())
    )
    return MeasureError(summary, fields=problems)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def parse_day(text: str) -> dt.date | Message:
    """The day `text` (2026-12-01 or 1.12.2026), or what is wrong with it."""
    wrong = Message(N_("%(value)s is no day: enter it as 2026-12-01 or 1.12.2026"), {"value": text})
    try:
        if "." in text:
            day, month, year = (int(part) for part in text.split(".") if part.isascii())
            found = dt.date(year, month, day)
        else:
            found = dt.date.fromisoformat(text) if text.isascii() and len(text) == 10 else None
    except ValueError:
        return wrong
    if found is None:
        return wrong
    if not _FIRST_YEAR <= found.year <= _LAST_YEAR:
        return Message(
            N_("%(value)s is too far from today: enter a day between %(first)s and %(last)s"),
            {"value": text, "first": _FIRST_YEAR, "last": _LAST_YEAR},
        )
    return found


def _line(text: str, name: str, found: _Found, messages: tuple[str, str, str], most: int = MAX_TEXT) -> None:
    """A text of one line: `messages` say it is empty, too long, or broken over lines."""
    empty, too_long, broken = messages
    text = text.strip()
    if not text:
        found.problems[name] = Message(empty)
    elif len(text) > most:
        found.problems[name] = Message(too_long, {"length": len(text), "most": most})
    elif any(ord(c) < 32 or ord(c) == 127 for c in text):
        found.problems[name] = Message(broken)
    else:
        found.facts[name] = text


_TITLE = (
    N_("enter a title: what the measure is, in a few words, e.g. Runder Tisch Übergang Schule–Beruf"),
    N_("the title is too long (%(length)s characters): shorten it to at most %(most)s"),
    N_("the title has a line break or a control character: write it on one line"),
)
_RESPONSIBLE = (
    N_("enter who is responsible: a role or a name, e.g. Leitung Jugendamt"),
    N_("the responsible person or role is too long (%(length)s characters): shorten it to at most %(most)s"),
    N_("the responsible person or role has a line break or a control character: write it on one line"),
)


def _values(data: MeasureInput, catalog: MeasureCatalog, found: _Found) -> list[str]:
    chosen = _unique(data.values)
    if catalog.leitbild is None:
        found.problems["values"] = Message(
            N_(
                "no Leitbild has been published yet: the survey office publishes it first, "
                "then measures name its values"
            )
        )
    elif not chosen:
        found.problems["values"] = Message(
            N_("choose at least one value of the Leitbild that the measure addresses")
        )
    elif unknown := [v for v in chosen if v not in catalog.value_keys()]:
        found.problems["values"] = Message(
            N_("%(value)s is not a value of the Leitbild: choose among %(values)s"),
            {"value": Code(unknown[0]), "values": ", ".join(catalog.value_keys())},
        )
    return chosen


def _items(data: MeasureInput, values: list[str], catalog: MeasureCatalog, found: _Found) -> None:
    chosen = _unique(data.items)
    for item_id in chosen:
        item = catalog.item(item_id)
        if item is None:
            found.problems["items"] = Message(
                N_(
                    "%(item)s is not a question of a published questionnaire: choose one of the list, or none"
                ),
                {"item": Code(item_id)},
            )
            return
        if values and not set(item.values) & set(values):
            found.problems["items"] = Message(
                N_(
                    "the question %(item)s measures %(measures)s, none of the chosen values: "
                    "choose one of those values too, or leave the question out"
                ),
                {"item": Code(item_id), "measures": ", ".join(item.values)},
            )
            return
    found.facts["items"] = chosen


def _days(data: MeasureInput, found: _Found) -> None:
    starts = parse_day(data.starts_on.strip()) if data.starts_on.strip() else None
    if starts is None:
        found.problems["starts_on"] = Message(N_("enter the day the measure starts, e.g. 2026-12-01"))
    elif isinstance(starts, Message):
        found.problems["starts_on"] = starts
    else:
        found.facts["starts_on"] = starts
    due = parse_day(data.due_on.strip()) if data.due_on.strip() else None
    if isinstance(due, Message):
        found.problems["due_on"] = due
    elif due is not None and isinstance(starts, dt.date) and due < starts:
        found.problems["due_on"] = Message(
            N_("the due date %(due)s is before the start %(start)s: choose the start or a later day"),
            {"due": due.isoformat(), "start": starts.isoformat()},
        )
    else:
        found.facts["due_on"] = due


def _lag(text: str, found: _Found) -> None:
    text = text.strip() or "0"
    if text.isascii() and text.isdigit() and int(text) <= MAX_LAG_DAYS:
        found.facts["effect_lag_days"] = int(text)
        return
    found.problems["effect_lag_days"] = Message(
        N_(
            "%(value)s is no waiting time: enter the days after the start before a wave counts as "
            "after it, a whole number from 0 to %(most)s, e.g. 90"
        ),
        {"value": text[:20], "most": MAX_LAG_DAYS},
    )


def checked_facts(
    data: MeasureInput, catalog: MeasureCatalog
) -> tuple[dict[str, object], list[str], dict[str, Message]]:
    """The measure's facts (the columns it is stored with), its values, and each field's problem.
    The units are the caller's: who may own a measure depends on who asks."""
    found = _Found()
    _line(data.title, "title", found, _TITLE)
    description = data.description.strip()
    if len(description) > MAX_DESCRIPTION:
        found.problems["description"] = Message(
            N_("the description is too long (%(length)s characters): shorten it to at most %(most)s"),
            {"length": len(description), "most": MAX_DESCRIPTION},
        )
    found.facts["description"] = description
    values = _values(data, catalog, found)
    _items(data, values, catalog, found)
    _line(data.responsible, "responsible", found, _RESPONSIBLE)
    _days(data, found)
    _lag(data.effect_lag_days, found)
    if data.status not in STATUSES:
        found.problems["status"] = Message(
            N_("%(value)s is not a status: choose among %(statuses)s"),
            {"value": Code(data.status[:40]), "statuses": ", ".join(STATUSES)},
        )
    found.facts["status"] = data.status
    found.facts["public"] = bool(data.public)
    return found.facts, values, found.problems


def note_problems(noted_on: str, text: str, today: dt.date) -> tuple[dt.date | None, dict[str, Message]]:
    """The day of a progress note, and each field's problem (`noted_on`, `text`)."""
    problems: dict[str, Message] = {}
    day = parse_day(noted_on.strip()) if noted_on.strip() else None
    if day is None:
        problems["noted_on"] = Message(
            N_("enter the day the note is about, e.g. %(today)s"), {"today": today.isoformat()}
        )
    elif isinstance(day, Message):
        problems["noted_on"] = day
    elif day > today:
        problems["noted_on"] = Message(
            N_(
                "%(day)s is after today: a progress note records what has happened; "
                "choose today or an earlier day"
            ),
            {"day": day.isoformat()},
        )
    if not text.strip():
        problems["text"] = Message(
            N_("write the note: what has happened, e.g. the first meeting of the Runder Tisch took place")
        )
    elif len(text.strip()) > MAX_NOTE:
        problems["text"] = Message(
            N_("the note is too long (%(length)s characters): shorten it to at most %(most)s"),
            {"length": len(text.strip()), "most": MAX_NOTE},
        )
    return (day if isinstance(day, dt.date) else None), problems
