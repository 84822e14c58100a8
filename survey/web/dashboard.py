"""The dashboard of leads, the survey office, the Personalrat and analysts: values × waves of a unit.

Pages (server-rendered, no JavaScript, German first, English with `?lang=en`) and their JSON twins
under /api/v1. Everything shown comes from `survey.services.figures` and `survey.services.reports`,
which suppress before any figure leaves them (DESIGN §4): a hidden figure is shown as hidden with
its reason, never as a number, for every role.

Who sees what: a unit's figures need a grant of lead, office, personalrat or analyst on the unit or
above it (admin sees everything); the Personalrat sees staff questionnaires only. The organisation
overview needs an organisation-wide grant of office, personalrat or admin. Everything else is a
403, logged in the audit log; so is every view of free-text comments.

Routes: /dashboard, /dashboard/{unit} (`?fragebogen=`), /dashboard/{unit}/fragen (`&welle=`),
/dashboard/{unit}/bericht, /dashboard/organisation/bericht (a unit keyed `organisation` would
not reach its report there); /api/v1/units, /api/v1/units/{unit}/figures, …/comments and
/api/v1/overview/figures (`?questionnaire=`).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
import html
import operator
import re
import threading
import types
import typing
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import msgspec
from litestar import Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from markupsafe import Markup, escape

from survey.domain.figures import (
    CONTACTS_NOT_RECORDED,
    Change,
    HiddenFigure,
    ItemFigures,
    NoRate,
    OrganisationOverview,
    Score,
    Trend,
    UnitFigures,
)
from survey.errors import SurveyError
from survey.report import charts
from survey.report import format as fmt
from survey.services.accounts import Principal
from survey.services.audit import record
from survey.services.figures import unit_figures
from survey.services.org import organisation_listing
from survey.services.overview import overview
from survey.services.reports import overview_data, report_comments
from survey.web.api import refusals
from survey.web.auth import CurrentViewer, Viewer, forbidden
from survey.web.portal import page, portal_lang, translator
from survey.web.report_worker import ReportBuilder
from survey.web.security import OptionalQueryText, PathText, QueryText

__all__ = [
    "DASHBOARD_ROLES",
    "DASHBOARD_ROUTES",
    "OVERVIEW_ROLES",
    "Comments",
    "VisibleUnit",
    "report_policy",
]

#: roles that read a unit's figures (admin counts for each); the Personalrat only staff questionnaires
DASHBOARD_ROLES = ("lead", "office", "personalrat", "analyst")
STAFF_ONLY_ROLES = ("personalrat",)
#: organisation-wide grants of these roles open the organisation overview
OVERVIEW_ROLES = ("office", "personalrat", "admin")
DEFAULT_QUESTIONNAIRE = "staff-pulse"
NO_STORE = CacheControlHeader(no_store=True, max_age=0)
_NO_STORE_HEADER = {"cache-control": "no-store, max-age=0"}
SHOWN_STATUSES = ("open", "closed")

Gettext = Callable[..., str]


# --- who may see what --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    key: str
    name: str
    kind: str
    parent: str | None
    path: str
    depth: int


@dataclass(frozen=True)
class _Wave:
    key: str
    title: str


@dataclass(frozen=True)
class _Questionnaire:
    key: str
    audience: str  # staff | citizen
    waves: tuple[_Wave, ...]  # open and closed ones, oldest first


def _roles(audience: str) -> tuple[str, ...]:
    if audience == "staff":
        return DASHBOARD_ROLES
    return tuple(role for role in DASHBOARD_ROLES if role not in STAFF_ONLY_ROLES)


def _may_see(principal: Principal, unit: _Unit, audience: str | None = None) -> bool:
    """May read the unit's (suppressed) figures; of the given audience's questionnaires, or of any."""
    return principal.may(DASHBOARD_ROLES if audience is None else _roles(audience), unit.path)


def _organisation_wide(principal: Principal, audience: str) -> bool:
    roles = tuple(r for r in OVERVIEW_ROLES if audience == "staff" or r not in STAFF_ONLY_ROLES)
    return any(g.role in roles and g.path == "/" for g in principal.grants)


def _starting_points(principal: Principal, units: list[_Unit], audience: str) -> list[_Unit]:
    """The units of the viewer's grants (the top unit for whole-organisation grants), minus those
    inside another one: where the viewer's dashboard begins."""
    if not units:
        return []
    top = next(u for u in units if u.parent is None)
    paths = {g.path for g in principal.scopes(_roles(audience))}
    chosen = [u for u in units if u.path in paths or (u is top and "/" in paths)]
    return [u for u in chosen if not any(o is not u and u.path.startswith(o.path) for o in chosen)]


async def _units() -> list[_Unit]:
    _, units, _ = await organisation_listing()
    return [_Unit(u.key, u.name, u.kind, u.parent, u.path, u.depth) for u in units]


async def _questionnaires() -> dict[str, _Questionnaire]:
    """The questionnaires with an open or closed wave, staff ones first."""
    found: dict[str, tuple[str, list[_Wave]]] = {}
    for wave in (await overview()).waves:
        if wave.status in SHOWN_STATUSES:
            found.setdefault(wave.questionnaire, (wave.audience, []))[1].append(_Wave(wave.key, wave.title))
    ordered = sorted(found.items(), key=lambda item: (item[1][0] != "staff", item[0]))
    return {key: _Questionnaire(key, audience, tuple(waves)) for key, (audience, waves) in ordered}


@dataclass(frozen=True)
class _Scope:
    unit: _Unit
    units: list[_Unit]
    questionnaire: _Questionnaire


def _no_questionnaire(key: str, _: Gettext) -> NotFoundException:
    return NotFoundException(
        _(
            "There are no figures of the questionnaire “%(questionnaire)s”: it has no open or closed wave.",
            questionnaire=key,
        )
    )


async def _scope(viewer: Viewer, unit_key: str, questionnaire: str | None, _: Gettext) -> _Scope:
    """The unit and questionnaire asked for, if they exist (else 404) and the viewer may see them
    (else 403, logged)."""
    units = await _units()
    unit = next((u for u in units if u.key == unit_key), None)
    if unit is None:
        raise NotFoundException(_("There is no unit “%(unit)s”.", unit=unit_key))
    if not _may_see(viewer.principal, unit):
        raise await forbidden(viewer, f"dashboard {unit_key}")
    questionnaires = await _questionnaires()
    chosen = questionnaires.get(questionnaire or DEFAULT_QUESTIONNAIRE)
    if chosen is None:
        raise _no_questionnaire(questionnaire or DEFAULT_QUESTIONNAIRE, _)
    if not _may_see(viewer.principal, unit, chosen.audience):
        raise await forbidden(viewer, f"dashboard {unit_key} {chosen.key}")
    return _Scope(unit, units, chosen)


async def _overview_scope(viewer: Viewer, questionnaire: str | None, _: Gettext) -> _Questionnaire:
    if not any(g.role in OVERVIEW_ROLES and g.path == "/" for g in viewer.principal.grants):
        raise await forbidden(viewer, "dashboard organisation overview")
    questionnaires = await _questionnaires()
    chosen = questionnaires.get(questionnaire or DEFAULT_QUESTIONNAIRE)
    if chosen is None:
        raise _no_questionnaire(questionnaire or DEFAULT_QUESTIONNAIRE, _)
    if not _organisation_wide(viewer.principal, chosen.audience):
        raise await forbidden(viewer, f"dashboard organisation overview {chosen.key}")
    return chosen


async def _figures(unit: str, questionnaire: str, _: Gettext, until: str | None = None) -> UnitFigures:
    try:
        return await unit_figures(unit, questionnaire, until=until)
    except SurveyError as problem:
        raise NotFoundException(_("No figures: %(problem)s", problem=problem.message.text(_))) from None


async def _comments(viewer: Viewer, figures: UnitFigures) -> list[str] | HiddenFigure:
    """The latest wave's comments where they reach k_text; each view is written to the audit log."""
    comments = await report_comments(figures)
    if isinstance(comments, list):
        wave = figures.waves[-1].wave if figures.waves else ""
        await record(
            viewer.username, "comments.view", figures.unit, f"{figures.questionnaire} {wave}: {len(comments)}"
        )
    return comments


# --- words and numbers of the pages ------------------------------------------------------------


def _hidden_of(value: object) -> HiddenFigure | None:
    if isinstance(value, HiddenFigure):
        return value
    if isinstance(value, dict) and value.get("hidden"):
        return msgspec.convert(value, HiddenFigure)
    return None


class _Show:
    """Figures as the dashboard writes them: babel numbers, hidden figures as words with their reason."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._ = translator(lang)

    def number(self, x: float, digits: int = 1) -> str:
        return fmt.number(x, self.lang, digits)

    def signed(self, x: float, digits: int = 1) -> str:
        text = self.number(abs(x), digits)
        # U+2212 MINUS SIGN: a hyphen is easily overlooked in a column of small differences
        return ("+" if x > 0 else "−" if x < 0 else "±") + text

    def day(self, date: dt.date) -> str:
        return fmt.day(date, self.lang)

    def month(self, date: dt.date) -> str:
        return fmt.month_short(date, self.lang)

    def hidden(self, figure: HiddenFigure) -> Markup:
        return Markup('<span class="hidden-figure">{}</span>').format(fmt.hidden_text(figure, self.lang))

    def missing(self) -> Markup:
        return Markup('<span class="no-data">{}</span>').format(self._("no respondents"))

    def not_asked(self) -> Markup:
        """Nobody was asked: never written as if nobody had answered."""
        return Markup('<span class="not-asked">{}</span>').format(self._("not asked in this questionnaire"))

    def no_rate(self, why: NoRate) -> Markup:
        """Why there is no response rate (citizen feedback), in words rather than a dash."""
        if why.reason == CONTACTS_NOT_RECORDED.reason:
            words = self._(
                "Citizen feedback: no response rate, because the number of contacts at the service "
                "points is not recorded."
            )
        else:
            words = why.explanation
        return Markup('<span class="no-rate">{}</span>').format(words)

    def score(
        self, score: Score | HiddenFigure | None, *, interval: bool = True, asked: bool = True
    ) -> Markup:
        if not asked:
            return self.not_asked()
        if isinstance(score, HiddenFigure):
            return self.hidden(score)
        if score is None:
            return self.missing()
        mean = Markup("<strong>{}</strong>").format(self.number(score.mean))
        if not interval or score.low is None or score.high is None:
            return mean
        return Markup('{} <span class="ci"><span class="visually-hidden">{} </span>{}</span>').format(
            mean, self._("95 %% interval"), fmt.interval(score.low, score.high, self.lang)
        )

    def count(self, n: object) -> Markup:
        """A number of people: an int, a HiddenFigure, or a hidden figure as a dict (UnitFigures.children)."""
        hidden = _hidden_of(n)
        if hidden is not None:
            return self.hidden(hidden)
        return Markup("{}").format(fmt.integer(int(n), self.lang)) if isinstance(n, int) else self.missing()

    def rate(self, rate: float | HiddenFigure | None) -> Markup:
        if isinstance(rate, HiddenFigure):
            return self.hidden(rate)
        if rate is None:
            return self.missing()
        return Markup("{}").format(fmt.percent(rate, self.lang))

    def share(self, share: float | None, low: float | None, high: float | None) -> Markup:
        if share is None:
            return self.missing()
        text = Markup("{}").format(fmt.percent(share, self.lang))
        if low is None or high is None:
            return text
        return Markup('{} <span class="ci"><span class="visually-hidden">{} </span>{}–{}</span>').format(
            text, self._("95 %% interval"), fmt.percent(low, self.lang), fmt.percent(high, self.lang)
        )

    def mark(self, change: Change) -> Markup:
        """The significance mark: an asterisk to see, words to hear."""
        if not change.significant:
            return Markup('<span class="visually-hidden"> ({})</span>').format(self._("not significant"))
        return Markup(
            '<span class="sig" aria-hidden="true">*</span><span class="visually-hidden"> ({})</span>'
        ).format(self._("significant"))

    def change(self, change: Change | HiddenFigure | None, *, points: bool) -> Markup:
        if isinstance(change, HiddenFigure):
            return self.hidden(change)
        if change is None:
            return Markup('<span class="no-data">{}</span>').format(self._("no comparison"))
        if points:
            shown = self.signed(change.difference)
        else:
            shown = f"{change.effect_name} = {self.signed(change.effect, 2)}"
        p = (
            Markup('<span class="p">{}</span>').format(
                self._("adjusted p = %(p)s", p=self.p_value(change.p_adjusted))
            )
            if change.p_adjusted is not None
            else Markup("")
        )
        return Markup('<span class="change">{}{}</span> {}').format(shown, self.mark(change), p)

    def p_value(self, p: float) -> str:
        return "< " + self.number(0.001, 3) if p < 0.001 else self.number(p, 3)

    def trend(self, trend: Trend) -> Markup:
        """An arrow to see and a sentence to hear: ↑ and ↓ only where significant after BH."""
        _ = self._
        arrow, css, words = {
            "rising": ("↑", "up", _("rising significantly")),
            "falling": ("↓", "down", _("falling significantly")),
            "flat": ("→", "flat", _("no significant trend")),
        }.get(trend.direction, ("–", "none", _("no trend yet: fewer than five waves with figures")))
        slope = (
            Markup(' <span class="slope">{}</span>').format(
                _("%(slope)s per wave", slope=self.signed(trend.slope_per_wave))
            )
            if trend.slope_per_wave is not None and trend.direction in ("rising", "falling", "flat")
            else Markup("")
        )
        return Markup(
            '<span class="trend {}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></span>{}'
        ).format(css, arrow, words, slope)

    def distribution(self, distribution: dict[str, int] | HiddenFigure | None) -> Markup:
        if isinstance(distribution, HiddenFigure):
            return self.hidden(distribution)
        if not distribution:
            return self.missing()
        return Markup(", ").join(
            Markup("{}: {}").format(code, fmt.integer(count, self.lang))
            for code, count in distribution.items()
        )


# --- charts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    id: str
    svg: Markup
    title: str
    summary: str
    head: list[str]
    rows: list[list[str]]


_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_ID = re.compile(r"""\bid\s*=\s*(["'])([^"']+)\1""")
_INNER_ARIA = re.compile(
    r"""\s(?:role|aria-roledescription|aria-label|aria-labelledby|aria-describedby)\s*=\s*(?:"[^"]*"|'[^']*')"""
)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*(?:"[^"]*"|'[^']*')""")
_CHART_CACHE: OrderedDict[tuple[bytes, str], _Figure] = OrderedDict()
_CHART_CACHE_SIZE = 256
_chart_lock = threading.Lock()


def _inline(chart: charts.Chart, name: str) -> _Figure:
    """A chart for a page with many: ids made unique, no inline style (the app's CSP forbids it;
    portal.css sizes the chart), one image for assistive technology, named by its title."""
    svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", chart.svg.strip())
    prefix = f"{name}-"
    ids = {match.group(2) for match in _ID.finditer(svg)}
    if ids:
        svg = _ID.sub(lambda m: f"id={m.group(1)}{prefix}{m.group(2)}{m.group(1)}", svg)
        for old in sorted(ids, key=len, reverse=True):
            svg = re.sub(
                rf"(url\(\s*['\"]?#|href\s*=\s*['\"]#){re.escape(old)}\b", rf"\g<1>{prefix}{old}", svg
            )
    root = _SVG_ROOT.match(svg)
    if root is None:  # pragma: no cover - the charts always start with <svg>
        raise ValueError("a chart without an <svg> root")
    head = _STYLE_ATTRIBUTE.sub("", root.group(0))
    head = head.replace("<svg", '<svg class="chart-svg"', 1)
    if "role=" not in head:
        head = head.replace("<svg", f'<svg role="img" aria-label="{escape(chart.title)}"', 1)
    body = _INNER_ARIA.sub("", svg[root.end() :])
    return _Figure(
        f"chart-{name}",
        Markup(head + body),
        chart.title,
        chart.summary,
        list(chart.table_head),
        [list(row) for row in chart.table_rows],
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _trend_figures(figures: UnitFigures, lang: str) -> list[_Figure]:
    """One trend chart per value; the same figures give the same chart, so it is kept for a while."""
    out = []
    for value in (v for v in figures.values if v.asked):  # no chart of what nobody was asked
        key = (msgspec.json.encode(value), lang)
        with _chart_lock:
            cached = _CHART_CACHE.get(key)
            if cached is not None:
                _CHART_CACHE.move_to_end(key)
        if cached is None:
            cached = _inline(charts.value_trend(value, lang), f"trend-{_slug(value.value)}")
            with _chart_lock:
                _CHART_CACHE[key] = cached
                while len(_CHART_CACHE) > _CHART_CACHE_SIZE:
                    _CHART_CACHE.popitem(last=False)
        out.append(cached)
    return out


# --- the report page's Content-Security-Policy ---------------------------------------------------

_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)
_STYLE_VALUE = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def report_policy(page_html: str) -> str:
    """A CSP for a self-contained report: nothing from anywhere, except exactly its own stylesheet
    and the charts' sizing attributes, each by its sha256 hash (`'unsafe-hashes'` lets a hash name a
    style attribute; nothing else is allowed by it)."""
    elements = sorted({_sha256(m.group(1)) for m in _STYLE_ELEMENT.finditer(page_html)})
    attributes = sorted(
        {_sha256(html.unescape(m.group(1) or m.group(2) or "")) for m in _STYLE_VALUE.finditer(page_html)}
    )
    parts = ["default-src 'none'"]
    parts.append("style-src-elem " + (" ".join(elements) if elements else "'none'"))
    parts.append("style-src-attr " + ("'unsafe-hashes' " + " ".join(attributes) if attributes else "'none'"))
    parts += ["img-src data:", "frame-ancestors 'none'", "form-action 'none'", "base-uri 'none'"]
    return "; ".join(parts)


def _reports(request: Request[Any, Any, Any]) -> ReportBuilder:
    return request.app.state["reports"]


def _report_response(page_html: str) -> Response[str]:
    return Response(
        page_html,
        media_type=MediaType.HTML,
        headers={"content-security-policy": report_policy(page_html), **_NO_STORE_HEADER},
    )


# --- pages --------------------------------------------------------------------------------------


def _questionnaire_name(q: _Questionnaire, _: Gettext) -> str:
    kind = _("staff survey") if q.audience == "staff" else _("citizen feedback")
    return f"{kind} ({q.key})"


def _breadcrumbs(scope: _Scope, principal: Principal) -> list[tuple[_Unit, bool]]:
    """The unit's ancestors and itself; each with whether the viewer may open it."""
    by_key = {u.key: u for u in scope.units}
    chain = []
    current: _Unit | None = scope.unit
    while current is not None:
        chain.append(current)
        current = by_key.get(current.parent) if current.parent else None
    return [(u, _may_see(principal, u, scope.questionnaire.audience)) for u in reversed(chain)]


def _base_context(request: Request[Any, Any, Any], viewer: Viewer, scope: _Scope) -> dict[str, Any]:
    lang = portal_lang(request)
    _ = translator(lang)
    return {
        "unit": scope.unit,
        "questionnaire": scope.questionnaire,
        "questionnaire_name": _questionnaire_name(scope.questionnaire, _),
        "trail": _breadcrumbs(scope, viewer.principal),
        "query": f"?fragebogen={scope.questionnaire.key}",
        "show": _Show(lang),
    }


@get("/dashboard", name="dashboard", include_in_schema=False)
async def dashboard_start(
    request: Request[Any, Any, Any], viewer: CurrentViewer, fragebogen: FromQuery[str | None] = None
) -> Template:
    """Where the viewer may begin: their units for the chosen questionnaire."""
    _ = translator(portal_lang(request))
    principal = viewer.principal
    if not principal.holds(DASHBOARD_ROLES):
        raise await forbidden(viewer, "dashboard")
    questionnaires = await _questionnaires()
    offered = [q for q in questionnaires.values() if principal.holds(_roles(q.audience))]
    chosen = None
    if fragebogen is not None:
        chosen = questionnaires.get(fragebogen)
        if chosen is None:
            raise _no_questionnaire(fragebogen, _)
        if chosen not in offered:
            raise await forbidden(viewer, f"dashboard {fragebogen}")
    elif offered:
        chosen = next((q for q in offered if q.key == DEFAULT_QUESTIONNAIRE), offered[0])
    units = await _units()
    starts = _starting_points(principal, units, chosen.audience) if chosen else []
    return page(
        request,
        "portal/dashboard.html",
        title=_("Dashboard"),
        viewer=viewer,
        offered=[(q, _questionnaire_name(q, _)) for q in offered],
        chosen=chosen,
        starts=starts,
        overview_allowed=chosen is not None and _organisation_wide(principal, chosen.audience),
    )


@get("/dashboard/{unit:str}", name="dashboard-unit", include_in_schema=False)
async def dashboard_unit(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    unit: FromPath[str],
    fragebogen: FromQuery[str | None] = None,
) -> Template:
    """Values × waves with trends and significance, the charts, the sub-units and the comments."""
    lang = portal_lang(request)
    _ = translator(lang)
    scope = await _scope(viewer, unit, fragebogen, _)
    figures = await _figures(unit, scope.questionnaire.key, _)
    comments = await _comments(viewer, figures)
    trend_charts = await anyio.to_thread.run_sync(functools.partial(_trend_figures, figures, lang))
    show = _Show(lang)
    # a column of the sub-units' table for a value the latest wave does not ask would be empty
    asked_now = [v for v in figures.values if not v.series or v.series[-1].asked]
    value_keys = [v.value for v in asked_now]
    scores_of = {c.unit: c.scores for c in figures.child_scores}
    by_key = {u.key: u for u in scope.units}
    children = [
        {
            "key": child["unit"],
            "name": child["name"],
            "respondents": show.count(child["respondents"]),
            "scores": [
                show.score(scores_of.get(str(child["unit"]), {}).get(v), interval=False) for v in value_keys
            ],
            "link": _may_see(viewer.principal, by_key[str(child["unit"])], scope.questionnaire.audience),
        }
        for child in figures.children
    ]
    latest = figures.waves[-1] if figures.waves else None
    dashboard = _("Dashboard")
    return page(
        request,
        "portal/dashboard_unit.html",
        title=f"{figures.name} – {dashboard}",
        viewer=viewer,
        figures=figures,
        latest=latest,
        children=children,
        child_values=asked_now,
        not_asked_now=", ".join(v.name for v in figures.values if v not in asked_now),
        comments=comments if isinstance(comments, list) else [],
        comments_hidden=comments if isinstance(comments, HiddenFigure) else None,
        charts=trend_charts,
        legend={
            "significance": _(
                "* significant after the Benjamini–Hochberg adjustment across the %(tests)s tests of this "
                "page (false discovery rate 5 %%).",
                tests=fmt.integer(figures.tests, lang),
            ),
            "interval": _("Small figures after a score: its 95 %% interval."),
            "hidden": _(
                "Hidden: scores are shown from %(k)s respondents on, comments and answer distributions "
                "from %(k_text)s; a group is also hidden where it could be worked out by difference.",
                k=figures.k,
                k_text=figures.k_text,
            ),
        },
        **_base_context(request, viewer, scope),
    )


@get(
    "/dashboard/{unit:str}/fragen",
    name="dashboard-items",
    include_in_schema=False,
)
async def dashboard_items(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    unit: FromPath[str],
    fragebogen: FromQuery[str | None] = None,
    welle: FromQuery[str | None] = None,
) -> Template:
    """The items of one wave (the latest unless `welle` names another) with the change since the
    wave before."""
    lang = portal_lang(request)
    _ = translator(lang)
    scope = await _scope(viewer, unit, fragebogen, _)
    waves = scope.questionnaire.waves
    if welle is not None and welle not in {w.key for w in waves}:
        raise NotFoundException(_("The questionnaire has no open or closed wave “%(wave)s”.", wave=welle))
    figures = await _figures(unit, scope.questionnaire.key, _, until=welle)
    chosen = figures.waves[-1] if figures.waves else None
    value_names = {v.value: v.name for v in figures.values}
    show = _Show(lang)
    return page(
        request,
        "portal/dashboard_items.html",
        title=_("Items: %(unit)s", unit=figures.name),
        viewer=viewer,
        figures=figures,
        waves=waves,
        chosen=chosen,
        items=[_item_row(item, value_names, show) for item in figures.items],
        legend={
            "significance": _(
                "* significant after the Benjamini–Hochberg adjustment across the %(tests)s tests of this "
                "page (false discovery rate 5 %%).",
                tests=fmt.integer(figures.tests, lang),
            ),
            "top_box": _(
                "Agreement: the share of the highest answers (4 and 5 on a five-point scale, "
                "9 and 10 on a scale of 0 to 10)."
            ),
            "hidden": _(
                "Hidden: scores are shown from %(k)s respondents on, comments and answer distributions "
                "from %(k_text)s; a group is also hidden where it could be worked out by difference.",
                k=figures.k,
                k_text=figures.k_text,
            ),
        },
        **_base_context(request, viewer, scope),
    )


def _item_row(item: ItemFigures, value_names: dict[str, str], show: _Show) -> dict[str, Any]:
    # agreement comes from the same respondents as the score: hidden (or missing) together
    agreement = (
        show.share(item.top_box, item.top_box_low, item.top_box_high)
        if isinstance(item.latest, Score)
        else show.score(item.latest)
    )
    return {
        "text": item.text,
        "value_names": ", ".join(value_names.get(v, v) for v in item.values),
        "score": show.score(item.latest),
        "agreement": agreement,
        "distribution": show.distribution(item.distribution),
        "change": show.change(item.change, points=False),
    }


@get(
    "/dashboard/organisation/bericht",
    name="dashboard-overview-report",
    include_in_schema=False,
)
async def overview_report(
    request: Request[Any, Any, Any], viewer: CurrentViewer, fragebogen: FromQuery[str | None] = None
) -> Response[str]:
    """The organisation overview report, for organisation-wide office, Personalrat and admin grants."""
    lang = portal_lang(request)
    _ = translator(lang)
    chosen = await _overview_scope(viewer, fragebogen, _)
    try:
        report = await _reports(request).overview(chosen.key, lang)
    except SurveyError as problem:
        raise NotFoundException(_("No figures: %(problem)s", problem=problem.message.text(_))) from None
    return _report_response(report.html)


@get(
    "/dashboard/{unit:str}/bericht",
    name="dashboard-report",
    include_in_schema=False,
)
async def unit_report(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    unit: FromPath[str],
    fragebogen: FromQuery[str | None] = None,
) -> Response[str]:
    """The department report (the same HTML file as `survey report`), in the viewer's language."""
    lang = portal_lang(request)
    _ = translator(lang)
    scope = await _scope(viewer, unit, fragebogen, _)
    try:
        report = await _reports(request).department(unit, scope.questionnaire.key, lang)
    except SurveyError as problem:
        raise NotFoundException(_("No figures: %(problem)s", problem=problem.message.text(_))) from None
    if report.comments is not None:
        await record(
            viewer.username,
            "comments.view",
            unit,
            f"{scope.questionnaire.key} {report.wave}: {report.comments} (report)",
        )
    return _report_response(report.html)


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
    """The latest wave's free-text comments of a unit's subtree: a list from k_text respondents on,
    else `hidden` with its reason (and `comments` null)."""

    unit: str
    questionnaire: str
    wave: str
    comments: list[str] | None
    hidden: HiddenFigure | None


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
    return Response(msgspec.json.encode(figures), media_type=MediaType.JSON, headers=_NO_STORE_HEADER)


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
    questionnaires = await _questionnaires()
    if questionnaire is not None and questionnaire not in questionnaires:
        raise NotFoundException(f"no questionnaire `{questionnaire}` with an open or closed wave")
    wanted = [questionnaires[questionnaire]] if questionnaire else list(questionnaires.values())
    out = []
    for unit in await _units():
        seen = [q.key for q in wanted if _may_see(viewer.principal, unit, q.audience)]
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
    """Values × waves, changes (Benjamini–Hochberg), trends, sub-units and items; every figure below
    the thresholds is an object `{hidden, reason, explanation}`, never a number."""
    scope = await _scope(viewer, unit, questionnaire, _english)
    return _json(await _figures(unit, scope.questionnaire.key, _english))


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
    scope = await _scope(viewer, unit, questionnaire, _english)
    figures = await _figures(unit, scope.questionnaire.key, _english)
    comments = await _comments(viewer, figures)
    wave = figures.waves[-1].wave if figures.waves else ""
    if isinstance(comments, HiddenFigure):
        return Comments(unit, scope.questionnaire.key, wave, None, comments)
    return Comments(unit, scope.questionnaire.key, wave, comments, None)


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
    chosen = await _overview_scope(viewer, questionnaire, _english)
    try:
        figures, _kommune = await overview_data(chosen.key)
    except SurveyError as problem:
        raise NotFoundException(f"no figures: {problem.message.text(code=True)}") from None
    return _json(figures)


#: the routes of this module, for the app's route_handlers
DASHBOARD_ROUTES = [
    dashboard_start,
    dashboard_unit,
    dashboard_items,
    overview_report,
    unit_report,
    units_api,
    unit_figures_api,
    unit_comments_api,
    overview_figures_api,
]
