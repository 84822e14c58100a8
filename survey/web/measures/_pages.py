"""The measures pages: the list (filtered by unit, value and status), a measure's own page with its
owners and progress notes, and the steps taken there (a note, the status, public or not, inviting
and confirming a unit). Every step answers 303 to the measure's page, which shows its result once;
a step refused for what was typed shows the page again (400) with the problem next to its field
and what was typed kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.errors import N_, Message
from survey.services.measure_results import MeasureResult, measure_checks
from survey.services.measures import (
    MAX_NOTE,
    STATUSES,
    Measure,
    MeasureChange,
    MeasureConflict,
    MeasureError,
    add_note,
    change_measure,
    confirm_unit,
    find_measure,
    invite_unit,
    measure_catalog,
    rights_of,
    visible_measures,
    waiting_invitations,
)
from survey.services.permissions import may_create_measures, may_open_measures, may_read_unit_measures
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.measures._show import (
    MEASURES_PAGE,
    guarded,
    measure_page_of,
    show_measure,
    status_words,
    unit_list,
    value_names,
)
from survey.web.notices import Notice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import page, portal_lang, translator
from survey.web.security import OptionalQueryText

__all__ = ["PAGE_ROUTES"]

_ONE = f"{MEASURES_PAGE}/{{measure:int}}"
#: what each status step says when done
_STATUS_DONE = {
    "geplant": N_("The measure is planned now"),
    "laufend": N_("The measure is in progress now"),
    "umgesetzt": N_("The measure is done now"),
    "verworfen": N_("The measure is dropped now"),
}


@get(MEASURES_PAGE, name="measures", include_in_schema=False)
async def measures_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    einheit: OptionalQueryText = None,
    wert: OptionalQueryText = None,
    status: OptionalQueryText = None,
) -> Template:
    await require(viewer, may_open_measures, "measures")
    lang = portal_lang(request)
    _ = translator(lang)
    if status and status not in STATUSES:
        raise NotFoundException(_("There is no status “%(status)s”.", status=status))
    principal = viewer.principal
    measures = await guarded(
        viewer, lang, lambda: visible_measures(principal, unit=einheit, value=wert, status=status or None)
    )
    catalog = await measure_catalog()
    invitations = [
        (show_measure(m, catalog, lang), ", ".join(o.name for o in m.invited if o.unit in units))
        for m, units in await waiting_invitations(principal)
    ]
    response = page(
        request,
        "measures/list.html",
        title=_("Measures"),
        viewer=viewer,
        measures=[show_measure(m, catalog, lang) for m in measures],
        invitations=invitations,
        units=[
            (u.key, "\u00a0\u00a0" * min(u.depth, 6) + u.name)
            for u in await unit_list()
            if may_read_unit_measures(principal, u)
        ],
        values=value_names(catalog, lang),
        statuses=status_words(_),
        chosen={"einheit": einheit or "", "wert": wert or "", "status": status or ""},
        filtered=bool(einheit or wert or status),
        may_create=may_create_measures(principal),
        result=show(take_notice(request, viewer), lang),
    )
    forget_notice(request, response)
    return response


def effect_rows(checks: list[tuple[str, MeasureResult]], lang: str) -> list[dict[str, Any]]:
    """The measure's effect checks as its page shows them: per audience, per value the owning
    units together (and each unit on its own where there are several), in the dashboard's words."""
    # imported here: the dashboard's words name the measures' pages (survey.web.measures._show)
    from survey.web.dashboard._show import PageShow

    show = PageShow(lang)
    return [
        {
            "audience": audience,
            "values": [
                {
                    "name": v.name,
                    "effect": show.effect(v.effect),
                    "units": [{"name": u.name, "effect": show.effect(u.effect)} for u in v.units]
                    if v.combined
                    else [],
                }
                for v in result.effect.values
            ],
        }
        for audience, result in checks
    ]


async def _measure_view(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    measure_id: int,
    *,
    typed: dict[str, str] | None = None,
    error: MeasureError | None = None,
) -> Template:
    """The measure's page; after a refused step with what was typed and each problem at its field."""
    lang = portal_lang(request)
    _ = translator(lang)
    measure = await guarded(viewer, lang, lambda: find_measure(viewer.principal, measure_id))
    rights = rights_of(viewer.principal, measure)
    owners = {o.unit for o in measure.owners}
    errors = {name: say(m, lang) for name, m in (error.fields if error else {}).items()}
    notice = take_notice(request, viewer) if error is None else None
    response = page(
        request,
        "measures/detail.html",
        title=measure.title,
        status=400 if error else 200,
        viewer=viewer,
        measure=show_measure(measure, await measure_catalog(), lang, rights),
        rights=rights,
        invitable=[
            (u.key, "\u00a0\u00a0" * min(u.depth, 6) + u.name)
            for u in (await unit_list() if rights.invite else [])
            if u.key not in owners
        ],
        statuses=status_words(_),
        checks=effect_rows(await measure_checks(measure_id, lang), lang),
        typed={"noted_on": dt.date.today().isoformat(), "text": "", "unit": "", **(typed or {})},
        errors=errors,
        most_note=MAX_NOTE,
        result=show(notice, lang),
    )
    forget_notice(request, response)
    return response


@get(_ONE, name="measure", include_in_schema=False)
async def measure_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, measure: FromPath[int]
) -> Template:
    return await _measure_view(request, viewer, measure)


async def _step(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    measure_id: int,
    call: Callable[[], Awaitable[Measure]],
    done: Callable[[Measure], Message],
    typed: dict[str, str] | None = None,
) -> Template | Redirect:
    """Take a step on the measure: 303 back to its page with the result (`done` says it), or the
    page again with the problems of what was typed."""
    try:
        result = await guarded(viewer, portal_lang(request), call)
    except MeasureError as error:
        return await _measure_view(request, viewer, measure_id, typed=typed, error=error)
    except MeasureConflict as conflict:
        return redirect_with(request, viewer, measure_page_of(measure_id), Notice(False, conflict.message))
    return redirect_with(request, viewer, measure_page_of(measure_id), Notice(True, done(result)))


def _said(template: str) -> Callable[[Measure], Message]:
    return lambda _measure: Message(template)


def _unit_said(template: str, unit: str) -> Callable[[Measure], Message]:
    """`template` with the unit's name (as the measure now names it)."""

    def said(measure: Measure) -> Message:
        owner = next((o for o in measure.owners if o.unit == unit), None)
        return Message(template, {"unit": owner.name if owner else unit})

    return said


def _text(form: Any, name: str, most: int = 1000) -> str:
    value = form.get(name)
    return str(value)[:most] if isinstance(value, str) else ""


@post(f"{_ONE}/notizen", name="measure-note", include_in_schema=False)
async def note_post(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, measure: FromPath[int]
) -> Template | Redirect:
    form = await request.form()
    typed = {"noted_on": _text(form, "noted_on"), "text": _text(form, "text", MAX_NOTE + 100)}
    principal = viewer.principal
    return await _step(
        request,
        viewer,
        measure,
        lambda: add_note(principal, measure, typed["noted_on"], typed["text"]),
        _said(N_("The progress note is saved")),
        typed,
    )


@post(f"{_ONE}/status", name="measure-status", include_in_schema=False)
async def status_post(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, measure: FromPath[int]
) -> Template | Redirect:
    chosen = _text(await request.form(), "status", 40)
    change = MeasureChange(status=chosen)
    principal = viewer.principal
    done = _said(_STATUS_DONE.get(chosen, N_("The changes of the measure are saved")))
    return await _step(request, viewer, measure, lambda: change_measure(principal, measure, change), done)


@post(f"{_ONE}/oeffentlich", name="measure-public", include_in_schema=False)
async def public_post(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, measure: FromPath[int]
) -> Template | Redirect:
    public = _text(await request.form(), "public", 10) == "yes"
    principal = viewer.principal
    done = _said(
        N_("The measure is public now: the citizens' pages may show it")
        if public
        else N_("The measure is no longer public")
    )
    change = MeasureChange(public=public)
    return await _step(request, viewer, measure, lambda: change_measure(principal, measure, change), done)


@post(f"{_ONE}/einheiten", name="measure-invite", include_in_schema=False)
async def invite_post(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, measure: FromPath[int]
) -> Template | Redirect:
    unit = _text(await request.form(), "unit", 100).strip()
    principal = viewer.principal

    def done(result: Measure) -> Message:
        owner = next((o for o in result.owners if o.unit == unit), None)
        template = (
            N_("%(unit)s owns the measure now")
            if owner is None or owner.confirmed
            else N_("%(unit)s is invited: the measure counts for it once a lead of it has confirmed")
        )
        return _unit_said(template, unit)(result)

    async def invite() -> Measure:
        return await invite_unit(principal, measure, unit)

    return await _step(request, viewer, measure, invite, done, {"unit": unit})


@post(f"{_ONE}/einheiten/{{unit:str}}/bestaetigen", name="measure-confirm", include_in_schema=False)
async def confirm_post(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    measure: FromPath[int],
    unit: FromPath[str],
) -> Template | Redirect:
    principal = viewer.principal
    done = _unit_said(N_("%(unit)s is confirmed as an owner of the measure"), unit)
    return await _step(request, viewer, measure, lambda: confirm_unit(principal, measure, unit), done)


PAGE_ROUTES = [measures_page, measure_page, note_post, status_post, public_post, invite_post, confirm_post]
