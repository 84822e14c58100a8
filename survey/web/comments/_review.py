"""`/kommentare/freigabe`: the comments that wait for the survey office's or the Personalrat's
release, per wave. Each can be released, blacked out further (a passage copied from it becomes a
marker) or withheld with a reason (its text is emptied at once). Every decision is in the audit
log, without the text."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.errors import N_, Message, SurveyError
from survey.services.accounts import Principal
from survey.services.comment_review import (
    REASON_MAX,
    CommentReviewError,
    black_out,
    release_comment,
    review_page,
    review_waves,
    withhold_comment,
)
from survey.services.figures import wave_titles_in
from survey.services.permissions import may_approve, may_run_waves
from survey.web.auth import CsrfChecked, CurrentViewer, require
from survey.web.notices import Notice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import page, portal_lang, translator

__all__ = ["PAGE", "REVIEW_ROUTES"]

PAGE = "/kommentare/freigabe"
#: the longest passage or reason a form is read with (longer is refused by the service)
_FIELD_LIMIT = 2000


def may_review(principal: Principal) -> bool:
    """Offered to the survey office and the Personalrat; which waves each releases, the service says."""
    return may_run_waves(principal) or may_approve(principal)


@get(PAGE, name="comment-review-waves", include_in_schema=False)
async def waves_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    await require(viewer, may_review, "comment review")
    lang = portal_lang(request)
    _ = translator(lang)
    rows = await review_waves(viewer.principal)
    response = page(
        request,
        "portal/comment_review_waves.html",
        title=_("Comments waiting for release"),
        rows=rows,
        titles=await wave_titles_in([r.wave.key for r in rows], lang),
        page_url=PAGE,
        result=show(take_notice(request, viewer), portal_lang(request)),
    )
    forget_notice(request, response)
    return response


@get(f"{PAGE}/{{wave:str}}", name="comment-review-wave", include_in_schema=False)
async def wave_page(request: Request[Any, Any, Any], viewer: CurrentViewer, wave: FromPath[str]) -> Template:
    await require(viewer, may_review, f"comment review {wave}")
    lang = portal_lang(request)
    _ = translator(lang)
    try:
        review = await review_page(wave, viewer.principal)
    except CommentReviewError as exc:
        raise NotFoundException(say(exc.message, lang)) from None
    response = page(
        request,
        "portal/comment_review.html",
        title=_("Release comments"),
        review=review,
        wave_title=(await wave_titles_in([wave], lang)).get(wave, review.wave.title),
        page_url=f"{PAGE}/{wave}",
        reason_max=REASON_MAX,
        result=show(take_notice(request, viewer), lang),
    )
    forget_notice(request, response)
    return response


@post(f"{PAGE}/{{wave:str}}/{{comment:int}}", name="comment-review-decide", include_in_schema=False)
async def decide(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    wave: FromPath[str],
    comment: FromPath[int],
) -> Redirect:
    """One decision about one comment: `action` release | black_out (with `passage`) | withhold
    (with `reason`). A refused decision comes back as a notice on the page; nothing changes then."""
    await require(viewer, may_review, f"comment review {wave}")
    form = await request.form()
    action = str(form.get("action") or "")
    passage = str(form.get("passage") or "")[:_FIELD_LIMIT]
    reason = str(form.get("reason") or "")[:_FIELD_LIMIT]
    target = f"{PAGE}/{wave}#comment-{comment}"
    try:
        if action == "release":
            await release_comment(wave, comment, viewer.principal)
            done = N_("The comment is released (or waits for the other reviewer)")
        elif action == "black_out":
            await black_out(wave, comment, passage, viewer.principal)
            done = N_("The passage is blacked out; the earlier text is not kept")
        elif action == "withhold":
            await withhold_comment(wave, comment, reason, viewer.principal)
            done = N_("The comment is withheld: nobody reads it any more")
        else:
            raise CommentReviewError(Message(N_("choose what to do with the comment")))
    except SurveyError as exc:
        return redirect_with(request, viewer, target, Notice(False, exc.message))
    return redirect_with(request, viewer, target, Notice(True, Message(done)))


REVIEW_ROUTES = [waves_page, wave_page, decide]
