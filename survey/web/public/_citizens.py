"""The citizens' public pages: the whole Kommune's ratings (`/oeffentlich`) and each service
point's (`/oeffentlich/<key>`, the address in small print on its QR poster and linked from the
citizens' thank-you page), in every language of the citizens' questionnaire, Leichte Sprache
included. No sign-in, no JavaScript, no free text ever."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from survey.services.public_results import public_page
from survey.web.i18n import LANGUAGES
from survey.web.public._common import lang_of, not_found, public_template
from survey.web.respond_text import translators

__all__ = ["CITIZEN_ROUTES", "PUBLIC_PATH", "public_path"]

PUBLIC_PATH = "/oeffentlich"


def public_path(point: str | None = None) -> str:
    return f"{PUBLIC_PATH}/{point}" if point else PUBLIC_PATH


async def _page(request: Request[Any, Any, Any], point: str | None) -> Template:
    asked = request.query_params.get("lang")
    page = await public_page(point, asked if asked in LANGUAGES else "de")
    if page is None:
        return await not_found(request, list(LANGUAGES), "service_point_unknown")
    lang = lang_of(request, page.languages)
    if lang.tag != asked:  # the language the page is in names the values
        page = await public_page(point, lang.tag)
        assert page is not None
    gettext, _ = translators(lang)
    title = page.point.name if page.point else gettext("Citizens' ratings of the whole administration")
    return public_template(
        request,
        "public/place.html",
        lang,
        page.languages,
        page_title=title,
        page=page,
        kommune=page.kommune,
        home=public_path(),
    )


@get(PUBLIC_PATH, name="public-kommune", include_in_schema=False)
async def kommune_page(request: Request[Any, Any, Any]) -> Template:
    """The whole Kommune's citizen ratings and public measures, with every service point's page."""
    return await _page(request, None)


@get(f"{PUBLIC_PATH}/{{key:str}}", name="public-service-point", include_in_schema=False)
async def service_point_page(request: Request[Any, Any, Any], key: FromPath[str]) -> Template:
    """One service point's citizen ratings and the public measures of its unit."""
    return await _page(request, key)


CITIZEN_ROUTES = [kommune_page, service_point_page]
