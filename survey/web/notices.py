"""What an action on a signed-in page came to, shown once on the page it leads back to.

Every form that changes something answers 303 to a page (Post/Redirect/Get): reloading that page
sends nothing again. The result goes along in a cookie read by the next page only, and deleted
there: it is signed with the session's own token (HMAC-SHA256), so only the session that acted
sees it and nobody can forge one, and it lives in no worker's memory, so any worker of any host
may serve the page. The cookie holds the message's English template and values, not a text: the
page says it in its own language (`say`), and never with a command-line hint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.response import Redirect

from survey.errors import Message
from survey.settings import Settings
from survey.web.auth import Viewer
from survey.web.i18n import portal_translations

__all__ = [
    "NOTICE_COOKIE",
    "Notice",
    "ShownNotice",
    "forget_notice",
    "redirect_with",
    "say",
    "show",
    "take_notice",
]

NOTICE_COOKIE = "lp_notice"
#: browsers keep cookies up to 4,096 bytes: details beyond this are left out (the first ones stay)
_MOST_BYTES = 3000


@dataclass(frozen=True)
class Notice:
    """The result of an action: done (`ok`) or refused, and the message that says which."""

    ok: bool
    message: Message


@dataclass(frozen=True)
class ShownNotice:
    """A notice as a page shows it: in the page's language, each reason on a line of its own."""

    ok: bool
    text: str
    details: list[str]


def say(message: Message, lang: str) -> str:
    """`message` in the portal language `lang`, without its hint; a sentence starts upper-case."""
    gettext = portal_translations(lang).gettext
    text = message.text(gettext)
    # a value in front (a wave key) stays as it is written
    if text and not gettext(message.template).startswith("%("):
        text = text[0].upper() + text[1:]
    return text


def show(notice: Notice | None, lang: str) -> ShownNotice | None:
    if notice is None:
        return None
    return ShownNotice(notice.ok, say(notice.message, lang), [say(d, lang) for d in notice.message.details])


def _plain(message: Message) -> list[Any]:
    params = {k: v if isinstance(v, int | float) else str(v) for k, v in message.params.items()}
    return [message.template, params, [_plain(d) for d in message.details]]


def _message(data: Any) -> Message:
    template, params, details = data
    if not isinstance(template, str) or not isinstance(params, dict) or not isinstance(details, list):
        raise ValueError("not a message")
    return Message(template, params, None, tuple(_message(d) for d in details))


def _signature(viewer: Viewer, payload: str) -> str:
    return hmac.new(viewer.token.encode(), payload.encode(), hashlib.sha256).hexdigest()


def _encode(notice: Notice) -> str:
    data = [notice.ok, _plain(notice.message)]
    payload = base64.urlsafe_b64encode(json.dumps(data, ensure_ascii=False).encode()).decode()
    details = data[1][2]
    while len(payload) > _MOST_BYTES and details:
        details.pop()
        payload = base64.urlsafe_b64encode(json.dumps(data, ensure_ascii=False).encode()).decode()
    return payload


def redirect_with(request: Request[Any, Any, Any], viewer: Viewer, target: str, notice: Notice) -> Redirect:
    """303 to `target` (a path of this site), which shows `notice` once."""
    settings: Settings = request.app.state["settings"]
    payload = _encode(notice)
    response = Redirect(target, status_code=303)
    response.set_cookie(
        NOTICE_COOKIE,
        f"{payload}.{_signature(viewer, payload)}",
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.base_url.startswith("https://"),
    )
    return response


def take_notice(request: Request[Any, Any, Any], viewer: Viewer) -> Notice | None:
    """The notice left for this page, if there is one and it is this session's. The answer that
    shows it must delete it (`forget_notice`), so that it is shown once."""
    value = request.cookies.get(NOTICE_COOKIE)
    if not value:
        return None
    payload, _, signature = value.partition(".")
    if not hmac.compare_digest(signature.encode(), _signature(viewer, payload).encode()):
        return None
    try:
        ok, data = json.loads(base64.urlsafe_b64decode(payload.encode()))
        message = _message(data)
        for each in (message, *message.details):
            each.text()  # every template fits its values
    except (ValueError, TypeError, KeyError):
        return None
    return Notice(bool(ok), message)


def forget_notice(request: Request[Any, Any, Any], response: Response[Any]) -> Response[Any]:
    """`response` deleting the notice cookie, where the request brought one."""
    if NOTICE_COOKIE in request.cookies:
        response.delete_cookie(NOTICE_COOKIE, path="/")
    return response
