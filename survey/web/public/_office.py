"""The survey office's page of feedback links (`/buero/rueckmeldung`): every unit with its link to
its staff's page of results and measures; make a link, renew it (the old one stops working at
once), copy it, or print a notice with its QR code for the unit's notice board. The office (and
admins) only; every new link is in the audit log.

Its words are the portal's (German and English): `survey.web.i18n` extracts this module and its
template into the portal catalog.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup

from survey.errors import N_, Message
from survey.report.printing import qr_svg
from survey.services.answering import kommune
from survey.services.permissions import may_run_waves
from survey.services.public_results import NoSuchUnit, feedback_links, renew_feedback_link
from survey.settings import Settings
from survey.web.auth import CsrfChecked, CurrentViewer, require
from survey.web.dashboard._report import pdf_response
from survey.web.notices import Notice, forget_notice, redirect_with, show, take_notice
from survey.web.portal import page, portal_lang, translator
from survey.web.public._feedback import feedback_path

__all__ = ["OFFICE_ROUTES"]

PAGE = "/buero/rueckmeldung"


def _zone() -> dt.tzinfo:
    """The Kommune's clock, as on the other office pages (UTC where the system has no zone data)."""
    try:
        return ZoneInfo("Europe/Berlin")
    except ZoneInfoNotFoundError:
        return dt.UTC


def _settings(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state["settings"]


@get(PAGE, name="office-feedback-links", include_in_schema=False)
async def links_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    await require(viewer, may_run_waves, "feedback links")
    lang = portal_lang(request)
    _ = translator(lang)
    base = _settings(request).base_url
    locale = "de_DE" if lang == "de" else "en_GB"
    rows = [
        {
            "row": row,
            "url": f"{base}{feedback_path(row.token)}" if row.token else None,
            "made": format_datetime(row.created_at, "medium", tzinfo=_zone(), locale=locale)
            if row.created_at
            else "",
        }
        for row in await feedback_links()
    ]
    response = page(
        request,
        "portal/feedback_links.html",
        title=_("Feedback links for staff"),
        rows=rows,
        page_url=PAGE,
        result=show(take_notice(request, viewer), lang),
    )
    forget_notice(request, response)
    return response


@post(f"{PAGE}/{{unit:str}}", name="office-feedback-link-renew", include_in_schema=False)
async def renew(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, unit: FromPath[str]
) -> Redirect:
    """Make the unit's link, or a new one in place of the old (which stops working at once)."""
    await require(viewer, may_run_waves, f"feedback link {unit}")
    _ = translator(portal_lang(request))
    try:
        await renew_feedback_link(unit, by=viewer.username)
    except NoSuchUnit:
        raise NotFoundException(_("There is no unit “%(unit)s”.", unit=unit)) from None
    done = N_("The feedback link of %(unit)s is new: the link before it no longer works")
    return redirect_with(
        request, viewer, f"{PAGE}#unit-{quote(unit)}", Notice(True, Message(done, {"unit": unit}))
    )


@get(f"{PAGE}/{{unit:str}}/aushang.pdf", name="office-feedback-notice", include_in_schema=False)
async def notice_pdf(
    request: Request[Any, Any, Any], viewer: CurrentViewer, unit: FromPath[str]
) -> Response[bytes]:
    """A notice for the unit's board: its feedback link as QR code and address (A4 PDF)."""
    await require(viewer, may_run_waves, f"feedback notice {unit}")
    lang = portal_lang(request)
    _ = translator(lang)
    row = next((r for r in await feedback_links() if r.unit == unit), None)
    if row is None or row.token is None:
        raise NotFoundException(_("The unit “%(unit)s” has no feedback link yet.", unit=unit))
    url = f"{_settings(request).base_url}{feedback_path(row.token)}"
    template = request.app.template_engine.get_template("portal/feedback_notice.html")
    html = template.render(
        _=_, lang=lang, kommune=await kommune(), unit_name=row.name, url=url, qr=Markup(qr_svg(url))
    )
    return await pdf_response(html, f"rueckmeldung-aushang-{unit}.pdf")


OFFICE_ROUTES = [links_page, renew, notice_pdf]
