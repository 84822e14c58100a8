"""A unit's feedback page for its staff (`/rueckmeldung/<token>`), reached without sign-in by the
unit's feedback link, and the same on one A4 page as PDF for the team meeting (`…/pdf`).

The token is the unit's feedback link (survey.services.public_results); an unknown or renewed-away
token is a 404 in the reader's language. The page offers the staff questionnaire's languages.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template
from markupsafe import Markup

from survey.services.public_results import FEEDBACK_PATH, FeedbackPage, feedback_page
from survey.web.dashboard._report import pdf_response
from survey.web.i18n import LANGUAGES, Language
from survey.web.public._common import lang_of, not_found, public_template
from survey.web.public._show import PublicShow
from survey.web.respond_text import translators

__all__ = ["FEEDBACK_ROUTES", "feedback_path"]

#: the most measures the printed page lists (the page itself lists all): one A4 page
PRINTED_MEASURES = 5
#: a measure's description on the printed page is cut after this many characters
PRINTED_DESCRIPTION = 160


def feedback_path(token: str) -> str:
    return f"{FEEDBACK_PATH}/{token}"


async def _page(request: Request[Any, Any, Any], token: str) -> tuple[FeedbackPage, Language] | Template:
    """The unit's page in the reader's language, or the 404 page."""
    asked = request.query_params.get("lang")
    page = await feedback_page(token, asked if asked in LANGUAGES else "de")
    if page is None:
        # which unit, and so which questionnaire, is not known: every language of the pages
        return await not_found(request, list(LANGUAGES), "link_unknown")
    lang = lang_of(request, page.languages)
    if lang.tag != asked:
        page = await feedback_page(token, lang.tag)
        assert page is not None
    return page, lang


@get(f"{FEEDBACK_PATH}/{{token:str}}", name="feedback-page", include_in_schema=False)
async def feedback(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    found = await _page(request, token)
    if isinstance(found, Template):
        return found
    page, lang = found
    gettext, _ = translators(lang)
    return public_template(
        request,
        "public/feedback.html",
        lang,
        page.languages,
        page_title=gettext("Results and measures: %(unit)s", unit=page.unit_name),
        page=page,
        kommune=page.kommune,
        pdf=f"{feedback_path(token)}/pdf?lang={lang.tag}",
    )


def _shortened(text: str) -> str:
    if len(text) <= PRINTED_DESCRIPTION:
        return text
    return text[: PRINTED_DESCRIPTION - 1].rsplit(" ", 1)[0] + " …"


def _print_html(request: Request[Any, Any, Any], page: FeedbackPage, lang: Language, address: str) -> str:
    gettext, ngettext = translators(lang)
    template = request.app.template_engine.get_template("public/feedback_print.html")
    return template.render(
        _=gettext,
        ngettext=ngettext,
        language=lang,
        show=PublicShow(lang),
        page=page,
        measures=page.measures[:PRINTED_MEASURES],
        more=max(len(page.measures) - PRINTED_MEASURES, 0),
        shortened=_shortened,
        german=Markup("") if lang.tag.startswith("de") else Markup(' lang="de"'),
        address=address,
    )


@get(f"{FEEDBACK_PATH}/{{token:str}}/pdf", name="feedback-pdf", include_in_schema=False)
async def feedback_pdf(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes] | Template:
    """The feedback page on one A4 page, to print for the team meeting."""
    found = await _page(request, token)
    if isinstance(found, Template):
        return found
    page, lang = found
    address = f"{request.app.state['settings'].base_url}{feedback_path(token)}"
    html = _print_html(request, page, lang, address)
    return await pdf_response(html, f"rueckmeldung-{page.unit}-{lang.tag}.pdf")


FEEDBACK_ROUTES = [feedback, feedback_pdf]
