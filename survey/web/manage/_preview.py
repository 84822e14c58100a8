"""The preview of a questionnaire version (a draft or a published one) exactly as respondents see
it: the respondent form's own template and words (survey/web/templates/respond/form.html,
survey.web.respond_text), in each of the version's languages, responsive down to phone width.

The page stands alone (no frame: the app's policy forbids framing), so that it can be opened at
any width. Its form can be tried: sending it checks the answers as a real submission would
(required questions, lengths) and shows the outcome, and nothing is stored anywhere, so it needs
no CSRF token; a banner on top says it is a preview.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from survey.domain import QuestionnaireVersion
from survey.domain.answers import check_answers
from survey.services.answering import kommune
from survey.services.drafts import DraftError, may_edit_questionnaires, version_for_preview
from survey.web.auth import CurrentViewer, require
from survey.web.i18n import LANGUAGES, Language, language
from survey.web.manage._questionnaire_shared import QUESTIONNAIRES_PAGE
from survey.web.notices import say
from survey.web.portal import portal_lang, translator
from survey.web.respond_body import NotAForm, form_fields
from survey.web.respond_text import problem_message, scale_options, text_picker, translators

__all__ = ["PREVIEW_ROUTES"]

NO_STORE = {"Cache-Control": "no-store, max-age=0"}
_PREVIEW = f"{QUESTIONNAIRES_PAGE}/{{questionnaire:str}}/{{version:int}}/vorschau"


def _respondent_lang(request: Request[Any, Any, Any], version: QuestionnaireVersion | None) -> str:
    offered = [t for t in (version.languages if version else []) if t in LANGUAGES]
    asked = request.query_params.get("sprache")
    return asked if asked in offered else (offered[0] if offered else "de")


def _banner(request: Request[Any, Any, Any], questionnaire: str, number: int, state: str) -> dict[str, str]:
    """The words above the form, in the page's (the office's) language, not the respondents'."""
    _ = translator(portal_lang(request))
    return {
        "lang": portal_lang(request),
        "title": _(
            "Preview of %(questionnaire)s, version %(version)s", questionnaire=questionnaire, version=number
        ),
        "text": _("This is how respondents see the form. Nothing you send here is stored."),
        "back": _("Back to the questionnaire"),
        "back_url": f"{QUESTIONNAIRES_PAGE}/{questionnaire}/{number}",
        "draft": _("draft") if state == "draft" else "",
    }


def _tried(
    request: Request[Any, Any, Any], version: QuestionnaireVersion, values: dict[str, str], lang: Language
) -> tuple[dict[str, str], list[dict[str, str]], str]:
    """The answers checked as a submission would be: the problem at each question, the summary's
    lines, and what a real submission would come to (nothing is stored either way)."""
    _ = translator(portal_lang(request))
    gettext, _n = translators(lang)
    pick = text_picker(lang)
    checked = check_answers(version, {k: v for k, v in values.items() if k in version.item_ids})
    field_errors: dict[str, str] = {}
    errors: list[dict[str, str]] = []
    for problem in checked.problems:
        item = version.item(problem.item)
        field_errors[problem.item] = problem_message(problem, gettext)
        anchor = f"input-{item.id}" if version.scale_of(item).is_text else f"item-{item.id}"
        errors.append(
            {"anchor": anchor, "message": f"{pick(item.text)} – {field_errors[item.id]}", "item": "1"}
        )
    outcome = (
        _("A real submission would be refused like this: nothing has been stored.")
        if checked.problems
        else _("The answers would be taken: nothing has been stored.")
    )
    return field_errors, errors, outcome


def _switch(path: str, version: QuestionnaireVersion, tag: str) -> list[dict[str, Any]]:
    return [
        {
            "tag": t,
            "native": LANGUAGES[t].native,
            "direction": LANGUAGES[t].direction,
            "url": f"{path}?{urlencode({'sprache': t})}",
            "current": t == tag,
        }
        for t in version.languages
        if t in LANGUAGES
    ]


def _preview_page(
    request: Request[Any, Any, Any],
    questionnaire: str,
    number: int,
    version: QuestionnaireVersion | None,
    state: str,
    kommune_name: str,
    *,
    values: dict[str, str] | None = None,
    tried: bool = False,
) -> Template:
    tag = _respondent_lang(request, version)
    lang = language(tag)
    gettext, ngettext = translators(lang)
    banner = _banner(request, questionnaire, number, state)
    common = {"_": gettext, "ngettext": ngettext, "language": lang, "banner": banner, "kommune": kommune_name}
    if version is None:
        _ = translator(portal_lang(request))
        reason = _(
            "The preview needs a draft whose questions name scales and sections it has: fix the "
            "problems in the editor first."
        )
        context = {**common, "switch_languages": [], "page_title": banner["title"], "reason": reason}
        return Template("portal/questionnaire_preview_none.html", context=context, headers=NO_STORE)
    field_errors: dict[str, str] = {}
    errors: list[dict[str, str]] = []
    if tried:
        field_errors, errors, banner["outcome"] = _tried(request, version, values or {}, lang)
    path = f"{QUESTIONNAIRES_PAGE}/{questionnaire}/{number}/vorschau"
    pick = text_picker(lang)
    context = {
        **common,
        "switch_languages": _switch(path, version, tag),
        "page_title": pick(version.title),
        "version": version,
        "sections": {s.id: s for s in version.sections},
        "text": pick,
        "options": scale_options(lang),
        "service_point_name": None,
        "action": f"{path}?{urlencode({'sprache': tag})}",
        "submission_key": "vorschau",
        "values": values or {},
        "errors": errors,
        "field_errors": field_errors,
        "ask_access_code": False,
        "kiosk": False,
        "kiosk_thanks": None,
        "receipt_code": None,
        "counts_for": None,
        "closes_on": None,
    }
    return Template(
        "portal/questionnaire_preview.html",
        context=context,
        status_code=400 if errors else 200,
        headers=NO_STORE,
    )


async def _version(
    request: Request[Any, Any, Any], questionnaire: str, number: int
) -> tuple[QuestionnaireVersion | None, str]:
    try:
        return await version_for_preview(questionnaire, number)
    except DraftError as exc:
        raise NotFoundException(say(exc.message, portal_lang(request))) from None


@get(_PREVIEW, name="office-questionnaire-preview", include_in_schema=False)
async def preview_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Template:
    await require(viewer, may_edit_questionnaires, f"questionnaire preview {questionnaire} v{version}")
    content, state = await _version(request, questionnaire, version)
    return _preview_page(request, questionnaire, version, content, state, await kommune())


@post(_PREVIEW, name="office-questionnaire-preview-try", include_in_schema=False)
async def preview_try(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Template:
    """The preview's form sent: the answers checked as a submission would be; nothing stored."""
    await require(viewer, may_edit_questionnaires, f"questionnaire preview {questionnaire} v{version}")
    content, state = await _version(request, questionnaire, version)
    try:
        values, _broken = await form_fields(request)
    except NotAForm:
        values = {}
    for key in ("submission_key", "lang"):
        values.pop(key, None)
    return _preview_page(
        request, questionnaire, version, content, state, await kommune(), values=values, tried=True
    )


PREVIEW_ROUTES = [preview_page, preview_try]
