"""The page on which a user sets a new password with the one-time link an admin gave them, without
signing in (`/passwort/{token}`), and its JSON twin.

The link's token is the only credential: there is no session, hence no CSRF token (a page on
another site cannot know the token). The page answers Post/Redirect/Get: a password set leads back
to the same address, which then says that the link has been used and offers the sign-in. The
address never reaches another site (`Referrer-Policy: no-referrer`, survey.web.security).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.services.accounts import AccountError
from survey.services.passwords import RESET_LINK_VALID, LinkState, reset_link_state, set_password_with_link
from survey.web.api import STRICT_JSON_BODY, refusals
from survey.web.manage._common import ActionResult
from survey.web.manage._user_forms import moment
from survey.web.notices import say
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang
from survey.web.security import BodyText, PathText

__all__ = ["PASSWORD_LINK_ROUTES", "PASSWORD_PAGE", "link_url"]

PASSWORD_PAGE = "/passwort"
#: a token is 43 characters; anything much longer is no token of ours
_TOKEN_MOST = 200


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{PASSWORD_PAGE}/{token}"


class NewPasswordIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    password: BodyText


class PasswordResult(ActionResult, frozen=True):
    """Done, or refused: the link does not work (any more), or `fields` names what is wrong."""

    fields: dict[str, str] = msgspec.field(default_factory=dict)


def _view(
    request: Request[Any, Any, Any], link: LinkState, problems: dict[str, str], *, status: int = 200
) -> Template:
    _ = page_text(request)
    lang = portal_lang(request)
    titles = {
        "valid": _("Choose a new password"),
        "used": _("Your new password is set"),
        "invalid": _("This link does not work"),
    }
    labels = {"password": _("New password"), "repeated": _("New password again")}
    return page(
        request,
        "portal/user_password.html",
        title=titles[link.state],
        status=status if link.state != "invalid" else 404,
        link=link,
        until=moment(link.expires_at, lang) if link.expires_at else "",
        hours=int(RESET_LINK_VALID.total_seconds() // 3600),
        problems=problems,
        summary=[(field, f"{labels[field]}: {text}") for field, text in problems.items()],
    )


@get(f"{PASSWORD_PAGE}/{{token:str}}", name="password-link", include_in_schema=False)
async def password_link_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return _view(request, await reset_link_state(token[:_TOKEN_MOST]), {})


@post(f"{PASSWORD_PAGE}/{{token:str}}", name="password-link-post", include_in_schema=False)
async def password_link_post(request: Request[Any, Any, Any], token: FromPath[str]) -> Template | Redirect:
    form = await request.form()
    password, repeated = form.get("password"), form.get("repeated")
    token = token[:_TOKEN_MOST]
    try:
        await set_password_with_link(
            token,
            password if isinstance(password, str) else "",
            repeated if isinstance(repeated, str) else "",
        )
    except AccountError as exc:
        lang = portal_lang(request)
        problems = {field: say(message, lang) for field, message in exc.fields.items()}
        return _view(request, await reset_link_state(token), problems, status=400)
    return Redirect(f"{PASSWORD_PAGE}/{token}", status_code=303)


@post(
    "/api/v1/password-links/{token:str}",
    name="api-password-link",
    tags=["session"],
    summary="Set a new password with a one-time link an admin made (no sign-in)",
    status_code=200,
    responses={
        409: ResponseSpec(
            PasswordResult,
            generate_examples=False,
            description="Refused: the link does not work (any more), or `fields` names what is wrong",
        ),
        **refusals(413, 415),
    },
)
async def password_link_api(
    token: PathText, data: Annotated[NewPasswordIn, STRICT_JSON_BODY]
) -> Response[PasswordResult]:
    try:
        await set_password_with_link(token[:_TOKEN_MOST], data.password, data.password)
    except AccountError as exc:
        fields = {field: message.text(code=True) for field, message in exc.fields.items()}
        return Response(PasswordResult(False, exc.message.text(code=True), [], fields), status_code=409)
    return Response(PasswordResult(True, "the new password is set: sign in with it"), status_code=200)


PASSWORD_LINK_ROUTES = [password_link_page, password_link_post, password_link_api]
