"""`/dashboard/{unit}/kommentare`: a unit's released comments of the latest closed wave, per
Leitbild value its themes with counts, each theme's comments (near-duplicates merged with a count)
in random order; the comments that fit no theme, those in other languages, and keywords as a
hint. For whoever reads the unit's figures; from k_text respondents on; every view audited."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from survey.domain.comments import CommentSummary
from survey.domain.figures import HiddenFigure
from survey.services.figures import NoClosedWave
from survey.web.auth import CurrentViewer
from survey.web.dashboard._pages import base_context, no_closed_wave_page
from survey.web.dashboard._scope import find_scope, load_comments, load_figures
from survey.web.portal import page, portal_lang, translator

__all__ = ["READ_ROUTES"]


@get("/dashboard/{unit:str}/kommentare", name="dashboard-comments", include_in_schema=False)
async def comments_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    unit: FromPath[str],
    fragebogen: FromQuery[str | None] = None,
) -> Template:
    lang = portal_lang(request)
    _ = translator(lang)
    scope = await find_scope(viewer, unit, fragebogen, _)
    try:
        figures = await load_figures(unit, scope.questionnaire.key, _, language=lang)
    except NoClosedWave:
        return await no_closed_wave_page(request, viewer, scope)
    comments = await load_comments(viewer, figures, lang)
    return page(
        request,
        "portal/dashboard_comments.html",
        title=_("Comments: %(unit)s", unit=figures.name),
        viewer=viewer,
        figures=figures,
        latest=figures.waves[-1] if figures.waves else None,
        comments=comments if isinstance(comments, CommentSummary) else None,
        comments_hidden=comments if isinstance(comments, HiddenFigure) else None,
        **base_context(request, viewer, scope),
    )


READ_ROUTES = [comments_page]
