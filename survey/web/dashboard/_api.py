"""The dashboard's JSON twins under /api/v1: units, a unit's figures and comments, the overview."""

from __future__ import annotations

import dataclasses
import functools
import operator
import types
import typing
from typing import Any

import msgspec
from litestar import Response, get
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec

from survey.domain.comments import CommentSummary
from survey.domain.figures import (
    HiddenFigure,
    OrganisationOverview,
    UnitFigures,
)
from survey.errors import SurveyError
from survey.services.comments import released_comments
from survey.services.figures import NoClosedWave
from survey.services.permissions import (
    may_see,
)
from survey.services.reports import overview_data
from survey.web.api import refusals
from survey.web.auth import CurrentViewer
from survey.web.dashboard._scope import (
    DEFAULT_QUESTIONNAIRE,
    NO_STORE,
    NO_STORE_HEADER,
    find_overview_scope,
    find_scope,
    list_questionnaires,
    list_units,
    load_comments,
    load_figures,
)
from survey.web.security import OptionalQueryText, PathText, QueryText

# --- JSON API -------------------------------------------------------------------------------------


class VisibleUnit(msgspec.Struct, frozen=True):
    """A unit whose figures the signed-in user may read, and of which questionnaires."""

    key: str
    name: str
    kind: str
    parent: str | None
    depth: int
    questionnaires: list[str]


class Comments(msgspec.Struct, frozen=True):
    """The latest wave's released free-text comments of a unit's subtree (redacted when stored): a
    list (alphabetical) and the same grouped into themes per Leitbild value (`themes`; the theme
    keys are the codebook's), from k_text respondents on; else `hidden` with its reason (and
    `comments` and `themes` null)."""

    unit: str
    questionnaire: str
    wave: str
    comments: list[str] | None
    hidden: HiddenFigure | None
    themes: CommentSummary | None = None


_API = {"tags": ["dashboard"], "cache_control": NO_STORE}


def _documented_type(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return annotation if _describable(annotation) else _documented(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return functools.reduce(operator.or_, [_documented_type(a) for a in args])
    if origin is list:
        return list[_documented_type(args[0])]  # type: ignore[misc]
    if origin is dict:
        return dict[args[0], _documented_type(args[1])]  # type: ignore[misc]
    return annotation


@functools.cache
def _describable(struct: type[msgspec.Struct]) -> bool:
    try:
        msgspec.json.schema(struct)
    except TypeError:
        return False
    return True


@functools.cache
def _documented(struct: type[msgspec.Struct]) -> type:
    """The shape of a figures Struct as a dataclass, for the OpenAPI document only.

    msgspec cannot describe a union of two Structs (a score, or a hidden figure in its place), so
    litestar cannot either; a dataclass of the same fields it describes field by field, with
    `oneOf` for those unions. The JSON itself is msgspec's encoding of the Struct.
    """
    hints = typing.get_type_hints(struct)
    fields: list[tuple[str, Any, Any]] = []
    for f in msgspec.structs.fields(struct):
        annotation = _documented_type(hints[f.name])
        if f.default_factory is not msgspec.NODEFAULT:
            spec = dataclasses.field(default_factory=f.default_factory)
        elif isinstance(f.default, list | dict | set):
            spec = dataclasses.field(default_factory=functools.partial(type(f.default), f.default))
        elif f.default is not msgspec.NODEFAULT:
            spec = dataclasses.field(default=f.default)
        else:
            spec = dataclasses.field()
        fields.append((f.name, annotation, spec))
    documented = dataclasses.make_dataclass(struct.__name__, fields, frozen=True)
    documented.__module__ = struct.__module__  # the same name in the document as the Struct's
    documented.__doc__ = struct.__doc__
    return documented


def _json(figures: msgspec.Struct) -> Response[bytes]:
    return Response(msgspec.json.encode(figures), media_type=MediaType.JSON, headers=NO_STORE_HEADER)


def _english(message: str, **variables: Any) -> str:
    return message % variables


@get(
    "/api/v1/units",
    name="api-units",
    summary="Units whose figures the signed-in user may read",
    responses=refusals(401, 404),
    **_API,
)
async def units_api(viewer: CurrentViewer, questionnaire: OptionalQueryText = None) -> list[VisibleUnit]:
    """The units the user may open, with the questionnaires they may see there (`questionnaire`
    narrows the list to one)."""
    questionnaires = await list_questionnaires()
    if questionnaire is not None and questionnaire not in questionnaires:
        raise NotFoundException(f"no questionnaire `{questionnaire}` with an open or closed wave")
    wanted = [questionnaires[questionnaire]] if questionnaire else list(questionnaires.values())
    out = []
    for unit in await list_units():
        seen = [q.key for q in wanted if may_see(viewer.principal, unit, q.audience)]
        if seen:
            out.append(VisibleUnit(unit.key, unit.name, unit.kind, unit.parent, unit.depth, seen))
    return out


@get(
    "/api/v1/units/{unit:str}/figures",
    name="api-unit-figures",
    summary="A unit's figures across waves, suppressed",
    responses={
        200: ResponseSpec(
            _documented(UnitFigures), generate_examples=False, description="The unit's figures"
        ),
        **refusals(401, 403, 404),
    },
    **_API,
)
async def unit_figures_api(
    viewer: CurrentViewer, unit: PathText, questionnaire: QueryText = DEFAULT_QUESTIONNAIRE
) -> Response[bytes]:
    """Values × closed waves, changes (Benjamini–Hochberg), trends, sub-units and items; every
    figure below the thresholds is an object `{hidden, reason, explanation}`, never a number. A wave
    still open appears only in `open_waves`, as participation (respondents so far, hidden where
    the group is small), never with answers; 404 where no wave has closed yet."""
    scope = await find_scope(viewer, unit, questionnaire, _english)
    try:
        figures = await load_figures(unit, scope.questionnaire.key, _english)
    except NoClosedWave as problem:
        raise NotFoundException(f"no figures: {problem.message.text(code=True)}") from None
    return _json(figures)


@get(
    "/api/v1/units/{unit:str}/comments",
    name="api-unit-comments",
    summary="The latest wave's comments of a unit, from k_text respondents on (audited)",
    responses=refusals(401, 403, 404),
    **_API,
)
async def unit_comments_api(
    viewer: CurrentViewer, unit: PathText, questionnaire: QueryText = DEFAULT_QUESTIONNAIRE
) -> Comments:
    scope = await find_scope(viewer, unit, questionnaire, _english)
    try:
        figures = await load_figures(unit, scope.questionnaire.key, _english)
    except NoClosedWave as problem:
        raise NotFoundException(f"no comments: {problem.message.text(code=True)}") from None
    released = await released_comments(figures)
    wave = figures.waves[-1].wave if figures.waves else ""
    if isinstance(released, HiddenFigure):
        return Comments(unit, scope.questionnaire.key, wave, None, released)
    themes = await load_comments(viewer, figures, "en", released)
    assert isinstance(themes, CommentSummary)  # what was released is shown
    return Comments(unit, scope.questionnaire.key, wave, [c.text for c in released], None, themes)


@get(
    "/api/v1/overview/figures",
    name="api-overview-figures",
    summary="The organisation overview (organisation-wide grants only), suppressed",
    responses={
        200: ResponseSpec(
            _documented(OrganisationOverview), description="The overview (OrganisationOverview)"
        ),
        **refusals(401, 403, 404),
    },
    **_API,
)
async def overview_figures_api(
    viewer: CurrentViewer, questionnaire: QueryText = DEFAULT_QUESTIONNAIRE
) -> Response[bytes]:
    chosen = await find_overview_scope(viewer, questionnaire, _english)
    try:
        figures, _kommune = await overview_data(chosen.key)
    except SurveyError as problem:
        raise NotFoundException(f"no figures: {problem.message.text(code=True)}") from None
    return _json(figures)


#: the JSON routes, for the app's route_handlers (through survey.web.dashboard.DASHBOARD_ROUTES)
API_ROUTES = [units_api, unit_figures_api, unit_comments_api, overview_figures_api]
