"""Pages of signed-in users: sign-in, the start page, the survey office, the Personalrat, admin.

German first, English second (`?lang=en`, kept in a cookie). Every page is server-rendered and
works without JavaScript; every form carries the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import unquote, urlencode

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from survey.services.accounts import SESSION_MAX, Principal, SignInRefused, sign_in, sign_out
from survey.services.permissions import (
    may_approve,
    may_manage_users,
    may_open_dashboard,
    may_open_exports,
    may_open_measures,
    may_read_audit,
)
from survey.web.api import STRICT_JSON_BODY, Refusal, refusals
from survey.web.auth import (
    COOKIE,
    CsrfChecked,
    CurrentViewer,
    Viewer,
    check_csrf,
    provide_viewer,
    session_cookie,
)
from survey.web.i18n import PORTAL_LANGUAGES, portal_translations
from survey.web.security import BodyText

__all__ = [
    "LANG_COOKIE",
    "PORTAL_DEPENDENCIES",
    "PORTAL_ROUTES",
    "NavLink",
    "gettext_for",
    "not_found_handler",
    "page",
    "permission_denied_handler",
    "portal_lang",
    "translator",
]

LANG_COOKIE = "lp_lang"
NO_STORE = {"Cache-Control": "no-store, max-age=0"}


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    current: bool


def portal_lang(request: Request[Any, Any, Any]) -> str:
    """`?lang=` if given, else the language cookie, else German."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "de"
    return asked if asked in PORTAL_LANGUAGES else "de"


def translator(lang: str) -> Callable[..., str]:
    """`_` of the portal in `lang`. Always %-formatted, so a literal per cent sign is "%%" in
    every portal msgid (templates and Python alike)."""
    catalog = portal_translations(lang)

    def gettext(message: str, **variables: Any) -> str:
        return catalog.gettext(message) % variables

    return gettext


def gettext_for(request: Request[Any, Any, Any]) -> Callable[..., str]:
    return translator(portal_lang(request))


def _navigation(viewer: Viewer | None, path: str, _: Callable[..., str]) -> list[NavLink]:
    if viewer is None:
        return []
    p = viewer.principal
    links = [("/bereich", _("Start"))]
    if may_open_dashboard(p):
        links.append(("/dashboard", _("Dashboard")))
    if may_open_measures(p):
        links.append(("/massnahmen", _("Measures")))
    if p.holds("office"):  # offered to an office grant anywhere; the pages want the whole organisation
        links.append(("/buero/runden", _("Waves")))
        links.append(("/buero/frageboegen", _("Questionnaires")))
        links.append(("/buero/organisation", _("Organisation")))
    if may_approve(p):
        links.append(("/personalrat/freigaben", _("Approvals")))
    if p.holds("office") or may_approve(p):
        links.append(("/kommentare/freigabe", _("Comments")))
    if may_open_exports(p):
        links.append(("/exporte", _("Exports")))
    if may_read_audit(p):
        links.append(("/protokoll", _("Audit log")))
    if may_manage_users(p):
        links.append(("/verwaltung/benutzer", _("Users")))
    return [NavLink(url, label, path == url or path.startswith(url + "/")) for url, label in links]


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    title: str,
    status: int = 200,
    viewer: Viewer | None = None,
    **context: Any,
) -> Template:
    """A portal page with the language, navigation, CSRF token and `_` every template needs."""
    lang = portal_lang(request)
    gettext = translator(lang)
    viewer = viewer or request.state.get("viewer")
    response = Template(
        template,
        context={
            "lang": lang,
            "_": gettext,
            "title": title,
            "viewer": viewer,
            "csrf_token": viewer.csrf_token if viewer else "",
            "navigation": _navigation(viewer, request.url.path, gettext),
            "path": request.url.path,
            "other_lang": "en" if lang == "de" else "de",
            "switch_url": _switch_url(request, "en" if lang == "de" else "de"),
            **context,
        },
        status_code=status,
        headers=NO_STORE,
    )
    if request.query_params.get("lang") in PORTAL_LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, lang, path="/", httponly=True, samesite="strict", max_age=365 * 86400
        )
    return response


def _switch_url(request: Request[Any, Any, Any], lang: str) -> str:
    """This page in the other language, with its other query parameters kept."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*query, ('lang', lang)])}"


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an address elsewhere (open redirect)."""
    target = unquote(target or "")
    unsafe = "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target)
    if not target.startswith("/") or target.startswith("//") or unsafe:
        return "/bereich"
    return target


@get("/anmelden", name="sign-in", include_in_schema=False)
async def sign_in_page(request: Request[Any, Any, Any], weiter: FromQuery[str | None] = None) -> Template:
    _ = translator(portal_lang(request))
    return page(request, "portal/signin.html", title=_("Sign in"), next=_safe_next(weiter), error=None)


@post("/anmelden", name="sign-in-post", include_in_schema=False)
async def sign_in_post(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await request.form()
    username, password = form.get("username"), form.get("password")
    target = _safe_next(form.get("next") if isinstance(form.get("next"), str) else None)
    _ = translator(portal_lang(request))
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return page(
            request,
            "portal/signin.html",
            title=_("Sign in"),
            status=400,
            next=target,
            username=username if isinstance(username, str) else "",
            error=_("Enter your user name and your password."),
        )
    try:
        result = await sign_in(username, password[:1024])
    except SignInRefused as refused:
        status = 429 if refused.reason == "rate_limited" else 401 if refused.reason != "locked" else 423
        message = {
            "rate_limited": _("Too many sign-in attempts. Please try again in a minute."),
            "locked": _("This account is locked for 15 minutes after five failed attempts."),
        }.get(refused.reason, _("Sign-in failed: the user name or the password is wrong."))
        return page(
            request,
            "portal/signin.html",
            title=_("Sign in"),
            status=status,
            next=target,
            username=username,
            error=message,
        )
    # a new token on every sign-in: a cookie planted before (session fixation) is never used
    response = Redirect(target, status_code=303)
    response.set_cookie(**session_cookie(request, result.token, max_age=int(SESSION_MAX.total_seconds())))
    return response


@post("/abmelden", name="sign-out", include_in_schema=False)
async def sign_out_post(viewer: CurrentViewer, csrf: CsrfChecked) -> Redirect:
    await sign_out(viewer.token)
    response = Redirect("/anmelden", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@get("/bereich", name="start", include_in_schema=False)
async def start_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    _ = translator(portal_lang(request))
    role_names = {
        "admin": _("Administration"),
        "office": _("Survey office"),
        "lead": _("Lead"),
        "personalrat": _("Personalrat"),
        "analyst": _("Analysis"),
    }
    return page(request, "portal/start.html", title=_("Overview"), viewer=viewer, role_names=role_names)


class Credentials(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: BodyText
    password: BodyText


class GrantOut(msgspec.Struct, frozen=True):
    role: str
    unit: str | None
    unit_name: str | None


class Me(msgspec.Struct, frozen=True):
    username: str
    display_name: str
    roles: list[GrantOut]
    #: send it back as the X-CSRF-Token header with every POST
    csrf_token: str


def _me(viewer_principal: Principal, csrf_token: str) -> Me:
    return Me(
        viewer_principal.username,
        viewer_principal.display_name,
        [GrantOut(g.role, g.unit, g.unit_name) for g in viewer_principal.grants],
        csrf_token,
    )


@post(
    "/api/v1/session",
    name="api-sign-in",
    tags=["session"],
    summary="Sign in; sets the session cookie",
    status_code=200,
    responses={
        200: ResponseSpec(Me, generate_examples=False, description="Signed in: the user and the CSRF token"),
        **refusals(401, 413, 415, 423, 429),
    },
)
async def sign_in_api(
    request: Request[Any, Any, Any], data: Annotated[Credentials, STRICT_JSON_BODY]
) -> Response[Me] | Response[Refusal]:
    try:
        result = await sign_in(data.username, data.password[:1024])
    except SignInRefused as refused:
        status = {"rate_limited": 429, "locked": 423}.get(refused.reason, 401)
        return Response(Refusal(status, str(refused)), status_code=status)
    response = Response(_me(result.principal, result.csrf_token), status_code=200)
    response.set_cookie(**session_cookie(request, result.token, max_age=int(SESSION_MAX.total_seconds())))
    return response


@get(
    "/api/v1/session",
    name="api-me",
    tags=["session"],
    summary="Who is signed in, with roles and CSRF token",
    responses=refusals(401),
)
async def me_api(viewer: CurrentViewer) -> Me:
    return _me(viewer.principal, viewer.csrf_token)


@delete(
    "/api/v1/session",
    name="api-sign-out",
    tags=["session"],
    summary="Sign out",
    status_code=204,
    responses={
        204: ResponseSpec(None, description="Signed out: the session has ended, its cookie is removed"),
        **refusals(401, 403),
    },
)
async def sign_out_api(viewer: CurrentViewer, csrf: CsrfChecked) -> Response[None]:
    await sign_out(viewer.token)
    response: Response[None] = Response(None, status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response


def permission_denied_handler(
    request: Request[Any, Any, Any], exc: PermissionDeniedException
) -> Response[Any]:
    """403: JSON for the API, a page that says so (and where to ask) for pages."""
    if request.url.path.startswith("/api/"):
        return Response({"status_code": 403, "detail": exc.detail}, status_code=403)
    _ = gettext_for(request)
    csrf = "CSRF" in exc.detail
    message = (
        _(
            "The form has expired or did not come from this site (CSRF check). "
            "Reload the page and send it again."
        )
        if csrf
        else _("Your roles do not allow this page. If you need it, ask the survey office.")
    )
    return page(request, "portal/forbidden.html", title=_("No access"), status=403, message=message)


def not_found_handler(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
    if request.url.path.startswith(("/api/", "/static/")) or request.state.get("viewer") is None:
        return Response({"status_code": 404, "detail": exc.detail}, status_code=404)
    _ = gettext_for(request)
    return page(request, "portal/not_found.html", title=_("Not found"), status=404, detail=exc.detail)


#: the dependencies of every portal route: `viewer` (401 without a session), `csrf` (403 without the token)
PORTAL_DEPENDENCIES: dict[str, Provide] = {"viewer": Provide(provide_viewer), "csrf": Provide(check_csrf)}
PORTAL_ROUTES = [sign_in_page, sign_in_post, sign_out_post, start_page, sign_in_api, me_api, sign_out_api]
