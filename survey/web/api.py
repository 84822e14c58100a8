"""JSON API of the respondent side (kiosk apps and other clients), described in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, QueryParameter

from survey.domain import QuestionnaireVersion
from survey.services.answering import Channel, EntryError, answer, entry_for, new_submission_key
from survey.settings import Settings
from survey.web.i18n import language, pick_language
from survey.web.respond_text import ENTRY_PAGES, general_message, problem_message, translators
from survey.web.security import BODY_NAMES, BodyText, PathText

__all__ = ["API_ROUTES", "STRICT_JSON_BODY", "Refusal", "choice_of", "refusals"]

#: the request body of a Struct with `forbid_unknown_fields`: the document says that a field it
#: does not name is refused (400), so that a client learns of a misspelt field at once
STRICT_JSON_BODY = Body(media_type=RequestEncodingType.JSON, schema_extra={"additional_properties": False})


class Form(msgspec.Struct, frozen=True):
    """What a client needs to show the questionnaire and send it back."""

    channel: Channel
    wave: str
    wave_title: str
    closes_on: str
    language: str
    languages: list[str]
    submission_key: str
    questionnaire: QuestionnaireVersion
    service_point: str | None = None


#: the answers of a response: item id → code, null or text
Answers = Annotated[dict[str, int | BodyText | None], BODY_NAMES]


class ResponseIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One response. `answers` maps item ids to a code, null ("keine Angabe") or a text."""

    channel: Channel
    #: the invitation code, the unit link's token or the service point's key
    reference: BodyText = msgspec.field()
    language: BodyText = "de"
    submission_key: BodyText = ""
    answers: Answers = {}
    access_code: BodyText | None = None
    receipt_code: BodyText | None = None


class Problem(msgspec.Struct, frozen=True):
    code: str
    message: str
    item: str | None = None


class ResponseOut(msgspec.Struct, frozen=True):
    status: str
    message: str = ""
    problems: list[Problem] = []


class Refusal(msgspec.Struct, frozen=True, omit_defaults=True):
    """The body of every other refusal of the API: the status code and, in `detail`, what is wrong
    and what to do (`extra`: the fields of a request that does not match this document)."""

    status_code: int
    detail: str
    extra: dict[str, Any] | list[Any] | None = None


_REFUSALS = {
    401: "Not signed in, or the session has ended (signing in: the user name or the password is wrong)",
    403: "The signed-in user's roles do not allow this, or the X-CSRF-Token header is missing or wrong",
    404: "Not found: no such unit, wave, questionnaire or version (`detail` names it), or no figures",
    413: "The body is larger than the app takes",
    415: "The body is not declared as JSON: send it with Content-Type: application/json",
    423: "The account is locked for 15 minutes after five failed sign-ins",
    429: "Too many sign-in attempts in the last minutes: try again in a minute",
}


def refusals(*status_codes: int) -> dict[int, ResponseSpec]:
    """The OpenAPI responses of these refusals of a route (`Refusal` bodies)."""
    return {
        code: ResponseSpec(Refusal, generate_examples=False, description=_REFUSALS[code])
        for code in status_codes
    }


def choice_of(values: Iterable[str]) -> QueryParameter:
    """A query parameter that takes one of `values` (the handler refuses any other with 400, naming
    the value and the choices): `format: Annotated[str, choice_of(RAW_FORMATS)] = "csv"`."""
    return QueryParameter(schema_extra={"enum": list(values)})


def _answer(description: str) -> ResponseSpec:
    return ResponseSpec(ResponseOut, generate_examples=False, description=description)


#: the answers of a form's code, link or service point that does not take answers (`status` says why)
_ENTRY_REFUSALS = {
    403: _answer("The wave has not started yet (`not_yet_open`)"),
    404: _answer(
        "No such code, link or service point, or no wave there now "
        "(`code_unknown`, `link_unknown`, `service_point_unknown`, `no_wave`)"
    ),
    410: _answer("The code has been used, or the wave has ended (`code_used`, `closed`)"),
}
_FORM = {200: ResponseSpec(Form, generate_examples=False, description="The form"), **_ENTRY_REFUSALS}


def _entry_error(error: EntryError, lang_tag: str) -> Response[ResponseOut]:
    status, title, _ = ENTRY_PAGES[error.problem]
    gettext, _n = translators(language(lang_tag))
    return Response(ResponseOut(error.problem, gettext(title)), status_code=status if status != 200 else 404)


async def _form(request: Request, channel: Channel, reference: str) -> Response[Form] | Response[ResponseOut]:
    settings: Settings = request.app.state["settings"]
    try:
        entry = await entry_for(settings, channel, reference)
    except EntryError as error:
        return _entry_error(error, request.query_params.get("lang") or "de")
    lang = pick_language(
        request.query_params.get("lang"), entry.version.languages, request.headers.get("accept-language")
    )
    form = Form(
        channel,
        entry.wave.key,
        entry.wave.title,
        entry.wave.closes_on.isoformat(),
        lang,
        list(entry.version.languages),
        await new_submission_key(settings),
        entry.version,
        entry.service_point_name,
    )
    return Response(form, headers={"Cache-Control": "no-store"})


@get(
    "/api/v1/forms/service-points/{key:str}",
    name="api-form-service-point",
    summary="Citizen form of a service point",
    responses=_FORM,
)
async def service_point_form_api(request: Request, key: PathText) -> Response[Form] | Response[ResponseOut]:
    return await _form(request, "service_point", key)


@get(
    "/api/v1/forms/invitations/{code:str}",
    name="api-form-invitation",
    summary="Staff form of an invitation code",
    responses=_FORM,
)
async def invitation_form_api(request: Request, code: PathText) -> Response[Form] | Response[ResponseOut]:
    return await _form(request, "invitation", code)


@get(
    "/api/v1/forms/unit-links/{token:str}",
    name="api-form-unit-link",
    summary="Staff form of a unit link",
    responses=_FORM,
)
async def unit_link_form_api(request: Request, token: PathText) -> Response[Form] | Response[ResponseOut]:
    return await _form(request, "unit", token)


@post(
    "/api/v1/responses",
    name="api-responses",
    summary="Submit one response (idempotent by submission key)",
    responses={
        201: _answer("Stored"),
        200: _answer("This submission key was stored before: stored once (`duplicate`)"),
        **_ENTRY_REFUSALS,
        409: _answer("The invitation code or the receipt code has been used (`code_used`, `receipt_used`)"),
        422: _answer("The answers do not fit the form: every problem, with a message in the language"),
        429: _answer("Too many ratings at this service point in the last minute (`flood`)"),
        **refusals(413, 415),
    },
)
async def submit_api(
    request: Request, data: Annotated[ResponseIn, STRICT_JSON_BODY]
) -> Response[ResponseOut]:
    """201 when stored, 200 when this submission key was stored before, 422 with every problem
    (each with a message in the response's language), 404/410/403 when the code, link or wave
    does not take answers."""
    settings: Settings = request.app.state["settings"]
    lang_tag = data.language
    try:
        # the one service call of a submission: one lookup of the entry, then the write
        result = await answer(
            settings,
            data.channel,
            data.reference,
            answers=dict(data.answers),
            language=lang_tag,
            submission_key=data.submission_key,
            access_code=data.access_code,
            receipt_code=data.receipt_code,
        )
    except EntryError as error:
        return _entry_error(error, lang_tag)
    gettext, _n = translators(language(lang_tag))
    if result.stored:
        duplicate = result.outcome is not None and result.outcome.value == "duplicate"
        message = (
            gettext("We had already received these answers; they are stored once.")
            if duplicate
            else gettext("Your answers have been stored. Thank you for taking the time!")
        )
        return Response(
            ResponseOut("duplicate" if duplicate else "stored", message),
            status_code=200 if duplicate else 201,
        )
    problems = [Problem(p.code, problem_message(p, gettext), p.item) for p in result.problems]
    problems += [Problem(code, general_message(code, gettext)[1]) for code in result.general]
    status = (
        429
        if "flood" in result.general
        else 409
        if {"code_used", "receipt_used"} & set(result.general)
        else 422
    )
    return Response(
        ResponseOut("invalid", gettext("Please check your answers."), problems), status_code=status
    )


API_ROUTES = [service_point_form_api, invitation_form_api, unit_link_form_api, submit_api]
