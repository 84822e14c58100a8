"""What the manage pages share: the settings from the app state, and the JSON result of an
action (done 200, refused 409) with its OpenAPI responses."""

from __future__ import annotations

import msgspec
from litestar import Response
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from survey.settings import Settings
from survey.web.api import refusals
from survey.web.notices import Notice

__all__ = ["ACTION_RESPONSES", "ActionResult", "api_result", "settings_of"]


def settings_of(state: State) -> Settings:
    return state["settings"]


class ActionResult(msgspec.Struct, frozen=True):
    ok: bool
    #: what was done, or why not (English, without command-line hints)
    message: str
    #: the single reasons of a refusal, e.g. each approval a wave still needs before it opens
    details: list[str] = msgspec.field(default_factory=list)


#: the OpenAPI responses of an action on a wave or an approval: done, or refused and why
ACTION_RESPONSES = {
    409: ResponseSpec(
        ActionResult, generate_examples=False, description="Refused: `message` and `details` say why"
    ),
    **refusals(401, 403, 404),
}


def api_result(notice: Notice) -> Response[ActionResult]:
    """200 done, 409 refused; in English, values marked as code, never a command."""
    message = notice.message
    result = ActionResult(notice.ok, message.text(code=True), [d.text(code=True) for d in message.details])
    return Response(result, status_code=200 if notice.ok else 409)
