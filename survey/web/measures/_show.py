"""What the measures pages share: statuses, values, items and units in the page's language, a
measure as a page shows it, and the services' refusals as the app's 403 and 404."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from babel.dates import format_date
from litestar.exceptions import NotFoundException

from survey.report.format import day, locale
from survey.services.measures import (
    Measure,
    MeasureCatalog,
    MeasureForbidden,
    MeasureNotFound,
    MeasureRights,
)
from survey.services.org import organisation_listing
from survey.web.auth import Viewer, forbidden
from survey.web.notices import say
from survey.web.portal import translator

__all__ = [
    "MEASURES_PAGE",
    "MeasureShow",
    "NoteShow",
    "OwnerShow",
    "Unit",
    "guarded",
    "item_label",
    "long_day",
    "measure_page_of",
    "show_measure",
    "status_words",
    "unit_list",
    "value_names",
]

MEASURES_PAGE = "/massnahmen"
T = TypeVar("T")


def measure_page_of(measure_id: int) -> str:
    return f"{MEASURES_PAGE}/{measure_id}"


def status_words(_: Callable[..., str]) -> dict[str, str]:
    """The statuses as the page says them: German users' words, in English planned … dropped."""
    return {
        "geplant": _("planned"),
        "laufend": _("in progress"),
        "umgesetzt": _("done"),
        "verworfen": _("dropped"),
    }


def value_names(catalog: MeasureCatalog, lang: str) -> dict[str, str]:
    """The Leitbild's values (key → name in the page's language), in the Leitbild's order."""
    return {v.key: v.name.get(lang) or v.name.get("de") or v.key for v in catalog.values}


def item_label(catalog: MeasureCatalog, item_id: str, lang: str) -> str:
    item = catalog.item(item_id)
    if item is None:
        return item_id
    return item.text.get(lang) or item.text.get("de") or item_id


def long_day(value: Any, lang: str) -> str:
    """`6. Dezember 2026` / `6 December 2026`."""
    return format_date(value, format="long", locale=locale(lang))


@dataclass(frozen=True)
class Unit:
    """A unit of the organisation as the measures pages choose and name it."""

    key: str
    name: str
    kind: str
    parent: str | None
    path: str
    depth: int


async def unit_list() -> list[Unit]:
    """The organisation's active units, in tree order."""
    _, units, _ = await organisation_listing()
    return [Unit(u.key, u.name, u.kind, u.parent, u.path, u.depth) for u in units]


@dataclass(frozen=True)
class OwnerShow:
    key: str
    name: str
    confirmed: bool
    #: who invited or confirmed it, and when, in words
    line: str
    #: the viewer may confirm it (an invited unit they lead, or the survey office)
    confirmable: bool


@dataclass(frozen=True)
class NoteShow:
    day: str
    iso_day: str
    author: str
    text: str


@dataclass(frozen=True)
class MeasureShow:
    """A measure in the page's language."""

    id: int
    title: str
    description: str
    status: str
    status_label: str
    values: list[tuple[str, str]]
    items: list[tuple[str, str]]
    owners: list[OwnerShow]
    #: the confirmed owners' names, for the list
    owner_names: str
    invited_names: str
    responsible: str
    starts: str
    due: str
    lag: int
    public: bool
    changed: str
    notes: list[NoteShow]


def _owner_line(owner: Any, lang: str, _: Callable[..., str]) -> str:
    if owner.confirmed:
        return _(
            "confirmed by %(user)s on %(day)s",
            user=owner.confirmed_by or "–",
            day=long_day(owner.confirmed_at or owner.invited_at, lang),
        )
    return _(
        "invited by %(user)s on %(day)s: waiting for a lead of the unit to confirm",
        user=owner.invited_by,
        day=long_day(owner.invited_at, lang),
    )


def show_measure(
    measure: Measure, catalog: MeasureCatalog, lang: str, rights: MeasureRights | None = None
) -> MeasureShow:
    _ = translator(lang)
    names = value_names(catalog, lang)
    confirmable = set(rights.confirm) if rights else set()
    owners = [
        OwnerShow(o.unit, o.name, o.confirmed, _owner_line(o, lang, _), o.unit in confirmable)
        for o in measure.owners
    ]
    return MeasureShow(
        id=measure.id,
        title=measure.title,
        description=measure.description,
        status=measure.status,
        status_label=status_words(_).get(measure.status, measure.status),
        values=[(v, names.get(v, v)) for v in measure.values],
        items=[(i, item_label(catalog, i, lang)) for i in measure.items],
        owners=owners,
        owner_names=", ".join(o.name for o in measure.confirmed),
        invited_names=", ".join(o.name for o in measure.invited),
        responsible=measure.responsible,
        starts=day(measure.starts_on, lang),
        due=day(measure.due_on, lang) if measure.due_on else "",
        lag=measure.effect_lag_days,
        public=measure.public,
        changed=_(
            "created by %(creator)s on %(created)s, last changed by %(user)s on %(day)s",
            creator=measure.created_by,
            created=long_day(measure.created_at, lang),
            user=measure.updated_by,
            day=long_day(measure.updated_at, lang),
        ),
        notes=[
            NoteShow(long_day(n.noted_on, lang), n.noted_on.isoformat(), n.author, n.text)
            for n in measure.notes
        ],
    )


async def guarded(viewer: Viewer, lang: str | None, call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, with the services' refusals as the app's: 403 (logged) and 404 (in the page's
    language, or in English for the API: `lang` None)."""
    try:
        return await call()
    except MeasureForbidden as refused:
        raise await forbidden(viewer, refused.what) from None
    except MeasureNotFound as missing:
        text = say(missing.message, lang) if lang else missing.message.text(code=True)
        raise NotFoundException(text) from None
