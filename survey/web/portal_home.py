"""The start page (`/`): the Kommune, its Leitbild, its survey rounds and its organisation, in
German or English; where nothing is set up yet, what to do in the browser and who does the rest.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from survey.report import format as fmt
from survey.services.figures import wave_titles_in
from survey.services.overview import overview
from survey.web.portal import page, portal_lang, translator

__all__ = ["home_page"]


@get("/", name="home", include_in_schema=False)
async def home_page(request: Request[Any, Any, Any]) -> Template:
    lang = portal_lang(request)
    _ = translator(lang)
    data = await overview()
    titles = await wave_titles_in([w.key for w in data.waves], lang)
    # the words of the office's list of waves
    status = {"draft": _("draft"), "open": _("open"), "closed": _("closed")}
    waves = [
        {
            "title": titles.get(w.key, w.title),
            "questionnaire": f"{w.questionnaire} v{w.version}",
            "period": f"{fmt.day(w.opens_on, lang)} – {fmt.day(w.closes_on, lang)}",
            "status": status.get(w.status, w.status),
            "responses": fmt.number(w.responses, lang, 0),
        }
        for w in data.waves
    ]
    units = [
        {
            "name": u.name,
            "depth": min(u.depth, 6),
            "about": _("%(kind)s, %(count)s staff", kind=u.kind, count=fmt.number(u.headcount, lang, 0)),
        }
        for u in data.units
    ]
    summary = _(
        "%(units)s organisational units, %(points)s service points, %(waves)s survey rounds.",
        units=fmt.number(len(data.units), lang, 0),
        points=fmt.number(data.service_points, lang, 0),
        waves=fmt.number(len(data.waves), lang, 0),
    )
    values = [
        (v.name.get(lang) or v.name.get("de", v.key), v.description.get(lang) or v.description.get("de", ""))
        for v in data.values
    ]
    return page(
        request,
        "portal/home.html",
        title=data.kommune or _("No Kommune set up yet"),
        summary=summary if data.units else "",
        values=values,
        waves=waves,
        units=units,
    )
