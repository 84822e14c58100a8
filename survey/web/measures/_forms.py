"""The form of a measure (measures/form.html): a new measure (/massnahmen/neu) and a change of one
(/massnahmen/{id}/bearbeiten). What was typed is kept as text, so that a refused form comes back
with everything as typed and each problem next to its field (and in the summary above, which
links to the field); a saved form answers 303 to the measure's page, which shows the result once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from survey.errors import N_, Message
from survey.services.measures import (
    MAX_DESCRIPTION,
    MAX_LAG_DAYS,
    MAX_TEXT,
    Measure,
    MeasureChange,
    MeasureError,
    MeasureInput,
    change_measure,
    create_measure,
    find_measure,
    measure_catalog,
    rights_of,
)
from survey.services.permissions import may_create_measures, may_lead, may_publish_measures
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, forbidden, require
from survey.web.measures._show import (
    MEASURES_PAGE,
    guarded,
    item_label,
    measure_page_of,
    status_words,
    unit_list,
    value_names,
)
from survey.web.notices import Notice, redirect_with, say
from survey.web.portal import page, portal_lang, translator

__all__ = ["FORM_ROUTES", "MeasureForm"]

NEW_PAGE = f"{MEASURES_PAGE}/neu"
_TEXTS = ("title", "description", "responsible", "starts_on", "due_on", "effect_lag_days", "status")
#: a form field is read up to this many characters: past any limit, so the check still sees it
_READ_LIMIT = MAX_DESCRIPTION + 100
_MOST_CHOICES = 200


@dataclass
class MeasureForm:
    """The form as typed, and each field's problems in the page's language."""

    values: dict[str, str]
    chosen_values: list[str]
    chosen_items: list[str]
    chosen_units: list[str]
    public: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)


def _blank(unit: str | None) -> MeasureForm:
    today = dt.date.today().isoformat()
    values = {"starts_on": today, "effect_lag_days": "0", "status": "geplant"}
    return MeasureForm(values, [], [], [unit] if unit else [])


def _form_of(measure: Measure) -> MeasureForm:
    values = {
        "title": measure.title,
        "description": measure.description,
        "responsible": measure.responsible,
        "starts_on": measure.starts_on.isoformat(),
        "due_on": measure.due_on.isoformat() if measure.due_on else "",
        "effect_lag_days": str(measure.effect_lag_days),
        "status": measure.status,
    }
    return MeasureForm(values, list(measure.values), list(measure.items), [], measure.public)


async def _read(request: Request[Any, Any, Any]) -> MeasureForm:
    form = await request.form()
    values = {name: str(form.get(name) or "")[:_READ_LIMIT] for name in _TEXTS}
    values["status"] = values["status"].strip() or "geplant"

    def chosen(name: str) -> list[str]:
        return [str(v)[:100] for v in form.getall(name, [])][:_MOST_CHOICES]

    return MeasureForm(
        values, chosen("values"), chosen("items"), chosen("units"), public=form.get("public") == "yes"
    )


def _with_problems(form: MeasureForm, error: MeasureError, lang: str) -> MeasureForm:
    fields = error.fields or {"": error.message}
    form.errors = {name: [say(message, lang)] for name, message in fields.items()}
    return form


async def _show(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    form: MeasureForm,
    *,
    measure: Measure | None = None,
    status: int = 200,
) -> Template:
    lang = portal_lang(request)
    _ = translator(lang)
    catalog = await measure_catalog()
    names = value_names(catalog, lang)
    items: dict[str, list[tuple[str, str, str]]] = {}
    for item in catalog.items:
        group = _("Staff survey") if item.audience == "staff" else _("Citizen survey")
        measures = ", ".join(names.get(v, v) for v in item.values)
        items.setdefault(group, []).append((item.id, item_label(catalog, item.id, lang), measures))
    units = [(u, may_lead(viewer.principal, u)) for u in await unit_list()] if measure is None else []
    title = _("Change the measure") if measure else _("New measure")
    return page(
        request,
        "measures/form.html",
        title=title,
        status=status,
        viewer=viewer,
        form=form,
        measure=measure,
        values=list(names.items()),
        items=items,
        units=units,
        statuses=status_words(_),
        publish=may_publish_measures(viewer.principal),
        most_text=MAX_TEXT,
        most_description=MAX_DESCRIPTION,
        most_lag=MAX_LAG_DAYS,
        action=f"{measure_page_of(measure.id)}/bearbeiten" if measure else NEW_PAGE,
    )


@get(NEW_PAGE, name="measure-new", include_in_schema=False)
async def new_measure_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, einheit: FromQuery[str | None] = None
) -> Template:
    await require(viewer, may_create_measures, "measure new")
    return await _show(request, viewer, _blank(einheit))


def _done(measure: Measure) -> Notice:
    done = Message(N_("The measure %(title)s has been created"), {"title": measure.title})
    if measure.invited:
        names = ", ".join(o.name for o in measure.invited)
        invited = Message(
            N_(
                "The leads of %(units)s are invited: the measure counts for a unit once a lead of it "
                "has confirmed"
            ),
            {"units": names},
        )
        done = Message(done.template, done.params, details=(invited,))
    return Notice(True, done)


@post(NEW_PAGE, name="measure-new-post", include_in_schema=False)
async def new_measure_post(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked
) -> Template | Redirect:
    await require(viewer, may_create_measures, "measure new")
    form = await _read(request)
    publish = may_publish_measures(viewer.principal)
    data = MeasureInput(
        title=form.values["title"],
        description=form.values["description"],
        values=form.chosen_values,
        items=form.chosen_items,
        units=form.chosen_units,
        responsible=form.values["responsible"],
        starts_on=form.values["starts_on"],
        due_on=form.values["due_on"],
        effect_lag_days=form.values["effect_lag_days"],
        status=form.values["status"],
        public=form.public and publish,
    )
    try:
        measure = await guarded(viewer, portal_lang(request), lambda: create_measure(viewer.principal, data))
    except MeasureError as error:
        refused = _with_problems(form, error, portal_lang(request))
        return await _show(request, viewer, refused, status=400)
    return redirect_with(request, viewer, measure_page_of(measure.id), _done(measure))


async def _editable(request: Request[Any, Any, Any], viewer: Viewer, measure_id: int) -> Measure:
    """The measure, if the viewer may change it (else 403, logged) and it exists (else 404)."""
    await require(viewer, may_create_measures, f"measure {measure_id} change")
    lang = portal_lang(request)
    measure = await guarded(viewer, lang, lambda: find_measure(viewer.principal, measure_id))
    if not rights_of(viewer.principal, measure).edit:
        raise await forbidden(viewer, f"measure {measure_id} change")
    return measure


@get(f"{MEASURES_PAGE}/{{measure:int}}/bearbeiten", name="measure-edit", include_in_schema=False)
async def edit_measure_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, measure: FromPath[int]
) -> Template:
    found = await _editable(request, viewer, measure)
    return await _show(request, viewer, _form_of(found), measure=found)


@post(f"{MEASURES_PAGE}/{{measure:int}}/bearbeiten", name="measure-edit-post", include_in_schema=False)
async def edit_measure_post(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, measure: FromPath[int]
) -> Template | Redirect:
    found = await _editable(request, viewer, measure)
    form = await _read(request)
    publish = may_publish_measures(viewer.principal)
    change = MeasureChange(
        title=form.values["title"],
        description=form.values["description"],
        values=form.chosen_values,
        items=form.chosen_items,
        responsible=form.values["responsible"],
        starts_on=form.values["starts_on"],
        due_on=form.values["due_on"],
        effect_lag_days=form.values["effect_lag_days"],
        status=form.values["status"],
        public=form.public if publish else None,
    )
    lang = portal_lang(request)
    try:
        await guarded(viewer, lang, lambda: change_measure(viewer.principal, measure, change))
    except MeasureError as error:
        return await _show(request, viewer, _with_problems(form, error, lang), measure=found, status=400)
    notice = Notice(True, Message(N_("The changes of the measure are saved")))
    return redirect_with(request, viewer, measure_page_of(measure), notice)


FORM_ROUTES = [new_measure_page, new_measure_post, edit_measure_page, edit_measure_post]
