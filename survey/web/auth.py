"""Sign-in, sessions and CSRF for the pages and API of leads, the survey office and the Personalrat.

The session cookie holds only a random token (HttpOnly, SameSite=Strict, Secure behind HTTPS);
who the user is and which roles they hold is looked up in the database on every request, so
a cookie cannot carry a role and every worker sees the same sessions. Every form and every
state-changing API call carries the session's CSRF token (form field `csrf_token` or header
`X-CSRF-Token`). Refusals are logged (the Python log and the audit log), never with a password.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect

from survey.services.accounts import Principal, session_principal
from survey.services.audit import record
from survey.settings import Settings

__all__ = [
    "COOKIE",
    "CsrfChecked",
    "CurrentViewer",
    "Viewer",
    "check_csrf",
    "forbidden",
    "not_authorized_handler",
    "provide_viewer",
    "require",
    "session_cookie",
]

log = logging.getLogger("survey.web.auth")
COOKIE = "lp_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Viewer:
    """The signed-in person of this request and the CSRF token their forms must carry."""

    principal: Principal
    csrf_token: str
    token: str

    @property
    def username(self) -> str:
        return self.principal.username


#: a handler parameter `viewer: CurrentViewer` needs a session; `csrf: CsrfChecked` the CSRF token too
CurrentViewer = NamedDependency[Viewer]
CsrfChecked = NamedDependency[None]


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


async def provide_viewer(request: Request[Any, Any, Any]) -> Viewer:
    """The dependency of every signed-in route: 401 without a valid session."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise NotAuthorizedException("sign in first")
    check = await session_principal(token[:200])
    if check.principal is None:
        # an unknown token is a stale cookie or a forged one: either way nobody is let in
        log.warning("refused session on %s: %s", request.url.path, check.problem)
        if check.problem == "unknown":
            await record("-", "session.unknown", request.url.path)
        raise NotAuthorizedException(f"session {check.problem}")
    viewer = Viewer(check.principal, check.csrf_token, token)
    request.state["viewer"] = viewer
    return viewer


async def check_csrf(request: Request[Any, Any, Any], viewer: NamedDependency[Viewer]) -> None:
    """Refuse a state-changing request whose CSRF token is missing or wrong (403, logged)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get(CSRF_FIELD)
    if not isinstance(sent, str) or not secrets.compare_digest(sent.encode(), viewer.csrf_token.encode()):
        log.warning(
            "refused %s %s of %s: CSRF token missing or wrong",
            request.method,
            request.url.path,
            viewer.username,
        )
        await record(viewer.username, "csrf.refused", f"{request.method} {request.url.path}")
        raise PermissionDeniedException(
            "CSRF token missing or wrong: reload the page and send the form again"
        )


async def forbidden(viewer: Viewer, what: str) -> PermissionDeniedException:
    """The 403 of a signed-in user who asked for something outside their roles (logged)."""
    log.info("refused %s to %s", what, viewer.username)
    await record(viewer.username, "access.refused", what)
    return PermissionDeniedException(f"your roles do not allow this: {what}")


async def require(viewer: Viewer, allowed: Callable[[Principal], bool], what: str) -> None:
    """Go on only if the access rule `allowed` (survey.services.permissions) lets the viewer;
    else the 403 of `forbidden`, logged."""
    if not allowed(viewer.principal):
        raise await forbidden(viewer, what)


def session_cookie(request: Request[Any, Any, Any], token: str, *, max_age: int | None) -> dict[str, Any]:
    """Keyword arguments of Response.set_cookie for the session cookie."""
    settings: Settings = request.app.state["settings"]
    return {
        "key": COOKIE,
        "value": token,
        "max_age": max_age,
        "path": "/",
        "httponly": True,
        "samesite": "strict",
        "secure": settings.base_url.startswith("https://"),
    }


def not_authorized_handler(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    """401: JSON for the API, the sign-in page (with a way back) for pages."""
    if _is_api(request):
        return Response(
            {"status_code": 401, "detail": "sign in first (POST /api/v1/session)"}, status_code=401
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response: Response[Any] = Redirect(f"/anmelden?weiter={quote(target, safe='')}", status_code=303)
    if COOKIE in request.cookies:
        response.delete_cookie(COOKIE, path="/")
    return response
