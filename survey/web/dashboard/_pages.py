"""The dashboard's pages: where to begin, a unit's values × waves, its items, and the reports."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import anyio.to_thread
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from survey.domain.comments import CommentSummary
from survey.domain.figures import (
    HiddenFigure,
    ItemFigures,
    Score,
    WaveSummary,
)
from survey.errors import SurveyError
from survey.report import charts
from survey.report import format as fmt
from survey.services.accounts import Principal
from survey.services.audit import record
from survey.services.figures import NoClosedWave, one_reading, unit_participation, wave_titles_in
from survey.services.measure_results import summaries, unit_measures
from survey.services.permissions import (
    DASHBOARD_ROLES,
    dashboard_roles,
    may_see,
    organisation_wide,
    starting_points,
)
from survey.web.auth import CurrentViewer, Viewer, forbidden
from survey.web.dashboard._report import (
    one_report_at_a_time,
    pdf_response,
    report_response,
    reports,
    with_app_bar,
)
from survey.web.dashboard._scope import (
    DEFAULT_QUESTIONNAIRE,
    Gettext,
    Questionnaire,
    Scope,
    Unit,
    find_overview_scope,
    find_scope,
    list_questionnaires,
    list_units,
    load_comments,
    load_figures,
    no_questionnaire,
)
from survey.web.dashboard._show import PageShow, measure_rows, sparkline, trend_figures
from survey.web.i18n import portal_translations
from survey.web.portal import page, portal_lang, translator

# --- pages --------------------------------------------------------------------------------------


def _questionnaire_name(q: Questionnaire, _: Gettext) -> str:
    kind = _("staff survey") if q.audience == "staff" else _("citizen feedback")
    return f"{kind} ({q.key})"


def _breadcrumbs(scope: Scope, principal: Principal) -> list[tuple[Unit, bool]]:
    """The unit's ancestors and itself; each with whether the viewer may open it."""
    by_key = {u.key: u for u in scope.units}
    chain = []
    current: Unit | None = scope.unit
    while current is not None:
        chain.append(current)
        current = by_key.get(current.parent) if current.parent else None
    return [(u, may_see(principal, u, scope.questionnaire.audience)) for u in reversed(chain)]


def base_context(request: Request[Any, Any, Any], viewer: Viewer, scope: Scope) -> dict[str, Any]:
    lang = portal_lang(request)
    _ = translator(lang)
    return {
        "unit": scope.unit,
        "questionnaire": scope.questionnaire,
        "questionnaire_name": _questionnaire_name(scope.questionnaire, _),
        "trail": _breadcrumbs(scope, viewer.principal),
        "query": f"?fragebogen={scope.questionnaire.key}",
        "show": PageShow(lang),
    }


def participation_lines(open_waves: list[WaveSummary], lang: str) -> list[str]:
    """One sentence per open wave: until when it runs and how many have answered so far (where
    the group is large enough to show it); an open wave shows participation, never answers."""
    catalog = portal_translations(lang)
    lines = []
    for wave in open_waves:
        day = fmt.day(wave.closes_on, lang)
        if isinstance(wave.respondents, int):
            sentence = catalog.ngettext(
                "Wave %(wave)s runs until %(date)s, %(num)s response so far.",
                "Wave %(wave)s runs until %(date)s, %(num)s responses so far.",
                wave.respondents,
            )
            lines.append(
                sentence % {"wave": wave.title, "date": day, "num": fmt.integer(wave.respondents, lang)}
            )
        else:
            sentence = catalog.gettext(
                "Wave %(wave)s runs until %(date)s; how many have answered so far is not shown, "
                "to protect the anonymity of a small group."
            )
            lines.append(sentence % {"wave": wave.title, "date": day})
    return lines


async def no_closed_wave_page(request: Request[Any, Any, Any], viewer: Viewer, scope: Scope) -> Template:
    """Where no wave has closed yet: that in plain words, and the open waves' participation."""
    lang = portal_lang(request)
    _ = translator(lang)
    open_waves = await unit_participation(scope.unit.key, scope.questionnaire.key)
    return page(
        request,
        "portal/dashboard_unit_waiting.html",
        title=f"{scope.unit.name} – {_('Dashboard')}",
        viewer=viewer,
        participation=participation_lines(open_waves, lang),
        **base_context(request, viewer, scope),
    )


@get("/dashboard", name="dashboard", include_in_schema=False)
async def dashboard_start(
    request: Request[Any, Any, Any], viewer: CurrentViewer, fragebogen: FromQuery[str | None] = None
) -> Template:
    """Where the viewer may begin: their units for the chosen questionnaire."""
    _ = translator(portal_lang(request))
    principal = viewer.principal
    if not principal.holds(DASHBOARD_ROLES):
        raise await forbidden(viewer, "dashboard")
    questionnaires = await list_questionnaires()
    offered = [q for q in questionnaires.values() if principal.holds(dashboard_roles(q.audience))]
    chosen = None
    if fragebogen is not None:
        chosen = questionnaires.get(fragebogen)
        if chosen is None:
            raise no_questionnaire(fragebogen, _)
        if chosen not in offered:
            raise await forbidden(viewer, f"dashboard {fragebogen}")
    elif offered:
        chosen = next((q for q in offered if q.key == DEFAULT_QUESTIONNAIRE), offered[0])
    units = await list_units()
    starts = starting_points(principal, units, chosen.audience) if chosen else []
    return page(
        request,
        "portal/dashboard.html",
        title=_("Dashboard"),
        viewer=viewer,
        offered=[(q, _questionnaire_name(q, _)) for q in offered],
        chosen=chosen,
        starts=starts,
        overview_allowed=chosen is not None and organisation_wide(principal, chosen.audience),
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
    scope = await find_scope(viewer, unit, fragebogen, _)
    async with one_reading():
        try:
            figures = await load_figures(unit, scope.questionnaire.key, _, language=lang)
        except NoClosedWave:
            return await no_closed_wave_page(request, viewer, scope)
        comments = await load_comments(viewer, figures, lang)
        measures = await unit_measures(unit, scope.questionnaire.key, lang)
    trend_charts = await anyio.to_thread.run_sync(
        functools.partial(trend_figures, figures, lang, charts.measure_markers(summaries(measures)))
    )
    show = PageShow(lang)
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
            "link": may_see(viewer.principal, by_key[str(child["unit"])], scope.questionnaire.audience),
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
        participation=participation_lines(figures.open_waves, lang),
        children=children,
        child_values=asked_now,
        not_asked_now=", ".join(v.name for v in figures.values if v not in asked_now),
        comments=comments if isinstance(comments, CommentSummary) else None,
        comments_hidden=comments if isinstance(comments, HiddenFigure) else None,
        charts=trend_charts,
        measures=measure_rows(measures, show),
        sparkline=sparkline,
        legend={
            "significance": _(
                "“Clearly better”, “clearly worse” and *: the difference is too large to be chance, even "
                "allowing for the %(tests)s comparisons this page makes (Benjamini–Hochberg adjustment: "
                "adjusted p below 0.05, at most 5 %% false alarms).",
                tests=fmt.integer(figures.tests, lang),
            ),
            "interval": _(
                "Small figures under a score: its 95 %% interval — the range the true score lies in "
                "with high certainty; the fewer respondents, the wider it is."
            ),
            "reliability": _(
                "Whether a value's questions measure the same thing (Cronbach's α and McDonald's ω, "
                "from 0.7 on: yes) is shown in the report."
            ),
            "hidden": _(
                "Hidden: scores are shown from %(k)s respondents on, comments and answer distributions "
                "from %(k_text)s; a group is also hidden where it could be worked out by difference.",
                k=figures.k,
                k_text=figures.k_text,
            ),
        },
        **base_context(request, viewer, scope),
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
    """The items of one closed wave (the latest unless `welle` names another) with the change since
    the wave before; an open wave has no results to show."""
    lang = portal_lang(request)
    _ = translator(lang)
    scope = await find_scope(viewer, unit, fragebogen, _)
    waves = scope.questionnaire.closed_waves
    titles = await wave_titles_in([w.key for w in waves], lang)
    waves = tuple(dataclasses.replace(w, title=titles.get(w.key, w.title)) for w in waves)
    if welle is not None and welle not in {w.key for w in waves}:
        raise NotFoundException(_("The questionnaire has no closed wave “%(wave)s”.", wave=welle))
    try:
        async with one_reading():
            figures = await load_figures(unit, scope.questionnaire.key, _, until=welle, language=lang)
    except NoClosedWave:
        return await no_closed_wave_page(request, viewer, scope)
    chosen = figures.waves[-1] if figures.waves else None
    value_names = {v.value: v.name for v in figures.values}
    show = PageShow(lang)
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
                "“Clearly better”, “clearly worse” and *: the difference is too large to be chance, even "
                "allowing for the %(tests)s comparisons this page makes (Benjamini–Hochberg adjustment: "
                "adjusted p below 0.05, at most 5 %% false alarms).",
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
        **base_context(request, viewer, scope),
    )


def _item_row(item: ItemFigures, value_names: dict[str, str], show: PageShow) -> dict[str, Any]:
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
        "distribution": show.distribution_bar(item.distribution),
        "change": show.effect_words(item.change),
    }


#: a unit's page, as the overviews link their rows ({unit} and {questionnaire} filled in per row)
_UNIT_LINK = "/dashboard/{{unit}}?fragebogen={{questionnaire}}&lang={lang}"


@get(
    ["/dashboard/organisation/bericht", "/dashboard/organisation/bericht.pdf"],
    name="dashboard-overview-report",
    include_in_schema=False,
)
@one_report_at_a_time
async def overview_report(
    request: Request[Any, Any, Any], viewer: CurrentViewer, fragebogen: FromQuery[str | None] = None
) -> Response[Any]:
    """The organisation overview report, for organisation-wide office, Personalrat and admin grants."""
    lang = portal_lang(request)
    _ = translator(lang)
    pdf = request.url.path.endswith(".pdf")
    chosen = await find_overview_scope(viewer, fragebogen, _)
    try:
        report = await reports(request).overview(
            chosen.key,
            lang,
            with_citizens=organisation_wide(viewer.principal, "citizen"),
            link=_UNIT_LINK.format(lang=lang),
        )
    except SurveyError as problem:
        raise NotFoundException(_("No figures: %(problem)s", problem=problem.message.text(_))) from None
    if pdf:
        return await pdf_response(report.html, f"uebersicht-{chosen.key}.pdf")
    query = f"?fragebogen={chosen.key}"
    back = (f"/dashboard{query}", _("Dashboard"))
    page_html = with_app_bar(
        report.html, _, back=back, trail=[], pdf=f"/dashboard/organisation/bericht.pdf{query}"
    )
    return report_response(page_html)


@get(
    ["/dashboard/{unit:str}/uebersicht", "/dashboard/{unit:str}/uebersicht.pdf"],
    name="dashboard-unit-overview",
    include_in_schema=False,
)
@one_report_at_a_time
async def unit_overview_report(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    unit: FromPath[str],
    fragebogen: FromQuery[str | None] = None,
) -> Response[Any]:
    """A unit's overview report (a Dezernat's Fachbereiche side by side), for whoever may see the
    unit: its leads, and the organisation-wide roles."""
    lang = portal_lang(request)
    _ = translator(lang)
    scope = await find_scope(viewer, unit, fragebogen, _)
    try:
        report = await reports(request).overview(
            scope.questionnaire.key,
            lang,
            unit,
            with_citizens=may_see(viewer.principal, scope.unit, "citizen"),
            link=_UNIT_LINK.format(lang=lang),
        )
    except SurveyError as problem:
        raise NotFoundException(_("No figures: %(problem)s", problem=problem.message.text(_))) from None
    if request.url.path.endswith(".pdf"):
        return await pdf_response(report.html, f"uebersicht-{unit}-{scope.questionnaire.key}.pdf")
    query = f"?fragebogen={scope.questionnaire.key}"
    page_html = with_app_bar(
        report.html,
        _,
        back=(f"/dashboard/{unit}{query}", scope.unit.name),
        trail=[(f"/dashboard{query}", _("Dashboard"))],
        pdf=f"/dashboard/{unit}/uebersicht.pdf{query}",
    )
    return report_response(page_html)


@get(
    ["/dashboard/{unit:str}/bericht", "/dashboard/{unit:str}/bericht.pdf"],
    name="dashboard-report",
    include_in_schema=False,
)
@one_report_at_a_time
async def unit_report(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    unit: FromPath[str],
    fragebogen: FromQuery[str | None] = None,
) -> Response[Any]:
    """The department report (the same HTML file as `survey report`), in the viewer's language."""
    lang = portal_lang(request)
    _ = translator(lang)
    pdf = request.url.path.endswith(".pdf")
    scope = await find_scope(viewer, unit, fragebogen, _)
    try:
        report = await reports(request).department(unit, scope.questionnaire.key, lang)
    except SurveyError as problem:
        raise NotFoundException(_("No figures: %(problem)s", problem=problem.message.text(_))) from None
    if report.comments is not None:
        await record(
            viewer.username,
            "comments.view",
            unit,
            f"{scope.questionnaire.key} {report.wave}: {report.comments} (report)",
        )
    if pdf:
        return await pdf_response(report.html, f"bericht-{unit}-{scope.questionnaire.key}.pdf")
    query = f"?fragebogen={scope.questionnaire.key}"
    trail = [
        (f"/dashboard/{u.key}{query}", u.name) for u, open_ in _breadcrumbs(scope, viewer.principal) if open_
    ]
    page_html = with_app_bar(
        report.html,
        _,
        back=trail[-1] if trail else (f"/dashboard{query}", _("Dashboard")),
        trail=[(f"/dashboard{query}", _("Dashboard")), *trail[:-1]],
        pdf=f"/dashboard/{unit}/bericht.pdf{query}",
    )
    return report_response(page_html)


#: the pages, for the app's route_handlers (through survey.web.dashboard.DASHBOARD_ROUTES)
PAGE_ROUTES = [
    dashboard_start,
    dashboard_unit,
    dashboard_items,
    overview_report,
    unit_overview_report,
    unit_report,
]
