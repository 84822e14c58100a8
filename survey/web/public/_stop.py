"""The stop link of every invitation and reminder e-mail (`/abmelden/<token>`), without sign-in.

GET only asks ("Keine weiteren E-Mails zu dieser Befragung?", one button) and changes nothing:
mail scanners and link previews open every link of a mail. POST stops further mails to the
address and says so. A mail program's one-click unsubscribe (RFC 8058: a POST whose form carries
`List-Unsubscribe=One-Click`, the mail's `List-Unsubscribe-Post` header) stops too and is answered
with a short text.

The link's token is the only credential: there is no session, hence no CSRF token and no cookie
(a page on another site cannot know the token; a mail program sends neither), as with the
one-time password links (survey.web.manage._password_link). No other route is exempt from
anything by this: the portal's forms check their CSRF token in their own handlers
(survey.web.auth.CsrfChecked), and this module declares none.

The answer is the same whether the address was still kept or is deleted already (after the last
reminder, or when the wave closed): it never tells whether anyone has answered. An unknown token
is a 404 page in words. Nothing is logged about who followed the link (no address, no IP, no
user agent). German and English, the language chosen as on the respondents' pages (`?lang=`,
else the browser's), in the portal's words (survey.web.i18n extracts this module and its page
into the portal catalog).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from survey.services.answering import kommune
from survey.services.mailing import stop_link_known, stop_mails
from survey.settings import Settings
from survey.web.i18n import PORTAL_LANGUAGES, Language, language, pick_language, switch_links
from survey.web.portal import translator

__all__ = ["STOP_PATH", "STOP_ROUTES"]

STOP_PATH = "/abmelden"
#: a token is an id and 24 hex digits; anything much longer is no token of ours
_TOKEN_MOST = 64
_NO_STORE = {"Cache-Control": "no-store, max-age=0"}


def _lang(request: Request[Any, Any, Any]) -> Language:
    asked = request.query_params.get("lang")
    return language(pick_language(asked, list(PORTAL_LANGUAGES), request.headers.get("accept-language")))


def _settings(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state["settings"]


async def _page(request: Request[Any, Any, Any], token: str, state: str) -> Template:
    """The page of `state`: ask (the question and its button), done, or unknown (404)."""
    lang = _lang(request)
    _ = translator(lang.tag)
    titles = {
        "ask": _("No more e-mails about this survey?"),
        "done": _("You will get no more e-mails about this survey"),
        "unknown": _("This link does not work"),
    }
    return Template(
        "public/stop.html",
        context={
            "_": _,
            "language": lang,
            "switch_languages": switch_links(request.url.path, list(PORTAL_LANGUAGES), lang.tag),
            "page_title": titles[state],
            "state": state,
            "action": f"{STOP_PATH}/{token}?lang={lang.tag}",
            "kommune": await kommune(),
        },
        status_code=404 if state == "unknown" else 200,
        headers=_NO_STORE,
    )


@get(f"{STOP_PATH}/{{token:str}}", name="mail-stop", include_in_schema=False)
async def stop_question(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    """Asks; stops nothing (a mail scanner opening the link changes nothing)."""
    token = token[:_TOKEN_MOST]
    known = await stop_link_known(_settings(request), token)
    return await _page(request, token, "ask" if known else "unknown")


@post(f"{STOP_PATH}/{{token:str}}", name="mail-stop-post", include_in_schema=False)
async def stop_post(request: Request[Any, Any, Any], token: FromPath[str]) -> Template | Response[str]:
    """Stops further mails to the link's address: the page's button, or a mail program's
    one-click unsubscribe (answered with a short text)."""
    token = token[:_TOKEN_MOST]
    form = await request.form()
    one_click = form.get("List-Unsubscribe") == "One-Click"
    stopped = await stop_mails(_settings(request), token)
    if not one_click:
        return await _page(request, token, "unknown" if stopped is None else "done")
    _ = translator(_lang(request).tag)
    if stopped is None:
        text, status = _("This link does not work."), 404
    else:
        text, status = _("No more e-mails about this survey will be sent to this address."), 200
    return Response(text, media_type="text/plain", status_code=status, headers=_NO_STORE)


STOP_ROUTES = [stop_question, stop_post]
