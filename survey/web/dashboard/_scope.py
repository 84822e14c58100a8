"""What a dashboard request is about: the unit and questionnaire asked for, if they exist and the
viewer may see them (the rules are `survey.services.permissions`), and their figures and comments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException

from survey.domain.comments import CommentSummary
from survey.domain.figures import (
    HiddenFigure,
    UnitFigures,
)
from survey.errors import SurveyError
from survey.services.audit import record
from survey.services.comments import TextComment, comment_summary
from survey.services.figures import NoClosedWave, unit_figures, unit_in_language
from survey.services.org import organisation_listing
from survey.services.overview import wave_facts
from survey.services.permissions import (
    may_open_overview,
    may_see,
    organisation_wide,
)
from survey.web.auth import Viewer, forbidden

DEFAULT_QUESTIONNAIRE = "staff-pulse"
NO_STORE = CacheControlHeader(no_store=True, max_age=0)
NO_STORE_HEADER = {"cache-control": "no-store, max-age=0"}
SHOWN_STATUSES = ("open", "closed")

Gettext = Callable[..., str]


@dataclass(frozen=True)
class Unit:
    key: str
    name: str
    kind: str
    parent: str | None
    path: str
    depth: int


@dataclass(frozen=True)
class Wave:
    key: str
    title: str
    #: open | closed: only a closed wave shows results, an open one its participation
    status: str = "closed"


@dataclass(frozen=True)
class Questionnaire:
    key: str
    audience: str  # staff | citizen
    waves: tuple[Wave, ...]  # open and closed ones, oldest first

    @property
    def closed_waves(self) -> tuple[Wave, ...]:
        """The waves with results: an open wave shows participation only."""
        return tuple(w for w in self.waves if w.status == "closed")


async def list_units() -> list[Unit]:
    _, units, _ = await organisation_listing()
    return [Unit(u.key, u.name, u.kind, u.parent, u.path, u.depth) for u in units]


async def list_questionnaires() -> dict[str, Questionnaire]:
    """The questionnaires with an open or closed wave, staff ones first."""
    found: dict[str, tuple[str, list[Wave]]] = {}
    for wave in await wave_facts():
        if wave.status in SHOWN_STATUSES:
            found.setdefault(wave.questionnaire, (wave.audience, []))[1].append(
                Wave(wave.key, wave.title, wave.status)
            )
    ordered = sorted(found.items(), key=lambda item: (item[1][0] != "staff", item[0]))
    return {key: Questionnaire(key, audience, tuple(waves)) for key, (audience, waves) in ordered}


@dataclass(frozen=True)
class Scope:
    unit: Unit
    units: list[Unit]
    questionnaire: Questionnaire


def no_questionnaire(key: str, _: Gettext) -> NotFoundException:
    return NotFoundException(
        _(
            "There are no figures of the questionnaire “%(questionnaire)s”: it has no open or closed wave.",
            questionnaire=key,
        )
    )


async def find_scope(viewer: Viewer, unit_key: str, questionnaire: str | None, _: Gettext) -> Scope:
    """The unit and questionnaire asked for, if they exist (else 404) and the viewer may see them
    (else 403, logged)."""
    units = await list_units()
    unit = next((u for u in units if u.key == unit_key), None)
    if unit is None:
        raise NotFoundException(_("There is no unit “%(unit)s”.", unit=unit_key))
    if not may_see(viewer.principal, unit):
        raise await forbidden(viewer, f"dashboard {unit_key}")
    questionnaires = await list_questionnaires()
    chosen = questionnaires.get(questionnaire or DEFAULT_QUESTIONNAIRE)
    if chosen is None:
        raise no_questionnaire(questionnaire or DEFAULT_QUESTIONNAIRE, _)
    if not may_see(viewer.principal, unit, chosen.audience):
        raise await forbidden(viewer, f"dashboard {unit_key} {chosen.key}")
    return Scope(unit, units, chosen)


async def find_overview_scope(viewer: Viewer, questionnaire: str | None, _: Gettext) -> Questionnaire:
    if not may_open_overview(viewer.principal):
        raise await forbidden(viewer, "dashboard organisation overview")
    questionnaires = await list_questionnaires()
    chosen = questionnaires.get(questionnaire or DEFAULT_QUESTIONNAIRE)
    if chosen is None:
        raise no_questionnaire(questionnaire or DEFAULT_QUESTIONNAIRE, _)
    if not organisation_wide(viewer.principal, chosen.audience):
        raise await forbidden(viewer, f"dashboard organisation overview {chosen.key}")
    return chosen


async def load_figures(
    unit: str, questionnaire: str, _: Gettext, until: str | None = None, language: str = "de"
) -> UnitFigures:
    """The unit's figures over the closed waves, named in `language`; `NoClosedWave` goes to the
    caller (a page says so in plain words and shows the open waves' participation), any other
    problem is a 404."""
    try:
        return await unit_in_language(await unit_figures(unit, questionnaire, until=until), language)
    except NoClosedWave:
        raise
    except SurveyError as problem:
        raise NotFoundException(_("No figures: %(problem)s", problem=problem.message.text(_))) from None


async def load_comments(
    viewer: Viewer,
    figures: UnitFigures,
    language: str = "de",
    released: list[TextComment] | HiddenFigure | None = None,
) -> CommentSummary | HiddenFigure:
    """The latest wave's released comments by value and theme where they reach k_text (`released`:
    as read already); each view is written to the audit log."""
    comments = await comment_summary(figures, language, released)
    if isinstance(comments, CommentSummary):
        await record(
            viewer.username,
            "comments.view",
            figures.unit,
            f"{figures.questionnaire} {comments.wave}: {comments.total}",
        )
    return comments
