"""Before a draft is published: the page with its diff against the version before and, per
Leitbild value, whether its trend stays comparable (GET …/veroeffentlichen, changes nothing);
its form publishes (POST, same address): the version is frozen with its content hash and the
draft is deleted. A staff version needs the Personalrat's approval afterwards, and the page says
so. Discarding a draft is asked first the same way (…/verwerfen).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.errors import N_, Code, Message, SurveyError
from survey.services.draft_review import review_draft
from survey.services.drafts import (
    DraftError,
    discard_version,
    may_edit_questionnaires,
    open_version_draft,
    publish_version,
)
from survey.web.auth import CsrfChecked, CurrentViewer, require
from survey.web.manage._questionnaire_shared import QUESTIONNAIRES_PAGE, editor_url, moment
from survey.web.notices import Notice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang

__all__ = ["PUBLISH_ROUTES"]

_PUBLISH = f"{QUESTIONNAIRES_PAGE}/{{questionnaire:str}}/{{version:int}}/veroeffentlichen"
_DISCARD = f"{QUESTIONNAIRES_PAGE}/{{questionnaire:str}}/{{version:int}}/verwerfen"


def _text_in(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("de") or next(iter(texts.values()), "")


@get(_PUBLISH, name="office-questionnaire-review", include_in_schema=False)
async def review_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Template:
    """What publishing would change, in plain words; its form publishes. Changes nothing."""
    await require(viewer, may_edit_questionnaires, f"questionnaire review {questionnaire} v{version}")
    lang = portal_lang(request)
    try:
        review = await review_draft(questionnaire, version)
    except DraftError as exc:
        raise NotFoundException(say(exc.message, lang)) from None
    _ = page_text(request)
    response = page(
        request,
        "portal/questionnaire_publish.html",
        title=_(
            "Publish %(questionnaire)s, version %(version)s", questionnaire=questionnaire, version=version
        ),
        review=review,
        draft=review.state.draft,
        blockers=[say(m, lang) for m in review.blockers],
        text_in=lambda texts: _text_in(texts, lang),
        result=show(take_notice(request, viewer), lang),
    )
    forget_notice(request, response)
    return response


@post(_PUBLISH, name="office-questionnaire-publish", include_in_schema=False)
async def publish_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Redirect:
    await require(viewer, may_edit_questionnaires, f"questionnaire publish {questionnaire} v{version}")
    revision = (await request.form()).get("revision")
    based_on = int(revision) if isinstance(revision, str) and revision.isdigit() else 0
    try:
        frozen = await publish_version(questionnaire, version, based_on, viewer.username)
    except SurveyError as exc:
        target = editor_url(questionnaire, version, "/veroeffentlichen")
        try:
            await open_version_draft(questionnaire, version)
        except DraftError:
            target = QUESTIONNAIRES_PAGE
        return redirect_with(request, viewer, target, Notice(False, exc.message))
    template = (
        N_(
            "%(questionnaire)s version %(version)s is published with the checksum %(hash)s…; before a "
            "staff wave can use it, the Personalrat approves it"
        )
        if frozen.audience == "staff"
        else N_("%(questionnaire)s version %(version)s is published with the checksum %(hash)s…")
    )
    params = {"questionnaire": Code(questionnaire), "version": version, "hash": frozen.content_hash[:12]}
    return redirect_with(request, viewer, QUESTIONNAIRES_PAGE, Notice(True, Message(template, params)))


@get(_DISCARD, name="office-questionnaire-discard-ask", include_in_schema=False)
async def discard_ask_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Template:
    await require(
        viewer, may_edit_questionnaires, f"questionnaire discard {questionnaire} v{version} (asked)"
    )
    lang = portal_lang(request)
    try:
        state = await open_version_draft(questionnaire, version)
    except DraftError as exc:
        raise NotFoundException(say(exc.message, lang)) from None
    _ = page_text(request)
    return page(
        request,
        "portal/questionnaire_discard.html",
        title=_(
            "Discard the draft of %(questionnaire)s, version %(version)s",
            questionnaire=questionnaire,
            version=version,
        ),
        draft=state.draft,
        saved=moment(state.draft.saved_at, lang),
        action=editor_url(questionnaire, version, "/verwerfen"),
        back=editor_url(questionnaire, version),
    )


@post(_DISCARD, name="office-questionnaire-discard", include_in_schema=False)
async def discard_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Redirect:
    await require(viewer, may_edit_questionnaires, f"questionnaire discard {questionnaire} v{version}")
    try:
        await discard_version(questionnaire, version, viewer.username)
    except SurveyError as exc:
        return redirect_with(request, viewer, QUESTIONNAIRES_PAGE, Notice(False, exc.message))
    message = Message(
        N_("the draft of %(questionnaire)s version %(version)s is discarded"),
        {"questionnaire": Code(questionnaire), "version": version},
    )
    return redirect_with(request, viewer, QUESTIONNAIRES_PAGE, Notice(True, message))


PUBLISH_ROUTES = [review_page, publish_page, discard_ask_page, discard_page]
